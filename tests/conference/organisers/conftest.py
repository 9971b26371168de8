"""Fixtures for organisers' pages: a conference and its logged-in organiser."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from conference.conferences.models import Role
from tests.factories import DEFAULT_PASSWORD, ConferenceFactory, RoleFactory, UserFactory

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")


def make_user(**fields):
    """A user who can log in with the default test password, quickly."""
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


@pytest.fixture
def conference(db):
    conference = ConferenceFactory(slug="devcon", time_zone="Europe/London")
    db.session.commit()
    return conference


@pytest.fixture
def organiser(login, conference, db):
    """The logged-in organiser of ``conference``."""
    role = RoleFactory(conference=conference, user=make_user(), role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)


def count(db, model, *conditions) -> int:
    from sqlalchemy import func, select

    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))
