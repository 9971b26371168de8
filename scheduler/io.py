"""JSON reading and writing of problems and solutions.

The loader checks types and references itself and names the exact field in every error
(e.g. `talks[3].speakers[0]: unknown person "p9"`), so it needs no third-party package.
The JSON Schemas in `scheduler/schemas/` describe the same format for other tools.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, time
from pathlib import Path
from typing import Any

from .model import (
    SOLVE_MODES,
    STATUSES,
    Assignment,
    Block,
    HardRules,
    HourBand,
    Person,
    Placement,
    Problem,
    ProblemError,
    Room,
    SimilarTracks,
    Solution,
    Talk,
    Track,
    Violation,
    Weights,
    Window,
)
from .validation import problem_errors

SCHEMA_DIR = Path(__file__).parent / "schemas"
_MISSING = object()


class _Reader:
    """Collects typed field values and path-named errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def obj(self, value: Any, path: str, allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            self.errors.append(f"{path or '(top level)'}: expected an object, got {_kind(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.errors.append(f"{_join(path, key)}: unknown field")
        return value

    def get(self, data: dict, path: str, key: str, kind: str, default: Any = _MISSING) -> Any:
        value = data.get(key, _MISSING)
        here = _join(path, key)
        if value is _MISSING:
            if default is _MISSING:
                self.errors.append(f"{here}: required field is missing")
                return None
            return default
        if value is None and default is None:
            return None
        return self.convert(value, here, kind)

    def convert(self, value: Any, here: str, kind: str) -> Any:
        if kind == "str":
            if isinstance(value, str) and value:
                return value
            self.errors.append(f"{here}: expected a non-empty string, got {_kind(value)}")
        elif kind == "text":
            if isinstance(value, str):
                return value
            self.errors.append(f"{here}: expected a string, got {_kind(value)}")
        elif kind == "int":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, float) and value.is_integer():  # 2.0: an integer to JSON Schema too
                return int(value)
            self.errors.append(f"{here}: expected an integer, got {_kind(value)}")
        elif kind == "number":
            if isinstance(value, int | float) and not isinstance(value, bool):
                try:
                    return float(value)
                except OverflowError:
                    self.errors.append(f"{here}: number too large")
                    return None
            self.errors.append(f"{here}: expected a number, got {_kind(value)}")
        elif kind == "bool":
            if isinstance(value, bool):
                return value
            self.errors.append(f"{here}: expected true or false, got {_kind(value)}")
        elif kind == "datetime":
            if isinstance(value, str):
                try:
                    parsed = datetime.fromisoformat(value)
                except ValueError:
                    parsed = None
                if parsed is not None and parsed.utcoffset() is not None:
                    return parsed
            self.errors.append(f'{here}: expected an ISO 8601 instant with offset such as "2026-10-25T09:00:00Z", got {value!r}')
        elif kind == "hhmm":
            if isinstance(value, str) and len(value) == 5 and value[2] == ":" and (value[:2] + value[3:]).isdigit():
                try:
                    return time(int(value[:2]), int(value[3:]))
                except ValueError:
                    pass
            self.errors.append(f'{here}: expected a local time "HH:MM", got {value!r}')
        elif kind == "str_list":
            if isinstance(value, list):
                return tuple(self.convert(v, f"{here}[{i}]", "str") for i, v in enumerate(value))
            self.errors.append(f"{here}: expected a list of strings, got {_kind(value)}")
        elif kind in ("int_map", "number_map"):
            if isinstance(value, dict):
                inner = "int" if kind == "int_map" else "number"
                return {k: self.convert(v, _join(here, k), inner) for k, v in value.items()}
            self.errors.append(f"{here}: expected an object, got {_kind(value)}")
        elif kind == "list":
            if isinstance(value, list):
                return value
            self.errors.append(f"{here}: expected a list, got {_kind(value)}")
        else:  # pragma: no cover - programming error
            raise ValueError(kind)
        return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _read_source(source: str | Path | Mapping) -> Any:
    if isinstance(source, Mapping):
        return dict(source)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemError([f"{source}: cannot read file ({error.strerror})"]) from error
    except UnicodeDecodeError as error:
        raise ProblemError([f"{source}: not a UTF-8 text file (byte {error.start}: {error.reason})"]) from error
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise ProblemError([f"{source}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"]) from error
    except RecursionError as error:
        raise ProblemError([f"{source}: invalid JSON: nested too deeply"]) from error
    except ValueError as error:  # e.g. an integer literal beyond Python's 4300-digit limit, or NaN
        raise ProblemError([f"{source}: invalid JSON: {error}"]) from error


def _refuse_constant(name: str):
    """`json` accepts NaN and Infinity, which are not JSON; refuse them by name."""
    raise ValueError(f"{name} is not a JSON number")


def load_problem(source: str | Path | Mapping) -> Problem:
    """Read a problem from a JSON file path or an already-parsed dict; raises ProblemError."""
    data = _read_source(source)
    r = _Reader()
    top = r.obj(data, "", {"format_version", "slot_minutes", "blocks", "rooms", "talks", "people", "tracks",
                           "similar_tracks", "audience_time_zones", "civilised_hours", "pins", "previous",
                           "weights", "hard_rules"})
    if r.errors:
        raise ProblemError(r.errors)

    def items(key: str, required: bool = False) -> list[tuple[str, dict]]:
        raw = r.get(top, "", key, "list", _MISSING if required else [])
        return [(f"{key}[{i}]", v) for i, v in enumerate(raw or [])]

    blocks = []
    for path, raw in items("blocks", required=True):
        d = r.obj(raw, path, {"id", "start", "slots"})
        blocks.append(Block(r.get(d, path, "id", "str"), r.get(d, path, "start", "datetime"),
                            r.get(d, path, "slots", "int")))
    rooms = []
    for path, raw in items("rooms", required=True):
        d = r.obj(raw, path, {"id", "name", "capacity", "hub", "time_zone", "available_blocks", "features"})
        rooms.append(Room(
            id=r.get(d, path, "id", "str"), name=r.get(d, path, "name", "text", ""),
            capacity=r.get(d, path, "capacity", "int", 100), hub=r.get(d, path, "hub", "str", None),
            time_zone=r.get(d, path, "time_zone", "str", "UTC"),
            available_blocks=r.get(d, path, "available_blocks", "str_list", None),
            features=r.get(d, path, "features", "str_list", ()) or ()))
    talks = []
    for path, raw in items("talks", required=True):
        d = r.obj(raw, path, {"id", "title", "slots", "track", "speakers", "audience", "allowed_rooms",
                              "room_penalties", "block_penalties", "mode", "hub", "required_features",
                              "track_order", "priority", "audience_time_zones"})
        talks.append(Talk(
            id=r.get(d, path, "id", "str"), title=r.get(d, path, "title", "text", ""),
            slots=r.get(d, path, "slots", "int", 1), track=r.get(d, path, "track", "str", None),
            speakers=r.get(d, path, "speakers", "str_list", ()) or (),
            audience=r.get(d, path, "audience", "int", 0),
            allowed_rooms=r.get(d, path, "allowed_rooms", "str_list", None),
            room_penalties=r.get(d, path, "room_penalties", "int_map", {}) or {},
            block_penalties=r.get(d, path, "block_penalties", "int_map", {}) or {},
            mode=r.get(d, path, "mode", "str", "in_person"), hub=r.get(d, path, "hub", "str", None),
            required_features=r.get(d, path, "required_features", "str_list", ()) or (),
            track_order=r.get(d, path, "track_order", "int", None),
            priority=r.get(d, path, "priority", "int", 0),
            audience_time_zones=r.get(d, path, "audience_time_zones", "number_map", None)))
    people = []
    for path, raw in items("people"):
        d = r.obj(raw, path, {"id", "name", "time_zone", "availability", "unavailable", "local_hour_bands",
                              "unsuitable_penalty", "wants"})
        windows = []
        for i, w in enumerate(r.get(d, path, "availability", "list", []) or []):
            wp = f"{path}.availability[{i}]"
            wd = r.obj(w, wp, {"start", "end"})
            windows.append(Window(r.get(wd, wp, "start", "datetime"), r.get(wd, wp, "end", "datetime")))
        bands_raw = r.get(d, path, "local_hour_bands", "list", None)
        bands = None
        if bands_raw is not None:
            bands = []
            for i, b in enumerate(bands_raw):
                bp = f"{path}.local_hour_bands[{i}]"
                bd = r.obj(b, bp, {"start", "end", "penalty"})
                bands.append(HourBand(r.get(bd, bp, "start", "hhmm"), r.get(bd, bp, "end", "hhmm"),
                                      r.get(bd, bp, "penalty", "int")))
        extra = {} if bands is None else {"local_hour_bands": tuple(bands)}
        unsuitable = r.get(d, path, "unsuitable_penalty", "int", None)
        if unsuitable is not None:
            extra["unsuitable_penalty"] = unsuitable
        if r.get(d, path, "unavailable", "bool", False):
            extra["unavailable"] = True
        people.append(Person(
            id=r.get(d, path, "id", "str"), name=r.get(d, path, "name", "text", ""),
            time_zone=r.get(d, path, "time_zone", "str", "UTC"), availability=tuple(windows),
            wants=r.get(d, path, "wants", "str_list", ()) or (), **extra))
    tracks = []
    for path, raw in items("tracks"):
        d = r.obj(raw, path, {"id", "name", "chairs", "cohesive"})
        tracks.append(Track(id=r.get(d, path, "id", "str"), name=r.get(d, path, "name", "text", ""),
                            chairs=r.get(d, path, "chairs", "str_list", ()) or (),
                            cohesive=r.get(d, path, "cohesive", "bool", False)))
    similar = []
    for path, raw in items("similar_tracks"):
        d = r.obj(raw, path, {"tracks", "penalty"})
        pair = r.get(d, path, "tracks", "str_list") or ()
        if len(pair) != 2:
            r.errors.append(f"{path}.tracks: expected exactly two track ids")
            continue
        similar.append(SimilarTracks(pair[0], pair[1], r.get(d, path, "penalty", "int", 1)))
    placements: dict[str, list[Placement]] = {}
    for section in ("pins", "previous"):
        placements[section] = []
        for path, raw in items(section):
            d = r.obj(raw, path, {"talk", "room", "block", "start_slot"})
            placements[section].append(Placement(
                r.get(d, path, "talk", "str"), r.get(d, path, "room", "str"),
                r.get(d, path, "block", "str"), r.get(d, path, "start_slot", "int")))
    civilised = (time(8), time(20))
    if "civilised_hours" in top:
        d = r.obj(top["civilised_hours"], "civilised_hours", {"start", "end"})
        civilised = (r.get(d, "civilised_hours", "start", "hhmm"), r.get(d, "civilised_hours", "end", "hhmm"))
    weights_data = r.obj(top.get("weights", {}), "weights", set(Weights.__dataclass_fields__))
    weights = Weights(**{k: r.get(weights_data, "weights", k, "int") for k in weights_data
                         if k in Weights.__dataclass_fields__})
    hard = r.obj(top.get("hard_rules", {}), "hard_rules", {"relaxed", "relaxed_weight", "capacity_is_hard"})
    hard_rules = HardRules(
        relaxed=frozenset(r.get(hard, "hard_rules", "relaxed", "str_list", ()) or ()),
        relaxed_weight=r.get(hard, "hard_rules", "relaxed_weight", "int", 10_000),
        capacity_is_hard=r.get(hard, "hard_rules", "capacity_is_hard", "bool", False))
    _check_version(r, top)
    problem = Problem(
        blocks=tuple(blocks), rooms=tuple(rooms), talks=tuple(talks),
        slot_minutes=r.get(top, "", "slot_minutes", "int", 30), people=tuple(people), tracks=tuple(tracks),
        similar_tracks=tuple(similar),
        audience_time_zones=r.get(top, "", "audience_time_zones", "number_map", {}) or {},
        civilised_hours=civilised, pins=tuple(placements["pins"]), previous=tuple(placements["previous"]),
        weights=weights, hard_rules=hard_rules)
    if r.errors:
        raise ProblemError(r.errors)
    errors = problem_errors(problem)
    if errors:
        raise ProblemError(errors)
    return problem


def _check_version(r: _Reader, top: dict) -> None:
    version = top.get("format_version", 1)
    if type(version) is not int or version != 1:  # type(): true == 1 in Python, not in JSON
        r.errors.append(f"format_version: unsupported version {version!r} (expected 1)")


def _instant(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def problem_to_dict(problem: Problem) -> dict:
    """The JSON-ready dict for a problem (inverse of `load_problem`)."""
    def placement(p: Placement) -> dict:
        return {"talk": p.talk, "room": p.room, "block": p.block, "start_slot": p.start_slot}

    return {
        "format_version": 1,
        "slot_minutes": problem.slot_minutes,
        "blocks": [{"id": b.id, "start": _instant(b.start), "slots": b.slots} for b in problem.blocks],
        "rooms": [{"id": r.id, "name": r.name, "capacity": r.capacity, "hub": r.hub, "time_zone": r.time_zone,
                   "available_blocks": None if r.available_blocks is None else list(r.available_blocks),
                   "features": list(r.features)} for r in problem.rooms],
        "talks": [{"id": t.id, "title": t.title, "slots": t.slots, "track": t.track, "speakers": list(t.speakers),
                   "audience": t.audience,
                   "allowed_rooms": None if t.allowed_rooms is None else list(t.allowed_rooms),
                   "room_penalties": dict(t.room_penalties), "block_penalties": dict(t.block_penalties),
                   "mode": t.mode, "hub": t.hub, "required_features": list(t.required_features),
                   "track_order": t.track_order, "priority": t.priority,
                   "audience_time_zones": None if t.audience_time_zones is None else dict(t.audience_time_zones)}
                  for t in problem.talks],
        "people": [{"id": p.id, "name": p.name, "time_zone": p.time_zone,
                    "availability": [{"start": _instant(w.start), "end": _instant(w.end)} for w in p.availability],
                    **({"unavailable": True} if p.unavailable else {}),
                    "local_hour_bands": [{"start": _hhmm(b.start), "end": _hhmm(b.end), "penalty": b.penalty}
                                         for b in p.local_hour_bands],
                    "unsuitable_penalty": p.unsuitable_penalty, "wants": list(p.wants)} for p in problem.people],
        "tracks": [{"id": t.id, "name": t.name, "chairs": list(t.chairs), "cohesive": t.cohesive}
                   for t in problem.tracks],
        "similar_tracks": [{"tracks": [s.track_a, s.track_b], "penalty": s.penalty} for s in problem.similar_tracks],
        "audience_time_zones": dict(problem.audience_time_zones),
        "civilised_hours": {"start": _hhmm(problem.civilised_hours[0]), "end": _hhmm(problem.civilised_hours[1])},
        "pins": [placement(p) for p in problem.pins],
        "previous": [placement(p) for p in problem.previous],
        "weights": dict(vars(problem.weights)),
        "hard_rules": {"relaxed": sorted(problem.hard_rules.relaxed),
                       "relaxed_weight": problem.hard_rules.relaxed_weight,
                       "capacity_is_hard": problem.hard_rules.capacity_is_hard},
    }


def dump_problem(problem: Problem, path: str | Path | None = None) -> str:
    """Serialise a problem to JSON text, also writing it to `path` when given."""
    return _write(problem_to_dict(problem), path)


def solution_to_dict(solution: Solution) -> dict:
    """The JSON-ready dict for a solution."""
    assignments = []
    for a in solution.assignments:
        item = {"talk": a.talk, "room": a.room, "block": a.block, "start_slot": a.start_slot}
        if a.starts_at is not None:
            item["starts_at"] = _instant(a.starts_at)
        if a.ends_at is not None:
            item["ends_at"] = _instant(a.ends_at)
        assignments.append(item)
    return {
        "format_version": 1, "status": solution.status, "assignments": assignments,
        "soft_terms": dict(solution.soft_terms), "objective": solution.objective,
        "best_bound": solution.best_bound, "gap": solution.gap, "wall_time": round(solution.wall_time, 3),
        "unscheduled": list(solution.unscheduled), "mode": solution.mode,
        "violations": [{"rule": v.rule, "message": v.message, "talks": list(v.talks), "people": list(v.people),
                        "rooms": list(v.rooms)} for v in solution.violations],
    }


def dump_solution(solution: Solution, path: str | Path | None = None) -> str:
    """Serialise a solution to JSON text, also writing it to `path` when given."""
    return _write(solution_to_dict(solution), path)


def _write(data: dict, path: str | Path | None) -> str:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def load_solution(source: str | Path | Mapping) -> Solution:
    """Read a solution from a JSON file path or dict; raises ProblemError naming the field."""
    data = _read_source(source)
    r = _Reader()
    top = r.obj(data, "", {"format_version", "status", "assignments", "soft_terms", "objective", "best_bound",
                           "gap", "wall_time", "unscheduled", "mode", "violations"})
    if r.errors:
        raise ProblemError(r.errors)
    assignments = []
    for i, raw in enumerate(r.get(top, "", "assignments", "list") or []):
        path = f"assignments[{i}]"
        d = r.obj(raw, path, {"talk", "room", "block", "start_slot", "starts_at", "ends_at"})
        assignments.append(Assignment(
            r.get(d, path, "talk", "str"), r.get(d, path, "room", "str"), r.get(d, path, "block", "str"),
            r.get(d, path, "start_slot", "int"), r.get(d, path, "starts_at", "datetime", None),
            r.get(d, path, "ends_at", "datetime", None)))
    violations = []
    for i, raw in enumerate(r.get(top, "", "violations", "list", []) or []):
        path = f"violations[{i}]"
        d = r.obj(raw, path, {"rule", "message", "talks", "people", "rooms"})
        violations.append(Violation(
            r.get(d, path, "rule", "str"), r.get(d, path, "message", "text"),
            r.get(d, path, "talks", "str_list", ()) or (), r.get(d, path, "people", "str_list", ()) or (),
            r.get(d, path, "rooms", "str_list", ()) or ()))
    status = r.get(top, "", "status", "str")
    if status is not None and status not in STATUSES:
        r.errors.append(f'status: "{status}" is not one of {", ".join(STATUSES)}')
    mode = r.get(top, "", "mode", "str", "full")
    if mode is not None and mode not in SOLVE_MODES:
        r.errors.append(f'mode: "{mode}" is not one of {", ".join(SOLVE_MODES)}')
    _check_version(r, top)
    solution = Solution(
        status=status, assignments=tuple(assignments),
        soft_terms=r.get(top, "", "soft_terms", "int_map", {}) or {},
        objective=r.get(top, "", "objective", "int", None),
        best_bound=r.get(top, "", "best_bound", "number", None), gap=r.get(top, "", "gap", "number", None),
        wall_time=r.get(top, "", "wall_time", "number", 0.0) or 0.0,
        unscheduled=r.get(top, "", "unscheduled", "str_list", ()) or (),
        violations=tuple(violations), mode=mode)
    if r.errors:
        raise ProblemError(r.errors)
    return solution


def schema(name: str) -> dict:
    """The shipped JSON Schema 'problem' or 'solution' as a dict."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
