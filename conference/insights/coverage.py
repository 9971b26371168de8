"""Time-zone coverage: how much of an agenda falls inside each zone's local working hours.

Pure arithmetic over plain values (no Flask, no database), so every rule is unit-tested on
hand-worked examples. Working hours are wall-clock times turned into UTC instants one local
date at a time with ``zoneinfo``, so a day on which the clocks change is counted right.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conference.core.timezones import local_to_utc

# Working hours assumed for people who are not based at a hub.
REMOTE_WORKING_DAY = (time(9, 0), time(17, 30))


@dataclass(frozen=True)
class CoverageZone:
    """One heatmap row: a labelled IANA zone with its local working day."""

    label: str
    time_zone: str
    working_day_starts: time
    working_day_ends: time


@dataclass(frozen=True)
class TalkSpan:
    """A talk of the agenda as an interval of aware instants."""

    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 60


@dataclass(frozen=True)
class CoverageCell:
    """``covered_minutes`` of ``total_minutes`` talk-minutes fell inside working hours."""

    day: date | None  # None for the whole conference
    covered_minutes: float
    total_minutes: float

    @property
    def share(self) -> float | None:
        """0.0-1.0, or None when there were no talks that day."""
        return self.covered_minutes / self.total_minutes if self.total_minutes else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)


@dataclass(frozen=True)
class CoverageRow:
    zone: CoverageZone
    cells: tuple[CoverageCell, ...]  # one per day, in order
    overall: CoverageCell


@dataclass(frozen=True)
class CoverageTable:
    days: tuple[date, ...]
    rows: tuple[CoverageRow, ...]


def working_windows(
    zone: CoverageZone, first_day: date, last_day: date
) -> list[tuple[datetime, datetime]]:
    """The zone's working hours as UTC intervals for every local date in the range.

    An end at or before the start means the working day runs past midnight.
    """
    windows = []
    day = first_day
    while day <= last_day:
        starts = local_to_utc(day, zone.working_day_starts, zone.time_zone)
        end_day = (
            day if zone.working_day_ends > zone.working_day_starts else day + timedelta(days=1)
        )
        ends = local_to_utc(end_day, zone.working_day_ends, zone.time_zone)
        windows.append((starts, ends))
        day += timedelta(days=1)
    return windows


def minutes_inside(span: TalkSpan, windows: Iterable[tuple[datetime, datetime]]) -> float:
    """Minutes of ``span`` that lie inside any of the (non-overlapping) ``windows``."""
    covered = timedelta(0)
    for starts, ends in windows:
        overlap = min(span.ends_at, ends) - max(span.starts_at, starts)
        if overlap > timedelta(0):
            covered += overlap
    return covered.total_seconds() / 60


def conference_day(instant: datetime, conference_time_zone: str) -> date:
    """The local date of ``instant`` where the conference is run."""
    return instant.astimezone(ZoneInfo(conference_time_zone)).date()


def zone_coverage(
    talks: Sequence[TalkSpan],
    zones: Sequence[CoverageZone],
    days: Sequence[date],
    conference_time_zone: str,
) -> CoverageTable:
    """Per zone and conference day, the share of talk-minutes inside that zone's working hours.

    A talk belongs to the conference day on which it starts (in the conference's zone); days
    with talks outside ``days`` are added as extra columns so no talk-minute is lost.
    """
    by_day: dict[date, list[TalkSpan]] = {}
    for talk in talks:
        by_day.setdefault(conference_day(talk.starts_at, conference_time_zone), []).append(talk)
    columns = tuple(sorted(set(days) | set(by_day)))
    rows = []
    for zone in zones:
        cells = []
        for day in columns:
            day_talks = by_day.get(day, [])
            covered = total = 0.0
            for talk in day_talks:
                # Local dates around the talk: a talk can touch yesterday's or tomorrow's hours.
                local_start = talk.starts_at.astimezone(ZoneInfo(zone.time_zone)).date()
                local_end = talk.ends_at.astimezone(ZoneInfo(zone.time_zone)).date()
                windows = working_windows(
                    zone, local_start - timedelta(days=1), local_end + timedelta(days=1)
                )
                covered += minutes_inside(talk, windows)
                total += talk.minutes
            cells.append(CoverageCell(day, covered, total))
        overall = CoverageCell(
            None, sum(c.covered_minutes for c in cells), sum(c.total_minutes for c in cells)
        )
        rows.append(CoverageRow(zone, tuple(cells), overall))
    return CoverageTable(columns, tuple(rows))
