"""The Lagrangian bound is a valid lower bound, stronger than the cheapest-placement sum."""

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from factories import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st
from test_solver import _brute_force

from scheduler import Block, Person, Problem, Room, SimilarTracks, Talk, Track, solve
from scheduler.instance import Instance
from scheduler.lagrangian import (
    LagrangianBound,
    _cheapest_active,
    _similar_parts,
    bounds_in_process,
)
from scheduler.solver import _lower_bound


def _with_chairs(problem: Problem, seed: int) -> Problem:
    """Every track chaired by one of the first people (chaired tracks form presenter groups)."""
    tracks = tuple(replace(track, chairs=(f"p{(seed + i) % 3}",)) for i, track in enumerate(problem.tracks))
    return replace(problem, tracks=tracks)


def _similar_family(problem: Problem, seed: int) -> Problem:
    """The talks spread over four tracks, every pair of them similar (penalties 1-3), two chaired."""
    import random

    rng = random.Random(seed)
    tracks = tuple(Track(f"k{i}", chairs=(f"p{i}",) if i < 2 else ()) for i in range(4))
    talks = tuple(replace(talk, track=f"k{i % 4}") for i, talk in enumerate(problem.talks))
    similar = tuple(SimilarTracks(f"k{a}", f"k{b}", rng.randint(1, 3)) for a in range(4) for b in range(a + 1, 4))
    return replace(problem, tracks=tracks, talks=talks, similar_tracks=similar)


def _bound(problem: Problem, allow_unscheduled: bool = False, steps: int = 300, target: float = 2000,
           rooms: bool = True, exact_tracks: int = 16) -> int:
    dual = LagrangianBound(Instance(problem), allow_unscheduled, rooms=rooms, exact_tracks=exact_tracks)
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


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([0, 2, 3, 16]))
def test_bound_with_a_family_of_similar_tracks_never_exceeds_brute_force_optimum(seed, exact_tracks):
    # Four mutually similar tracks: exact as one part (16), cut into parts (2, 3) or all relaxed (0).
    problem = _similar_family(random_problem(seed, talks=5, rooms=2, blocks=1, slots=4), seed)
    best = _brute_force(problem)
    if best is None:
        return
    assert _bound(problem, target=best + 100, exact_tracks=exact_tracks) <= best


def test_exact_clashes_see_that_three_similar_tracks_cannot_all_run_apart():
    """Three mutually similar chaired tracks, one one-slot talk each, two slots, two rooms.

    Two of the tracks must share a slot. With the pairs relaxed, each track can be half
    active in each slot (a + b <= 1 holds for every pair), so the bound misses the clash;
    counted exactly, every 0/1 choice of active tracks pays it.
    """
    block = Block("b", datetime(2026, 5, 1, 9, tzinfo=UTC), 2)
    talks = tuple(Talk(f"t{i}", track=f"k{i}", speakers=(f"s{i}",)) for i in range(3))
    people = tuple(Person(f"s{i}") for i in range(3)) + tuple(Person(f"c{i}") for i in range(3))
    problem = Problem(blocks=(block,), rooms=(Room("r1"), Room("r2")), talks=talks, people=people,
                      tracks=tuple(Track(f"k{i}", chairs=(f"c{i}",)) for i in range(3)),
                      similar_tracks=tuple(SimilarTracks(f"k{a}", f"k{b}", 1) for a, b in ((0, 1), (0, 2), (1, 2))))
    best = _brute_force(problem)
    assert best == problem.weights.similar_track_clash
    assert _bound(problem, steps=500, target=best + 10, exact_tracks=0) < best
    assert _bound(problem, steps=500, target=best + 10) == best


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 6), st.integers(1, 9), st.integers(1, 7))
def test_cheapest_active_matches_every_subset_up_to_its_limit_and_stays_below_beyond(seed, m, size, limit):
    import itertools

    import numpy as np

    rng = np.random.default_rng(seed)
    costs = {(a, b): float(rng.integers(0, 4)) for a in range(m) for b in range(a + 1, m)}
    table = np.array([sum(c for (a, b), c in costs.items() if mask >> a & 1 and mask >> b & 1)
                      for mask in range(2 ** m)])
    coef = rng.normal(0, 2, (m, size)).round(1)
    value, active = _cheapest_active(coef, table, limit)
    expected = 0.0
    for g in range(size):
        cheapest = min(sum(coef[k, g] for k in chosen) + table[sum(1 << k for k in chosen)]
                       for r in range(m + 1) for chosen in itertools.combinations(range(m), r))
        if (coef[:, g] < 0).sum() <= limit:
            chosen = [k for k in range(m) if active[k, g]]
            assert sum(coef[k, g] for k in chosen) + table[sum(1 << k for k in chosen)] == pytest.approx(cheapest)
        expected += cheapest
    if (coef < 0).sum(axis=0).max() <= limit:
        assert value == pytest.approx(expected)
    else:
        assert value <= expected + 1e-9  # clashes dropped beyond the limit: still a lower bound


def test_similar_parts_keep_a_family_whole_when_it_fits_and_cut_it_by_ties_otherwise():
    edges = [(0, 1, 3.0), (1, 2, 3.0), (0, 2, 3.0), (2, 3, 1.0), (3, 4, 3.0), (4, 5, 3.0), (7, 8, 1.0)]
    assert _similar_parts(edges, 16) == [[0, 1, 2, 3, 4, 5], [7, 8]]
    parts = _similar_parts(edges, 3)
    assert sorted(parts) == [[0, 1, 2], [3, 4, 5], [7, 8]]  # the weak tie 2-3 is the one relaxed
    assert _similar_parts(edges, 0) == []


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



@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6), st.booleans(), st.booleans(), st.sampled_from([0, 3, 16]))
def test_lagrangian_gradient_is_a_supergradient(seed, rooms, allow_unscheduled, exact_tracks):
    """L is concave and the returned direction g satisfies L(y) <= L(x) + g . (y - x) for every y:
    the defining property the subgradient steps rely on (checked with prices summed over several
    chunks of talks)."""
    import numpy as np

    import scheduler.lagrangian as lagrangian

    problem = _similar_family(random_problem(seed, talks=8, rooms=3, blocks=2, slots=3), seed)
    original = lagrangian._PRICE_CHUNK
    lagrangian._PRICE_CHUNK = 3
    try:
        dual = LagrangianBound(Instance(problem), allow_unscheduled, rooms=rooms, exact_tracks=exact_tracks)
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


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_exact_clashes_never_lower_the_lagrangian_at_equal_prices(seed, rooms):
    """At the same row and room multipliers, counting a family's clashes exactly gives at least
    the value of relaxing its pairs, whatever the pair multipliers."""
    import numpy as np

    problem = _similar_family(random_problem(seed, talks=8, rooms=3, blocks=2, slots=3), seed)
    inst = Instance(problem)
    exact = LagrangianBound(inst, False, rooms=rooms)
    relaxed = LagrangianBound(inst, False, rooms=rooms, exact_tracks=0)
    assert len(exact.pair_a) == 0 and len(relaxed.pair_a) == len(problem.similar_tracks)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        mult = rng.random((exact.n_rows, exact.size)) * np.minimum(exact.upper, 20.0)
        mu = rng.random((exact.n_rooms, exact.size)) * 20.0 if rooms else None
        sigma = rng.random((len(relaxed.pair_a), relaxed.size)) * relaxed.pair_upper[:, None]
        assert exact.evaluate(mult, np.zeros((0, exact.size)), mu)[0] >= relaxed.evaluate(mult, sigma, mu)[0] - 1e-9
