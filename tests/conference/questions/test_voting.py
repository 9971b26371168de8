"""Upvotes: once per person and question, never one's own, only on open questions while asking
is open; the list ranks open questions by votes, then by age, with answered ones below."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from conference.core.types import utcnow
from conference.extensions import db as _db
from conference.questions.models import QuestionVote
from tests.conference.questions.conftest import add_question, add_votes, make_talk, make_user

# The default window closes a day after the talk.
ASKING_CLOSES_AFTER = timedelta(hours=24)


def votes_of(question) -> int:
    return _db.session.scalar(
        select(func.count(QuestionVote.id)).where(QuestionVote.question_id == question.id)
    )


def test_vote_counts_once_even_when_sent_twice(scene, clients):
    question = add_question(scene, scene.people["attendee"])
    url = scene.question_url(question, "vote")

    first = clients["voter"].post(url, data={"voted": "yes"})
    second = clients["voter"].post(url, data={"voted": "yes"})

    assert first.status_code == 302 and second.status_code == 302
    assert votes_of(question) == 1


def test_vote_can_be_taken_back_and_the_page_shows_the_viewers_state(scene, clients):
    question = add_question(scene, scene.people["attendee"])
    url = scene.question_url(question, "vote")
    clients["voter"].post(url, data={"voted": "yes"})

    voted_page = clients["voter"].get(scene.url("/list")).get_data(as_text=True)
    other_page = clients["speaker"].get(scene.url("/list")).get_data(as_text=True)
    clients["voter"].post(url, data={"voted": "no"})
    clients["voter"].post(url, data={"voted": "no"})

    assert 'aria-pressed="true"' in voted_page and "▲ Voted" in voted_page
    assert 'aria-pressed="false"' in other_page and "△ Vote" in other_page
    assert votes_of(question) == 0


def test_vote_without_a_wanted_state_is_a_bad_request(scene, clients):
    question = add_question(scene, scene.people["attendee"])

    response = clients["voter"].post(scene.question_url(question, "vote"), data={"voted": "maybe"})

    assert response.status_code == 400
    assert votes_of(question) == 0


def test_nobody_votes_for_their_own_question(scene, clients):
    question = add_question(scene, scene.people["attendee"])

    response = clients["attendee"].post(scene.question_url(question, "vote"), data={"voted": "yes"})

    assert response.status_code == 409
    assert "You cannot vote for your own question." in response.get_data(as_text=True)
    assert votes_of(question) == 0


def test_anonymous_visitor_is_sent_to_log_in_to_vote(scene, clients):
    question = add_question(scene, scene.people["attendee"])

    response = clients["anonymous"].post(scene.question_url(question, "vote"), data={"voted": "yes"})

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert votes_of(question) == 0


def test_hidden_question_cannot_be_voted_for(scene, clients):
    question = add_question(scene, scene.people["attendee"], hidden_at=utcnow())

    response = clients["voter"].post(scene.question_url(question, "vote"), data={"voted": "yes"})

    assert response.status_code == 404
    assert "deleted or hidden" in response.get_data(as_text=True)
    assert votes_of(question) == 0


def test_answered_question_takes_no_more_votes(scene, clients):
    question = add_question(scene, scene.people["attendee"], answered_at=utcnow())

    response = clients["voter"].post(scene.question_url(question, "vote"), data={"voted": "yes"})

    assert response.status_code == 409
    assert "already answered" in response.get_data(as_text=True)
    assert votes_of(question) == 0


def test_another_talks_question_is_not_found_under_this_talk(scene, clients):
    question = add_question(scene, scene.people["attendee"], talk=scene.other_talk)

    response = clients["voter"].post(
        scene.question_url(question, "vote", talk=scene.talk), data={"voted": "yes"}
    )

    assert response.status_code == 404
    assert votes_of(question) == 0


def test_votes_close_with_the_asking_window(scene, clients, db):
    ended = utcnow() - ASKING_CLOSES_AFTER - timedelta(minutes=1)
    past = make_talk(scene.version, scene.room, ended - timedelta(minutes=30))
    db.session.commit()
    question = add_question(scene, scene.people["attendee"], talk=past)

    response = clients["voter"].post(scene.question_url(question, "vote", talk=past), data={"voted": "yes"})
    page = clients["voter"].get(scene.url(talk=past)).get_data(as_text=True)

    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    assert votes_of(question) == 0
    assert "△ Vote" not in page


def test_open_questions_rank_by_votes_then_age_with_answered_ones_below(scene, clients):
    now = utcnow()
    asker = scene.people["attendee"]
    oldest_few = add_question(scene, asker, "Oldest, one vote", created_at=now - timedelta(minutes=9))
    popular = add_question(scene, asker, "Popular, three votes", created_at=now - timedelta(minutes=1))
    newer_few = add_question(scene, asker, "Newer, one vote", created_at=now - timedelta(minutes=5))
    answered = add_question(scene, asker, "Answered, five votes", answered_at=now,
                            created_at=now - timedelta(minutes=8))
    voters = [make_user() for _ in range(5)]
    add_votes(oldest_few, voters[:1])
    add_votes(popular, voters[:3])
    add_votes(newer_few, voters[1:2])
    add_votes(answered, voters)

    html = clients["anonymous"].get(scene.url()).get_data(as_text=True)

    positions = [html.index(text) for text in (
        "Popular, three votes", "Oldest, one vote", "Newer, one vote", "Answered, five votes")]
    assert positions == sorted(positions)
    assert html.index("Answered, five votes") > html.index('id="answered-questions-heading"')
