"""Reference and value checks on a `Problem`, reported with JSON-style field paths."""

from __future__ import annotations

import math
import numbers
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import MODES, Problem, ProblemError
from .rules import RELAXABLE_RULES


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def problem_errors(problem: Problem) -> list[str]:
    """Every reference or value error in `problem`, as 'field.path: message' strings."""
    errors: list[str] = []
    block_ids = _unique(errors, "blocks", [b.id for b in problem.blocks])
    room_ids = _unique(errors, "rooms", [r.id for r in problem.rooms])
    talk_ids = _unique(errors, "talks", [t.id for t in problem.talks])
    person_ids = _unique(errors, "people", [p.id for p in problem.people])
    track_ids = _unique(errors, "tracks", [t.id for t in problem.tracks])
    if problem.slot_minutes < 1:
        errors.append("slot_minutes: must be a positive number of minutes")
    if not problem.blocks:
        errors.append("blocks: at least one block is required")
    ordered = sorted(problem.blocks, key=lambda b: b.start)
    for i, block in enumerate(problem.blocks):
        if block.start.tzinfo is None or block.start.utcoffset() is None:
            errors.append(f'blocks[{i}].start: "{block.start}" must include a UTC offset')
        if block.slots < 1:
            errors.append(f"blocks[{i}].slots: must be at least 1")
    if not errors:
        for before, after in zip(ordered, ordered[1:], strict=False):
            end = before.start + timedelta(minutes=problem.slot_minutes * before.slots)
            if end > after.start:
                errors.append(f'blocks: block "{before.id}" overlaps block "{after.id}"')
    for i, room in enumerate(problem.rooms):
        if room.capacity < 0:
            errors.append(f"rooms[{i}].capacity: must not be negative")
        if not _zone_ok(room.time_zone):
            errors.append(f'rooms[{i}].time_zone: unknown IANA time zone "{room.time_zone}"')
        for j, b in enumerate(room.available_blocks or ()):
            if b not in block_ids:
                errors.append(f'rooms[{i}].available_blocks[{j}]: unknown block "{b}"')
    for i, talk in enumerate(problem.talks):
        path = f"talks[{i}]"
        if talk.slots < 1:
            errors.append(f"{path}.slots: must be at least 1")
        if talk.track is not None and talk.track not in track_ids:
            errors.append(f'{path}.track: unknown track "{talk.track}"')
        for j, p in enumerate(talk.speakers):
            if p not in person_ids:
                errors.append(f'{path}.speakers[{j}]: unknown person "{p}"')
        for j, r in enumerate(talk.allowed_rooms or ()):
            if r not in room_ids:
                errors.append(f'{path}.allowed_rooms[{j}]: unknown room "{r}"')
        for r, pen in talk.room_penalties.items():
            if r not in room_ids:
                errors.append(f'{path}.room_penalties.{r}: unknown room "{r}"')
            if pen < 0:
                errors.append(f"{path}.room_penalties.{r}: must not be negative")
        for b, pen in talk.block_penalties.items():
            if b not in block_ids:
                errors.append(f'{path}.block_penalties.{b}: unknown block "{b}"')
            if pen < 0:
                errors.append(f"{path}.block_penalties.{b}: must not be negative")
        if talk.mode not in MODES:
            errors.append(f'{path}.mode: "{talk.mode}" is not one of {", ".join(MODES)}')
        if talk.audience < 0:
            errors.append(f"{path}.audience: must not be negative")
        for zone, weight in (talk.audience_time_zones or {}).items():
            if not _zone_ok(zone):
                errors.append(f'{path}.audience_time_zones.{zone}: unknown IANA time zone "{zone}"')
            if weight < 0:
                errors.append(f"{path}.audience_time_zones.{zone}: weight must not be negative")
    for i, person in enumerate(problem.people):
        path = f"people[{i}]"
        if not _zone_ok(person.time_zone):
            errors.append(f'{path}.time_zone: unknown IANA time zone "{person.time_zone}"')
        for j, w in enumerate(person.availability):
            if w.start.utcoffset() is None or w.end.utcoffset() is None:
                errors.append(f"{path}.availability[{j}]: start and end need a UTC offset")
            elif w.end <= w.start:
                errors.append(f"{path}.availability[{j}]: end must be after start")
        for j, band in enumerate(person.local_hour_bands):
            if band.penalty < 0:
                errors.append(f"{path}.local_hour_bands[{j}].penalty: must not be negative")
        for j, t in enumerate(person.wants):
            if t not in talk_ids:
                errors.append(f'{path}.wants[{j}]: unknown talk "{t}"')
    for i, track in enumerate(problem.tracks):
        for j, p in enumerate(track.chairs):
            if p not in person_ids:
                errors.append(f'tracks[{i}].chairs[{j}]: unknown person "{p}"')
    for i, pair in enumerate(problem.similar_tracks):
        for name in ("track_a", "track_b"):
            if getattr(pair, name) not in track_ids:
                k = 0 if name == "track_a" else 1
                errors.append(f'similar_tracks[{i}].tracks[{k}]: unknown track "{getattr(pair, name)}"')
    for zone, weight in problem.audience_time_zones.items():
        if not _zone_ok(zone):
            errors.append(f'audience_time_zones.{zone}: unknown IANA time zone "{zone}"')
        if weight < 0:
            errors.append(f"audience_time_zones.{zone}: weight must not be negative")
    blocks = {b.id: b for b in problem.blocks}
    for section in ("pins", "previous"):
        seen: set[str] = set()
        for i, pl in enumerate(getattr(problem, section)):
            path = f"{section}[{i}]"
            if pl.talk not in talk_ids:
                errors.append(f'{path}.talk: unknown talk "{pl.talk}"')
            elif pl.talk in seen:
                errors.append(f'{path}.talk: talk "{pl.talk}" appears twice')
            seen.add(pl.talk)
            if pl.room not in room_ids:
                errors.append(f'{path}.room: unknown room "{pl.room}"')
            if pl.block not in blocks:
                errors.append(f'{path}.block: unknown block "{pl.block}"')
            elif not 0 <= pl.start_slot < blocks[pl.block].slots:
                errors.append(f"{path}.start_slot: {pl.start_slot} is outside block \"{pl.block}\"")
    for name in problem.hard_rules.relaxed:
        if name not in RELAXABLE_RULES:
            errors.append(f'hard_rules.relaxed: "{name}" is not a relaxable rule ({", ".join(RELAXABLE_RULES)})')
    for name, value in vars(problem.weights).items():
        if not isinstance(value, int) or value < 0:
            errors.append(f"weights.{name}: must be a non-negative integer")
    return errors


def _unique(errors: list[str], section: str, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            errors.append(f'{section}[{i}].id: duplicate id "{ident}"')
        seen.add(ident)
    return seen


def validate_problem(problem: Problem) -> None:
    """Raise `ProblemError` listing every field error in `problem`."""
    errors = problem_errors(problem)
    if errors:
        raise ProblemError(errors)


def settings_error(*, time_limit: float | None = None, workers: int | None = None) -> str | None:
    """What is wrong with a run's settings (a time limit in seconds, a number of workers), or None."""
    if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real)
                                   or not math.isfinite(time_limit) or time_limit <= 0):
        return f"time limit must be a positive number of seconds, not {time_limit!r}"
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1):
        return f"workers must be a whole number of at least 1, not {workers!r}"
    return None


def validate_settings(*, time_limit: float | None = None, workers: int | None = None) -> None:
    """Raise ValueError when `settings_error` finds something wrong."""
    error = settings_error(time_limit=time_limit, workers=workers)
    if error is not None:
        raise ValueError(error)
