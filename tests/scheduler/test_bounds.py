"""The time relaxation (rooms replaced by counting) gives valid, and sometimes stronger, bounds."""

from dataclasses import replace
from datetime import UTC, datetime

from factories import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from test_formulation import _adversarial_problem
from test_solver import _brute_force

from scheduler import Block, Person, Problem, Room, SimilarTracks, Talk, Track, solve
from scheduler.formulation import build_time_relaxation
from scheduler.instance import Instance
from scheduler.solver import _component_pairs, _components, _lower_bound


def _relaxation_optimum(problem: Problem, *, coupling: bool = True) -> float | None:
    built = build_time_relaxation(Instance(problem), False, coupling=coupling)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 10
    solver.parameters.num_workers = 1
    status = solver.solve(built.model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL
    return round(solver.objective_value)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_time_relaxation_never_exceeds_brute_force_optimum(seed):
    problem = random_problem(seed, talks=3, rooms=2, blocks=2, slots=2)
    best = _brute_force(problem)
    for coupling in (True, False):
        relaxed = _relaxation_optimum(problem, coupling=coupling)
        if best is None:
            continue
        assert relaxed is not None  # a relaxation of a feasible problem is feasible
        assert relaxed <= best, coupling


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10**6))
def test_time_relaxation_is_at_least_the_cheapest_placement_sum(seed):
    problem = random_problem(seed, talks=5, rooms=2, blocks=2, slots=3)
    relaxed = _relaxation_optimum(problem)
    if relaxed is not None:
        assert relaxed >= _lower_bound(Instance(problem), False)


def test_time_relaxation_counts_rooms_where_the_cheapest_placement_sum_does_not():
    problem = _adversarial_problem()  # one room: both talks want slot 0
    best = _brute_force(problem)
    assert _lower_bound(Instance(problem), False) < best
    assert _relaxation_optimum(problem) == best


def test_time_relaxation_bounds_cohesion_by_concurrent_talks():
    # Two talks of one cohesive track, one slot, two rooms: they need both rooms.
    problem = Problem(blocks=(Block("b", datetime(2026, 5, 1, 9, tzinfo=UTC), 1),),
                      rooms=(Room("r1"), Room("r2")),
                      talks=(Talk("a", track="k", speakers=("s1",)), Talk("b", track="k", speakers=("s2",))),
                      people=(Person("s1"), Person("s2")), tracks=(Track("k", cohesive=True),))
    best = _brute_force(problem)
    assert best > 0
    assert _relaxation_optimum(problem) == best
    assert _relaxation_optimum(problem, coupling=False) == 0


def test_hybrid_mode_bound_is_valid_and_not_below_the_cheapest_placement_sum():
    problem = random_problem(3, talks=70, rooms=6, blocks=4, slots=6, rich=False)
    solution = solve(problem, time_limit=4, workers=2)
    assert solution.has_schedule
    assert _lower_bound(Instance(problem), False) <= solution.best_bound <= solution.objective


def test_progress_bounds_of_the_full_model_start_at_the_cheapest_placement_sum():
    problem = random_problem(11, talks=10, rooms=3, blocks=3, slots=4, rich=False)
    seen = []
    solution = solve(problem, time_limit=3, workers=1, on_progress=seen.append)
    floor = _lower_bound(Instance(problem), False)
    bounds = [p.bound for p in seen if p.bound is not None]
    assert solution.has_schedule and bounds
    assert all(floor <= b <= solution.objective for b in bounds)


def _two_hub_problem(seed: int) -> Problem:
    """A tiny random problem whose talks are split between two hubs with one room each."""
    base = random_problem(seed, talks=4, rooms=2, blocks=2, slots=2)
    hubs = ("london", "nyc")
    rooms = tuple(replace(room, hub=hubs[i], available_blocks=None) for i, room in enumerate(base.rooms))
    talks = tuple(replace(talk, mode="in_person", hub=hubs[i % 2], required_features=(), allowed_rooms=None)
                  for i, talk in enumerate(base.talks))
    return replace(base, rooms=rooms, talks=talks)


def _components_bound(problem: Problem, *, coupling: bool) -> float | None:
    inst = Instance(problem)
    components = _components(inst)
    pairs = _component_pairs(inst, components)
    total = 0.0
    for c, talks in enumerate(components):
        built = build_time_relaxation(inst, False, talks=talks, similar_pairs=pairs.get(c, set()),
                                      coupling=coupling)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.solve(built.model)
        if status == cp_model.INFEASIBLE:
            return None
        assert status == cp_model.OPTIMAL
        total += round(solver.objective_value)  # integer objectives; the float sum may be off by 1e-15
    return total


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_decomposition_bound_never_exceeds_brute_force_optimum(seed):
    problem = _two_hub_problem(seed)
    assert len(_components(Instance(problem))) == 2
    best = _brute_force(problem)
    if best is None:
        return
    for coupling in (True, False):
        bound = _components_bound(problem, coupling=coupling)
        assert bound is not None and bound <= best, coupling


def test_decomposition_counts_a_similar_pair_in_one_component_only():
    # Tracks k0 and k1 are similar and run in both hubs at once: the pair counts once.
    block = Block("b", datetime(2026, 5, 1, 9, tzinfo=UTC), 1)
    talks = tuple(Talk(f"t{i}", track=f"k{i % 2}", speakers=(f"s{i}",), mode="in_person", hub=hub)
                  for i, hub in enumerate(("london", "london", "nyc", "nyc")))
    problem = Problem(blocks=(block,), rooms=(Room("l1", hub="london"), Room("l2", hub="london"),
                                              Room("n1", hub="nyc"), Room("n2", hub="nyc")),
                      talks=talks, people=tuple(Person(f"s{i}") for i in range(4)),
                      tracks=(Track("k0"), Track("k1")), similar_tracks=(SimilarTracks("k0", "k1", 2),))
    best = _brute_force(problem)
    assert best == 2 * problem.weights.similar_track_clash
    assert _components_bound(problem, coupling=True) == best
