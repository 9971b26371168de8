"""Erasing an account removes its own check-ins at hubs' desks, as its registrations go, and keeps
the check-ins it made for others under its neutral name."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from conference.admin.operations import ERASURE_KEEPS, ERASURE_REMOVES, erase_account
from conference.attendance.models import (
    AttendanceDay,
    AttendanceMode,
    AttendanceRegistration,
    SeatStatus,
)
from conference.checkin.models import CheckIn
from tests.conference.admin.conftest import count
from tests.factories import HubFactory, UserFactory

WED = date(2027, 3, 24)
MORNING = datetime(2027, 3, 24, 9, 30, tzinfo=UTC)


def _registered_and_checked_in(db, hub, user, by) -> None:
    registration = AttendanceRegistration(
        conference_id=hub.conference_id, user_id=user.id, mode=AttendanceMode.IN_PERSON, hub_id=hub.id,
    )
    registration.days.append(AttendanceDay(day=WED, status=SeatStatus.REGISTERED, requested_at=MORNING, seated_at=MORNING))
    db.session.add_all([
        registration,
        CheckIn(hub_id=hub.id, day=WED, user_id=user.id, checked_in_at=MORNING, checked_in_by_id=by.id),
    ])
    db.session.commit()


def test_erasing_removes_their_check_ins_and_keeps_those_they_made_under_the_neutral_name(app, db):
    hub = HubFactory(name="London")
    host, ada, bob = UserFactory(display_name="Hal Host"), UserFactory(display_name="Ada"), UserFactory(display_name="Bob")
    db.session.commit()
    _registered_and_checked_in(db, hub, ada, by=host)
    _registered_and_checked_in(db, hub, bob, by=ada)  # Ada helped at the desk
    _registered_and_checked_in(db, hub, host, by=ada)

    erase_account(ada, by=None)
    db.session.commit()

    assert count(db, CheckIn, CheckIn.user_id == ada.id) == 0
    assert count(db, AttendanceRegistration, AttendanceRegistration.user_id == ada.id) == 0
    made = db.session.scalars(select(CheckIn).where(CheckIn.checked_in_by_id == ada.id)).all()
    assert sorted(row.user_id for row in made) == sorted([bob.id, host.id])
    assert {row.checked_in_by_name for row in made} == {f"Former participant {ada.id}"}


def test_the_erasure_lists_say_what_happens_to_check_ins():
    assert "Check-ins" in [item.label for item in ERASURE_REMOVES]
    assert "Check-ins they made" in [item.label for item in ERASURE_KEEPS]
