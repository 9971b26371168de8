"""Fixtures for the speaker pages: a conference with an open call, frozen time, quick logins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from tests.clock import stand_at
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")
# Inside the factories' default call window (2026-11-01 to 2027-01-31 23:59 UTC).
DURING_CALL = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def make_user(**fields):
    """A user who can log in with the default test password, quickly."""
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


@pytest.fixture
def now(monkeypatch):
    """Stand at a chosen instant: ``now.set(datetime)``; starts during the call."""
    return stand_at(monkeypatch, DURING_CALL, "conference.proposals.operations")


@pytest.fixture
def conference(db, now):
    conference = ConferenceFactory(slug="devcon", time_zone="Europe/London")
    SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    TrackFactory(conference=conference, name="Platform")
    HubFactory(conference=conference, name="London", time_zone="Europe/London")
    db.session.commit()
    return conference


@pytest.fixture
def speaker(login, db):
    """A logged-in person (not yet a speaker anywhere)."""
    user = make_user(time_zone="Europe/London")
    db.session.commit()
    return login(user)


def count(db, model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def proposal_form(conference, **overrides) -> dict:
    data = {
        "title": "Scaling the monolith",
        "abstract": "How we **split** it.",
        "session_format_id": str(conference.session_formats[0].id),
        "track_id": str(conference.tracks[0].id),
        "audience_level": "intermediate",
        "notes_to_organisers": "",
        "submit": "Submit",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
