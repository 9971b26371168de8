"""A hub day's check-ins as CSV for facilities, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC

from conference.checkin.queries import ArrivedPerson
from conference.conferences.models import Hub
from conference.core.timezones import instant_text
from conference.decisions.export import safe_cell

SEATED_BY_REGISTRATION, SEATED_AT_DESK = "Registered seat", "Seated at the desk"


def header(hub: Hub) -> list[str]:
    return [
        "Name", "E-mail", "Hub", "Day (hub date)", f"Checked in ({hub.time_zone})", "Checked in (UTC)",
        "Checked in by", "Seat", "Dietary needs", "Accessibility needs",
    ]


def arrival_row(hub: Hub, arrived: ArrivedPerson) -> list[str]:
    """One person's cells, each guarded against spreadsheet formulas."""
    check_in, registration = arrived.check_in, arrived.registration
    cells = (
        check_in.user.display_name,
        check_in.user.email,
        hub.name,
        check_in.day.isoformat(),
        # The hub's wall clock, with its offset on a day the clocks change there.
        instant_text(check_in.checked_in_at, hub.time_zone, "%Y-%m-%d %H:%M"),
        check_in.checked_in_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        check_in.checked_in_by_name,
        SEATED_AT_DESK if check_in.seated_at_desk else SEATED_BY_REGISTRATION,
        registration.dietary_needs if registration is not None else "",
        registration.accessibility_needs if registration is not None else "",
    )
    return [safe_cell(cell) for cell in cells]


def check_ins_csv(hub: Hub, arrivals: Iterable[ArrivedPerson]) -> str:
    """CSV text: a header, then one row per person checked in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(hub))
    for arrived in arrivals:
        writer.writerow(arrival_row(hub, arrived))
    return buffer.getvalue()
