"""Fixtures for the check-in desk: a conference with a small London hub (three seats a day)
and an unlimited Tokyo hub, frozen time, and registrations written as attendance keeps them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from conference.attendance.models import (
    AttendanceDay,
    AttendanceMode,
    AttendanceRegistration,
    SeatStatus,
)
from conference.checkin.models import CheckIn
from conference.conferences.models import Role
from tests.clock import stand_at
from tests.factories import ConferenceFactory, HubFactory, RoleFactory, UserFactory

# The factory's conference runs Wed 24 to Fri 26 March 2027.
WED, THU, FRI = date(2027, 3, 24), date(2027, 3, 25), date(2027, 3, 26)
# 09:30 on Wednesday in London (GMT), 18:30 in Tokyo.
WEDNESDAY_MORNING = datetime(2027, 3, 24, 9, 30, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch):
    """Stand at a chosen instant; starts on Wednesday morning in London."""
    return stand_at(monkeypatch, WEDNESDAY_MORNING, "conference.checkin.operations")


@pytest.fixture
def conference(db, now):
    conference = ConferenceFactory(slug="summit", name="Engineering Summit", time_zone="Europe/London")
    HubFactory(conference=conference, name="London", time_zone="Europe/London", seat_limit=3)
    HubFactory(conference=conference, name="Tokyo", time_zone="Asia/Tokyo", seat_limit=None)
    db.session.commit()
    return conference


def hub(conference, name):
    return next(item for item in conference.hubs if item.name == name)


def person(db, name: str, **fields):
    email = fields.pop("email", f"{name.lower().replace(' ', '.')}@example.com")
    user = UserFactory(display_name=name, email=email, **fields)
    db.session.commit()
    return user


def attend(db, conference, user, hub_name: str | None, seated=(), waiting=(), dietary: str = "", accessibility: str = ""):
    """A registration as attendance stores it: in person at ``hub_name`` with seats on the
    ``seated`` days and waiting on the ``waiting`` days, or remote without a hub."""
    at = hub(conference, hub_name) if hub_name else None
    registration = AttendanceRegistration(
        conference_id=conference.id, user_id=user.id,
        mode=AttendanceMode.IN_PERSON if at else AttendanceMode.REMOTE,
        hub_id=at.id if at else None, dietary_needs=dietary, accessibility_needs=accessibility,
    )
    requested = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
    for day in seated:
        registration.days.append(AttendanceDay(day=day, status=SeatStatus.REGISTERED, requested_at=requested, seated_at=requested))
    for day in waiting:
        registration.days.append(AttendanceDay(day=day, status=SeatStatus.WAITING, requested_at=requested))
    db.session.add(registration)
    db.session.commit()
    return registration


def seat_statuses(db, conference, user) -> dict[date, str]:
    """Each day of ``user``'s registration as attendance has it now: "registered" or "waiting"."""
    db.session.expire_all()
    registration = db.session.scalar(
        select(AttendanceRegistration).where(
            AttendanceRegistration.conference_id == conference.id, AttendanceRegistration.user_id == user.id
        )
    )
    return {row.day: row.status.value for row in registration.days} if registration is not None else {}


def check_ins(db) -> list[CheckIn]:
    db.session.expire_all()
    return list(db.session.scalars(select(CheckIn).order_by(CheckIn.id)))


@pytest.fixture
def organiser(login, conference, db):
    user = person(db, "Olga Organiser")
    RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    return login(user)


def desk_url(conference, hub_name: str, day: date) -> str:
    return f"/c/{conference.slug}/manage/check-in/{hub(conference, hub_name).id}/{day.isoformat()}"


def check_in_url(conference, hub_name: str, day: date, user) -> str:
    return f"{desk_url(conference, hub_name, day)}/people/{user.id}/check-in"


def undo_url(conference, hub_name: str, day: date, user) -> str:
    return f"{desk_url(conference, hub_name, day)}/people/{user.id}/undo"
