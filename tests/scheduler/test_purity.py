"""The scheduler library imports only the standard library, OR-Tools and numpy (an OR-Tools dependency)."""

import ast
import sys
from pathlib import Path

SCHEDULER = Path(__file__).resolve().parents[2] / "scheduler"
ALLOWED_THIRD_PARTY = {"ortools", "numpy"}


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
