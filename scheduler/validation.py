"""Reference and value checks on a `Problem`, reported with JSON-style field paths."""

from __future__ import annotations

import math
import numbers
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import MODES, Problem, ProblemError
from .rules import RELAXABLE_RULES

# Weights, penalties, audiences, capacities and priorities stay at or below this, so that no
# weighted sum of them can overflow the 64-bit integers of CP-SAT's objective.
MAX_AMOUNT = 10_000_000
# A block is one session between breaks: it lasts at most a day, and so do a slot and a talk.
MAX_BLOCK_MINUTES = 24 * 60
# Block starts must leave room for local-time arithmetic a day either side in every zone.
FIRST_YEAR, LAST_YEAR = 1900, 9000


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the zone database, e.g. "Europe"
        return False
    return True


def _amount(errors: list[str], path: str, value: float, *, low: int = 0, what: str = "") -> None:
    """Append an error when `value` lies outside [low, MAX_AMOUNT] (NaN included)."""
    if not low <= value <= MAX_AMOUNT:
        errors.append(f"{path}: {what or 'must be'} between {low} and {MAX_AMOUNT}, not {value!r}")


def _no_repeats(errors: list[str], path: str, values, kind: str) -> None:
    seen: set[str] = set()
    for j, value in enumerate(values):
        if value in seen:
            errors.append(f'{path}[{j}]: {kind} "{value}" is listed twice')
        seen.add(value)


def problem_errors(problem: Problem) -> list[str]:
    """Every reference or value error in `problem`, as 'field.path: message' strings."""
    errors: list[str] = []
    block_ids = _unique(errors, "blocks", [b.id for b in problem.blocks])
    room_ids = _unique(errors, "rooms", [r.id for r in problem.rooms])
    talk_ids = _unique(errors, "talks", [t.id for t in problem.talks])
    person_ids = _unique(errors, "people", [p.id for p in problem.people])
    track_ids = _unique(errors, "tracks", [t.id for t in problem.tracks])
    if not 1 <= problem.slot_minutes <= MAX_BLOCK_MINUTES:
        errors.append(f"slot_minutes: must be between 1 and {MAX_BLOCK_MINUTES} minutes, not {problem.slot_minutes}")
    if not problem.blocks:
        errors.append("blocks: at least one block is required")
    ordered = sorted(problem.blocks, key=lambda b: b.start)
    for i, block in enumerate(problem.blocks):
        if block.start.tzinfo is None or block.start.utcoffset() is None:
            errors.append(f'blocks[{i}].start: "{block.start}" must include a UTC offset')
        elif not FIRST_YEAR <= block.start.year <= LAST_YEAR:
            errors.append(f"blocks[{i}].start: the year must be between {FIRST_YEAR} and {LAST_YEAR}, "
                          f"not {block.start.year}")
        if block.slots < 1:
            errors.append(f"blocks[{i}].slots: must be at least 1")
        elif problem.slot_minutes >= 1 and block.slots * problem.slot_minutes > MAX_BLOCK_MINUTES:
            errors.append(f"blocks[{i}].slots: {block.slots} slots of {problem.slot_minutes} minutes last longer "
                          f"than a day; split the block at its breaks")
    if not errors:
        for before, after in zip(ordered, ordered[1:], strict=False):
            end = before.start.astimezone(UTC) + timedelta(minutes=problem.slot_minutes * before.slots)
            if end > after.start:
                errors.append(f'blocks: block "{before.id}" overlaps block "{after.id}"')
    for i, room in enumerate(problem.rooms):
        _amount(errors, f"rooms[{i}].capacity", room.capacity)
        if not _zone_ok(room.time_zone):
            errors.append(f'rooms[{i}].time_zone: unknown IANA time zone "{room.time_zone}"')
        for j, b in enumerate(room.available_blocks or ()):
            if b not in block_ids:
                errors.append(f'rooms[{i}].available_blocks[{j}]: unknown block "{b}"')
    for i, talk in enumerate(problem.talks):
        path = f"talks[{i}]"
        if not 1 <= talk.slots <= MAX_BLOCK_MINUTES:
            errors.append(f"{path}.slots: must be between 1 and {MAX_BLOCK_MINUTES}, not {talk.slots}")
        if talk.track is not None and talk.track not in track_ids:
            errors.append(f'{path}.track: unknown track "{talk.track}"')
        for j, p in enumerate(talk.speakers):
            if p not in person_ids:
                errors.append(f'{path}.speakers[{j}]: unknown person "{p}"')
        _no_repeats(errors, f"{path}.speakers", talk.speakers, "person")
        for j, r in enumerate(talk.allowed_rooms or ()):
            if r not in room_ids:
                errors.append(f'{path}.allowed_rooms[{j}]: unknown room "{r}"')
        for r, pen in talk.room_penalties.items():
            if r not in room_ids:
                errors.append(f'{path}.room_penalties.{r}: unknown room "{r}"')
            _amount(errors, f"{path}.room_penalties.{r}", pen)
        for b, pen in talk.block_penalties.items():
            if b not in block_ids:
                errors.append(f'{path}.block_penalties.{b}: unknown block "{b}"')
            _amount(errors, f"{path}.block_penalties.{b}", pen)
        if talk.mode not in MODES:
            errors.append(f'{path}.mode: "{talk.mode}" is not one of {", ".join(MODES)}')
        _amount(errors, f"{path}.audience", talk.audience)
        _amount(errors, f"{path}.priority", talk.priority, low=-MAX_AMOUNT)
        if talk.track_order is not None:
            _amount(errors, f"{path}.track_order", talk.track_order, low=-MAX_AMOUNT)
        _audience_mix(errors, f"{path}.audience_time_zones", talk.audience_time_zones or {})
    for i, person in enumerate(problem.people):
        path = f"people[{i}]"
        if not _zone_ok(person.time_zone):
            errors.append(f'{path}.time_zone: unknown IANA time zone "{person.time_zone}"')
        if person.unavailable and person.availability:
            errors.append(f"{path}.unavailable: a person who is never available has no availability windows")
        for j, w in enumerate(person.availability):
            if w.start.utcoffset() is None or w.end.utcoffset() is None:
                errors.append(f"{path}.availability[{j}]: start and end need a UTC offset")
            elif w.end <= w.start:
                errors.append(f"{path}.availability[{j}]: end must be after start")
        for j, band in enumerate(person.local_hour_bands):
            _amount(errors, f"{path}.local_hour_bands[{j}].penalty", band.penalty)
        _amount(errors, f"{path}.unsuitable_penalty", person.unsuitable_penalty)
        for j, t in enumerate(person.wants):
            if t not in talk_ids:
                errors.append(f'{path}.wants[{j}]: unknown talk "{t}"')
        _no_repeats(errors, f"{path}.wants", person.wants, "talk")
    for i, track in enumerate(problem.tracks):
        for j, p in enumerate(track.chairs):
            if p not in person_ids:
                errors.append(f'tracks[{i}].chairs[{j}]: unknown person "{p}"')
        _no_repeats(errors, f"tracks[{i}].chairs", track.chairs, "person")
    for i, pair in enumerate(problem.similar_tracks):
        for name in ("track_a", "track_b"):
            if getattr(pair, name) not in track_ids:
                k = 0 if name == "track_a" else 1
                errors.append(f'similar_tracks[{i}].tracks[{k}]: unknown track "{getattr(pair, name)}"')
        if pair.track_a == pair.track_b:
            errors.append(f'similar_tracks[{i}].tracks: track "{pair.track_a}" cannot be similar to itself')
        _amount(errors, f"similar_tracks[{i}].penalty", pair.penalty)
    _audience_mix(errors, "audience_time_zones", problem.audience_time_zones)
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
    _amount(errors, "hard_rules.relaxed_weight", problem.hard_rules.relaxed_weight)
    for name, value in vars(problem.weights).items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_AMOUNT:
            errors.append(f"weights.{name}: must be a whole number between 0 and {MAX_AMOUNT}, not {value!r}")
    return errors


def _audience_mix(errors: list[str], path: str, mix) -> None:
    """Zone names and weights of a remote-audience mix (the weights are relative, NaN and infinity refused)."""
    for zone, weight in mix.items():
        if not _zone_ok(zone):
            errors.append(f'{path}.{zone}: unknown IANA time zone "{zone}"')
        _amount(errors, f"{path}.{zone}", weight, what="weight must be")


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


def settings_error(*, time_limit: float | None = None, workers: int | None = None, seed: int | None = None) -> str | None:
    """What is wrong with a run's settings (a time limit in seconds, a number of workers, a seed), or None."""
    if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real)
                                   or not math.isfinite(time_limit) or time_limit <= 0):
        return f"time limit must be a positive number of seconds, not {time_limit!r}"
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1):
        return f"workers must be a whole number of at least 1, not {workers!r}"
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        return f"seed must be a whole number, not {seed!r}"
    return None


def validate_settings(*, time_limit: float | None = None, workers: int | None = None, seed: int | None = None) -> None:
    """Raise ValueError when `settings_error` finds something wrong."""
    error = settings_error(time_limit=time_limit, workers=workers, seed=seed)
    if error is not None:
        raise ValueError(error)
