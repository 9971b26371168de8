"""Attendees rate a talk once it has ended, edit their one response, and are refused otherwise."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from conference.core.types import utcnow
from conference.extensions import db as _db
from conference.feedback.models import FeedbackAnswer, FeedbackResponse
from conference.proposals.models import InvitationState, SpeakerRole
from tests.conference.feedback.conftest import give_response, make_talk, make_user
from tests.conftest import AuthActions, _empty_all_tables, make_test_app
from tests.factories import (
    ConferenceFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    ScheduleVersionFactory,
)


def url(scheduled) -> str:
    return f"/c/summit/talks/{scheduled.proposal_id}/feedback"


def answers_form(
    questions, usefulness="4", clarity="5", takeaway="Profiling first", comment="", lock="0"
):
    useful, clear, text = questions
    return {
        f"answer_{useful.id}": usefulness,
        f"answer_{clear.id}": clarity,
        f"answer_{text.id}": takeaway,
        "comment": comment,
        "lock_version": lock,
    }


def response_count(db) -> int:
    return db.session.scalar(select(func.count(FeedbackResponse.id)))


def test_feedback_form_is_refused_while_the_talk_is_still_running(
    client, login, db, upcoming, questions
):
    login(make_user(time_zone="Asia/Kolkata"))

    page = client.get(url(upcoming))
    posted = client.post(url(upcoming), data=answers_form(questions))

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "You can rate this talk once it has ended" in html
    assert "(Asia/Kolkata)" in html
    assert '<form method="post" novalidate>' not in html
    assert posted.status_code == 403
    assert response_count(db) == 0


def test_feedback_is_saved_once_the_talk_has_ended(client, login, db, ended, questions):
    attendee = login(make_user())

    page = client.get(url(ended))
    posted = client.post(url(ended), data=answers_form(questions, comment="Great demo"))

    assert page.status_code == 200
    assert "How useful was it?" in page.get_data(as_text=True)
    assert posted.status_code == 302
    response = db.session.scalar(select(FeedbackResponse))
    assert response.user_id == attendee.id and response.proposal_id == ended.proposal_id
    assert response.comment == "Great demo"
    saved = {answer.question_id: (answer.rating, answer.text) for answer in response.answers}
    useful, clear, text = questions
    assert saved == {useful.id: (4, ""), clear.id: (5, ""), text.id: (None, "Profiling first")}


def test_second_post_edits_the_same_response(client, login, db, ended, questions):
    login(make_user())
    client.post(url(ended), data=answers_form(questions, usefulness="2", takeaway="Slides"))
    first = db.session.scalar(select(FeedbackResponse))
    version = first.lock_version

    again = client.post(
        url(ended),
        data=answers_form(questions, usefulness="5", clarity="", takeaway="", lock=str(version)),
    )

    assert again.status_code == 302
    db.session.expire_all()
    assert response_count(db) == 1
    response = db.session.scalar(select(FeedbackResponse))
    assert response.id == first.id and response.lock_version == version + 1
    # Emptied optional answers are removed, not stored as blanks.
    assert {a.question_id: a.rating for a in response.answers} == {questions[0].id: 5}


def test_form_shows_the_saved_answers_for_editing(client, login, db, ended, questions):
    login(make_user())
    client.post(url(ended), data=answers_form(questions, usefulness="3", comment="More code"))

    html = client.get(url(ended)).get_data(as_text=True)

    useful = questions[0]
    assert (
        f'<input checked id="answer_{useful.id}-2" name="answer_{useful.id}" required type="radio" value="3">'
        in html
    )
    assert "More code" in html
    assert "Save your changes" in html


def test_stale_edit_is_a_conflict_that_keeps_the_input(client, login, db, ended, questions):
    login(make_user())
    client.post(url(ended), data=answers_form(questions, comment="First tab"))
    response = db.session.scalar(select(FeedbackResponse))
    loaded_version = response.lock_version
    client.post(
        url(ended), data=answers_form(questions, comment="Second tab", lock=str(loaded_version))
    )

    stale = client.post(
        url(ended), data=answers_form(questions, comment="Old tab", lock=str(loaded_version))
    )

    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "changed (perhaps in another tab)" in html
    assert "Old tab" in html and "Second tab" in html
    db.session.expire_all()
    assert db.session.scalar(select(FeedbackResponse.comment)) == "Second tab"


def test_edit_window_closes_after_the_configured_days(
    client, login, db, places, published, questions, conference
):
    conference.settings = {**conference.settings, "feedback_edit_days": 3}
    long_ago = make_talk(published, places.thames, utcnow() - timedelta(days=3, minutes=1))
    recent = make_talk(published, places.thames, utcnow() - timedelta(days=2, hours=23))
    db.session.commit()
    login(make_user())

    refused = client.post(url(long_ago), data=answers_form(questions))
    accepted = client.post(url(recent), data=answers_form(questions))

    assert refused.status_code == 403
    assert "Feedback is closed" in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    assert response_count(db) == 1


def test_response_becomes_read_only_with_a_clear_message(
    client, login, db, places, published, questions
):
    attendee = login(make_user())
    talk = make_talk(published, places.thames, utcnow() - timedelta(days=15))
    db.session.commit()
    give_response(talk.proposal, attendee, {questions[0]: 4}, comment="Kept as it was")
    db.session.commit()

    page = client.get(url(talk))
    posted = client.post(url(talk), data=answers_form(questions, comment="Too late"))

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "You can no longer change your feedback" in html
    assert "How useful was it?: 4" in html and "Kept as it was" in html
    assert 'type="radio"' not in html
    assert posted.status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(FeedbackResponse.comment)) == "Kept as it was"


def test_speaker_cannot_rate_their_own_talk(client, login, db, places, published, questions):
    speaker = make_user()
    talk = make_talk(published, places.thames, utcnow() - timedelta(minutes=5), speaker=speaker)
    co_speaker = make_user()
    ProposalSpeakerFactory(proposal=talk.proposal, user=co_speaker)
    db.session.commit()
    login(co_speaker)

    page = client.get(url(talk))
    posted = client.post(url(talk), data=answers_form(questions))

    assert page.status_code == 403
    assert "You are a speaker of this talk" in page.get_data(as_text=True)
    assert posted.status_code == 403
    assert response_count(db) == 0


def test_someone_who_declined_to_co_present_may_rate_the_talk(
    client, login, db, places, published, questions
):
    talk = make_talk(published, places.thames, utcnow() - timedelta(minutes=5))
    declined = make_user()
    ProposalSpeakerFactory(
        proposal=talk.proposal,
        user=declined,
        role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.DECLINED,
    )
    db.session.commit()
    login(declined)

    page = client.get(url(talk))
    posted = client.post(url(talk), data=answers_form(questions))

    assert page.status_code == 200
    assert "You are a speaker of this talk" not in page.get_data(as_text=True)
    assert posted.status_code == 302
    assert response_count(db) == 1


def test_invalid_ratings_are_form_errors(client, login, db, ended, questions):
    login(make_user())
    useful = questions[0]

    for bad in ("0", "6", "text", "4.5", ""):
        posted = client.post(url(ended), data=answers_form(questions, usefulness=bad))
        assert posted.status_code == 400, bad
        html = posted.get_data(as_text=True)
        assert f'id="answer_{useful.id}-error"' in html and "Choose a rating from 1 to 5." in html

    bad_optional = client.post(url(ended), data=answers_form(questions, clarity="9"))
    assert bad_optional.status_code == 400
    assert response_count(db) == 0


def test_optional_questions_may_be_left_out(client, login, db, ended, questions):
    login(make_user())
    useful = questions[0]

    posted = client.post(url(ended), data={f"answer_{useful.id}": "1", "lock_version": "0"})

    assert posted.status_code == 302
    assert db.session.scalar(select(func.count(FeedbackAnswer.id))) == 1


def test_retired_question_keeps_its_answer_when_the_response_is_edited(
    client, login, db, ended, questions
):
    login(make_user())
    client.post(url(ended), data=answers_form(questions))
    clear = questions[1]
    clear.active = False
    db.session.commit()
    version = db.session.scalar(select(FeedbackResponse.lock_version))

    data = answers_form(questions, usefulness="1", lock=str(version))
    del data[f"answer_{clear.id}"]
    page = client.get(url(ended)).get_data(as_text=True)
    posted = client.post(url(ended), data=data)

    assert "How clear was it?" not in page
    assert posted.status_code == 302
    db.session.expire_all()
    ratings = dict(
        db.session.execute(select(FeedbackAnswer.question_id, FeedbackAnswer.rating)).all()
    )
    assert ratings[clear.id] == 5 and ratings[questions[0].id] == 1


def test_default_questions_are_used_when_the_conference_has_none(client, login, db, ended):
    login(make_user())

    html = client.get(url(ended)).get_data(as_text=True)

    assert "How useful was this talk for you?" in html
    assert "How clear was the presentation?" in html


def test_talks_outside_the_published_version_are_not_found(
    client, login, db, ended, conference, places
):
    login(make_user())
    draft = ScheduleVersionFactory(conference=conference, is_draft=True, number=None)
    draft_only = make_talk(draft, places.thames, utcnow() - timedelta(hours=1))
    other = ConferenceFactory(slug="elsewhere")
    db.session.commit()

    assert client.get(url(draft_only)).status_code == 404
    assert client.get(f"/c/elsewhere/talks/{ended.proposal_id}/feedback").status_code == 404
    assert other.id != conference.id


def test_feedback_needs_a_login(client, ended):
    response = client.get(url(ended))

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_talk_page_links_to_the_feedback_form_after_the_talk(client, login, db, ended, upcoming):
    login(make_user())

    after = client.get(f"/c/summit/agenda/talks/{ended.proposal_id}").get_data(as_text=True)
    before = client.get(f"/c/summit/agenda/talks/{upcoming.proposal_id}").get_data(as_text=True)

    assert (
        f'href="/c/summit/talks/{ended.proposal_id}/feedback"' in after
        and "Rate this talk" in after
    )
    assert "Rate this talk" not in before and "You can rate this talk after it ends" in before


def test_saving_feedback_is_rate_limited_per_person(sqlite_database_url):
    app = make_test_app(
        sqlite_database_url, RATELIMIT_ENABLED=True, RATELIMIT_FEEDBACK="2 per minute"
    )
    try:
        with app.app_context():
            conference = ConferenceFactory(slug="summit")
            version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
            talk = make_talk(
                version, RoomFactory(conference=conference), utcnow() - timedelta(hours=1)
            )
            emails = [make_user().email, make_user().email]
            _db.session.commit()
            target = url(talk)
        busy, other = app.test_client(), app.test_client()
        AuthActions(busy).login(emails[0])
        AuthActions(other).login(emails[1])

        statuses = [busy.post(target, data={"comment": "x"}).status_code for _ in range(3)]

        # Without the required rating the first two are form errors; the third is refused.
        assert statuses == [400, 400, 429]
        assert other.post(target, data={"comment": "y"}).status_code == 400
        assert busy.get(target).status_code == 200
    finally:
        with app.app_context():
            _empty_all_tables()
            _db.session.remove()
            _db.engine.dispose()
