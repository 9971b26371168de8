"""The solver's two halves alone, for plateau measurements (not part of `solver_bench`).

``anneal``: the annealer (`solver._anneal`) alone from the constructed schedule, with a
fixed move budget and the deterministic temperature schedule, so that two versions can be
compared at equal moves (their wall times and moves per second are printed too).
``moves``: moves per second of the annealing loop alone, its compiled kernel against the same
functions as plain Python. ``lagrangian``: the Lagrangian bound (`lagrangian.LagrangianBound.run`) alone for a given
time, printing the best bound at fixed marks (step target: the constructed schedule's
objective, as in the solver). ``steps``: the median time of one Lagrangian step in each
form, at fixed random multipliers. ``small``: `solve` on a small instance in both of its
modes, one CP-SAT run on the full model and the hybrid (search in front, bound worker behind),
to place `solver.HYBRID_MIN_TALKS`. ``terms``: the annealed schedule and the bound with each
subset of the coupling terms (attendee conflicts, similar-track clashes, track cohesion)
switched on, and how far the terms together exceed the sum of each alone (on either side).
``gap``: where the gap lies: the annealed schedule's
placement and coupling terms (coupling among talks with a single placement, such as pinned
keynotes, is fixed) next to the cheapest-placement sum, the Lagrangian bound without coupling
terms (every coupling weight 0) and the full Lagrangian bound.

Usage::

    python bench/solver_parts.py anneal --talks 1000 --seed 2 --moves 40000000
    python bench/solver_parts.py moves --talks 1000 --seed 2 --moves 4000000 --temperature 3
    python bench/solver_parts.py lagrangian --talks 1000 --seed 2 --seconds 150
    python bench/solver_parts.py steps --talks 1000
    python bench/solver_parts.py small --talks 50 --seed 3 --seconds 60
    python bench/solver_parts.py gap --talks 1000 --seed 2 --moves 8000000 --seconds 60
    python bench/solver_parts.py terms --talks 200 --seed 1 --moves 20000000 --seconds 30
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import time as clock
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402
from scheduler import solver  # noqa: E402
from scheduler.formulation import evaluate, term_weights  # noqa: E402
from scheduler.instance import COEF_NAMES, Instance  # noqa: E402
from scheduler.lagrangian import EXACT_TRACKS, LagrangianBound  # noqa: E402

MARKS = (10, 30, 60, 90, 120, 180, 240, 300, 450, 600)
# The deterministic schedule spreads the budget over time_limit x moves per second; a large
# nominal limit keeps the clock from ever cutting the run short.
_NOMINAL_LIMIT = 1e6


def _constructed(problem, seed: int):
    """The problem's instance and the solver's constructed schedule (deterministic) with its objective."""
    inst = Instance(problem)
    placed = solver._construct(inst, random.Random(seed), time_limit=60, workers=1, seed=seed, deterministic=True)
    return inst, placed, solver._objective(inst, placed)


def _dual(inst: Instance, exact_tracks: int = EXACT_TRACKS) -> LagrangianBound:
    """The Lagrangian bound in the form the solver picks for this instance (`exact_tracks`: the
    largest part of the similar-track graph whose clashes are counted exactly, 0 for none)."""
    return LagrangianBound(inst, False, rooms=inst.count_options() <= solver.LAGRANGIAN_ROOMS_MAX_OPTIONS,
                           exact_tracks=exact_tracks)


def anneal(talks: int, seed: int, moves: int, problem=None) -> dict:
    """The annealer alone on the generated instance (or on `problem`, built from the same seed)."""
    inst, placed, start = _constructed(generate(talks, seed) if problem is None else problem, seed)
    saved = solver.ANNEAL_MOVES_PER_SECOND
    solver.ANNEAL_MOVES_PER_SECOND = moves / (_NOMINAL_LIMIT * solver.ANNEAL_SHARE)
    try:
        began = clock.monotonic()
        schedule, final, _, _ = solver._anneal(
            inst, placed, start, random.Random(seed), bound=0, found=1, background=None,
            until=began + _NOMINAL_LIMIT, deterministic=True, time_limit=_NOMINAL_LIMIT, on_progress=None,
            stop=None, started=began)
        seconds = clock.monotonic() - began
    finally:
        solver.ANNEAL_MOVES_PER_SECOND = saved
    return {"start": start, "final": final, "seconds": seconds, "moves_per_second": moves / seconds,
            "schedule": schedule}


_MOVES_CHILD = """
import json, random, sys, time
sys.path.insert(0, sys.argv[1])
from bench.solver_parts import _constructed
from bench.generate import generate
from scheduler import anneal_kernel
from scheduler.local_search import Annealer
talks, seed, moves, temperature, rounds = map(float, sys.argv[2:7])
inst, placed, _ = _constructed(generate(int(talks), int(seed)), int(seed))
anneal_kernel.warm()
rates = []
for k in range(int(rounds)):
    annealer = Annealer(inst, placed)
    began = time.perf_counter()
    annealer.run(random.Random(k), moves=int(moves), start_temperature=temperature, end_temperature=temperature)
    rates.append(moves / (time.perf_counter() - began))
print(json.dumps({"compiled": anneal_kernel.COMPILED, "rates": rates}))
"""


def moves(talks: int, seed: int, count: int, temperature: float, rounds: int = 3) -> dict:
    """Moves per second of the annealing loop alone (no descent, fixed temperature) from the
    constructed schedule, compiled and as plain Python (`SCHEDULER_NO_JIT=1`), each in a child,
    alternating; median of `rounds` runs each."""
    import json
    import os
    import statistics
    import subprocess

    root = str(Path(__file__).resolve().parent.parent)
    rates: dict[str, list[float]] = {"compiled": [], "plain": []}
    for form in ("compiled", "plain"):
        env = {k: v for k, v in os.environ.items() if k != "SCHEDULER_NO_JIT"}
        if form == "plain":
            env["SCHEDULER_NO_JIT"] = "1"
        out = subprocess.run([sys.executable, "-c", _MOVES_CHILD, root, str(talks), str(seed),
                              str(count if form == "compiled" else max(1, count // 8)), str(temperature),
                              str(rounds)], env=env, capture_output=True, text=True, check=True)
        rates[form] = json.loads(out.stdout.strip().splitlines()[-1])["rates"]
    return {form: statistics.median(r) for form, r in rates.items()}


def lagrangian(talks: int, seed: int, seconds: float, marks=MARKS, exact_tracks: int = EXACT_TRACKS) -> dict:
    # Step target: the constructed objective, as in the solver.
    inst, _, target = _constructed(generate(talks, seed), seed)
    began = clock.monotonic()
    dual = _dual(inst, exact_tracks)
    setup = clock.monotonic() - began
    found: list[tuple[float, int]] = []
    began = clock.monotonic()
    final = dual.run(target=target, deadline=began + seconds,
                     on_bound=lambda b: found.append((clock.monotonic() - began, b)))
    at = {m: max((b for t, b in found if t <= m), default=None) for m in marks if m <= seconds}
    return {"setup": setup, "final": final, "steps": dual.iterations, "at": at, "rooms": dual.rooms,
            "target": target}


def steps(talks: int, seed: int, repeats: int = 15, exact_tracks: int = EXACT_TRACKS) -> dict[str, float]:
    """Median milliseconds of one Lagrangian step (`evaluate`) in each form, at fixed random multipliers."""
    import numpy as np

    inst = Instance(generate(talks, seed))
    out = {}
    for rooms in (True, False):
        dual = LagrangianBound(inst, False, rooms=rooms, exact_tracks=exact_tracks)
        rng = np.random.default_rng(seed)
        mult = rng.random((dual.n_rows, dual.size)) * np.minimum(dual.upper, 5.0)
        sigma = rng.random((len(dual.pair_a), dual.size))
        mu = rng.random((dual.n_rooms, dual.size)) * 3.0 if rooms else None
        times = []
        for _ in range(repeats):
            began = clock.perf_counter()
            dual.evaluate(mult, sigma, mu)
            times.append(clock.perf_counter() - began)
        out["rooms" if rooms else "counting"] = 1000 * sorted(times)[len(times) // 2]
    return out


def _lagrangian_value(problem, seconds: float) -> int:
    """The bound after `seconds`, stepping towards the objective of the schedule constructed with seed 0."""
    inst, _, target = _constructed(problem, 0)
    return _dual(inst).run(target=target, deadline=clock.monotonic() + seconds, on_bound=lambda _: None)


def gap(talks: int, seed: int, moves: int, seconds: float) -> dict[str, int]:
    """The annealed schedule's terms against the bounds with and without coupling terms (weighted)."""
    inst = Instance(generate(talks, seed))
    r = anneal(talks, seed, moves)
    schedule = r["schedule"]
    weights = term_weights(inst.problem)
    values = evaluate(inst, schedule)
    placement = sum(weights[name] * values.get(name, 0) for name in COEF_NAMES)
    single = {t: o for t, o in schedule.items() if len(inst.option_list(t)) == 1}
    fixed_values = evaluate(inst, {t: single.get(t) for t in schedule})
    fixed = sum(weights[name] * v for name, v in fixed_values.items()
                if name not in COEF_NAMES and name != solver.RULE_UNSCHEDULED)
    uncoupled = dataclasses.replace(inst.problem.weights, attendee_conflict=0, similar_track_clash=0,
                                    track_cohesion=0, track_order=0)
    return {
        "objective": r["final"],
        "placement": placement,
        "coupling": r["final"] - placement,
        "fixed_coupling": fixed,
        "cheapest": solver._lower_bound(inst, False),
        "placement_bound": _lagrangian_value(dataclasses.replace(inst.problem, weights=uncoupled), seconds),
        "bound": _lagrangian_value(inst.problem, seconds),
    }


# The coupling terms `terms` switches on and off, by their weight fields.
COUPLING = ("attendee_conflict", "similar_track_clash", "track_cohesion")


def terms(talks: int, seed: int, moves: int, seconds: float) -> list[dict]:
    """The annealed schedule and the Lagrangian bound with each subset of the coupling terms
    (the others' weights set to 0; track order keeps its weight), so that what each term adds
    on its own can be set against what the terms add together. Rows: `on` (the terms kept),
    `objective`, `bound`."""
    import itertools

    base = generate(talks, seed)
    rows = []
    for k in range(len(COUPLING) + 1):
        for on in itertools.combinations(COUPLING, k):
            weights = dataclasses.replace(base.weights, **{name: 0 for name in COUPLING if name not in on})
            problem = dataclasses.replace(base, weights=weights)
            rows.append({"on": on, "objective": anneal(talks, seed, moves, problem)["final"],
                         "bound": _lagrangian_value(problem, seconds)})
    return rows


def interaction(rows: list[dict], key: str) -> int:
    """What all the terms together add to `key` beyond the sum of what each adds alone."""
    by = {row["on"]: row[key] for row in rows}
    alone = by[()]
    return by[COUPLING] - alone - sum(by[(name,)] - alone for name in COUPLING)


def small(talks: int, seed: int, seconds: float) -> dict[str, dict]:
    """`solve` (2 workers) in each mode on one generated instance: status, objective, bound, gap."""
    problem = generate(talks, seed)
    saved = solver.HYBRID_MIN_TALKS
    out = {}
    try:
        for mode, threshold in (("full model", 10**9), ("hybrid", 0)):
            solver.HYBRID_MIN_TALKS = threshold
            s = solver.solve(problem, time_limit=seconds, workers=2, seed=1)
            out[mode] = {"status": s.status, "objective": s.objective, "bound": s.best_bound, "gap": s.gap}
    finally:
        solver.HYBRID_MIN_TALKS = saved
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="part", required=True)
    a = sub.add_parser("anneal", help="the annealer alone, fixed move budget")
    a.add_argument("--moves", type=int, default=8_000_000)
    v = sub.add_parser("moves", help="moves per second of the annealing loop, compiled and plain Python")
    v.add_argument("--moves", type=int, default=4_000_000, help="per compiled run (plain runs: an eighth)")
    v.add_argument("--temperature", type=float, default=3.0)
    v.add_argument("--rounds", type=int, default=3)
    g = sub.add_parser("lagrangian", help="the Lagrangian bound alone")
    g.add_argument("--seconds", type=float, default=150.0)
    t = sub.add_parser("steps", help="median time of one Lagrangian step, both forms")
    for p in (g, t):
        p.add_argument("--tracks", type=int, default=EXACT_TRACKS,
                       help="largest part of the similar-track graph counted exactly (0: every pair relaxed)")
    c = sub.add_parser("terms", help="schedule and bound with each subset of the coupling terms switched on")
    c.add_argument("--moves", type=int, default=20_000_000)
    c.add_argument("--seconds", type=float, default=30.0, help="for each Lagrangian bound")
    m = sub.add_parser("small", help="solve in both modes (full model, hybrid) on a small instance")
    m.add_argument("--seconds", type=float, default=30.0)
    d = sub.add_parser("gap", help="the annealed schedule's terms against the bounds with and without coupling")
    d.add_argument("--moves", type=int, default=8_000_000)
    d.add_argument("--seconds", type=float, default=60.0, help="for each Lagrangian bound")
    for p in sub.choices.values():
        p.add_argument("--talks", type=int, default=1000)
        p.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.part == "anneal":
        r = anneal(args.talks, args.seed, args.moves)
        print(f"anneal {args.talks} talks, seed {args.seed}, {args.moves} moves: {r['start']} -> {r['final']} "
              f"in {r['seconds']:.1f} s ({r['moves_per_second']:.0f} moves/s)")
    elif args.part == "moves":
        r = moves(args.talks, args.seed, args.moves, args.temperature, args.rounds)
        print(f"moves {args.talks} talks, seed {args.seed}, T = {args.temperature:g}, median of {args.rounds}: "
              f"compiled {r['compiled']:.0f} moves/s, plain Python {r['plain']:.0f} moves/s "
              f"(ratio {r['compiled'] / r['plain']:.1f})")
    elif args.part == "steps":
        r = steps(args.talks, args.seed, exact_tracks=args.tracks)
        print(f"lagrangian step {args.talks} talks, seed {args.seed}, exact parts of <= {args.tracks} tracks: "
              f"rooms form {r['rooms']:.1f} ms, counting form {r['counting']:.1f} ms (median)")
    elif args.part == "gap":
        r = gap(args.talks, args.seed, args.moves, args.seconds)
        print(f"gap {args.talks} talks, seed {args.seed}, {args.moves} moves, {args.seconds:g} s per bound: "
              f"schedule {r['objective']} = placement terms {r['placement']} + coupling terms {r['coupling']} "
              f"(fixed by single-placement talks: {r['fixed_coupling']}); cheapest-placement sum {r['cheapest']}, "
              f"bound without coupling {r['placement_bound']}, bound {r['bound']} (coupling credited beyond the "
              f"fixed part: {r['bound'] - r['placement_bound'] - r['fixed_coupling']})")
    elif args.part == "terms":
        rows = terms(args.talks, args.seed, args.moves, args.seconds)
        print(f"terms {args.talks} talks, seed {args.seed}, {args.moves} moves, {args.seconds:g} s per bound:")
        for row in rows:
            share = (row["objective"] - row["bound"]) / max(1, row["objective"])
            print(f"  {' + '.join(row['on']) or 'no coupling':<58} objective {row['objective']:>7} "
                  f"bound {row['bound']:>7} gap {100 * share:.1f} %")
        print(f"  all together beyond the sum of each alone: objective {interaction(rows, 'objective'):+d}, "
              f"bound {interaction(rows, 'bound'):+d}")
    elif args.part == "small":
        for mode, r in small(args.talks, args.seed, args.seconds).items():
            shown = "-" if r["gap"] is None else f"{100 * r['gap']:.1f} %"
            print(f"{mode}: {args.talks} talks, seed {args.seed}, {args.seconds:g} s: {r['status']} objective "
                  f"{r['objective']} bound {r['bound']} gap {shown}")
    else:
        r = lagrangian(args.talks, args.seed, args.seconds, exact_tracks=args.tracks)
        marks = ", ".join(f"{m} s: {b}" for m, b in r["at"].items())
        print(f"lagrangian {args.talks} talks, seed {args.seed} ({'rooms' if r['rooms'] else 'counting'} form, "
              f"exact parts of <= {args.tracks} tracks, set up in {r['setup']:.1f} s): {marks}; "
              f"final {r['final']} after {r['steps']} steps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
