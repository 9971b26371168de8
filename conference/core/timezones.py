"""IANA time zone helpers: validation, choices and conversion for display."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@lru_cache(maxsize=1)
def all_time_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted, without legacy aliases."""
    legacy_prefixes = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(legacy_prefixes) and not name.startswith("posix")
    }
    names.add("UTC")
    return tuple(sorted(names))


# Years a conference, its call and its review may use (far years overflow in zone arithmetic).
FIRST_YEAR, LAST_YEAR = 2000, 2999


def is_valid_time_zone(name: str | None) -> bool:
    """True when ``name`` is an IANA zone name (abbreviations such as ``BST`` are refused)."""
    if not name or len(name) > 64 or name != name.strip():
        return False
    if name not in all_time_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for ``name``."""
    return ZoneInfo(name)


def to_zone(instant: datetime, zone_name: str) -> datetime:
    """Convert an aware instant to wall-clock time in ``zone_name``."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(ZoneInfo(zone_name))


def local_to_utc(day: date, wall_time: time, zone_name: str) -> datetime:
    """Interpret a wall-clock time on ``day`` in ``zone_name`` and return the UTC instant.

    A wall time that falls in a spring-forward gap is moved forward past the gap, so
    "09:00" always yields a real instant.
    """
    tz = ZoneInfo(zone_name)
    local = datetime.combine(day, wall_time, tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        local = datetime.combine(day, wall_time, tzinfo=tz) + timedelta(hours=1)
    return local.astimezone(UTC)


def skipped_wall_time_message(day: date, wall_time: time, zone_name: str) -> str | None:
    """A form error when ``wall_time`` on ``day`` cannot be used: outside the years the product
    handles (a mistyped year), or never shown on clocks in the zone (a DST gap)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return f"Enter a date in the years {FIRST_YEAR} to {LAST_YEAR}."
    tz = ZoneInfo(zone_name)
    local = datetime.combine(day, wall_time, tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) == local.replace(tzinfo=None):
        return None
    return (
        f"{wall_time:%H:%M} on {day:%d %b %Y} does not exist in {zone_name}: the clocks go "
        "forward then. Choose a time before or after the change."
    )


def repeated_wall_time_instants(
    day: date, wall_time: time, zone_name: str
) -> tuple[datetime, datetime] | None:
    """The two UTC instants, in order, of a wall time the clocks show twice (when they go
    back); None when it happens once or never. ``fold=1`` on a wall time picks the second."""
    tz = ZoneInfo(zone_name)
    first = datetime.combine(day, wall_time.replace(fold=0), tzinfo=tz).astimezone(UTC)
    second = datetime.combine(day, wall_time.replace(fold=1), tzinfo=tz).astimezone(UTC)
    # In a spring-forward gap the folds also differ, but the "second" comes out earlier.
    return (first, second) if first < second else None


def offset_text(local: datetime) -> str:
    """The UTC offset of an aware local time, e.g. ``UTC+05:30``: what tells the two occurrences
    of a repeated wall time apart."""
    total = int((local.utcoffset() or timedelta(0)).total_seconds() // 60)
    hours, minutes = divmod(abs(total), 60)
    return f"UTC{'+' if total >= 0 else '-'}{hours:02d}:{minutes:02d}"


def utc_offset_text(instant: datetime, zone_name: str) -> str:
    """E.g. ``UTC+01:00``: the offset in force in ``zone_name`` at ``instant``."""
    return offset_text(to_zone(instant, zone_name))


def zone_offset_label(instant: datetime, zone_name: str) -> str:
    """E.g. ``Europe/London (UTC+01:00)`` for the offset in force at ``instant``."""
    return f"{zone_name} ({utc_offset_text(instant, zone_name)})"


@lru_cache(maxsize=1024)
def offset_changes(
    zone_name: str, start: datetime, end: datetime
) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """Each change of ``zone_name``'s UTC offset in ``[start, end)``, in order: (the first UTC
    instant of the new offset, to the second; the offset before; the offset after).

    zoneinfo does not list its transitions, so the range is walked in 15-minute steps (no zone
    changes its clocks twice within 15 minutes) and each change is found by bisection.
    """
    tz = ZoneInfo(zone_name)
    changes = []
    instant = start
    previous = instant.astimezone(tz).utcoffset() or timedelta(0)
    while instant < end:
        following = min(instant + _SCAN_STEP, end)
        offset = following.astimezone(tz).utcoffset() or timedelta(0)
        if offset != previous:
            # Offsets change on whole seconds: bisect over them.
            low, high = math.floor(instant.timestamp()), math.ceil(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.fromtimestamp(middle, tz).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            changed_at = datetime.fromtimestamp(high, UTC)
            if changed_at < end:
                changes.append((changed_at, previous, offset))
            previous = offset
        instant = following
    return tuple(changes)


_SCAN_STEP = timedelta(minutes=15)


@lru_cache(maxsize=1024)
def offsets_on(day: date, zone_name: str) -> tuple[datetime, ...]:
    """The local time at which each UTC offset in force on ``day`` starts, the first at its start.

    Two or more on a day when the clocks change. Each is the change's instant shown in the new
    offset (on Sydney's autumn change, 03:00 AEDT becomes 02:00 AEST: ``02:00+10:00``).
    """
    tz = ZoneInfo(zone_name)
    start = datetime.combine(day, time.min, tz).astimezone(UTC)
    # A change at the next midnight belongs to the next day.
    end = datetime.combine(day + timedelta(days=1), time.min, tz).astimezone(UTC)
    changes = offset_changes(zone_name, start, end)
    starts = [start.astimezone(tz)] + [
        changed_at.astimezone(tz) for changed_at, _, _ in changes
    ]
    return tuple(starts)


def clocks_change_on(day: date, zone_name: str) -> bool:
    """True when ``zone_name`` has more than one UTC offset during ``day``."""
    return len(offsets_on(day, zone_name)) > 1


def clock(local: datetime, with_offset: bool = False) -> str:
    """``14:30``, or ``02:30 UTC+11:00`` where the wall time alone may not say which instant."""
    return f"{local:%H:%M} {offset_text(local)}" if with_offset else f"{local:%H:%M}"


def time_range(local_start: datetime, local_end: datetime, with_offsets: bool = False) -> str:
    """``14:00–14:30``; with ``with_offsets`` each time carries its UTC offset, once if shared."""
    if not with_offsets:
        return f"{clock(local_start)}–{clock(local_end)}"
    if local_start.utcoffset() == local_end.utcoffset():
        return f"{clock(local_start)}–{clock(local_end, True)}"
    return f"{clock(local_start, True)}–{clock(local_end, True)}"


def instant_text(instant: datetime, zone_name: str, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """``instant`` as clocks in ``zone_name`` show it; with its UTC offset on a day they change
    there, as the agenda shows times then (``Sun 27 Oct 2024, 01:30 UTC+01:00``: 01:30 came twice)."""
    local = to_zone(instant, zone_name)
    if clocks_change_on(local.date(), zone_name):
        return f"{local.strftime(pattern)} {offset_text(local)}"
    return local.strftime(pattern)


def span_text(
    starts_at: datetime, ends_at: datetime, zone_name: str, date_pattern: str | None = "%a %d %b %Y"
) -> str:
    """``Sun 27 Oct 2024, 01:00–01:30`` in ``zone_name`` (the times alone without
    ``date_pattern``); each end with its UTC offset on a day the clocks change there or when the
    two ends have different offsets, once when they share it."""
    local_start, local_end = to_zone(starts_at, zone_name), to_zone(ends_at, zone_name)
    with_offsets = (
        clocks_change_on(local_start.date(), zone_name)
        or local_start.utcoffset() != local_end.utcoffset()
    )
    times = time_range(local_start, local_end, with_offsets)
    return f"{local_start.strftime(date_pattern)}, {times}" if date_pattern else times


def offset_after_localtime(instant: datetime | None, zone_name: str) -> str:
    """The UTC offset a page writes after ``localtime`` to pin a time down on any day: empty on
    a day the clocks change there, where ``localtime`` already gives it (or with no instant)."""
    if instant is None or clocks_change_on(to_zone(instant, zone_name).date(), zone_name):
        return ""
    return utc_offset_text(instant, zone_name)
