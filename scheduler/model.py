"""Plain value objects describing a scheduling problem and its solution.

Everything is a frozen dataclass with defaults on optional fields, so a problem can be
built from plain Python. Lists passed in are stored as tuples; times are aware UTC
datetimes; local times of day are `datetime.time`; time zones are IANA names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, Literal

from .rules import RULE_UNSCHEDULED, RULES

MODES = ("in_person", "remote", "hybrid")
Mode = Literal["in_person", "remote", "hybrid"]
STATUSES = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "CANCELLED", "MODEL_INVALID")
SOLVE_MODES = ("full", "lns")  # one CP-SAT model, or large-neighbourhood search with the annealer


def _freeze(obj: Any) -> None:
    """Store lists as tuples and dicts as read-only mappings on a frozen dataclass."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, list | set | frozenset) and not isinstance(value, tuple):
            object.__setattr__(obj, f.name, tuple(value))
        elif isinstance(value, dict):
            object.__setattr__(obj, f.name, MappingProxyType(dict(value)))


@dataclass(frozen=True)
class Block:
    """A session of `slots` consecutive slots starting at `start` (aware datetime, UTC)."""

    id: str
    start: datetime
    slots: int


@dataclass(frozen=True)
class Room:
    """A room (hub is None for an online-only stream)."""

    id: str
    name: str = ""
    capacity: int = 100
    hub: str | None = None
    time_zone: str = "UTC"
    available_blocks: tuple[str, ...] | None = None  # None: every block
    features: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self)


@dataclass(frozen=True)
class Talk:
    """A talk lasting `slots` consecutive slots within one block."""

    id: str
    title: str = ""
    slots: int = 1
    track: str | None = None
    speakers: tuple[str, ...] = ()
    audience: int = 0
    allowed_rooms: tuple[str, ...] | None = None  # None: any room
    room_penalties: Mapping[str, int] = field(default_factory=dict)
    block_penalties: Mapping[str, int] = field(default_factory=dict)
    mode: Mode = "in_person"
    hub: str | None = None  # in_person/hybrid talks must be in a room of this hub (if set)
    required_features: tuple[str, ...] = ()
    track_order: int | None = None
    priority: int = 0
    audience_time_zones: Mapping[str, float] | None = None  # None: conference-wide mix

    def __post_init__(self) -> None:
        _freeze(self)


@dataclass(frozen=True)
class HourBand:
    """Local time-of-day band [start, end) with a penalty per slot; end <= start wraps midnight."""

    start: time
    end: time
    penalty: int


DEFAULT_HOUR_BANDS = (
    HourBand(time(9), time(18), 0),
    HourBand(time(7), time(9), 3),
    HourBand(time(18), time(21), 3),
)
DEFAULT_UNSUITABLE_PENALTY = 20


@dataclass(frozen=True)
class Window:
    """An availability window [start, end) in aware UTC datetimes."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Person:
    """A speaker, chair or attendee; roles follow from where the id is referenced."""

    id: str
    name: str = ""
    time_zone: str = "UTC"
    availability: tuple[Window, ...] = ()  # empty: always available (unless `unavailable`)
    unavailable: bool = False  # True: never available (the person said so; availability stays empty)
    local_hour_bands: tuple[HourBand, ...] = DEFAULT_HOUR_BANDS  # first matching band wins
    unsuitable_penalty: int = DEFAULT_UNSUITABLE_PENALTY  # outside every band
    wants: tuple[str, ...] = ()  # talk ids this person wants to attend

    def __post_init__(self) -> None:
        _freeze(self)


@dataclass(frozen=True)
class Track:
    """A track; chairs must attend every talk of it; cohesive tracks prefer one room per block."""

    id: str
    name: str = ""
    chairs: tuple[str, ...] = ()
    cohesive: bool = False

    def __post_init__(self) -> None:
        _freeze(self)


@dataclass(frozen=True)
class SimilarTracks:
    """Two tracks that should not run in parallel: `penalty` per slot in which both run."""

    track_a: str
    track_b: str
    penalty: int = 1


@dataclass(frozen=True)
class Placement:
    """A talk at a room, block and start slot (0-based within the block)."""

    talk: str
    room: str
    block: str
    start_slot: int


@dataclass(frozen=True)
class Weights:
    """Weight of every soft term in the objective (all non-negative integers)."""

    attendee_conflict: int = 10
    similar_track_clash: int = 5
    speaker_local_hours: int = 5
    remote_audience_hours: int = 1
    room_preference: int = 1
    block_preference: int = 1
    track_cohesion: int = 20
    track_order: int = 20
    capacity_overflow: int = 1
    stability: int = 50
    unscheduled: int = 100_000

    def for_rule(self, rule_name: str) -> int:
        """Weight of a soft term by its rule name."""
        return int(getattr(self, rule_name.replace("-", "_")))


SOFT_WEIGHT_FIELDS = tuple(f.replace("_", "-") for f in Weights.__dataclass_fields__)
assert all(name in RULES for name in SOFT_WEIGHT_FIELDS)  # noqa: S101 - import-time sanity


@dataclass(frozen=True)
class HardRules:
    """Which hard rules are relaxed to soft (with `relaxed_weight` per violation)."""

    relaxed: frozenset[str] = frozenset()
    relaxed_weight: int = 10_000
    capacity_is_hard: bool = False  # if False, capacity only feeds the capacity-overflow term

    def __post_init__(self) -> None:
        object.__setattr__(self, "relaxed", frozenset(self.relaxed))


@dataclass(frozen=True)
class Problem:
    """A whole scheduling problem."""

    blocks: tuple[Block, ...]
    rooms: tuple[Room, ...]
    talks: tuple[Talk, ...]
    slot_minutes: int = 30
    people: tuple[Person, ...] = ()
    tracks: tuple[Track, ...] = ()
    similar_tracks: tuple[SimilarTracks, ...] = ()
    audience_time_zones: Mapping[str, float] = field(default_factory=dict)
    civilised_hours: tuple[time, time] = (time(8), time(20))
    pins: tuple[Placement, ...] = ()
    previous: tuple[Placement, ...] = ()
    weights: Weights = field(default_factory=Weights)
    hard_rules: HardRules = field(default_factory=HardRules)

    def __post_init__(self) -> None:
        _freeze(self)

    def slot_start(self, block: Block, slot: int) -> datetime:
        """UTC instant at which `slot` (0-based) of `block` begins."""
        # In UTC: with a zone such as Europe/London as tzinfo, adding minutes moves the wall clock,
        # which skips or repeats an hour at a daylight-saving change.
        return block.start.astimezone(UTC) + timedelta(minutes=self.slot_minutes * slot)


@dataclass(frozen=True)
class Assignment:
    """Where and when one talk runs; `starts_at`/`ends_at` are aware UTC datetimes."""

    talk: str
    room: str
    block: str
    start_slot: int
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Violation:
    """One broken rule instance, in the organiser's words."""

    rule: str
    message: str
    talks: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self)


@dataclass(frozen=True)
class Solution:
    """Result of `solve`; `soft_terms` holds unweighted values per soft rule name."""

    status: str
    assignments: tuple[Assignment, ...] = ()
    soft_terms: Mapping[str, int] = field(default_factory=dict)
    objective: int | None = None
    best_bound: float | None = None
    gap: float | None = None
    wall_time: float = 0.0
    unscheduled: tuple[str, ...] = ()
    violations: tuple[Violation, ...] = ()
    mode: str = "full"  # "full" model or "lns" (large-neighbourhood search)

    def __post_init__(self) -> None:
        _freeze(self)

    @property
    def has_schedule(self) -> bool:
        """True when the solution holds a schedule (complete or a subset)."""
        return self.status in ("OPTIMAL", "FEASIBLE")

    def by_talk(self) -> dict[str, Assignment]:
        """Assignments keyed by talk id."""
        return {a.talk: a for a in self.assignments}


@dataclass(frozen=True)
class Report:
    """Independent check of a solution: hard violations and recomputed soft terms."""

    hard_violations: tuple[Violation, ...]
    soft_terms: Mapping[str, int]
    objective: int
    relaxed_violations: tuple[Violation, ...] = ()  # broken hard rules that were relaxed to soft

    def __post_init__(self) -> None:
        _freeze(self)

    @property
    def ok(self) -> bool:
        """True when no hard rule is broken."""
        return not self.hard_violations


@dataclass(frozen=True)
class Progress:
    """Anytime progress figures passed to `on_progress`."""

    objective: float | None
    bound: float | None
    elapsed_seconds: float
    solutions_found: int


@dataclass(frozen=True)
class Conflict:
    """One hard rule instance that takes part in making the problem infeasible."""

    rule: str
    subject: str  # the talk/person/room/pin id the rule instance is about
    message: str


@dataclass(frozen=True)
class Explanation:
    """Why no schedule exists: plain-word pre-checks and a core of conflicting rules."""

    feasible: bool | None
    findings: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self)

    def text(self) -> str:
        """Multi-line explanation for people."""
        if self.feasible:
            return "A schedule exists; nothing conflicts."
        lines = []
        if self.findings:
            lines.append("Quick checks:")
            lines += [f"  - {f}" for f in self.findings]
        if self.conflicts:
            lines.append("These rules cannot all hold together:")
            lines += [f"  - [{c.rule}] {c.message}" for c in self.conflicts]
        if not lines:
            lines.append("No conflict could be identified within the time limit.")
        return "\n".join(lines)


class ProblemError(ValueError):
    """A problem is malformed; `errors` holds one 'field.path: message' string per issue."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors[:10]) + (" ..." if len(self.errors) > 10 else ""))


def unscheduled_value(problem: Problem, talk_ids: list[str] | tuple[str, ...]) -> int:
    """Priority-weighted count of left-out talks (each counts 1 + its priority)."""
    priority = {t.id: t.priority for t in problem.talks}
    return sum(1 + max(0, priority[t]) for t in talk_ids)


__all__ = [
    "Assignment", "Block", "Conflict", "Explanation", "HardRules", "HourBand", "Person",
    "Placement", "Problem", "ProblemError", "Progress", "Report", "Room", "SimilarTracks",
    "Solution", "Talk", "Track", "Violation", "Weights", "Window", "RULE_UNSCHEDULED",
]
