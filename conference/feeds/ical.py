"""iCalendar export in the pretalx style: build a calendar, build one event, serialise.

Pure functions of :mod:`conference.feeds.published` values; the views cache what they return.
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vText
from icalendar import Conference as ConferenceLink

from conference.feeds.links import join_url  # noqa: F401 - re-exported: the one join-link rule
from conference.feeds.published import PublishedSchedule, PublishedTalk, clean_text, single_line

PRODID = "-//Conference planner//Schedule feeds 1.0//EN"
REFRESH = "PT1H"
CONTENT_TYPE = "text/calendar; charset=utf-8"


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
    if talk.abstract:
        parts.append(talk.abstract)
    if talk.speakers:
        parts.append("Speakers: " + ", ".join(speaker.name for speaker in talk.speakers))
    if talk.join_url and not talk.cancelled:
        parts.append(f"Join online: {talk.join_url}")
    parts.append(f"Talk page: {talk.url}")
    return "\n\n".join(parts)


def build_event(talk: PublishedTalk, stamp: datetime) -> Event:
    """One VEVENT with a stable UID and a SEQUENCE that only rises."""
    conferences = None
    if talk.join_url and not talk.cancelled:
        conferences = [ConferenceLink(talk.join_url, feature="VIDEO", label="Join online")]
    event = Event.new(
        uid=talk.uid,
        stamp=stamp.astimezone(UTC),
        last_modified=talk.last_modified.astimezone(UTC),
        sequence=talk.sequence,
        status="CANCELLED" if talk.cancelled else "CONFIRMED",
        summary=talk.title or "Untitled talk",
        description=event_description(talk),
        location=talk.location,
        url=talk.url,
        start=_local(talk.starts_at, talk.zone_name),
        end=_local(talk.ends_at, talk.zone_name),
        conferences=conferences,
    )
    if talk.track_name:
        event.add("CATEGORIES", [talk.track_name])
    return event


def _offset_changes(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta, bool, str]]:
    """Each change of UTC offset in ``year``: (local start, offset before, after, is DST, name)."""
    changes = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    previous = instant.astimezone(zone).utcoffset()
    while instant < end:
        following = instant + timedelta(hours=1)
        offset = following.astimezone(zone).utcoffset()
        if offset != previous:
            low, high = instant, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            after = high.astimezone(zone)
            # DTSTART of an observance is the wall-clock time in the offset it replaces.
            local_start = (high + previous).replace(tzinfo=None)
            changes.append((local_start, previous, offset, bool(after.dst()), after.tzname() or ""))
            previous = offset
        instant = following
    return changes


def _by_day(day: date) -> str:
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
    month_length = calendar_module.monthrange(day.year, day.month)[1]
    if day.day + 7 > month_length:
        return f"-1{weekday}"
    return f"{(day.day - 1) // 7 + 1}{weekday}"


def build_timezone(zone_name: str, years: Iterable[int]) -> Timezone:
    """A VTIMEZONE with yearly RRULE observances (the form Outlook reads reliably)."""
    zone = ZoneInfo(zone_name)
    first_year = min(years)
    timezone = Timezone()
    timezone.add("TZID", zone_name)
    # Observances start the year before the first event, so every event is covered.
    changes = _offset_changes(zone, first_year - 1)
    if not changes:
        offset = datetime(first_year, 7, 1, tzinfo=UTC).astimezone(zone)
        standard = TimezoneStandard()
        standard.add("DTSTART", datetime(1970, 1, 1))
        standard.add("TZOFFSETFROM", offset.utcoffset())
        standard.add("TZOFFSETTO", offset.utcoffset())
        if offset.tzname():
            standard.add("TZNAME", offset.tzname())
        timezone.add_component(standard)
        return timezone
    for local_start, before, after, is_dst, name in changes:
        observance = TimezoneDaylight() if is_dst else TimezoneStandard()
        observance.add("DTSTART", local_start)
        observance.add("TZOFFSETFROM", before)
        observance.add("TZOFFSETTO", after)
        if len(changes) == 2:
            observance.add(
                "RRULE", {"FREQ": "YEARLY", "BYMONTH": local_start.month, "BYDAY": _by_day(local_start.date())}
            )
        if name:
            observance.add("TZNAME", name)
        timezone.add_component(observance)
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
        if not _is_utc(talk.zone_name):
            zone_years = years.setdefault(talk.zone_name, set())
            zone_years.add(_local(talk.starts_at, talk.zone_name).year)
            zone_years.add(_local(talk.ends_at, talk.zone_name).year)
    for zone_name in sorted(years):
        calendar.add_component(build_timezone(zone_name, years[zone_name]))
    for talk in schedule.talks:
        calendar.add_component(build_event(talk, stamp))
    return calendar


def serialise(calendar: Calendar) -> bytes:
    """RFC 5545 bytes: CRLF line endings, lines folded at 75 octets (done by icalendar)."""
    return calendar.to_ical()
