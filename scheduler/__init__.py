"""Pure CP-SAT conference scheduling library (standard library + OR-Tools only)."""

from .checker import check, describe
from .explain import explain
from .io import dump_problem, dump_solution, load_problem, load_solution
from .model import (
    Assignment,
    Block,
    Conflict,
    Explanation,
    HardRules,
    HourBand,
    Person,
    Placement,
    Problem,
    ProblemError,
    Progress,
    Report,
    Room,
    SimilarTracks,
    Solution,
    Talk,
    Track,
    Violation,
    Weights,
    Window,
)
from .rules import RULES, Rule
from .solver import largest_subset, solve

__all__ = [
    "check", "describe", "dump_problem", "dump_solution", "explain", "largest_subset",
    "load_problem", "load_solution", "solve", "RULES", "Assignment", "Block", "Conflict", "Explanation", "HardRules", "HourBand",
    "Person", "Placement", "Problem", "ProblemError", "Progress", "Report", "Room", "Rule",
    "SimilarTracks", "Solution", "Talk", "Track", "Violation", "Weights", "Window",
]
