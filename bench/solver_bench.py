"""Solver benchmark on generated realistic instances (see bench/generate.py).

For every size, one solve runs in its own child process with 2 workers and a time limit
equal to the last checkpoint (60 s, 120 s for 1000 talks).  The child records the
solver's anytime progress (`on_progress`: every new incumbent and every bound change),
so the figures "at 10 s" are the incumbent and bound the same run held at 10 s.  The
parent reads the child's peak resident memory exactly (``os.wait4``), because CP-SAT is
native code that ``tracemalloc`` cannot see.  The solution is then checked by the
independent checker ``scheduler.check``.

Usage::

    python bench/solver_bench.py                       # 50,200,1000,2000 talks
    python bench/solver_bench.py --sizes 50,200 --quick
"""

from __future__ import annotations

import argparse
import json
import sys
import time as clock
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    fmt,
    machine_info,
    median,
    render_table,
    run_child,
    write_results,
)

SIZES = (50, 200, 1000, 2000)
CHECKPOINTS = {50: (10, 60), 200: (10, 60), 1000: (10, 60, 120), 2000: (10, 60)}
QUICK_CHECKPOINTS = (5, 15)
TARGETS = {
    200: "optimal or gap<=1% by 60 s",
    1000: "feasible by 10 s; gap<=5% by 120 s",
    2000: "feasible by 60 s; peak RSS < 4 GB",
}


def _worker(talks: int, seed: int, time_limit: float, workers: int) -> dict[str, Any]:
    import scheduler
    from bench.generate import generate, summary

    t0 = clock.perf_counter()
    problem = generate(talks, seed)
    gen_s = clock.perf_counter() - t0
    trajectory: list[list[float | None]] = []

    def on_progress(p) -> None:
        trajectory.append([p.elapsed_seconds, p.objective, p.bound])

    t1 = clock.perf_counter()
    solution = scheduler.solve(problem, time_limit=time_limit, workers=workers, seed=0,
                               on_progress=on_progress)
    solve_s = clock.perf_counter() - t1
    t2 = clock.perf_counter()
    report = scheduler.check(problem, solution) if solution.has_schedule else None
    check_s = clock.perf_counter() - t2
    return {
        "shape": summary(problem),
        "generate_s": gen_s,
        "solve_s": solve_s,
        "check_s": check_s,
        "status": solution.status,
        "mode": solution.mode,
        "objective": solution.objective,
        "bound": solution.best_bound,
        "gap": solution.gap,
        "solver_wall_time": solution.wall_time,
        "scheduled": len(solution.assignments),
        "unscheduled": len(solution.unscheduled),
        "soft_terms": dict(solution.soft_terms),
        "checker_ok": None if report is None else report.ok,
        "checker_hard_violations": None if report is None else len(report.hard_violations),
        "checker_first_violations": [] if report is None else
        [f"[{v.rule}] {v.message}" for v in report.hard_violations[:5]],
        "checker_objective": None if report is None else report.objective,
        "trajectory": trajectory,
    }


def _complete_below(run: dict[str, Any]) -> float | None:
    """Objectives below this value belong to complete schedules (every talk placed).

    `Progress` does not say how many talks an incumbent leaves out (the LNS mode reports
    incomplete incumbents with the 'unscheduled' penalty included), so this is inferred:
    incumbents only improve, the final one is complete, so one leaving a talk out scores at
    least the unscheduled weight more than the final one.
    """
    from scheduler.model import Weights

    if run.get("status") not in ("OPTIMAL", "FEASIBLE") or run.get("unscheduled"):
        return None
    if run.get("mode") == "full":  # the full model has every talk placed in every incumbent
        return float("inf")
    return (run.get("objective") or 0) + Weights().unscheduled


def at(run: dict[str, Any], t: float) -> dict[str, Any]:
    """Incumbent objective, best bound and gap that the run held at `t` seconds."""
    obj = bound = None
    finished = run.get("solver_wall_time") is not None and run["solver_wall_time"] <= t
    if finished:
        obj, bound = run.get("objective"), run.get("bound")
    else:
        for elapsed, o, b in run.get("trajectory", []):
            if elapsed > t:
                break
            if o is not None:
                obj = o
            if b is not None:
                bound = b if bound is None else max(bound, b)
    gap = None
    if obj is not None and bound is not None:
        gap = max(0.0, (obj - bound) / max(1.0, abs(obj)))
    if finished and run.get("status") == "OPTIMAL":
        gap = 0.0
    limit = _complete_below(run)
    complete = None if obj is None else (
        (not run.get("unscheduled")) if finished else (limit is not None and obj < limit))
    return {"objective": obj, "bound": bound, "gap": gap, "complete": complete}


def first_feasible(run: dict[str, Any]) -> float | None:
    """Seconds until the first complete schedule (None if the run never had one)."""
    limit = _complete_below(run)
    if limit is None:
        return None
    for elapsed, o, _ in run.get("trajectory", []):
        if o is not None and o < limit:
            return elapsed
    return run.get("solver_wall_time")  # solved before any callback fired


def evaluate_target(talks: int, run: dict[str, Any], checkpoints) -> str:
    if run.get("status") is None or run.get("checker_ok") is False:
        return "NOT MET"
    if talks == 200:
        g = at(run, 60)["gap"]
        ok = run["status"] == "OPTIMAL" and (run["solver_wall_time"] or 1e9) <= 60 or \
            (g is not None and g <= 0.01)
    elif talks == 1000:
        ff = first_feasible(run)
        g = at(run, 120)["gap"] if 120 in checkpoints else None
        ok = ff is not None and ff <= 10 and g is not None and g <= 0.05
    elif talks == 2000:
        ff = first_feasible(run)
        ok = ff is not None and ff <= 60 and run.get("maxrss_mb", 1e9) < 4096
    else:
        return "-"
    return "MET" if ok else "NOT MET"


def run_bench(sizes, seeds, workers, quick, log=print) -> list[dict[str, Any]]:
    me = str(Path(__file__).resolve())
    runs = []
    for n in sizes:
        checkpoints = QUICK_CHECKPOINTS if quick else CHECKPOINTS.get(n, (10, 60))
        limit = float(checkpoints[-1])
        for seed in seeds:
            log(f"  solving {n} talks, seed {seed}, time limit {limit:g} s ...")
            child = run_child([me, "--worker", "--talks", str(n), "--seed", str(seed),
                               "--time-limit", str(limit), "--workers", str(workers)],
                              hard_timeout=3 * limit + 300)
            run: dict[str, Any] = {"talks": n, "seed": seed, "time_limit": limit,
                                   "checkpoints": list(checkpoints),
                                   "maxrss_mb": child.maxrss_mb, "child_wall": child.wall_s}
            if child.payload is None:
                run["status"] = None
                run["error"] = ("timeout" if child.timed_out else f"rc={child.returncode}") + \
                    ": " + child.stderr_tail[-600:]
                log(f"    failed: {run['error']}")
            else:
                run.update(child.payload)
                run["first_feasible_s"] = first_feasible(run)
                run["at"] = {str(t): at(run, t) for t in checkpoints}
                run["target"] = TARGETS.get(n, "-")
                run["target_met"] = evaluate_target(n, run, checkpoints)
                log(f"    {run['status']} obj={run['objective']} bound={fmt(run['bound'], '.0f')} "
                    f"mode={run['mode']} checker_ok={run['checker_ok']} "
                    f"rss={child.maxrss_mb:.0f} MB wall={child.wall_s:.1f}s")
            runs.append(run)
    return runs


def table(runs: list[dict[str, Any]]) -> str:
    all_cp = sorted({t for r in runs for t in r.get("checkpoints", [])})
    headers = ["talks", "seed", "rooms", "blocks", "mode", "1st feas s"]
    for t in all_cp:
        headers += [f"obj@{t}s", f"bound@{t}s", f"gap@{t}s"]
    headers += ["status", "unsched", "peak RSS MB", "checker", "target", "met"]
    rows = []
    for r in runs:
        shape = r.get("shape", {})
        row = [str(r["talks"]), str(r["seed"]), fmt(shape.get("rooms"), "d"),
               fmt(shape.get("blocks"), "d"), fmt(r.get("mode")), fmt(r.get("first_feasible_s"), ".1f")]
        for t in all_cp:
            a = r.get("at", {}).get(str(t))
            if a is None:
                row += ["", "", ""]
            else:
                mark = "*" if a.get("complete") is False else ""
                row += [fmt(a["objective"], ".0f") + mark, fmt(a["bound"], ".0f"),
                        fmt(None if a["gap"] is None else 100 * a["gap"], ".1f") + ("%" if a["gap"] is not None else "")]
        checker = "-" if r.get("checker_ok") is None else (
            "ok" if r["checker_ok"] else f"{r.get('checker_hard_violations')} viol.")
        rows.append(row + [fmt(r.get("status")), fmt(r.get("unscheduled"), "d"),
                           fmt(r.get("maxrss_mb"), ".0f"), checker, r.get("target", "-"),
                           r.get("target_met", "NOT MET")])
    return render_table(headers, rows)


def breakdown(runs: list[dict[str, Any]]) -> str:
    """Final soft terms (unweighted values x default weight) per run."""
    from scheduler.model import Weights

    w = Weights()
    names = sorted({k for r in runs for k, v in (r.get("soft_terms") or {}).items() if v})
    if not names:
        return ""
    headers = ["talks", "seed", *names]
    rows = []
    for r in runs:
        terms = r.get("soft_terms") or {}
        rows.append([str(r["talks"]), str(r["seed"])] + [
            f"{terms.get(n, 0)}x{w.for_rule(n)}" if n in Weights.__dataclass_fields__
            or n.replace("-", "_") in Weights.__dataclass_fields__ else str(terms.get(n, 0))
            for n in names])
    return "Final objective terms (value x default weight):\n" + render_table(headers, rows)


def medians(runs: list[dict[str, Any]]) -> str:
    """Per-size medians when several seeds ran."""
    sizes = sorted({r["talks"] for r in runs})
    lines = []
    for n in sizes:
        rs = [r for r in runs if r["talks"] == n and r.get("status")]
        if len(rs) < 2:
            continue
        cps = rs[0]["checkpoints"]
        parts = [f"{n} talks ({len(rs)} seeds): first feasible "
                 f"{fmt(median([r['first_feasible_s'] for r in rs]), '.1f')} s"]
        for t in cps:
            gaps = [r["at"][str(t)]["gap"] for r in rs]
            known = [g for g in gaps if g is not None]
            text = fmt(100 * median(known), ".1f") + "%" if known else "-"
            if known and len(known) < len(gaps):
                text += f" ({len(known)} of {len(gaps)} with a bound)"
            parts.append(f"gap@{t}s {text}")
        parts.append(f"peak RSS {median([r['maxrss_mb'] for r in rs]):.0f} MB")
        lines.append(", ".join(parts))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CP-SAT scheduler benchmark")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--seeds", type=int, default=1, help="instances per size (seeds 1..N)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help=f"checkpoints {QUICK_CHECKPOINTS} s instead of 10/60(/120) s")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--talks", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=float, default=60.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.talks, args.seed, args.time_limit, args.workers)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    seeds = list(range(1, args.seeds + 1))
    print(f"scheduler benchmark: sizes {sizes}, seeds {seeds}, {args.workers} workers"
          f"{' (quick)' if args.quick else ''}", flush=True)
    runs = run_bench(sizes, seeds, args.workers, args.quick, log=lambda s: print(s, flush=True))
    print()
    print(table(runs))
    parts = breakdown(runs)
    if parts:
        print()
        print(parts)
    extra = medians(runs)
    if extra:
        print(extra)
    print("\nTargets: 200 talks proven optimal or gap <= 1% within 60 s; 1000 talks feasible "
          "within 10 s and gap <= 5% within 120 s; 2000 talks feasible within 60 s under 4 GB.")
    print("Figures @Ts come from the anytime progress of one run whose time limit is the last "
          "checkpoint; gap = (objective - bound) / objective; * = that incumbent leaves talks "
          "out (its objective includes the 'unscheduled' penalty); 1st feas = first complete "
          "schedule.")
    if not args.no_write:
        path = write_results("solver_bench", {"machine": machine_info(), "workers": args.workers,
                                              "quick": args.quick, "runs": runs})
        print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
