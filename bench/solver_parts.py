"""The solver's two halves alone, for plateau measurements (not part of `solver_bench`).

``anneal``: the annealer (`solver._anneal`) alone from the constructed schedule, with a
fixed move budget and the deterministic temperature schedule, so that two versions can be
compared at equal moves (their wall times and moves per second are printed too).
``lagrangian``: the Lagrangian bound (`lagrangian.LagrangianBound.run`) alone for a given
time, printing the best bound at fixed marks (step target: the constructed schedule's
objective, as in the solver). ``steps``: the median time of one Lagrangian step in each
form, at fixed random multipliers.

Usage::

    python bench/solver_parts.py anneal --talks 1000 --seed 2 --moves 40000000
    python bench/solver_parts.py lagrangian --talks 1000 --seed 2 --seconds 150
    python bench/solver_parts.py steps --talks 1000
"""

from __future__ import annotations

import argparse
import random
import sys
import time as clock
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402
from scheduler import solver  # noqa: E402
from scheduler.instance import Instance  # noqa: E402
from scheduler.lagrangian import LagrangianBound  # noqa: E402

MARKS = (10, 30, 60, 90, 120, 180, 240, 300, 450, 600)
# The deterministic schedule spreads the budget over time_limit x moves per second; a large
# nominal limit keeps the clock from ever cutting the run short.
_NOMINAL_LIMIT = 1e6


def _constructed(talks: int, seed: int):
    """The generated instance and the solver's constructed schedule (deterministic) with its objective."""
    inst = Instance(generate(talks, seed))
    placed = solver._construct(inst, random.Random(seed), time_limit=60, workers=1, seed=seed, deterministic=True)
    return inst, placed, solver._objective(inst, placed)


def anneal(talks: int, seed: int, moves: int) -> dict:
    inst, placed, start = _constructed(talks, seed)
    saved = solver.ANNEAL_MOVES_PER_SECOND
    solver.ANNEAL_MOVES_PER_SECOND = moves / (_NOMINAL_LIMIT * solver.ANNEAL_SHARE)
    try:
        began = clock.monotonic()
        _, final, _, _ = solver._anneal(inst, placed, start, random.Random(seed), bound=0, found=1, background=None,
                                        until=began + _NOMINAL_LIMIT, deterministic=True,
                                        time_limit=_NOMINAL_LIMIT, on_progress=None, stop=None, started=began)
        seconds = clock.monotonic() - began
    finally:
        solver.ANNEAL_MOVES_PER_SECOND = saved
    return {"start": start, "final": final, "seconds": seconds, "moves_per_second": moves / seconds}


def lagrangian(talks: int, seed: int, seconds: float, marks=MARKS) -> dict:
    inst, _, target = _constructed(talks, seed)  # step target: the constructed objective, as in the solver
    began = clock.monotonic()
    dual = LagrangianBound(inst, False, rooms=inst.count_options() <= solver.LAGRANGIAN_ROOMS_MAX_OPTIONS)
    setup = clock.monotonic() - began
    found: list[tuple[float, int]] = []
    began = clock.monotonic()
    final = dual.run(target=target, deadline=began + seconds,
                     on_bound=lambda b: found.append((clock.monotonic() - began, b)))
    at = {m: max((b for t, b in found if t <= m), default=None) for m in marks if m <= seconds}
    return {"setup": setup, "final": final, "steps": dual.iterations, "at": at, "rooms": dual.rooms,
            "target": target}


def steps(talks: int, seed: int, repeats: int = 15) -> dict[str, float]:
    """Median milliseconds of one Lagrangian step (`evaluate`) in each form, at fixed random multipliers."""
    import numpy as np

    inst = Instance(generate(talks, seed))
    out = {}
    for rooms in (True, False):
        dual = LagrangianBound(inst, False, rooms=rooms)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="part", required=True)
    a = sub.add_parser("anneal", help="the annealer alone, fixed move budget")
    a.add_argument("--moves", type=int, default=8_000_000)
    g = sub.add_parser("lagrangian", help="the Lagrangian bound alone")
    g.add_argument("--seconds", type=float, default=150.0)
    sub.add_parser("steps", help="median time of one Lagrangian step, both forms")
    for p in sub.choices.values():
        p.add_argument("--talks", type=int, default=1000)
        p.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.part == "anneal":
        r = anneal(args.talks, args.seed, args.moves)
        print(f"anneal {args.talks} talks, seed {args.seed}, {args.moves} moves: {r['start']} -> {r['final']} "
              f"in {r['seconds']:.1f} s ({r['moves_per_second']:.0f} moves/s)")
    elif args.part == "steps":
        r = steps(args.talks, args.seed)
        print(f"lagrangian step {args.talks} talks, seed {args.seed}: rooms form {r['rooms']:.1f} ms, "
              f"counting form {r['counting']:.1f} ms (median)")
    else:
        r = lagrangian(args.talks, args.seed, args.seconds)
        marks = ", ".join(f"{m} s: {b}" for m, b in r["at"].items())
        print(f"lagrangian {args.talks} talks, seed {args.seed} ({'rooms' if r['rooms'] else 'counting'} form, "
              f"set up in {r['setup']:.1f} s): {marks}; final {r['final']} after {r['steps']} steps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
