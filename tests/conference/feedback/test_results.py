"""Speakers see anonymous aggregates of their talks; organisers see them per talk, track and hub,
next to the review scores; organisers configure the questions and the feedback period."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from conference.conferences.models import Role
from conference.core.types import utcnow
from conference.feedback.models import FeedbackQuestion, QuestionKind
from conference.proposals.models import ProposalState
from tests.conference.feedback.conftest import give_response, make_talk, make_user, organiser_of
from tests.factories import (
    ConferenceFactory,
    ProposalFactory,
    ReviewCriterionFactory,
    ReviewFactory,
    ReviewScoreFactory,
    RoleFactory,
)
from tests.statements import recorded_statements


def row(html: str, attribute: str, value: str) -> str:
    match = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(1)


def means(fragment: str) -> list[str]:
    return re.findall(r'data-mean="([0-9.]+)"', fragment)


# --- speakers -------------------------------------------------------------------------------


def test_speakers_see_aggregates_without_rater_names_or_emails(
    client, login, db, places, published, questions
):
    speaker = make_user(display_name="Sam Speaker")
    talk = make_talk(
        published,
        places.thames,
        utcnow() - timedelta(hours=1),
        speaker=speaker,
        title="Fast builds",
    )
    raters = [
        make_user(display_name=f"Rater Name{i}", email=f"rater{i}@example.org") for i in range(3)
    ]
    useful, clear, takeaway = questions
    give_response(
        talk.proposal,
        raters[0],
        {useful: 5, clear: 4},
        {takeaway: "Caching tricks"},
        comment="Loved it",
    )
    give_response(talk.proposal, raters[1], {useful: 4}, comment="Too fast")
    give_response(talk.proposal, raters[2], {useful: 3, clear: 2})
    db.session.commit()
    login(speaker)

    response = client.get("/c/summit/speaker/feedback")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Fast builds" in html and "3 responses" in html
    assert 'data-mean="4.00"' in html and 'data-mean="3.00"' in html
    assert "Caching tricks" in html and "Loved it" in html and "Too fast" in html
    assert "<svg" in html and "Rating 5: 1" in html
    for rater in raters:
        assert rater.display_name not in html and rater.email not in html
    assert " style=" not in html and "<script>" not in html


def test_speakers_see_nothing_below_the_minimum_number_of_responses(
    client, login, db, places, published, questions
):
    speaker = make_user()
    talk = make_talk(published, places.thames, utcnow() - timedelta(hours=1), speaker=speaker)
    give_response(talk.proposal, make_user(), {questions[0]: 1}, comment="Only me")
    db.session.commit()
    login(speaker)

    html = client.get("/c/summit/speaker/feedback").get_data(as_text=True)

    assert "1 response so far" in html
    assert "Only me" not in html and "<svg" not in html


def test_speakers_see_only_their_own_talks(client, login, db, places, published, questions):
    speaker = make_user()
    make_talk(
        published, places.thames, utcnow() - timedelta(hours=1), speaker=speaker, title="Mine"
    )
    make_talk(published, places.thames, utcnow() - timedelta(hours=2), title="Someone else's")
    db.session.commit()
    login(speaker)

    html = client.get("/c/summit/speaker/feedback").get_data(as_text=True)

    assert "Mine" in html and "Someone else&#39;s" not in html and "Someone else's" not in html


# --- organisers -----------------------------------------------------------------------------


def review(proposal, criterion, value):
    ReviewScoreFactory(review=ReviewFactory(proposal=proposal), criterion=criterion, value=value)


def test_organisers_see_feedback_per_track_per_hub_and_against_reviews(
    client, login, db, conference, places, published, questions
):
    hour_ago = utcnow() - timedelta(hours=1)
    london = make_talk(
        published, places.thames, hour_ago, track=places.platform, title="London talk"
    )
    new_york = make_talk(
        published, places.hudson, hour_ago, track=places.data, title="New York talk"
    )
    online = make_talk(published, places.stream, hour_ago, track=places.data, title="Online talk")
    useful = questions[0]
    for proposal, ratings in ((london, [5, 5]), (new_york, [3]), (online, [1, 2])):
        for rating in ratings:
            give_response(
                proposal.proposal, make_user(display_name="Secret Rater"), {useful: rating}
            )
    criterion = ReviewCriterionFactory(conference=conference)
    review(london.proposal, criterion, 5)
    review(new_york.proposal, criterion, 3)
    review(online.proposal, criterion, 2)
    login(organiser_of(conference))

    response = client.get("/c/summit/manage/feedback/")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert means(row(html, "data-group", "Platform"))[0] == "5.00"
    assert means(row(html, "data-group", "Data"))[0] == "2.00"
    assert means(row(html, "data-group", "London"))[0] == "5.00"
    assert means(row(html, "data-group", "New York"))[0] == "3.00"
    assert means(row(html, "data-group", "Online"))[0] == "1.50"
    assert "<td data-responses>3</td>" in row(html, "data-group", "Data")
    # Review 100, 50, 25 against feedback 5, 3, 1.5: r = 133.33 / (54.006 * 2.4833) = 0.994
    assert 'data-correlation="0.994"' in html
    assert "a strong positive relation" in html
    assert "<circle" in html
    assert "Secret Rater" not in html
    assert " style=" not in html and "<script>" not in html


def test_organisers_see_one_talk_in_detail(
    client, login, db, conference, places, published, questions
):
    talk = make_talk(published, places.stream, utcnow() - timedelta(hours=1), title="Detail talk")
    give_response(
        talk.proposal, make_user(display_name="Hidden Person"), {questions[0]: 2}, comment="Louder"
    )
    login(organiser_of(conference))

    html = client.get(f"/c/summit/manage/feedback/talks/{talk.proposal_id}").get_data(as_text=True)

    assert "Detail talk" in html and "Louder" in html and "Online" in html
    assert "Hidden Person" not in html


def test_organisers_cannot_read_a_speakers_draft_through_the_feedback_page(
    client, login, db, conference
):
    draft = ProposalFactory(conference=conference, title="Secret plans", state=ProposalState.DRAFT)
    login(organiser_of(conference))

    response = client.get(f"/c/summit/manage/feedback/talks/{draft.id}")

    assert response.status_code == 404
    assert "Secret plans" not in response.get_data(as_text=True)


def test_other_conference_organisers_cannot_see_feedback(
    client, login, db, conference, places, published, questions
):
    talk = make_talk(published, places.thames, utcnow() - timedelta(hours=1))
    other = ConferenceFactory(slug="elsewhere")
    foreign = ProposalFactory(conference=other, state=ProposalState.ACCEPTED)
    outsider = make_user()
    RoleFactory(conference=other, user=outsider, role=Role.ORGANISER)
    question = questions[0]
    db.session.commit()
    login(outsider)

    for path in (
        "/c/summit/manage/feedback/",
        f"/c/summit/manage/feedback/talks/{talk.proposal_id}",
        "/c/summit/manage/feedback/questions",
        f"/c/summit/manage/feedback/questions/{question.id}/edit",
    ):
        assert client.get(path).status_code == 403, path
    assert (
        client.post(f"/c/summit/manage/feedback/questions/{question.id}/retire").status_code == 403
    )
    assert client.get(f"/c/elsewhere/manage/feedback/talks/{talk.proposal_id}").status_code == 404
    assert (
        client.get(f"/c/elsewhere/manage/feedback/questions/{question.id}/edit").status_code == 404
    )
    assert client.get(f"/c/elsewhere/manage/feedback/talks/{foreign.id}").status_code == 200


def test_attendees_cannot_open_organiser_pages(client, login, db, conference):
    login(make_user())

    assert client.get("/c/summit/manage/feedback/").status_code == 403


# --- questions and the feedback period ------------------------------------------------------


def test_questions_page_starts_with_the_default_questions(client, login, db, conference):
    login(organiser_of(conference))

    html = client.get("/c/summit/manage/feedback/questions").get_data(as_text=True)

    assert "How useful was this talk for you?" in html
    assert len(db.session.scalars(select(FeedbackQuestion)).all()) == 4


def test_organisers_add_a_question_and_bad_input_is_a_form_error(
    client, login, db, conference, questions
):
    login(organiser_of(conference))

    added = client.post(
        "/c/summit/manage/feedback/questions/new",
        data={"prompt": "Would you recommend it?", "kind": "rating", "required": "y"},
    )
    empty = client.post(
        "/c/summit/manage/feedback/questions/new", data={"prompt": " ", "kind": "rating"}
    )
    bad_kind = client.post(
        "/c/summit/manage/feedback/questions/new", data={"prompt": "Why?", "kind": "essay"}
    )

    assert added.status_code == 302
    question = db.session.scalar(
        select(FeedbackQuestion).where(FeedbackQuestion.prompt == "Would you recommend it?")
    )
    assert question.kind is QuestionKind.RATING and question.required and question.position == 4
    assert empty.status_code == 400 and "Write the question." in empty.get_data(as_text=True)
    assert bad_kind.status_code == 400


def test_retired_question_is_not_asked_but_keeps_its_answers(
    client, login, db, conference, places, published, questions
):
    talk = make_talk(published, places.thames, utcnow() - timedelta(hours=1))
    clear = questions[1]
    give_response(talk.proposal, make_user(), {questions[0]: 4, clear: 2})
    login(organiser_of(conference))

    retired = client.post(f"/c/summit/manage/feedback/questions/{clear.id}/retire")
    page = client.get("/c/summit/manage/feedback/questions").get_data(as_text=True)
    results = client.get(f"/c/summit/manage/feedback/talks/{talk.proposal_id}").get_data(
        as_text=True
    )
    restored = client.post(f"/c/summit/manage/feedback/questions/{clear.id}/restore")

    assert retired.status_code == 302
    assert "Retired" in page and "Ask again" in page
    assert "How clear was it?" in results and "retired" in results
    assert restored.status_code == 302
    db.session.expire_all()
    assert db.session.get(FeedbackQuestion, clear.id).active is True


def test_organisers_reorder_and_edit_questions(client, login, db, conference, questions):
    login(organiser_of(conference))
    takeaway = questions[2]

    client.post(f"/c/summit/manage/feedback/questions/{takeaway.id}/move", data={"direction": "up"})
    edited = client.post(
        f"/c/summit/manage/feedback/questions/{takeaway.id}/edit",
        data={"prompt": "One thing you will try", "kind": "text"},
    )
    bad_move = client.post(
        f"/c/summit/manage/feedback/questions/{takeaway.id}/move", data={"direction": "sideways"}
    )

    assert edited.status_code == 302 and bad_move.status_code == 400
    db.session.expire_all()
    ordered = db.session.scalars(select(FeedbackQuestion).order_by(FeedbackQuestion.position)).all()
    assert [q.prompt for q in ordered] == [
        "How useful was it?",
        "One thing you will try",
        "How clear was it?",
    ]
    assert ordered[1].required is False


def test_answered_question_kind_change_is_a_form_error(
    client, login, db, conference, places, published, questions
):
    talk = make_talk(published, places.thames, utcnow() - timedelta(hours=1))
    give_response(talk.proposal, make_user(), {questions[0]: 4})
    login(organiser_of(conference))

    response = client.post(
        f"/c/summit/manage/feedback/questions/{questions[0].id}/edit",
        data={"prompt": "How useful was it?", "kind": "text", "required": "y"},
    )

    assert response.status_code == 400
    assert "so its kind cannot change" in response.get_data(as_text=True)


def test_organisers_set_the_feedback_period(client, login, db, conference):
    login(organiser_of(conference))

    too_short = client.post("/c/summit/manage/feedback/settings", data={"edit_days": "0"})
    not_a_number = client.post("/c/summit/manage/feedback/settings", data={"edit_days": "two"})
    saved = client.post("/c/summit/manage/feedback/settings", data={"edit_days": "7"})

    assert too_short.status_code == 400 and "from 1 to 365" in too_short.get_data(as_text=True)
    assert not_a_number.status_code == 400
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(conference), conference.id).settings["feedback_edit_days"] == 7
    page = client.get("/c/summit/manage/feedback/questions").get_data(as_text=True)
    assert 'value="7"' in page


def test_navigation_links_to_the_feedback_pages(client, login, db, conference):
    organiser = organiser_of(conference)
    login(organiser)

    manage = client.get("/c/summit/manage/feedback/").get_data(as_text=True)
    speaker = client.get("/c/summit/speaker/feedback").get_data(as_text=True)

    assert 'href="/c/summit/manage/feedback/" aria-current="page">Feedback' in manage
    assert 'href="/c/summit/speaker/feedback" aria-current="page">Feedback' in speaker


def counted_queries(db):
    return recorded_statements(db.engine)


def overview_queries(client, db, published, places, questions, talk_count: int) -> int:
    for index in range(talk_count):
        room = (places.thames, places.hudson, places.stream)[index % 3]
        talk = make_talk(published, room, utcnow() - timedelta(hours=1), track=places.data)
        give_response(talk.proposal, make_user(), {questions[0]: 1 + index % 5, questions[1]: 3})
    db.session.commit()
    with counted_queries(db) as statements:
        assert client.get("/c/summit/manage/feedback/").status_code == 200
    return len(statements)


def test_organiser_overview_query_count_does_not_grow_with_talks(
    client, login, db, conference, places, published, questions
):
    login(organiser_of(conference))

    few = overview_queries(client, db, published, places, questions, 2)
    many = overview_queries(client, db, published, places, questions, 8)

    assert many == few
