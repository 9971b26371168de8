"""Pure CP-SAT conference scheduling library (standard library + OR-Tools only)."""

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

__all__ = [
    "RULES", "Assignment", "Block", "Conflict", "Explanation", "HardRules", "HourBand",
    "Person", "Placement", "Problem", "ProblemError", "Progress", "Report", "Room", "Rule",
    "SimilarTracks", "Solution", "Talk", "Track", "Violation", "Weights", "Window",
]
