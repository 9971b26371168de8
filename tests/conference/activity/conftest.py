"""A conference with an open call, its logged-in organiser, and helpers to read the log."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask import current_app
from flask_login import login_user
from sqlalchemy import select

from conference.activity.models import ActivityEntry
from conference.conferences.models import Role
from conference.extensions import db as _db
from conference.proposals.models import ProposalState
from tests.conference.organisers.conftest import make_user
from tests.conference.schedule.conftest import enqueued  # noqa: F401 - the solver tests' queue
from tests.factories import (
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    SessionFormatFactory,
    TrackFactory,
)

# Inside the factories' default call window (2026-11-01 to 2027-01-31 23:59 UTC).
DURING_CALL = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def conference(db, monkeypatch):
    monkeypatch.setattr("conference.proposals.operations.utcnow", lambda: DURING_CALL)
    conference = ConferenceFactory(slug="devcon", name="DevCon", time_zone="Europe/London")
    SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    TrackFactory(conference=conference, name="Platform")
    db.session.commit()
    return conference


def make_organiser(conference, **fields):
    user = make_user(**fields)
    RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    return user


@pytest.fixture
def organiser(login, conference, db):
    """The logged-in organiser of ``conference``."""
    user = make_organiser(conference, display_name="Olu Organiser", time_zone="Europe/London")
    db.session.commit()
    return login(user)


def make_proposal(conference, speaker=None, state=ProposalState.SUBMITTED, **fields):
    proposal = ProposalFactory(
        conference=conference, state=state,
        submitted_at=None if state is ProposalState.DRAFT else DURING_CALL, **fields,
    )
    ProposalSpeakerFactory(proposal=proposal, user=speaker or make_user())
    return proposal


@contextmanager
def signed_in(user):
    """Run operations as in a request of ``user``, who is then the entries' actor."""
    with current_app.test_request_context():
        login_user(user)
        yield


def entries(db, **conditions) -> list[tuple]:
    """Every entry as (action, actor id, proposal id, details), oldest first."""
    db.session.flush()
    query = select(ActivityEntry).filter_by(**conditions).order_by(ActivityEntry.id)
    return [
        (entry.action.value, entry.actor_id, entry.proposal_id, entry.details)
        for entry in db.session.scalars(query)
    ]


def add_entry(conference, action, created_at, proposal=None, actor=None, details=None):
    """An entry written at a chosen instant (``actor`` None: by the system)."""
    entry = ActivityEntry(
        conference_id=conference.id, proposal_id=proposal.id if proposal else None,
        actor_id=actor.id if actor else None, by_system=actor is None, action=action,
        details=details or {}, created_at=created_at,
    )
    _db.session.add(entry)
    _db.session.flush()
    return entry
