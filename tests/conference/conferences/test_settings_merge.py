"""Settings saved by one organiser survive another organiser's save of other settings made
from a page opened before it: each save merges into what the database holds at that moment."""

from __future__ import annotations

from sqlalchemy import update

from conference.conferences.models import Conference
from conference.feedback import queries as feedback_queries
from conference.feedback.operations import set_edit_days
from conference.questions import queries as question_queries
from conference.questions.operations import save_question_settings
from tests.factories import ConferenceFactory


def _saved_elsewhere(db, conference_id: int, settings: dict) -> None:
    """Another organiser's save, committed on a connection of its own."""
    with db.engine.begin() as connection:
        connection.execute(update(Conference.__table__).where(Conference.id == conference_id).values(settings=settings))


def test_a_save_from_an_older_copy_keeps_the_settings_saved_since(db):
    conference = ConferenceFactory(settings={"anonymised_review": True, "reviewers_per_proposal": 3})
    db.session.commit()
    assert conference.settings["reviewers_per_proposal"] == 3  # this copy is loaded now

    _saved_elsewhere(db, conference.id, {"anonymised_review": True, "reviewers_per_proposal": 3,
                                         question_queries.ENABLED_SETTING: False})
    set_edit_days(conference, 5)
    db.session.commit()

    db.session.expire_all()
    stored = db.session.get(Conference, conference.id).settings
    assert stored[question_queries.ENABLED_SETTING] is False
    assert stored[feedback_queries.EDIT_DAYS_SETTING] == 5
    assert stored["reviewers_per_proposal"] == 3


def test_turning_questions_off_keeps_a_feedback_period_saved_meanwhile(db):
    conference = ConferenceFactory()
    db.session.commit()
    settings = question_queries.question_settings(conference)

    _saved_elsewhere(db, conference.id, {**conference.settings, feedback_queries.EDIT_DAYS_SETTING: 9})
    assert save_question_settings(conference, settings.__class__(
        enabled=False, opens_minutes_before=settings.opens_minutes_before,
        closes_hours_after=settings.closes_hours_after)) is True
    db.session.commit()

    db.session.expire_all()
    stored = db.session.get(Conference, conference.id).settings
    assert stored[feedback_queries.EDIT_DAYS_SETTING] == 9
    assert stored[question_queries.ENABLED_SETTING] is False
