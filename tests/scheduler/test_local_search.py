"""Simulated annealing keeps its incremental cost exact and never breaks a hard rule."""

import random

from factories import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate
from scheduler import check, solve
from scheduler.formulation import evaluate, weighted
from scheduler.instance import Instance
from scheduler.local_search import Annealer
from scheduler.solver import _construct


def _start(seed: int):
    problem = random_problem(seed, talks=10, rooms=3, blocks=3, slots=4)
    inst = Instance(problem)
    placed = _construct(inst, random.Random(seed), time_limit=2, workers=1)
    return problem, inst, placed


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6))
def test_annealer_cost_equals_exact_objective_after_every_run(seed):
    problem, inst, placed = _start(seed)
    if any(o is None for o in placed.values()):
        return
    annealer = Annealer(inst, placed)
    assert annealer.cost == weighted(inst, evaluate(inst, placed))
    rng = random.Random(seed)
    for temperature in (50.0, 5.0, 0.5):
        best_cost, best = annealer.run(
            rng, moves=400, start_temperature=temperature, end_temperature=temperature
        )
        assert annealer.cost == weighted(inst, evaluate(inst, annealer.placed))
        assert best_cost == weighted(inst, evaluate(inst, best))
        assert best_cost <= annealer.cost


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_annealed_schedule_breaks_no_hard_rule(seed):
    problem, inst, placed = _start(seed)
    if any(o is None for o in placed.values()):
        return
    _, best = Annealer(inst, placed).run(random.Random(seed), moves=2000)
    values = evaluate(inst, best)
    assert values.get("person-clash", 0) == 0
    rooms = [(o[0], g) for t, o in best.items() for g in range(o[3], o[3] + inst.talks[t].slots)]
    assert len(rooms) == len(set(rooms))
    assert all(o in inst.option_list(t) for t, o in best.items())


def test_annealing_run_is_repeatable_with_the_same_seed():
    _, inst, placed = _start(7)
    first = Annealer(inst, placed).run(random.Random(3), moves=3000)
    second = Annealer(inst, placed).run(random.Random(3), moves=3000)
    assert first == second


def test_hybrid_solve_after_annealing_is_checked_and_bounded():
    problem = generate(80, seed=2)  # above 60 talks: annealing, LNS and the bound worker
    solution = solve(problem, time_limit=6, workers=2, seed=1)
    assert solution.has_schedule and not solution.unscheduled
    report = check(problem, solution)
    assert report.ok and report.objective == solution.objective
    assert solution.best_bound <= solution.objective
