"""The Lagrangian bound is a valid lower bound, stronger than the cheapest-placement sum."""

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime

from factories import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st
from test_solver import _brute_force

from scheduler import Block, Person, Problem, Room, SimilarTracks, Talk, Track, solve
from scheduler.instance import Instance
from scheduler.lagrangian import LagrangianBound, bounds_in_process
from scheduler.solver import _lower_bound


def _with_chairs(problem: Problem, seed: int) -> Problem:
    """Every track chaired by one of the first people (chaired tracks form presenter groups)."""
    tracks = tuple(replace(track, chairs=(f"p{(seed + i) % 3}",)) for i, track in enumerate(problem.tracks))
    return replace(problem, tracks=tracks)


def _bound(problem: Problem, allow_unscheduled: bool = False, steps: int = 300, target: float = 2000,
           rooms: bool = True) -> int:
    dual = LagrangianBound(Instance(problem), allow_unscheduled, rooms=rooms)
    return dual.run(target=target, deadline=time.monotonic() + 30, iterations=steps)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_lagrangian_bound_never_exceeds_brute_force_optimum(seed, chaired):
    problem = random_problem(seed, talks=4, rooms=2, blocks=2, slots=2)
    if chaired:
        problem = _with_chairs(problem, seed)
    best = _brute_force(problem)
    if best is None:
        return
    for allow_unscheduled in (False, True):
        for rooms in (True, False):  # a placement per talk with room rows, or starts with room counting
            assert _bound(problem, allow_unscheduled, target=best + 100, rooms=rooms) <= best, (allow_unscheduled,
                                                                                                 rooms)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10**6))
def test_lagrangian_bound_is_at_least_the_cheapest_placement_sum(seed):
    problem = random_problem(seed, talks=8, rooms=3, blocks=2, slots=4)
    assert _bound(problem, steps=50) >= _lower_bound(Instance(problem), False)


def _similar_chaired_tracks() -> Problem:
    """Two similar chaired tracks of two one-slot talks each, three slots, two rooms: one clash at least."""
    block = Block("b", datetime(2026, 5, 1, 9, tzinfo=UTC), 3)
    talks = tuple(Talk(f"t{i}", track=f"k{i % 2}", speakers=(f"s{i}",)) for i in range(4))
    people = tuple(Person(f"s{i}") for i in range(4)) + (Person("c0"), Person("c1"))
    return Problem(blocks=(block,), rooms=(Room("r1"), Room("r2")), talks=talks, people=people,
                   tracks=(Track("k0", chairs=("c0",)), Track("k1", chairs=("c1",))),
                   similar_tracks=(SimilarTracks("k0", "k1", 2),))


def test_lagrangian_counts_a_chaired_track_as_running_while_any_of_its_talks_runs():
    # Each chaired track runs in two of the three slots, so they share one: cost 2 x weight.
    problem = _similar_chaired_tracks()
    best = _brute_force(problem)
    assert best == 2 * problem.weights.similar_track_clash
    assert _lower_bound(Instance(problem), False) == 0
    assert _bound(problem, steps=500, target=best + 10) == best


def test_lagrangian_bounds_stream_from_a_child_process_and_stop_when_asked():
    problem = random_problem(5, talks=12, rooms=3, blocks=2, slots=4)
    best = solve(problem, time_limit=3, workers=1)  # any schedule costs at least the optimum
    assert best.has_schedule
    dual = LagrangianBound(Instance(problem), False)
    stopped = threading.Event()
    seen = []
    began = time.monotonic()
    for bound in bounds_in_process(dual, target=best.objective, deadline=began + 20, stopped=stopped):
        seen.append(bound)
        stopped.set()  # the first bound is enough: the child is ended
    assert seen and seen[0] <= best.objective
    assert time.monotonic() - began < 10
    seen = list(bounds_in_process(dual, target=best.objective, deadline=time.monotonic() + 1,
                                  stopped=threading.Event()))
    assert seen == sorted(seen) and seen[-1] <= best.objective


def test_lagrangian_child_process_is_killed_when_stopped_between_bounds():
    problem = random_problem(5, talks=12, rooms=3, blocks=2, slots=4)
    dual = LagrangianBound(Instance(problem), False)
    stopped = threading.Event()
    threading.Timer(1.5, stopped.set).start()
    began = time.monotonic()
    # An unreachable target: the child would run for 60 s without a new bound.
    list(bounds_in_process(dual, target=10**9, deadline=began + 60, stopped=stopped))
    assert time.monotonic() - began < 10


def test_lns_mode_reports_a_lagrangian_bound_above_the_cheapest_placement_sum(monkeypatch):
    monkeypatch.setenv("SCHEDULER_BOUND_WORKER", "lagrangian")
    problem = random_problem(3, talks=70, rooms=6, blocks=4, slots=6, rich=False)
    solution = solve(problem, time_limit=6, workers=2, mode="lns")
    assert solution.has_schedule
    assert _lower_bound(Instance(problem), False) < solution.best_bound <= solution.objective


def test_room_rows_see_that_two_big_talks_cannot_share_the_big_room():
    """One slot, a room for 100 and a room for 10, two talks of 100 people: one overflows by 90.

    Counting rooms only, both talks take the big room (two talks, two rooms: no violation);
    with one multiplier per room and slot the bound reaches the optimum.
    """
    block = Block("b", datetime(2026, 5, 1, 9, tzinfo=UTC), 1)
    problem = Problem(blocks=(block,), rooms=(Room("big", capacity=100), Room("small", capacity=10)),
                      talks=(Talk("a", audience=100), Talk("b", audience=100)))
    optimum = solve(problem, time_limit=5, workers=1, deterministic=True)
    assert optimum.status == "OPTIMAL" and optimum.soft_terms["capacity-overflow"] == 90
    assert _bound(problem, rooms=False, target=optimum.objective + 10) < optimum.objective
    assert _bound(problem, rooms=True, target=optimum.objective + 10) == optimum.objective



@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6), st.booleans(), st.booleans())
def test_lagrangian_gradient_is_a_supergradient(seed, rooms, allow_unscheduled):
    """L is concave and the returned direction g satisfies L(y) <= L(x) + g . (y - x) for every y:
    the defining property the subgradient steps rely on (checked with prices summed over several
    chunks of talks)."""
    import numpy as np

    import scheduler.lagrangian as lagrangian

    problem = _with_chairs(random_problem(seed, talks=8, rooms=3, blocks=2, slots=3), seed)
    original = lagrangian._PRICE_CHUNK
    lagrangian._PRICE_CHUNK = 3
    try:
        dual = LagrangianBound(Instance(problem), allow_unscheduled, rooms=rooms)
    finally:
        lagrangian._PRICE_CHUNK = original
    assert len(dual.price_chunks) > 1 or len(dual.priced_talks) <= 3
    rng = np.random.default_rng(seed)

    def point():
        mult = rng.random((dual.n_rows, dual.size)) * np.minimum(dual.upper, 20.0)
        sigma = rng.random((len(dual.pair_a), dual.size)) * dual.pair_upper[:, None]
        mu = rng.random((dual.n_rooms, dual.size)) * 20.0 if rooms else None
        return mult, sigma, mu

    x = point()
    value, grad, sigma_grad, mu_grad = dual.evaluate(*x)
    for _ in range(5):
        y = point()
        linear = value + float((grad * (y[0] - x[0])).sum()) + float((sigma_grad * (y[1] - x[1])).sum())
        if rooms:
            linear += float((mu_grad * (y[2] - x[2])).sum())
        assert dual.evaluate(*y)[0] <= linear + 1e-6
