"""iCalendar export in the pretalx style: build a calendar, build one event, serialise.

Pure functions of :mod:`conference.feeds.published` values; the views cache what they return.
"""

from __future__ import annotations

import calendar as calendar_module
import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Component,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCategory,
    vDatetime,
    vInt,
    vText,
    vUri,
)
from icalendar import Conference as ConferenceLink

from conference.core.timezones import offset_changes
from conference.feeds.links import join_url  # noqa: F401 - re-exported: the one join-link rule
from conference.feeds.published import PublishedSchedule, PublishedTalk, clean_text, single_line

PRODID = "-//Conference planner//Schedule feeds 1.0//EN"
REFRESH = "PT1H"
CONTENT_TYPE = "text/calendar; charset=utf-8"
# What a feed says of a talk that still takes place but no longer belongs to it.
REMOVED_FROM_FEED = (
    "This talk is no longer part of this calendar: its talk page says where and when it takes place."
)


def _is_utc(zone_name: str) -> bool:
    return zone_name in ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu")


def _local(instant: datetime, zone_name: str) -> datetime:
    # A TZID-based time reads better in clients than UTC; UTC itself is written with "Z".
    if _is_utc(zone_name):
        return instant.astimezone(UTC)
    return instant.astimezone(ZoneInfo(zone_name))


def event_description(talk: PublishedTalk) -> str:
    """Plain-text DESCRIPTION: abstract, speakers, and the join link clients don't show otherwise."""
    parts = []
    if talk.cancelled:
        parts.append("This talk has been cancelled.")
    elif talk.removed_from_feed:
        parts.append(REMOVED_FROM_FEED)
    if talk.abstract:
        parts.append(talk.abstract)
    if talk.speakers:
        parts.append("Speakers: " + ", ".join(speaker.name for speaker in talk.speakers))
    if talk.join_url and not talk.sent_as_cancelled:
        parts.append(f"Join online: {talk.join_url}")
    parts.append(f"Talk page: {talk.url}")
    if talk.feedback_url and not talk.sent_as_cancelled:
        parts.append(f"Feedback: {talk.feedback_url}")
    return "\n\n".join(parts)


class _SharedValues:
    """Property values many events of one calendar have in common, built once per calendar.

    icalendar only reads values while serialising, so events may share them.
    """

    def __init__(self, stamp: datetime) -> None:
        self.stamp = vDatetime(stamp.astimezone(UTC))
        self.status = {True: vText("CANCELLED"), False: vText("CONFIRMED")}
        self._texts: dict[str, vText] = {}
        self._times: dict[tuple[datetime, str], vDatetime] = {}
        self._categories: dict[str, vCategory] = {}
        self._conferences: dict[str, vUri] = {}

    def text(self, value: str) -> vText:
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = vText(value)
        return found

    def local_time(self, instant: datetime, zone_name: str) -> vDatetime:
        """``instant`` in ``zone_name`` (TZID parameter), shared by talks starting together."""
        found = self._times.get((instant, zone_name))
        if found is None:
            found = self._times[(instant, zone_name)] = vDatetime(_local(instant, zone_name))
        return found

    def categories(self, track_name: str) -> vCategory:
        found = self._categories.get(track_name)
        if found is None:
            found = self._categories[track_name] = vCategory([track_name])
        return found

    def conference(self, url: str) -> vUri:
        found = self._conferences.get(url)
        if found is None:
            link = ConferenceLink(url, feature="VIDEO", label="Join online")
            found = self._conferences[url] = link.to_uri()
        return found


def build_event(talk: PublishedTalk, stamp: datetime, shared: _SharedValues | None = None) -> Event:
    """One VEVENT with a stable UID and a SEQUENCE that only rises.

    Properties are set as icalendar value objects that write what ``Event.new`` writes
    (a test compares the bytes), without its per-property type guessing; values many events
    share are built once (``shared``). Together a third of a 1000-talk render saved.
    """
    shared = shared or _SharedValues(stamp)
    event = Event()
    event["UID"] = vText(talk.uid)
    event["DTSTAMP"] = shared.stamp
    event["LAST-MODIFIED"] = vDatetime(talk.last_modified.astimezone(UTC))
    event["SEQUENCE"] = vInt(talk.sequence)
    event["STATUS"] = shared.status[talk.sent_as_cancelled]
    event["SUMMARY"] = vText(talk.title or "Untitled talk")
    event["DESCRIPTION"] = vText(event_description(talk))
    event["LOCATION"] = shared.text(talk.location)
    event["URL"] = vUri(talk.url)
    event["DTSTART"] = shared.local_time(talk.starts_at, talk.zone_name)
    event["DTEND"] = shared.local_time(talk.ends_at, talk.zone_name)
    if talk.join_url and not talk.sent_as_cancelled:
        event["CONFERENCE"] = shared.conference(talk.join_url)
    if talk.track_name:
        event["CATEGORIES"] = shared.categories(talk.track_name)
    return event


def local_years(talk: PublishedTalk) -> tuple[str, tuple[int, ...]] | None:
    """The talk's TZID and the local years it touches (its VTIMEZONE must cover them); None in UTC."""
    if _is_utc(talk.zone_name):
        return None
    years = {_local(talk.starts_at, talk.zone_name).year, _local(talk.ends_at, talk.zone_name).year}
    return talk.zone_name, tuple(sorted(years))


@functools.lru_cache(maxsize=256)
def _offset_changes(
    zone_name: str, year: int
) -> tuple[tuple[datetime, timedelta, timedelta, bool, str], ...]:
    """Each change of UTC offset in ``year``: (local start, offset before, after, is DST, name).

    "Is DST" means the clocks go forward. zoneinfo calls Morocco's Ramadan time and Irish winter
    time DST too (negative DST), but readers that derive standard time from DAYLIGHT blocks
    (dateutil among them) then put the hour around each change on the wrong side; VTIMEZONE
    generators use the other convention (tzdata's "rearguard" form) for the same reason.
    Cached: finding a year's changes costs ~25 ms a zone, and the answer never changes.
    """
    zone = ZoneInfo(zone_name)
    changes = []
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    for changed_at, before, after in offset_changes(zone_name, start, end):
        # DTSTART of an observance is the wall-clock time in the offset it replaces.
        local_start = (changed_at + before).replace(tzinfo=None)
        name = changed_at.astimezone(zone).tzname() or ""
        changes.append((local_start, before, after, after > before, name))
    return tuple(changes)


def _by_day(day: date) -> str:
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
    month_length = calendar_module.monthrange(day.year, day.month)[1]
    if day.day + 7 > month_length:
        return f"-1{weekday}"
    return f"{(day.day - 1) // 7 + 1}{weekday}"


def _yearly_rule(change: tuple[datetime, timedelta, timedelta, bool, str]) -> tuple:
    """What a yearly RRULE observance says of ``change``; equal across years when one rule fits."""
    local_start, before, after, is_dst, name = change
    return (
        local_start.month,
        _by_day(local_start.date()),
        local_start.time(),
        before,
        after,
        is_dst,
        name,
    )


def _observance(
    local_start: datetime, before: timedelta, after: timedelta, is_dst: bool, name: str
) -> Component:
    observance = TimezoneDaylight() if is_dst else TimezoneStandard()
    observance.add("DTSTART", local_start)
    observance.add("TZOFFSETFROM", before)
    observance.add("TZOFFSETTO", after)
    if name:
        observance.add("TZNAME", name)
    return observance


def build_timezone(zone_name: str, years: Iterable[int]) -> Timezone:
    """A VTIMEZONE giving the offsets in force in ``years`` (and the year before).

    When every one of those years changes its clocks by one yearly rule, the observances carry
    it as an RRULE (the form Outlook reads reliably). When the rules changed in between (Mexico
    dropped DST in 2022; Morocco follows Ramadan), each change is its own observance instead:
    repeating one year's rule would shift the other years' events by an hour.
    """
    years = sorted(years)
    zone = ZoneInfo(zone_name)
    # Observances start the year before the first event, so every event is covered.
    first_year, last_year = years[0] - 1, years[-1]
    per_year = [_offset_changes(zone_name, year) for year in range(first_year, last_year + 1)]
    changes = [change for year_changes in per_year for change in year_changes]
    timezone = Timezone()
    timezone.add("TZID", zone_name)
    if not changes:
        offset = datetime(years[0], 7, 1, tzinfo=UTC).astimezone(zone)
        utc_offset = offset.utcoffset()
        timezone.add_component(
            _observance(datetime(1970, 1, 1), utc_offset, utc_offset, False, offset.tzname() or "")
        )
        return timezone
    rule = [_yearly_rule(change) for change in per_year[0]]
    if len(rule) == 2 and all(
        [_yearly_rule(change) for change in year_changes] == rule for year_changes in per_year
    ):
        for change in per_year[0]:
            observance = _observance(*change)
            local_start = change[0]
            observance.add(
                "RRULE",
                {
                    "FREQ": "YEARLY",
                    "BYMONTH": local_start.month,
                    "BYDAY": _by_day(local_start.date()),
                },
            )
            timezone.add_component(observance)
        return timezone
    # The offset in force when the range starts, written as the change before the first one
    # (its reverse), then every change once, in order.
    _, first_before, first_after, _, _ = changes[0]
    opening = datetime(first_year, 1, 1, tzinfo=UTC)
    timezone.add_component(
        _observance(
            (opening + first_after).replace(tzinfo=None),
            first_after,
            first_before,
            first_before > first_after,
            opening.astimezone(zone).tzname() or "",
        )
    )
    for change in changes:
        timezone.add_component(_observance(*change))
    return timezone


def build_calendar(
    schedule: PublishedSchedule, name: str, description: str, stamp: datetime, uid: str
) -> Calendar:
    """The whole VCALENDAR: refresh hints, events, one VTIMEZONE per TZID used.

    ``uid`` keeps the feed's own UID stable (the library would pick a random one).
    """
    calendar = Calendar.new(prodid=PRODID, uid=uid)
    # icalendar 7 writes NAME and the X-WR-* names unescaped (vUnknown): force TEXT escaping.
    for property_name, value in (
        ("NAME", single_line(name)),
        ("X-WR-CALNAME", single_line(name)),
        ("DESCRIPTION", clean_text(description)),
        ("X-WR-CALDESC", clean_text(description)),
    ):
        calendar.add(property_name, vText(value))
    calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", REFRESH)
    years: dict[str, set[int]] = {}
    for talk in schedule.talks:
        if (zoned := local_years(talk)) is not None:
            years.setdefault(zoned[0], set()).update(zoned[1])
    for zone_name in sorted(years):
        calendar.add_component(build_timezone(zone_name, years[zone_name]))
    shared = _SharedValues(stamp)
    for talk in schedule.talks:
        calendar.add_component(build_event(talk, stamp, shared))
    return calendar


FOLD_OCTETS = 74  # content per physical line; a continuation line adds its leading space
_CONTINUATION = 0xC0  # UTF-8 continuation bytes are 0b10xxxxxx
_ESCAPE_STARTS = frozenset(b"\\^")


def fold(line: str) -> bytes:
    """One content line folded exactly as icalendar folds it, in slices rather than per character.

    Lines hold at most 74 octets, never split a UTF-8 character, and never end a line on a
    backslash or caret (icalendar keeps escapes whole for older clients).
    """
    data = line.encode("utf-8")
    if len(data) <= FOLD_OCTETS:
        return data
    pieces = []
    start = 0
    while len(data) - start > FOLD_OCTETS:
        end = start + FOLD_OCTETS
        while data[end] & _CONTINUATION == 0x80:
            end -= 1
        if data[end - 1] in _ESCAPE_STARTS:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def serialise(calendar: Component) -> bytes:
    """RFC 5545 bytes of a calendar (or one component): CRLF line endings, lines folded at 75 octets.

    icalendar writes the content lines (escaping, parameters, order); folding them here
    gives the bytes ``calendar.to_ical()`` gives, ~10x faster than its per-character loop.
    """
    return b"".join(fold(line) + b"\r\n" for line in calendar.content_lines() if line)
