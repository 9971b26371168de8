"""Fixtures for attendance: a conference with a small London hub and an unlimited Tokyo hub,
an open registration window, frozen time and people to register."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from conference.attendance import operations
from conference.attendance.models import AttendanceMode, AttendanceRegistration, AttendanceWindow
from conference.conferences.models import Role
from conference.mail.models import OutboxMessage
from tests.clock import stand_at
from tests.factories import ConferenceFactory, HubFactory, RoleFactory, UserFactory

OPENS = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
CLOSES = datetime(2027, 3, 17, 17, 0, tzinfo=UTC)
DURING = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
AFTER = datetime(2027, 3, 18, 12, 0, tzinfo=UTC)
# The factory's conference runs Wed 24 to Fri 26 March 2027.
WED, THU, FRI = date(2027, 3, 24), date(2027, 3, 25), date(2027, 3, 26)


@pytest.fixture
def now(monkeypatch):
    """Stand at a chosen instant; starts while registration is open."""
    return stand_at(monkeypatch, DURING, "conference.attendance.operations")


@pytest.fixture
def conference(db, now):
    conference = ConferenceFactory(slug="summit", name="Engineering Summit", time_zone="Europe/London")
    HubFactory(conference=conference, name="London", time_zone="Europe/London", seat_limit=2)
    HubFactory(conference=conference, name="Tokyo", time_zone="Asia/Tokyo", seat_limit=None)
    db.session.add(AttendanceWindow(conference_id=conference.id, opens_at=OPENS, closes_at=CLOSES))
    db.session.commit()
    return conference


def hub(conference, name):
    return next(item for item in conference.hubs if item.name == name)


def person(db, name: str, **fields):
    user = UserFactory(display_name=name, email=f"{name.lower().replace(' ', '.')}@example.com", **fields)
    db.session.commit()
    return user


def in_person(conference, hub_name: str, *days: date, dietary: str = "", accessibility: str = ""):
    return operations.AttendanceChoice(
        mode=AttendanceMode.IN_PERSON, hub_id=hub(conference, hub_name).id, days=frozenset(days),
        dietary_needs=dietary, accessibility_needs=accessibility,
    )


def remotely(*days: date, dietary: str = ""):
    return operations.AttendanceChoice(
        mode=AttendanceMode.REMOTE, hub_id=None, days=frozenset(days), dietary_needs=dietary
    )


def register(db, conference, user, choice):
    """Save ``choice`` for ``user`` as one committed request would."""
    registration = operations.save_attendance(conference, user, choice)
    db.session.commit()
    return registration


def statuses(db, conference, user) -> dict[date, str]:
    """Each requested day of ``user``'s registration -> "registered" or "waiting"."""
    db.session.expire_all()
    registration = db.session.scalar(
        select(AttendanceRegistration).where(
            AttendanceRegistration.conference_id == conference.id, AttendanceRegistration.user_id == user.id
        )
    )
    if registration is None:
        return {}
    return {row.day: row.status.value for row in registration.days}


def outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def organiser(login, conference, db):
    user = person(db, "Olga Organiser")
    RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    return login(user)
