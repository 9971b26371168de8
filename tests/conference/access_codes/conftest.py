"""Fixtures for access codes: a conference with open and code-only tracks and formats, frozen
time, an organiser and a speaker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conference.access_codes.models import AccessCode
from conference.access_codes.operations import new_code_text
from conference.conferences.models import Role
from tests.clock import stand_at
from tests.conference.proposals.conftest import DURING_CALL, make_user
from tests.factories import ConferenceFactory, RoleFactory, SessionFormatFactory, TrackFactory

# After the factories' call window (2026-11-01 to 2027-01-31 23:59 UTC) has closed.
AFTER_CALL = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch):
    """Stand at a chosen instant for speakers and organisers alike; starts during the call."""
    return stand_at(
        monkeypatch, DURING_CALL, "conference.proposals.operations", "conference.access_codes.operations"
    )


@pytest.fixture
def conference(db, now):
    """A call with an ordinary track and format, and a keynote track and format offered only
    with an access code."""
    conference = ConferenceFactory(slug="devcon", time_zone="Europe/London")
    SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    SessionFormatFactory(conference=conference, name="Keynote", duration_minutes=45, requires_access_code=True)
    TrackFactory(conference=conference, name="Platform")
    TrackFactory(conference=conference, name="Keynotes", requires_access_code=True)
    db.session.commit()
    return conference


def track(conference, name):
    return next(item for item in conference.tracks if item.name == name)


def session_format(conference, name):
    return next(item for item in conference.session_formats if item.name == name)


def make_code(db, conference, **fields) -> AccessCode:
    """An access code of ``conference`` (unlimited unless ``fields`` say otherwise)."""
    code = AccessCode(
        conference_id=conference.id, code=new_code_text(), note=fields.pop("note", "Keynote: Ada"), **fields
    )
    db.session.add(code)
    db.session.commit()
    return code


@pytest.fixture
def organiser(login, conference, db):
    """The logged-in organiser of ``conference``."""
    role = RoleFactory(conference=conference, user=make_user(time_zone="Europe/London"), role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)


@pytest.fixture
def speaker(login, db):
    """A logged-in person with no role anywhere yet."""
    user = make_user(time_zone="Europe/London")
    db.session.commit()
    return login(user)


def proposal_data(conference, **overrides) -> dict:
    data = {
        "title": "The keynote",
        "abstract": "Where we are going.",
        "session_format_id": str(session_format(conference, "Talk").id),
        "track_id": str(track(conference, "Platform").id),
        "audience_level": "intermediate",
        "notes_to_organisers": "",
        "submit": "Submit",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
