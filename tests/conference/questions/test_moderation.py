"""The talk's accepted speakers and the conference's organisers mark questions answered, reopen,
hide and show them again; authors delete their own unanswered questions; nobody else can."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from conference.core.types import utcnow
from conference.extensions import db as _db
from conference.proposals.models import InvitationState
from conference.questions.models import AudienceQuestion, QuestionVote
from tests.conference.questions.conftest import ASKER_NAME, add_question, add_votes, make_user
from tests.conftest import AuthActions
from tests.factories import ProposalSpeakerFactory


def reload(question) -> AudienceQuestion | None:
    question_id = question.id
    _db.session.expire_all()
    return _db.session.get(AudienceQuestion, question_id)


@pytest.mark.parametrize("moderator", ["speaker", "organiser"])
def test_moderators_mark_answered_and_reopen(scene, clients, moderator):
    question = add_question(scene, scene.people["attendee"])

    answered = clients[moderator].post(scene.question_url(question, "answer"))
    after_answer = reload(question).answered_at
    reopened = clients[moderator].post(scene.question_url(question, "reopen"))

    assert answered.status_code == 302 and reopened.status_code == 302
    assert after_answer is not None
    assert reload(question).answered_at is None


@pytest.mark.parametrize("role", ["attendee", "voter", "other_speaker"])
@pytest.mark.parametrize("action", ["answer", "reopen", "hide", "unhide"])
def test_other_people_cannot_moderate(scene, clients, role, action):
    question = add_question(scene, scene.people["voter"], answered_at=None)

    response = clients[role].post(scene.question_url(question, action))

    assert response.status_code == 403
    stored = reload(question)
    assert stored.answered_at is None and stored.hidden_at is None


def test_anonymous_visitor_is_sent_to_log_in_to_moderate(scene, clients):
    question = add_question(scene, scene.people["attendee"])

    response = clients["anonymous"].post(scene.question_url(question, "answer"))

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert reload(question).answered_at is None


def test_an_invited_co_speaker_who_has_not_accepted_does_not_moderate(app, scene, clients):
    invited = make_user()
    ProposalSpeakerFactory(proposal=scene.talk.proposal, user=invited,
                           invitation_state=InvitationState.INVITED)
    _db.session.commit()
    client = app.test_client()
    AuthActions(client).login(invited.email)
    question = add_question(scene, scene.people["attendee"])

    assert client.post(scene.question_url(question, "answer")).status_code == 403


def test_hidden_questions_vanish_for_the_audience_and_stay_listed_for_moderators(scene, clients):
    question = add_question(scene, scene.people["attendee"], text="Off-topic rant")

    assert clients["speaker"].post(scene.question_url(question, "hide")).status_code == 302

    for role in ("attendee", "voter", "other_speaker", "anonymous"):
        for path in ("", "/list", "/present", "/list?view=present"):
            assert "Off-topic rant" not in clients[role].get(scene.url(path)).get_data(as_text=True)
    for role in ("speaker", "organiser"):
        html = clients[role].get(scene.url()).get_data(as_text=True)
        hidden_part = html[html.index('id="hidden-questions"'):]
        assert "Off-topic rant" in hidden_part and "Show again" in hidden_part
        assert "(1 hidden)" in html

    assert clients["organiser"].post(scene.question_url(question, "unhide")).status_code == 302
    assert "Off-topic rant" in clients["voter"].get(scene.url()).get_data(as_text=True)


def test_a_hidden_question_must_be_shown_before_it_is_marked_answered(scene, clients):
    question = add_question(scene, scene.people["attendee"], hidden_at=utcnow())

    response = clients["speaker"].post(scene.question_url(question, "answer"))

    assert response.status_code == 409
    assert "This question is hidden. Show it again first." in response.get_data(as_text=True)
    assert reload(question).answered_at is None


def test_speaker_of_another_talk_cannot_moderate_it_even_through_their_own_talks_address(scene, clients):
    question = add_question(scene, scene.people["attendee"], talk=scene.talk)

    # Their own talk's address with this talk's question: not a question of their talk.
    response = clients["other_speaker"].post(
        scene.question_url(question, "answer", talk=scene.other_talk)
    )

    assert response.status_code == 404
    assert reload(question).answered_at is None


def test_author_deletes_their_unanswered_question_and_its_votes(scene, clients):
    question = add_question(scene, scene.people["attendee"])
    add_votes(question, [scene.people["voter"]])

    response = clients["attendee"].post(scene.question_url(question, "delete"))

    assert response.status_code == 302
    assert reload(question) is None
    assert _db.session.scalars(select(QuestionVote)).all() == []


def test_answered_question_cannot_be_deleted_by_its_author(scene, clients):
    question = add_question(scene, scene.people["attendee"], answered_at=utcnow())

    response = clients["attendee"].post(scene.question_url(question, "delete"))

    assert response.status_code == 409
    assert "already answered" in response.get_data(as_text=True)
    assert reload(question) is not None


@pytest.mark.parametrize("role", ["voter", "speaker", "organiser"])
def test_nobody_else_deletes_a_question(scene, clients, role):
    question = add_question(scene, scene.people["attendee"])

    response = clients[role].post(scene.question_url(question, "delete"))

    assert response.status_code == 403
    assert reload(question) is not None


def test_organisers_and_speakers_see_how_many_questions_were_asked(scene, clients):
    for n in range(3):
        add_question(scene, scene.people["attendee"], text=f"Question {n}")
    add_question(scene, scene.people["attendee"], text="Hidden one", hidden_at=utcnow())

    organiser = clients["organiser"].get(scene.url()).get_data(as_text=True)
    attendee = clients["attendee"].get(scene.url()).get_data(as_text=True)

    assert "4 questions asked" in organiser and "(1 hidden)" in organiser
    assert "questions asked" not in attendee and "Hidden one" not in attendee


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export_for_the_speaker_keeps_anonymous_askers_anonymous(scene, clients):
    add_question(scene, scene.people["attendee"], text="=HYPERLINK(\"http://x\")", anonymous=True)
    named = add_question(scene, scene.people["voter"], text="Named one", answered_at=utcnow())

    speaker = clients["speaker"].get(scene.url(".csv"))
    organiser = clients["organiser"].get(scene.url(".csv"))

    assert speaker.status_code == 200
    assert speaker.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in speaker.headers["Content-Disposition"]
    rows = _csv_rows(speaker)
    assert rows[0][:3] == ["Question", "Votes", "Status"]
    assert rows[1] == [rows[1][0], "0", "open", rows[1][3], "Anonymous"]
    assert rows[1][0].startswith("'=")  # no formula in a spreadsheet
    assert rows[2][0] == named.text and rows[2][2] == "answered" and rows[2][4] == "Vera Voter"
    assert ASKER_NAME not in speaker.get_data(as_text=True)
    assert ASKER_NAME in organiser.get_data(as_text=True)


@pytest.mark.parametrize("role", ["attendee", "other_speaker"])
def test_csv_export_is_only_for_moderators(scene, clients, role):
    add_question(scene, scene.people["attendee"])

    assert clients[role].get(scene.url(".csv")).status_code == 403
