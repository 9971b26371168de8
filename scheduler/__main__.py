"""Command line: solve, check and explain conference scheduling problems (and compile the annealer).

Exit codes: 0 success (schedule found / no hard violations / a schedule exists),
1 infeasible, no schedule found or hard violations, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time as clock
from pathlib import Path

from . import anneal_kernel
from .checker import check, describe
from .explain import explain
from .io import dump_solution, load_problem, load_solution
from .model import Problem, ProblemError, Progress
from .solver import solve
from .validation import settings_error

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors, matching EXIT_BAD_INPUT
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _setting(convert, key: str, what: str):
    """argparse type for a run setting: `convert` the text, then `settings_error` on it as `key`."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        error = settings_error(**{key: value})
        if error:
            raise argparse.ArgumentTypeError(error)
        return value

    return parse


_seconds = _setting(float, "time_limit", "a number of seconds")
_workers = _setting(int, "workers", "a whole number")
_seed = _setting(int, "seed", "a whole number")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m scheduler", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("solve", help="compute a schedule")
    run.add_argument("problem")
    run.add_argument("-o", "--output", required=True, help="where to write the solution JSON")
    run.add_argument("--time-limit", type=_seconds, default=30.0, help="seconds (default 30)")
    run.add_argument("--workers", type=_workers, default=2)
    run.add_argument("--seed", type=_seed, default=0)
    run.add_argument("--largest-subset", action="store_true", help="leave out talks instead of failing")
    run.add_argument("--deterministic", action="store_true", help="stop on deterministic time, not wall time")
    verify = commands.add_parser("check", help="recompute every rule for a solution")
    verify.add_argument("problem")
    verify.add_argument("solution")
    why = commands.add_parser("explain", help="say why no schedule exists")
    why.add_argument("problem")
    why.add_argument("--time-limit", type=_seconds, default=10.0, help="seconds (default 10)")
    commands.add_parser("compile", help="compile the annealer's kernel into numba's cache (once per install)")
    return parser


def _print_errors(path: str, error: ProblemError) -> None:
    """Each error on its own line, led by the file's name (once: read errors already carry it)."""
    for line in error.errors:
        print(line if line.startswith(f"{path}: ") else f"{path}: {line}", file=sys.stderr)


def _load(path: str) -> Problem:
    try:
        return load_problem(path)
    except ProblemError as error:
        _print_errors(path, error)
        raise SystemExit(EXIT_BAD_INPUT) from None


def _print_progress(progress: Progress) -> None:
    if progress.objective is not None:
        print(f"[{progress.elapsed_seconds:7.1f}s] solution {progress.solutions_found}: objective "
              f"{progress.objective:.0f}, bound {progress.bound:.0f}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "solve":
            return _solve(args)
        if args.command == "check":
            return _check(args)
        if args.command == "compile":
            return _compile()
        return _explain(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def _unwritable(path: str) -> str | None:
    """Why a solution could not be written to `path`, checked before a long solve; or None."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        return "is a directory"
    if not folder.is_dir():
        return f"no such directory: {folder}"
    if not os.access(target if target.exists() else folder, os.W_OK):
        return "permission denied"
    return None


def _solve(args) -> int:
    problem = _load(args.problem)
    reason = _unwritable(args.output)
    if reason is not None:
        print(f"{args.output}: cannot write ({reason})", file=sys.stderr)
        return EXIT_BAD_INPUT
    stop = threading.Event()
    try:
        solution = solve(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed,
                         on_progress=_print_progress, stop=stop, allow_unscheduled=args.largest_subset,
                         deterministic=args.deterministic)
    except KeyboardInterrupt:
        stop.set()
        print("interrupted", file=sys.stderr)
        return EXIT_VIOLATIONS
    try:
        dump_solution(solution, args.output)
    except OSError as error:
        print(f"{args.output}: cannot write ({error.strerror})", file=sys.stderr)
        return EXIT_BAD_INPUT
    gap = f", gap {solution.gap:.2%}" if solution.gap is not None else ""
    print(f"status {solution.status}, objective {solution.objective}, bound {solution.best_bound}{gap}, "
          f"{len(solution.assignments)} talks placed, {len(solution.unscheduled)} left out, "
          f"{solution.wall_time:.1f}s ({solution.mode})", file=sys.stderr)
    if not solution.has_schedule or (solution.unscheduled and not args.largest_subset):
        print("no schedule found; try: python -m scheduler explain " + args.problem, file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_OK


def _compile() -> int:
    began = clock.monotonic()
    if anneal_kernel.warm() and not anneal_kernel.CACHED:
        print(f"annealer kernel compiled in {clock.monotonic() - began:.1f} s, but not kept: "
              f"{anneal_kernel.NO_CACHE_MESSAGE}", file=sys.stderr)
    elif anneal_kernel.COMPILED:
        print(f"annealer kernel compiled or loaded from numba's cache in {clock.monotonic() - began:.1f} s")
    else:
        print("numba is not installed (or SCHEDULER_NO_JIT is set): the annealer runs as plain Python")
    return 0


def _check(args) -> int:
    problem = _load(args.problem)
    try:
        solution = load_solution(args.solution)
    except ProblemError as error:
        _print_errors(args.solution, error)
        return EXIT_BAD_INPUT
    report = check(problem, solution)
    print(describe(report))
    return EXIT_OK if report.ok else EXIT_VIOLATIONS


def _explain(args) -> int:
    problem = _load(args.problem)
    explanation = explain(problem, time_limit=args.time_limit)
    print(explanation.text())
    return EXIT_OK if explanation.feasible else EXIT_VIOLATIONS


if __name__ == "__main__":
    sys.exit(main())
