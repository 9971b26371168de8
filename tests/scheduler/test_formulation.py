"""The exact evaluator agrees with the checker, the greedy repairs, and bounds stay valid."""

import random
from datetime import UTC, datetime, time, timedelta

from factories import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st
from test_solver import _brute_force

from scheduler import (
    Assignment,
    Block,
    HourBand,
    Person,
    Problem,
    Room,
    Solution,
    Talk,
    Window,
    check,
    solve,
)
from scheduler.formulation import evaluate
from scheduler.instance import Instance
from scheduler.rules import SOFT_TERMS
from scheduler.solver import _construct, _greedy, _lower_bound


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6))
def test_evaluate_matches_checker_on_random_placements(seed):
    problem = random_problem(seed, talks=8, rooms=3, blocks=2, slots=3)
    inst = Instance(problem, keep_all=True)
    rng = random.Random(seed)
    placed = {}
    for t in range(len(problem.talks)):
        options = inst.option_list(t)
        placed[t] = rng.choice(options) if options and rng.random() < 0.9 else None
    values = evaluate(inst, placed)
    assignments = tuple(Assignment(problem.talks[t].id, inst.rooms[o[0]].id, inst.grid.blocks[o[1]].id, o[2])
                        for t, o in placed.items() if o is not None)
    unscheduled = tuple(problem.talks[t].id for t, o in placed.items() if o is None)
    report = check(problem, Solution("FEASIBLE", assignments=assignments, unscheduled=unscheduled))
    for name in SOFT_TERMS:
        assert values.get(name, 0) == report.soft_terms[name], name


def _adversarial_problem() -> Problem:
    """One room, two slots: "early" is cheapest at slot 0, but "fixed" can only run at slot 0."""
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    return Problem(
        blocks=(Block("b", start, 2),), rooms=(Room("r"),), slot_minutes=60,
        talks=(Talk("early", speakers=("s1",)), Talk("fixed", speakers=("s2",))),
        people=(Person("s1", local_hour_bands=(HourBand(time(9), time(10), 0),), unsuitable_penalty=20),
                Person("s2", availability=(Window(start, start + timedelta(hours=1)),))))


def test_greedy_ejects_blocking_talk_when_naive_order_fails():
    problem = _adversarial_problem()
    inst = Instance(problem)
    cheapest = min(zip(inst.option_costs(0), inst.option_list(0), strict=True))[1]
    assert cheapest[3] == 0  # the naive choice for "early" takes the only slot "fixed" can use
    placed = _greedy(inst, random.Random(0), order=[0, 1])
    assert all(o is not None for o in placed.values())
    assert placed[1][3] == 0 and placed[0][3] == 1


def test_construction_places_every_talk_whenever_a_schedule_exists():
    for seed in range(6):
        problem = random_problem(seed, talks=10, rooms=2, blocks=2, slots=3, rich=False)
        if not solve(problem, time_limit=2, workers=1, mode="full").has_schedule:
            continue
        inst = Instance(problem)
        order = list(range(len(problem.talks)))
        random.Random(seed).shuffle(order)
        placed = _construct(inst, random.Random(seed), order=order, time_limit=5)
        assert all(o is not None for o in placed.values()), seed


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10**6))
def test_reported_bounds_never_exceed_brute_force_optimum(seed):
    problem = random_problem(seed, talks=3, rooms=2, blocks=2, slots=2)
    best = _brute_force(problem)
    if best is None:
        return
    assert _lower_bound(Instance(problem), False) <= best
    for mode in ("full", "lns"):
        solution = solve(problem, time_limit=1, workers=1, mode=mode)
        if solution.has_schedule and solution.best_bound is not None:
            assert solution.best_bound <= best + 1e-6, mode
            assert solution.objective >= best


def test_hybrid_full_mode_reports_checked_terms_and_a_bound_below_the_objective():
    problem = random_problem(3, talks=70, rooms=6, blocks=4, slots=6, rich=False)
    seen = []
    solution = solve(problem, time_limit=4, workers=2, on_progress=seen.append)
    assert solution.has_schedule and solution.mode == "full"
    report = check(problem, solution)
    assert report.ok, report.hard_violations
    assert dict(report.soft_terms) == dict(solution.soft_terms)
    assert report.objective == solution.objective
    assert solution.best_bound <= solution.objective
    assert all(p.bound <= p.objective for p in seen if p.bound is not None and p.objective is not None)


def test_track_order_puts_every_talk_of_one_value_before_every_talk_of_the_next():
    from scheduler import Track

    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    problem = Problem(
        blocks=(Block("b", start, 3),), rooms=(Room("r"),), tracks=(Track("k"),),
        talks=(Talk("a", track="k", track_order=1), Talk("b", track="k", track_order=1),
               Talk("c", track="k", track_order=2)))

    def order_cost(slots: dict[str, int]) -> int:
        solution = Solution("FEASIBLE", tuple(Assignment(t, "r", "b", s) for t, s in slots.items()))
        report = check(problem, solution)
        inst = Instance(problem, keep_all=True)
        placed = {inst.talk_index[t]: next(o for o in inst.option_list(inst.talk_index[t]) if o[3] == s)
                  for t, s in slots.items()}
        assert evaluate(inst, placed).get("track-order", 0) == report.soft_terms["track-order"]
        return report.soft_terms["track-order"]

    assert order_cost({"a": 0, "b": 1, "c": 2}) == 0
    assert order_cost({"b": 0, "a": 1, "c": 2}) == 0  # equal values: either way round
    assert order_cost({"a": 0, "c": 1, "b": 2}) == 1  # c before b
    assert order_cost({"c": 0, "a": 1, "b": 2}) == 2  # c before both
    solution = solve(problem, time_limit=5, workers=1)
    assert solution.status == "OPTIMAL" and solution.soft_terms["track-order"] == 0
    assert {a.talk: a.start_slot for a in solution.assignments}["c"] == 2
