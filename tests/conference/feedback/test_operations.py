"""Saving feedback at the edges of its window, the default questions, and question changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.feedback import operations, queries
from conference.feedback.models import FeedbackQuestion, QuestionKind
from conference.feedback.queries import FeedbackState
from tests.conference.feedback.conftest import give_response, make_user
from tests.factories import ScheduledTalkFactory, ScheduleVersionFactory

MICROSECOND = timedelta(microseconds=1)


def feedback(questions, rating=4, lock=0):
    return operations.FeedbackInput(
        ratings={questions[0].id: rating, questions[1].id: None},
        texts={questions[2].id: ""},
        comment="",
        lock_version=lock,
    )


def test_feedback_opens_exactly_when_the_talk_ends(db, conference, ended, questions):
    attendee = make_user()
    db.session.commit()

    with pytest.raises(operations.FeedbackRefused) as refused:
        operations.save_feedback(
            conference, ended, attendee, feedback(questions), now=ended.ends_at - MICROSECOND
        )
    response = operations.save_feedback(
        conference, ended, attendee, feedback(questions), now=ended.ends_at
    )

    assert refused.value.state is FeedbackState.NOT_ENDED
    assert response.id is not None


def test_feedback_closes_exactly_after_the_edit_days(db, conference, ended, questions):
    conference.settings = {**conference.settings, "feedback_edit_days": 2}
    attendee = make_user()
    db.session.commit()
    closes = ended.ends_at + timedelta(days=2)

    operations.save_feedback(
        conference, ended, attendee, feedback(questions, 2), now=closes - MICROSECOND
    )
    with pytest.raises(operations.FeedbackRefused) as refused:
        operations.save_feedback(
            conference, ended, attendee, feedback(questions, 5, lock=1), now=closes
        )

    assert refused.value.state is FeedbackState.CLOSED


def test_the_latest_published_version_decides_when_a_talk_ended(
    db, conference, places, ended, questions
):
    later = ScheduleVersionFactory(conference=conference, is_draft=False, number=2)
    moved = ScheduledTalkFactory(
        version=later,
        proposal=ended.proposal,
        room=places.hudson,
        starts_at=ended.starts_at + timedelta(hours=3),
        ends_at=ended.ends_at + timedelta(hours=3),
    )
    db.session.commit()

    slot = queries.published_slot(conference, ended.proposal_id)

    assert slot.id == moved.id
    assert queries.feedback_status(conference, slot, make_user()).state is FeedbackState.NOT_ENDED


def test_stale_version_raises_stale_feedback(db, conference, ended, questions):
    attendee = make_user()
    operations.save_feedback(conference, ended, attendee, feedback(questions))
    db.session.commit()
    operations.save_feedback(conference, ended, attendee, feedback(questions, 3, lock=1))
    db.session.commit()

    with pytest.raises(operations.StaleFeedback):
        operations.save_feedback(conference, ended, attendee, feedback(questions, 1, lock=1))


def test_default_questions_are_created_once(db, conference):
    first = operations.ensure_default_questions(conference)
    second = operations.ensure_default_questions(conference)

    assert [q.prompt for q in first] == [d.prompt for d in operations.DEFAULT_QUESTIONS]
    assert [q.id for q in second] == [q.id for q in first]
    assert db.session.scalar(select(func.count(FeedbackQuestion.id))) == len(
        operations.DEFAULT_QUESTIONS
    )


def test_default_questions_do_not_come_back_when_all_are_retired(db, conference):
    for question in operations.ensure_default_questions(conference):
        operations.set_question_active(question, False)

    assert operations.ensure_default_questions(conference) == []


def test_kind_of_an_answered_question_cannot_change(db, conference, ended, questions):
    give_response(ended.proposal, make_user(), {questions[0]: 5})

    with pytest.raises(operations.KindLocked):
        operations.update_question(
            questions[0], operations.QuestionDetails("Renamed", QuestionKind.TEXT, True)
        )
    operations.update_question(
        questions[0], operations.QuestionDetails("Renamed", QuestionKind.RATING, False)
    )

    assert questions[0].prompt == "Renamed" and questions[0].required is False


def test_move_question_renumbers_positions(db, conference, questions):
    operations.move_question(questions[2], -1)

    assert [q.prompt for q in queries.questions(conference)] == [
        "How useful was it?",
        "Your takeaway",
        "How clear was it?",
    ]
