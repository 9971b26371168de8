"""The scheduler library imports only the standard library, OR-Tools and numpy (an OR-Tools dependency),
and numba where it is installed (the annealer's kernel runs as plain Python without it)."""

import ast
import subprocess
import sys
from pathlib import Path

SCHEDULER = Path(__file__).resolve().parents[2] / "scheduler"
ALLOWED_THIRD_PARTY = {"ortools", "numpy", "numba"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_scheduler_modules_import_only_stdlib_and_ortools():
    modules = sorted(SCHEDULER.rglob("*.py"))
    assert modules
    for path in modules:
        for name in _imports(path):
            allowed = name in sys.stdlib_module_names or name in ALLOWED_THIRD_PARTY or name == "scheduler"
            assert allowed, f"{path.relative_to(SCHEDULER.parent)} imports {name}"


def test_scheduler_never_imports_web_or_database_packages():
    for path in SCHEDULER.rglob("*.py"):
        assert not _imports(path) & {"flask", "sqlalchemy", "conference"}, path


def test_scheduler_runs_without_numba():
    # numba only compiles the annealer's kernel; without it the same functions run as Python.
    # The 20-talk example takes the hybrid path (construction, annealing, bound worker).
    script = ("import sys; sys.modules['numba'] = None\n"
              "from scheduler import anneal_kernel, check, load_problem, solve\n"
              "assert not anneal_kernel.COMPILED and not anneal_kernel.warm()\n"
              "problem = load_problem('scheduler/examples/hybrid-three-hubs.json')\n"
              "solution = solve(problem, time_limit=5, workers=2, seed=1)\n"
              "assert solution.has_schedule and check(problem, solution).ok\n"
              "print(solution.objective)\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=SCHEDULER.parent, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
