"""Solver results pass the independent checker, match brute force, and behave on request."""

import itertools
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from factories import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import (
    Assignment,
    Block,
    HardRules,
    HourBand,
    Person,
    Problem,
    Room,
    Solution,
    Talk,
    Track,
    Window,
    check,
    largest_subset,
    solve,
)
from scheduler.instance import Instance


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6))
def test_solution_passes_independent_checker_when_feasible(seed):
    problem = random_problem(seed)
    solution = solve(problem, time_limit=5, workers=2, seed=0)
    if not solution.has_schedule:
        return
    report = check(problem, solution)
    assert report.ok, report.hard_violations
    assert dict(report.soft_terms) == dict(solution.soft_terms)
    assert report.objective == solution.objective


def _brute_force(problem: Problem) -> int | None:
    """Best checker objective over every combination of placements."""
    inst = Instance(problem, keep_all=True)
    per_talk = []
    for t, talk in enumerate(problem.talks):
        per_talk.append([Assignment(talk.id, inst.rooms[o[0]].id, inst.grid.blocks[o[1]].id, o[2])
                         for o in inst.options(t)])
    best = None
    for combo in itertools.product(*per_talk):
        report = check(problem, Solution("FEASIBLE", assignments=combo))
        if report.ok and (best is None or report.objective < best):
            best = report.objective
    return best


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10**6))
def test_optimal_objective_matches_brute_force_on_tiny_instances(seed):
    problem = random_problem(seed, talks=3, rooms=2, blocks=2, slots=2)
    solution = solve(problem, time_limit=5, workers=1)
    best = _brute_force(problem)
    if best is None:
        assert not solution.has_schedule
        return
    assert solution.status == "OPTIMAL"
    assert solution.objective == best


def test_same_seed_gives_same_schedule_when_deterministic():
    problem = random_problem(11, talks=10, rooms=3, blocks=3, slots=4, rich=False)
    first = solve(problem, time_limit=2, workers=2, seed=3, deterministic=True)
    second = solve(problem, time_limit=2, workers=2, seed=3, deterministic=True)
    assert first.has_schedule
    assert first.assignments == second.assignments


def test_progress_callback_called_with_objective():
    seen = []
    solution = solve(random_problem(11, talks=10, rooms=3, blocks=3, slots=4, rich=False), time_limit=3,
                     on_progress=seen.append)
    assert solution.has_schedule
    assert any(p.objective is not None for p in seen)
    assert all(p.elapsed_seconds >= 0 for p in seen)


def test_progress_reports_each_schedules_exact_cost_not_cp_sats_loose_objective(monkeypatch):
    """Auxiliary variables carry only their lower side, so CP-SAT's objective for a solution found
    on the way can exceed what the schedule costs; progress reports the cost recomputed exactly."""
    import scheduler.solver as solver_module

    cp_sat_objectives = []
    reporting = solver_module._Callback.on_solution_callback

    def recording(callback):
        if callback.on_progress is not None:  # the run that reports (not a repair sub-model)
            cp_sat_objectives.append(callback.objective_value)
        reporting(callback)

    monkeypatch.setattr(solver_module._Callback, "on_solution_callback", recording)
    loose = 0
    for seed in range(6):
        problem = random_problem(seed, talks=12, rooms=3, blocks=3, slots=4, rich=True)
        cp_sat_objectives.clear()
        seen = []
        # Deterministic: CP-SAT's share of the time is a work budget, not what is left of the clock.
        solution = solve(problem, time_limit=2, workers=1, seed=1, deterministic=True, on_progress=seen.append)
        if not solution.has_schedule:
            continue
        reported = [p.objective for p in seen if p.objective is not None]
        assert len(reported) == len(cp_sat_objectives) > 0
        assert all(ours <= theirs for ours, theirs in zip(reported, cp_sat_objectives, strict=True))
        loose += sum(ours < theirs for ours, theirs in zip(reported, cp_sat_objectives, strict=True))
        assert reported[-1] == solution.objective == check(problem, solution).objective
    assert loose > 0  # these problems do show the difference


@pytest.mark.parametrize("talks", [12, 40])  # one CP-SAT run; search in front of the bound worker
def test_stop_event_cancels_solve(talks):
    stop = threading.Event()
    stop.set()
    problem = random_problem(5, talks=talks, rooms=4, blocks=4, slots=6, rich=True)
    solution = solve(problem, time_limit=30, stop=stop)
    assert solution.wall_time < 10
    assert solution.status in ("CANCELLED", "FEASIBLE", "OPTIMAL", "INFEASIBLE")
    if solution.status != "CANCELLED":
        assert check(problem, solution).ok


def _two_slot_problem(**extra) -> Problem:
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    return Problem(
        blocks=(Block("b", start, 2),), rooms=(Room("r"),),
        talks=tuple(Talk(f"t{i}", speakers=("s",), priority=i) for i in range(3)),
        people=(Person("s", availability=(Window(start, start + timedelta(hours=2)),)),), **extra)


def test_largest_subset_leaves_out_lowest_priority_talk():
    solution = largest_subset(_two_slot_problem(), time_limit=5)
    assert solution.has_schedule
    assert solution.unscheduled == ("t0",)
    assert check(_two_slot_problem(), solution).ok


def test_relaxed_person_clash_is_reported_by_name():
    problem = Problem(
        blocks=(Block("b", datetime(2026, 5, 1, 9, tzinfo=UTC), 1),), rooms=(Room("r1"), Room("r2")),
        talks=(Talk("a", speakers=("s",)), Talk("b", speakers=("s",))), people=(Person("s"),),
        hard_rules=HardRules(relaxed=frozenset({"person-clash"})))
    solution = solve(problem, time_limit=5)
    assert solution.has_schedule
    assert [v.rule for v in solution.violations] == ["person-clash"]
    report = check(problem, solution)
    assert report.ok
    assert report.soft_terms["person-clash"] == 1
    assert report.objective == solution.objective


def test_lns_mode_gives_checked_schedule_with_valid_bound():
    problem = random_problem(2, talks=30, rooms=4, blocks=3, slots=6, rich=False)
    # One CP-SAT run on the full model (deterministic: not the hybrid, which is a heuristic too).
    full = solve(problem, time_limit=3, mode="full", deterministic=True)
    lns = solve(problem, time_limit=3, mode="lns")
    assert lns.mode == "lns" and lns.has_schedule
    assert check(problem, lns).ok
    assert check(problem, lns).objective == lns.objective
    # Each run's bound lies below the other's schedule; a proven optimum below any schedule.
    assert lns.best_bound <= full.objective and full.best_bound <= lns.objective
    if full.status == "OPTIMAL":
        assert full.objective <= lns.objective


def _talk_only_placeable_by_breaking_a_relaxed_rule(fillers: int) -> Problem:
    """Talk "c"'s speaker is never available: it runs only by breaking the relaxed rule, at a cost
    (1 000 000) far above its unscheduled penalty (100 000). Speaker q suits only one slot and a
    cohesive track must split over two rooms, so the schedule stays above the quick bounds and
    the search goes on after construction."""
    day = datetime(2026, 6, 1, 9, tzinfo=UTC)
    away = Window(day + timedelta(days=3), day + timedelta(days=3, hours=2))
    talks = [Talk("a", speakers=("q",)), Talk("b", speakers=("q",)), Talk("c", speakers=("s",))]
    talks += [Talk(f"f{i}") for i in range(fillers)]
    if fillers:
        talks += [Talk("x", track="k", allowed_rooms=("r1",)), Talk("y", track="k", allowed_rooms=("r2",))]
    return Problem(
        blocks=(Block("b1", day, 3 + fillers // 2),), rooms=(Room("r1"), Room("r2")), talks=tuple(talks),
        people=(Person("q", local_hour_bands=(HourBand(time(9), time(9, 30), 0),), unsuitable_penalty=5),
                Person("s", availability=(away,))),
        tracks=(Track("k", cohesive=True),),
        hard_rules=HardRules(relaxed=frozenset({"person-unavailable"}), relaxed_weight=1_000_000))


@pytest.mark.parametrize(("fillers", "options"), [(0, {"mode": "lns", "workers": 1}), (0, {"mode": "full"}),
                                                  (18, {"workers": 2})])  # 23 talks: the hybrid
def test_every_talk_is_placed_even_when_its_only_placements_cost_more_than_leaving_it_out(fillers, options):
    problem = _talk_only_placeable_by_breaking_a_relaxed_rule(fillers)
    solution = solve(problem, time_limit=3, seed=0, **options)
    assert solution.has_schedule and solution.unscheduled == ()
    report = check(problem, solution)
    assert report.ok and report.objective == solution.objective
    assert report.soft_terms["person-unavailable"] == 1
    assert solution.best_bound <= solution.objective


def test_largest_subset_on_the_hybrid_path_leaves_out_the_lowest_priorities():
    import random

    rng = random.Random(1)
    problem = Problem(blocks=(Block("b", datetime(2026, 6, 1, 6, tzinfo=UTC), 60),), rooms=(Room("r"),),
                      slot_minutes=15, talks=tuple(Talk(f"t{i}", priority=rng.randrange(5)) for i in range(80)))
    priority = {t.id: t.priority for t in problem.talks}
    solution = largest_subset(problem, time_limit=10, workers=2, seed=1)  # wall time: room to swap on a loaded machine
    assert check(problem, solution).ok
    # One room for 60 of 80 talks: the best subset leaves out the 20 lowest priorities.
    assert sorted(priority[t] for t in solution.unscheduled) == sorted(priority.values())[:20]


def test_deterministic_schedule_does_not_depend_on_how_long_construction_takes(monkeypatch):
    import time

    import scheduler.solver as solver_module

    problem = random_problem(1, talks=19, rooms=4, blocks=3, slots=6)
    construct = solver_module._construct
    delay = [0.0]

    def slow_construct(*args, **kwargs):  # a loaded machine: the same work, later
        time.sleep(delay[0])
        return construct(*args, **kwargs)

    monkeypatch.setattr(solver_module, "_construct", slow_construct)
    schedules = []
    for delay[0] in (0.0, 0.6):
        solution = solve(problem, time_limit=1.5, workers=2, seed=3, deterministic=True)
        assert solution.has_schedule
        schedules.append(solution.assignments)
    assert schedules[0] == schedules[1]
