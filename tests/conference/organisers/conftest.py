"""Fixtures for organisers' pages: a conference and its logged-in organiser."""

from __future__ import annotations

import pytest

from conference.conferences.models import Role
from tests.factories import ConferenceFactory, RoleFactory


@pytest.fixture
def conference(db):
    conference = ConferenceFactory(slug="devcon", time_zone="Europe/London")
    db.session.commit()
    return conference


@pytest.fixture
def organiser(login, conference, db):
    """The logged-in organiser of ``conference``."""
    role = RoleFactory(conference=conference, role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)


def count(db, model, *conditions) -> int:
    from sqlalchemy import func, select

    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))
