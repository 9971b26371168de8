"""Logged-in people ask questions on a published talk while asking is open; bad input and
closed windows get a clear message on the questions page and write nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from conference.core.types import utcnow
from conference.extensions import db as _db
from conference.proposals.models import ProposalState
from conference.questions.models import AudienceQuestion
from tests.conference.questions.conftest import make_talk, make_user
from tests.conftest import AuthActions, _empty_all_tables, make_test_app
from tests.factories import (
    ConferenceFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
)

# The window of a conference whose organisers never changed it.
ASKING_OPENS_BEFORE = timedelta(minutes=30)
ASKING_CLOSES_AFTER = timedelta(hours=24)


def question_count() -> int:
    return _db.session.scalar(select(func.count(AudienceQuestion.id)))


def test_attendee_asks_and_sees_the_question_on_the_page(scene, clients):
    posted = clients["attendee"].post(scene.url("/ask"), data={"text": "  Why Rust?  "})

    assert posted.status_code == 302
    assert posted.headers["Location"].endswith(scene.url() + "#questions")
    question = _db.session.scalar(select(AudienceQuestion))
    assert question.text == "Why Rust?"
    assert question.author_id == scene.people["attendee"].id
    assert question.proposal_id == scene.talk.proposal_id
    assert not question.anonymous
    html = clients["voter"].get(scene.url()).get_data(as_text=True)
    assert "Why Rust?" in html


def test_anonymous_visitor_reads_the_page_but_is_sent_to_log_in_to_ask(scene, clients):
    page = clients["anonymous"].get(scene.url())
    posted = clients["anonymous"].post(scene.url("/ask"), data={"text": "Hello?"})

    assert page.status_code == 200
    assert "Log in to ask or vote" in page.get_data(as_text=True)
    assert posted.status_code == 302 and "/login" in posted.headers["Location"]
    assert question_count() == 0


def test_empty_question_is_refused_with_a_message(scene, clients):
    posted = clients["attendee"].post(scene.url("/ask"), data={"text": "   \n "})

    assert posted.status_code == 400
    assert "Write your question first." in posted.get_data(as_text=True)
    assert question_count() == 0


def test_question_longer_than_500_characters_is_refused_and_kept_in_the_form(scene, clients):
    text = "x" * 501
    posted = clients["attendee"].post(scene.url("/ask"), data={"text": text})

    html = posted.get_data(as_text=True)
    assert posted.status_code == 400
    assert "Keep your question to 500 characters." in html
    assert text in html  # nothing typed is lost
    assert question_count() == 0


def test_question_of_exactly_500_characters_is_accepted(scene, clients):
    assert clients["attendee"].post(scene.url("/ask"), data={"text": "y" * 500}).status_code == 302
    assert question_count() == 1


def test_line_breaks_count_once_as_the_browser_counts_them(scene, clients):
    # 490 letters and 10 line breaks: 500 for the browser's maxlength, which sends each as CRLF.
    text = "\r\n".join(["y" * 49] * 10) + "\r\n"
    assert clients["attendee"].post(scene.url("/ask"), data={"text": text}).status_code == 302
    stored = _db.session.scalar(select(AudienceQuestion.text))
    assert "\r" not in stored and stored.count("\n") == 9  # the last one trimmed


def test_markup_in_a_question_is_shown_as_text(scene, clients):
    clients["attendee"].post(scene.url("/ask"), data={"text": "<script>alert(1)</script>"})

    for path in (scene.url(), scene.url("/list"), scene.url("/present"), scene.url("/list?view=present")):
        html = clients["voter"].get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_asking_before_the_window_opens_is_refused_and_says_when_it_opens(scene, clients, db):
    starts = utcnow() + ASKING_OPENS_BEFORE + timedelta(hours=2)
    later = make_talk(scene.version, scene.room, starts, title="Later talk")
    db.session.commit()

    page = clients["attendee"].get(scene.url(talk=later))
    posted = clients["attendee"].post(scene.url("/ask", talk=later), data={"text": "Early?"})

    html = page.get_data(as_text=True)
    assert "Questions open at" in html and "and close at" in html
    assert "(Asia/Kolkata)" in html  # the attendee's zone, labelled
    # The form waits hidden for the script to show it when the window opens.
    assert re.search(r'<form [^>]*action="[^"]*/ask"[^>]*data-asking-form hidden>', html)
    assert posted.status_code == 409
    assert "Questions for this talk are not open yet." in posted.get_data(as_text=True)
    assert question_count() == 0


def test_asking_opens_half_an_hour_before_the_start(scene, clients, db):
    soon = make_talk(scene.version, scene.room, utcnow() + ASKING_OPENS_BEFORE - timedelta(minutes=2))
    db.session.commit()

    assert clients["attendee"].post(scene.url("/ask", talk=soon), data={"text": "Ready?"}).status_code == 302


def test_asking_after_the_window_closed_is_refused_and_says_when_it_closed(scene, clients, db):
    ended = utcnow() - ASKING_CLOSES_AFTER - timedelta(minutes=5)
    past = make_talk(scene.version, scene.room, ended - timedelta(minutes=30), title="Past talk")
    db.session.commit()

    page = clients["attendee"].get(scene.url(talk=past)).get_data(as_text=True)
    posted = clients["attendee"].post(scene.url("/ask", talk=past), data={"text": "Late?"})

    assert "Questions closed at" in page and "(Asia/Kolkata)" in page
    # Hidden, for the script to show should the organisers extend the window.
    assert re.search(r'<form [^>]*action="[^"]*/ask"[^>]*data-asking-form hidden>', page)
    assert posted.status_code == 409
    assert "Questions for this talk are closed." in posted.get_data(as_text=True)
    assert question_count() == 0


def test_still_open_the_day_after_the_talk(scene, clients, db):
    ended = utcnow() - ASKING_CLOSES_AFTER + timedelta(minutes=5)
    past = make_talk(scene.version, scene.room, ended - timedelta(minutes=30))
    db.session.commit()

    assert clients["attendee"].post(scene.url("/ask", talk=past), data={"text": "Recording?"}).status_code == 302


def test_talks_outside_the_published_programme_have_no_questions(scene, clients, db):
    draft_version = ScheduleVersionFactory(conference=scene.conference, is_draft=True)
    only_in_draft = make_talk(draft_version, scene.room, utcnow())
    rejected = make_talk(scene.version, scene.room, utcnow(), state=ProposalState.REJECTED)
    elsewhere = ConferenceFactory(slug="elsewhere")
    db.session.commit()

    for talk in (only_in_draft, rejected):
        assert clients["organiser"].get(scene.url(talk=talk)).status_code == 404
        assert clients["attendee"].post(scene.url("/ask", talk=talk), data={"text": "?"}).status_code == 404
    # A real talk, asked for under another conference's address.
    assert clients["attendee"].get(f"/c/{elsewhere.slug}/talks/{scene.talk.proposal_id}/questions").status_code == 404
    assert question_count() == 0


def test_a_newer_published_version_decides_the_window(scene, clients, db):
    """A talk moved to tomorrow in the newest version is not open now, whatever the old one said."""
    newer = ScheduleVersionFactory(conference=scene.conference, is_draft=False, number=2)
    ScheduledTalkFactory(version=newer, proposal=scene.talk.proposal, room=scene.room,
                         starts_at=utcnow() + timedelta(days=1),
                         ends_at=utcnow() + timedelta(days=1, minutes=30))
    db.session.commit()

    posted = clients["attendee"].post(scene.url("/ask"), data={"text": "Now?"})

    assert posted.status_code == 409
    assert question_count() == 0


def test_asking_is_rate_limited_per_person(sqlite_database_url):
    app = make_test_app(sqlite_database_url, RATELIMIT_ENABLED=True, RATELIMIT_QUESTIONS="2 per minute")
    try:
        with app.app_context():
            conference = ConferenceFactory(slug="summit")
            version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
            talk = make_talk(version, RoomFactory(conference=conference), utcnow())
            emails = [make_user().email, make_user().email]
            _db.session.commit()
            target = f"/c/summit/talks/{talk.proposal_id}/questions/ask"
        busy, other = app.test_client(), app.test_client()
        AuthActions(busy).login(emails[0])
        AuthActions(other).login(emails[1])

        statuses = [busy.post(target, data={"text": f"Question {n}"}).status_code for n in range(3)]

        assert statuses == [302, 302, 429]
        assert other.post(target, data={"text": "Mine"}).status_code == 302
        with app.app_context():
            assert question_count() == 3
    finally:
        with app.app_context():
            _empty_all_tables()
            _db.session.remove()
            _db.engine.dispose()
