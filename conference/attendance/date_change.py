"""The e-mail to someone whose registered days new conference dates left out: which days went,
shown in their own time zone, what is left of their registration, and where to choose again.
Its wording is the ``attendance_dates_changed`` e-mail template, which organisers may reword;
the parts computed here are its placeholders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app

from conference.attendance.models import AttendanceWindow
from conference.attendance.queries import day_text, days_text, window_state
from conference.conferences.models import Conference, Hub
from conference.core.timezones import instant_text, local_to_utc, span_text, to_zone
from conference.mail.templates import DEFAULT_TEMPLATES, TemplateProblem, render_email, render_text

DATE_CHANGE_KIND = "attendance_dates_changed"


@dataclass(frozen=True)
class DroppedDay:
    day: date
    seated: bool  # at a hub: had a seat rather than a place on the waiting list


@dataclass(frozen=True)
class DateChangeNotice:
    """What new dates took from one person's registration, read before the rows are deleted."""

    attendee: str
    zone_name: str  # the person's own time zone
    hub: Hub | None  # None: they attend remotely
    dropped: list[DroppedDay]
    kept: list[date]


def _span(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
    """``Wed 24 Mar 2027, 01:00–09:30``, or both ends in full when the span crosses midnight there."""
    if to_zone(starts_at, zone_name).date() == to_zone(ends_at - timedelta(microseconds=1), zone_name).date():
        return span_text(starts_at, ends_at, zone_name)
    return f"{instant_text(starts_at, zone_name)} to {instant_text(ends_at, zone_name)}"


def _yours(starts_at: datetime, ends_at: datetime, own_zone: str, day_zone: str) -> str:
    if own_zone == day_zone:
        return ""
    return f"; for you {_span(starts_at, ends_at, own_zone)} {own_zone}"


def dropped_day_line(conference: Conference, notice: DateChangeNotice, dropped: DroppedDay) -> str:
    """One dropped day with its hours where it happens and, when that zone is not theirs, in theirs."""
    hub, day = notice.hub, dropped.day
    if hub is None:
        starts_at = local_to_utc(day, time.min, conference.time_zone)
        ends_at = local_to_utc(day + timedelta(days=1), time.min, conference.time_zone)
        return (
            f"{day_text(day)}, following remotely ({conference.time_zone} date"
            f"{_yours(starts_at, ends_at, notice.zone_name, conference.time_zone)})"
        )
    starts_at = local_to_utc(day, hub.working_day_starts, hub.time_zone)
    ends_at = local_to_utc(day, hub.working_day_ends, hub.time_zone)
    place = "your seat" if dropped.seated else "your place on the waiting list"
    hours = span_text(starts_at, ends_at, hub.time_zone, date_pattern=None)
    return (
        f"{day_text(day)} at {hub.name}, {place} ({hours} {hub.time_zone}"
        f"{_yours(starts_at, ends_at, notice.zone_name, hub.time_zone)})"
    )


def _what_is_left(conference: Conference, notice: DateChangeNotice) -> str:
    if not notice.kept:
        return "No day of your registration is left, so you are no longer registered."
    if notice.hub is None:
        return f"You still follow remotely on {days_text(notice.kept)} ({conference.time_zone} dates)."
    return (
        f"You still attend in person at {notice.hub.name} on {days_text(notice.kept)} "
        f"({notice.hub.time_zone} dates); your seats and waiting places there are unchanged."
    )


def _what_to_do(notice: DateChangeNotice, window: AttendanceWindow | None, now: datetime, link: str) -> str:
    zone_name = notice.zone_name
    state = window_state(window, now)
    if notice.kept:
        what = "choose days of the new dates or change your registration"
    else:
        what = "register again for the new dates"
    if state == "open":
        return f"You can {what} until {instant_text(window.closes_at, zone_name)} ({zone_name}): {link}"
    if state == "not_yet":
        return (
            f"Registration opens {instant_text(window.opens_at, zone_name)} ({zone_name}); from then on "
            f"you can {what} here: {link}"
        )
    return (
        "Registration is not open at the moment, so only the organisers can change your registration; "
        f"your registration page: {link}"
    )


def date_change_context(
    conference: Conference, notice: DateChangeNotice, window: AttendanceWindow | None, now: datetime, link: str
) -> dict[str, Any]:
    """The placeholders of the e-mail telling one person which of their days new dates removed."""
    first, last = conference.starts_on, conference.ends_on
    return {
        "attendee": notice.attendee,
        "conference": conference.name,
        "new_dates": f"on {day_text(first)}" if first == last else f"from {day_text(first)} to {day_text(last)}",
        "time_zone": conference.time_zone,
        "removed_days": "\n".join(
            f"  - {dropped_day_line(conference, notice, dropped)}" for dropped in notice.dropped
        ),
        "removed_count": len(notice.dropped),
        "what_is_left": _what_is_left(conference, notice),
        "what_to_do": _what_to_do(notice, window, now, link),
        "link": link,
    }


def date_change_email(
    conference: Conference, notice: DateChangeNotice, window: AttendanceWindow | None, now: datetime, link: str
) -> tuple[str, str]:
    """(subject, body) of the e-mail telling one person which of their days new dates removed,
    in the organisers' wording when they set one."""
    context = date_change_context(conference, notice, window, now, link)
    try:
        return render_email(conference.id, DATE_CHANGE_KIND, context)
    except TemplateProblem:
        # The organisers' wording does not render: people still hear which days they lost, and
        # the e-mail templates page shows the problem when organisers open it.
        current_app.logger.warning("Attendance date change template of %s does not render", conference.slug)
        default = DEFAULT_TEMPLATES[DATE_CHANGE_KIND]
        return render_text(default.subject, default.body, context)
