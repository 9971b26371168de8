"""Simulated annealing keeps its incremental cost exact and never breaks a hard rule."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from factories import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate
from scheduler import check, local_search, solve
from scheduler.formulation import evaluate, weighted
from scheduler.instance import Instance
from scheduler.local_search import Annealer
from scheduler.solver import _construct

ROOT = Path(__file__).resolve().parents[2]


def _start(seed: int):
    problem = random_problem(seed, talks=10, rooms=3, blocks=3, slots=4)
    inst = Instance(problem)
    placed = _construct(inst, random.Random(seed), time_limit=2, workers=1)
    return problem, inst, placed


def _single_moves(annealer, inst):
    """Every (talk, current placement, other placement it could move to now)."""
    for t, old in annealer.placed.items():
        for new in inst.option_list(t):
            if new != old and annealer.fits_moved(t, new):
                yield t, old, new


def _assert_no_person_in_two_places_and_no_room_twice(inst, placed):
    assert evaluate(inst, placed).get("person-clash", 0) == 0
    rooms = [(o[0], g) for t, o in placed.items() for g in range(o[3], o[3] + inst.talks[t].slots)]
    assert len(rooms) == len(set(rooms))


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
    _assert_no_person_in_two_places_and_no_room_twice(inst, best)
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


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_ejection_moves_keep_the_cost_exact_and_the_rules(seed):
    problem, inst, placed = _start(seed)
    if any(o is None for o in placed.values()):
        return
    annealer = Annealer(inst, placed)
    start = dict(annealer.placed)
    with pytest.MonkeyPatch.context() as patch:  # ejections only
        patch.setattr(local_search, "RELOCATE_SHARE", 0.0)
        patch.setattr(local_search, "EJECT_SHARE", 1.0)
        best_cost, best = annealer.run(random.Random(seed), moves=1500, start_temperature=20.0,
                                       end_temperature=20.0)
    assert annealer.cost == weighted(inst, evaluate(inst, annealer.placed))
    assert best_cost == weighted(inst, evaluate(inst, best))
    _assert_no_person_in_two_places_and_no_room_twice(inst, annealer.placed)
    moved = [t for t in start if annealer.placed[t] != start[t]]
    assert all(annealer.placed[t] in inst.option_list(t) for t in moved)


def test_ejection_moves_do_move_talks():
    # A hot run of ejections alone changes the schedule (the move is not a no-op).
    _, inst, placed = _start(0)
    assert all(o is not None for o in placed.values())
    annealer = Annealer(inst, placed)
    ejected = 0
    rng = random.Random(1)
    for t in list(annealer.placed):
        for new in annealer.options[t]:
            old = annealer.placed[t]
            if new != old and annealer.eject(t, new, 1e9, rng):
                ejected += 1
                break
    assert ejected > 0
    assert annealer.cost == weighted(inst, evaluate(inst, annealer.placed))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_descent_ends_where_no_single_move_improves(seed):
    problem, inst, placed = _start(seed)
    if any(o is None for o in placed.values()):
        return
    annealer = Annealer(inst, placed)
    before = annealer.cost
    change = annealer.descend()
    assert annealer.cost == before + change <= before
    assert annealer.cost == weighted(inst, evaluate(inst, annealer.placed))
    # Check against the exact objective, not the annealer's own bookkeeping.
    for t, _, option in _single_moves(annealer, inst):
        assert weighted(inst, evaluate(inst, {**annealer.placed, t: option})) >= annealer.cost


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6))
def test_coupling_bounds_what_any_single_move_can_save(seed):
    """Relocations skip placements costing more than the current one plus `coupling` plus a few
    temperatures; that is only safe if no move saves more than `coupling` beyond placement costs."""
    problem, inst, placed = _start(seed)
    if any(o is None for o in placed.values()):
        return
    annealer = Annealer(inst, placed)
    annealer.run(random.Random(seed), moves=300, start_temperature=20.0, end_temperature=20.0)
    before = weighted(inst, evaluate(inst, annealer.placed))
    for t, old, new in _single_moves(annealer, inst):
        after = weighted(inst, evaluate(inst, {**annealer.placed, t: new}))
        placement = annealer.placement_cost(t, new) - annealer.placement_cost(t, old)
        assert after - before >= placement - annealer.coupling(t, old), (t, old, new)


_ANNEAL_SCRIPT = """
import json, random, sys
from bench.generate import generate
from scheduler.instance import Instance
from scheduler.local_search import Annealer
from scheduler.solver import _construct
from scheduler import anneal_kernel
from scheduler.formulation import evaluate, weighted
inst = Instance(generate(40, seed=3))
placed = _construct(inst, random.Random(3), time_limit=5, workers=1, deterministic=True)
annealer = Annealer(inst, placed)
cost, best = annealer.run(random.Random(5), moves=30000, start_temperature=40.0, end_temperature=1.0)
change = annealer.descend()
print(json.dumps({"compiled": anneal_kernel.COMPILED, "cost": cost, "best": sorted(best.items()),
                  "current": annealer.cost, "descent": change,
                  "exact": weighted(inst, evaluate(inst, best))}))
"""


def _anneal_in_child(no_jit: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SCHEDULER_NO_JIT"}
    if no_jit:
        env["SCHEDULER_NO_JIT"] = "1"
    out = subprocess.run([sys.executable, "-c", _ANNEAL_SCRIPT], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_compiled_kernel_and_plain_python_give_the_same_schedule():
    # The product installs numba: the kernel is compiled; without it (or with SCHEDULER_NO_JIT)
    # the same functions run as Python over lists, and a seed must give the same run.
    compiled, plain = _anneal_in_child(False), _anneal_in_child(True)
    assert compiled["compiled"] and not plain["compiled"]
    assert compiled["cost"] == compiled["exact"]
    assert compiled["descent"] <= 0
    assert {k: v for k, v in compiled.items() if k != "compiled"} == {
        k: v for k, v in plain.items() if k != "compiled"}


_NO_CACHE_PREFIX = """
import contextlib, io, json
import numba.core.caching
def read_only(self):
    raise PermissionError("read-only file system")
numba.core.caching._CacheLocator.ensure_cache_path = read_only  # no place numba may write its cache
from scheduler.__main__ import main
err = io.StringIO()
with contextlib.redirect_stderr(err):
    code = main(["compile"])
from scheduler import anneal_kernel
print(json.dumps({"cached": anneal_kernel.CACHED, "code": code, "stderr": err.getvalue()}))
"""


def test_kernel_compiles_without_a_writable_cache_directory():
    # A read-only install with no writable home: numba cannot cache, and `cache=True` used to
    # make importing the scheduler fail. The kernel is then compiled in the process, with a
    # warning, and anneals exactly as the cached one.
    out = subprocess.run([sys.executable, "-c", _NO_CACHE_PREFIX + _ANNEAL_SCRIPT], cwd=ROOT,
                         env={k: v for k, v in os.environ.items() if k != "SCHEDULER_NO_JIT"},
                         capture_output=True, text=True, timeout=600, check=True)
    lines = out.stdout.strip().splitlines()
    compiling, uncached = json.loads(lines[-2]), json.loads(lines[-1])
    assert compiling["code"] == 0 and not compiling["cached"]
    assert "NUMBA_CACHE_DIR" in compiling["stderr"] and "not kept" in compiling["stderr"]
    assert uncached["compiled"]
    assert uncached == _anneal_in_child(False)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10**6))
def test_loading_another_schedule_keeps_the_cost_exact(seed):
    # The closing descent reuses the annealer on the best schedule seen instead of a new one.
    problem, inst, placed = _start(seed)
    if any(o is None for o in placed.values()):
        return
    annealer = Annealer(inst, placed)
    annealer.run(random.Random(seed), moves=500, start_temperature=50.0, end_temperature=50.0)
    annealer.load(placed)
    assert annealer.placed == placed
    assert annealer.cost == weighted(inst, evaluate(inst, placed))
