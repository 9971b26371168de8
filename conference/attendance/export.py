"""The attendance list as CSV for facilities and catering, safe to open in a spreadsheet.

Columns only ever get added at the end, so spreadsheets built on an earlier export still line up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from conference.attendance.models import AttendanceRegistration, SeatStatus
from conference.decisions.export import safe_cell

HEADER = (
    "Name", "E-mail", "Attends", "Hub", "Hub time zone", "Days with a seat (hub dates)",
    "Days on the waiting list (hub dates)", "Dietary needs", "Accessibility needs",
)


def header(conference_zone: str) -> tuple[str, ...]:
    return (*HEADER, f"Days followed remotely (conference dates, {conference_zone})")


def _days(registration: AttendanceRegistration, status: SeatStatus | None = None) -> str:
    return "; ".join(row.day.isoformat() for row in registration.days if status is None or row.status is status)


def attendance_row(registration: AttendanceRegistration) -> list[str]:
    """One person's cells, each guarded against spreadsheet formulas."""
    hub = registration.hub
    in_person = registration.is_in_person
    cells = (
        registration.user.display_name,
        registration.user.email,
        "In person" if in_person else "Remotely",
        hub.name if hub else "",
        hub.time_zone if hub else "",
        _days(registration, SeatStatus.REGISTERED) if in_person else "",
        _days(registration, SeatStatus.WAITING) if in_person else "",
        registration.dietary_needs,
        registration.accessibility_needs,
        "" if in_person else _days(registration),
    )
    return [safe_cell(cell) for cell in cells]


def attendance_csv(registrations: Iterable[AttendanceRegistration], conference_zone: str) -> str:
    """CSV text: a header, then one row per person."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(conference_zone))
    for registration in registrations:
        writer.writerow(attendance_row(registration))
    return buffer.getvalue()
