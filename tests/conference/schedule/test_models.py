import pytest
from sqlalchemy.exc import IntegrityError

from conference.schedule.models import RunState
from tests.factories import ConferenceFactory, ScheduleVersionFactory, SolverRunFactory


def test_database_allows_one_draft_per_conference(db):
    conference = ConferenceFactory()
    ScheduleVersionFactory(conference=conference, is_draft=True)
    ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    ScheduleVersionFactory(conference=ConferenceFactory(), is_draft=True)
    db.session.flush()
    with pytest.raises(IntegrityError):
        ScheduleVersionFactory(conference=conference, is_draft=True)
    db.session.rollback()


def test_database_allows_one_active_solver_run_per_conference(db):
    conference = ConferenceFactory()
    SolverRunFactory(conference=conference, state=RunState.SUCCEEDED)
    SolverRunFactory(conference=conference, state=RunState.FAILED)
    SolverRunFactory(conference=conference, state=RunState.RUNNING)
    db.session.flush()
    with pytest.raises(IntegrityError):
        SolverRunFactory(conference=conference, state=RunState.QUEUED)
    db.session.rollback()


def test_published_version_numbers_are_unique_per_conference(db):
    conference = ConferenceFactory()
    ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    db.session.flush()
    with pytest.raises(IntegrityError):
        ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    db.session.rollback()
