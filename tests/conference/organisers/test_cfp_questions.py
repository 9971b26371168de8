"""Organisers manage the questions of the call for proposals and read the answers."""

import re

import pytest
from sqlalchemy import select

from conference.conferences.models import Role
from conference.core.types import utcnow
from conference.proposals.models import (
    CfpAnswer,
    CfpQuestion,
    CfpQuestionKind,
    ProposalState,
    ReviewerVisibility,
)
from tests.conference.organisers.conftest import count, make_user
from tests.factories import (
    CfpAnswerFactory,
    CfpQuestionFactory,
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    SessionFormatFactory,
    TrackFactory,
)
from tests.statements import statements_for_page

BASE = "/c/devcon/manage/cfp-questions"


@pytest.fixture
def places(db, conference):
    """A workshop format and a data track to scope questions to, and one of each elsewhere."""
    made = {
        "talk": SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30),
        "workshop": SessionFormatFactory(conference=conference, name="Workshop", duration_minutes=90),
        "data": TrackFactory(conference=conference, name="Data"),
        "platform": TrackFactory(conference=conference, name="Platform"),
    }
    elsewhere = ConferenceFactory(slug="elsewhere")
    made["foreign_format"] = SessionFormatFactory(conference=elsewhere, name="Foreign format")
    made["foreign_track"] = TrackFactory(conference=elsewhere, name="Foreign track")
    db.session.commit()
    return made


def question_form(**overrides) -> dict:
    data = {
        "text": "Which room setup do you need?",
        "help_text": "Workshops need tables.",
        "kind": "choice",
        "options": "Tables in groups\r\n  Rows of chairs  \r\n\r\n",
        "required": "y",
        "reviewer_visibility": "unless_anonymised",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def questions_in_order(db) -> list[CfpQuestion]:
    db.session.expire_all()
    return list(db.session.scalars(select(CfpQuestion).order_by(CfpQuestion.position)))


def submitted_proposal(conference, **fields):
    proposal = ProposalFactory(conference=conference, state=ProposalState.SUBMITTED, **fields)
    ProposalSpeakerFactory(proposal=proposal, user=make_user(display_name="Sam Speaker"))
    return proposal


# --- adding ----------------------------------------------------------------------------------


def test_adding_a_question_puts_it_last_with_everything_entered(
    client, db, conference, organiser, places
):
    CfpQuestionFactory(conference=conference, text="First?", position=1)
    db.session.commit()
    page = client.get(f"{BASE}/new")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Ask only of proposals in these session formats" in body
    assert f'type="checkbox" value="{places["workshop"].id}"' in body
    assert "Foreign format" not in body

    data = question_form(
        session_format_ids=[str(places["workshop"].id)], track_ids=[str(places["data"].id)]
    )
    response = client.post(f"{BASE}/new", data=data)

    assert response.status_code == 302
    first, added = questions_in_order(db)
    assert (added.text, added.help_text, added.kind) == (
        "Which room setup do you need?", "Workshops need tables.", CfpQuestionKind.CHOICE
    )
    assert added.options == ["Tables in groups", "Rows of chairs"]
    assert added.required and added.active
    assert added.reviewer_visibility is ReviewerVisibility.UNLESS_ANONYMISED
    assert [f.name for f in added.session_formats] == ["Workshop"]
    assert [t.name for t in added.tracks] == ["Data"]
    assert added.position == first.position + 1
    listing = client.get(BASE).get_data(as_text=True)
    assert "Asked only of Workshop proposals in the Data track." in listing
    assert "Tables in groups · Rows of chairs" in listing


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "  "}, "Write the question."),
        ({"text": "x" * 301}, "Keep the question under 300 characters."),
        ({"help_text": "x" * 1001}, "Keep the help text under 1,000 characters."),
        ({"options": "Only one"}, "Give at least two options, one per line."),
        ({"options": "Same\nsame"}, "“same” is listed twice."),
        ({"options": "Fine\n" + "x" * 201}, "Keep each option under 200 characters"),
        ({"options": "\n".join(f"Option {n}" for n in range(21))}, "Give at most 20 options (21 given)."),
        ({"kind": "short_text"}, "Options are only for single-choice questions"),
        ({"kind": "essay", "options": ""}, "Not a valid choice."),
        ({"reviewer_visibility": "everyone"}, "Not a valid choice."),
        ({"session_format_ids": "abc"}, "could not be coerced"),
    ],
)
def test_a_question_that_cannot_be_right_is_a_form_error_and_saves_nothing(
    client, db, conference, organiser, places, overrides, message
):
    response = client.post(f"{BASE}/new", data=question_form(**overrides))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(db, CfpQuestion) == 0


def test_formats_and_tracks_of_another_conference_are_refused(
    client, db, conference, organiser, places
):
    for field, foreign in (("session_format_ids", "foreign_format"), ("track_ids", "foreign_track")):
        data = question_form(**{field: [str(places[foreign].id)]})
        response = client.post(f"{BASE}/new", data=data)
        assert response.status_code == 400, field
        assert "is not a valid choice for this field" in response.get_data(as_text=True)
    assert count(db, CfpQuestion) == 0


# --- changing --------------------------------------------------------------------------------


def test_editing_shows_the_question_and_saves_changes(client, db, conference, organiser, places):
    question = CfpQuestionFactory(
        conference=conference, text="Old?", kind=CfpQuestionKind.CHOICE, options=["A", "B"],
        session_formats=[places["workshop"]],
    )
    db.session.commit()
    page = client.get(f"{BASE}/{question.id}/edit").get_data(as_text=True)
    assert 'value="Old?"' in page
    assert 'name="options" rows="5">\r\nA\nB</textarea>' in page
    assert re.search(rf'checked[^>]*value="{places["workshop"].id}"', page)

    data = question_form(text="New?", kind="yes_no", options="", required=None,
                         reviewer_visibility="never")
    assert client.post(f"{BASE}/{question.id}/edit", data=data).status_code == 302

    (saved,) = questions_in_order(db)
    assert (saved.text, saved.kind, saved.options, saved.required) == (
        "New?", CfpQuestionKind.YES_NO, [], False
    )
    assert saved.reviewer_visibility is ReviewerVisibility.NEVER
    assert saved.session_formats == []


def test_the_kind_of_an_answered_question_cannot_change(client, db, conference, organiser):
    question = CfpQuestionFactory(conference=conference, text="Takeaway?")
    CfpAnswerFactory(question=question, proposal=submitted_proposal(conference), value="Lots")
    db.session.commit()

    page = client.get(f"{BASE}/{question.id}/edit").get_data(as_text=True)
    assert "1 submitted proposal has answered this question." in page
    response = client.post(
        f"{BASE}/{question.id}/edit",
        data=question_form(text="Renamed?", kind="long_text", options=""),
    )

    assert response.status_code == 400
    assert "already has 1 answer from submitted proposals, so its kind of answer cannot change" in (
        response.get_data(as_text=True)
    )
    (saved,) = questions_in_order(db)
    assert (saved.text, saved.kind) == ("Takeaway?", CfpQuestionKind.SHORT_TEXT)


def test_changing_the_options_keeps_every_answer_as_given(client, db, conference, organiser):
    question = CfpQuestionFactory(
        conference=conference, text="Experience?", kind=CfpQuestionKind.CHOICE,
        options=["Junior", "Senior"],
    )
    proposal = submitted_proposal(conference, title="Seasoned")
    CfpAnswerFactory(question=question, proposal=proposal, value="Senior")
    db.session.commit()

    data = question_form(text="Experience?", options="Up to five years\nMore than five years")
    assert client.post(f"{BASE}/{question.id}/edit", data=data).status_code == 302

    db.session.expire_all()
    assert db.session.scalar(select(CfpAnswer.value)) == "Senior"
    page = client.get(f"/c/devcon/manage/proposals/{proposal.id}").get_data(as_text=True)
    assert "Senior</span> <small class=\"answer-note\">(no longer one of the options)</small>" in page


def test_moving_questions_renumbers_them(client, db, conference, organiser):
    first, second, third = (
        CfpQuestionFactory(conference=conference, text=f"Q{n}?", position=n * 10) for n in (1, 2, 3)
    )
    db.session.commit()

    assert client.post(f"{BASE}/{third.id}/move", data={"direction": "up"}).status_code == 302
    assert [q.text for q in questions_in_order(db)] == ["Q1?", "Q3?", "Q2?"]
    assert [q.position for q in questions_in_order(db)] == [1, 2, 3]
    client.post(f"{BASE}/{first.id}/move", data={"direction": "up"})  # already first
    client.post(f"{BASE}/{first.id}/move", data={"direction": "down"})
    assert [q.text for q in questions_in_order(db)] == ["Q3?", "Q1?", "Q2?"]
    assert client.post(f"{BASE}/{second.id}/move", data={"direction": "sideways"}).status_code == 400


def test_retiring_keeps_the_answers_and_restoring_asks_again(client, db, conference, organiser):
    question = CfpQuestionFactory(conference=conference, text="Takeaway?")
    CfpAnswerFactory(question=question, proposal=submitted_proposal(conference), value="Lots")
    db.session.commit()

    response = client.post(f"{BASE}/{question.id}/retire", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "no longer asks it; answers already given are kept" in body
    assert '<span class="badge">Retired</span>' in body
    assert questions_in_order(db)[0].active is False
    assert count(db, CfpAnswer) == 1

    client.post(f"{BASE}/{question.id}/restore", data={"scope_chosen": "yes"})
    assert questions_in_order(db)[0].active is True


def test_only_a_question_nobody_answered_can_be_deleted(client, db, conference, organiser):
    answered = CfpQuestionFactory(conference=conference, text="Answered?", position=1)
    unanswered = CfpQuestionFactory(conference=conference, text="Unanswered?", position=2)
    CfpAnswerFactory(question=answered, proposal=submitted_proposal(conference), value="Yes")
    db.session.commit()

    listing = client.get(BASE).get_data(as_text=True)
    assert f"/cfp-questions/{unanswered.id}/delete" in listing
    assert f"/cfp-questions/{answered.id}/delete" not in listing
    refused = client.post(f"{BASE}/{answered.id}/delete", follow_redirects=True)
    assert (
        "already has 1 answer from submitted proposals, so it cannot be deleted; retire it instead"
        in refused.get_data(as_text=True)
    )
    assert client.post(f"{BASE}/{unanswered.id}/delete").status_code == 302

    assert [q.text for q in questions_in_order(db)] == ["Answered?"]
    assert count(db, CfpAnswer) == 1


def draft_proposal(conference, **fields):
    """A proposal its speaker never submitted (a draft, unless ``state`` says withdrawn)."""
    fields.setdefault("state", ProposalState.DRAFT)
    proposal = ProposalFactory(conference=conference, submitted_at=None, **fields)
    ProposalSpeakerFactory(proposal=proposal, user=make_user(display_name="Dee Drafter"))
    return proposal


def test_answers_in_drafts_do_not_stop_a_question_being_deleted_once_confirmed(
    client, db, conference, organiser
):
    question = CfpQuestionFactory(conference=conference, text="Half answered?")
    CfpAnswerFactory(question=question, proposal=draft_proposal(conference), value="Maybe")
    withdrawn_draft = draft_proposal(conference, state=ProposalState.WITHDRAWN)
    CfpAnswerFactory(question=question, proposal=withdrawn_draft, value="Never sent")
    kept = CfpQuestionFactory(conference=conference, text="Other?")
    CfpAnswerFactory(question=kept, proposal=draft_proposal(conference), value="Stays")
    db.session.commit()

    listing = client.get(BASE).get_data(as_text=True)
    row = listing.split(f'<tr data-question="{question.id}">', 1)[1].split("</tr>", 1)[0]
    assert "<td>0<br><small>and 2 in drafts</small></td>" in row
    assert f"/cfp-questions/{question.id}/delete" in row

    first = client.post(f"{BASE}/{question.id}/delete", follow_redirects=True)
    body = first.get_data(as_text=True)
    assert "“Half answered?” has 2 answers in speakers&#39; drafts (not submitted yet). Deleting " \
        "the question deletes those answers too. Press “Delete anyway” to confirm" in body
    assert "Delete anyway" in body and 'name="confirmed" value="yes"' in body
    assert count(db, CfpQuestion) == 2 and count(db, CfpAnswer) == 3

    confirmed = client.post(
        f"{BASE}/{question.id}/delete", data={"confirmed": "yes"}, follow_redirects=True
    )

    assert "Question “Half answered?” is deleted, with its 2 answers in speakers&#39; drafts." in (
        confirmed.get_data(as_text=True)
    )
    assert [q.text for q in questions_in_order(db)] == ["Other?"]
    assert db.session.scalars(select(CfpAnswer.value)).all() == ["Stays"]


def test_a_question_whose_only_answers_are_set_aside_asks_before_deleting_them(
    client, db, conference, organiser, places
):
    question = CfpQuestionFactory(conference=conference, text="Room setup?",
                                  session_formats=[places["workshop"]])
    # Answered as a workshop, then submitted as a talk: the answer is kept but set aside.
    moved = submitted_proposal(conference, session_format=places["talk"])
    CfpAnswerFactory(question=question, proposal=moved, value="Tables")
    db.session.commit()

    listing = client.get(BASE).get_data(as_text=True)
    row = listing.split(f'<tr data-question="{question.id}">', 1)[1].split("</tr>", 1)[0]
    assert "<td>0<br><small>and 1 set aside</small></td>" in row

    first = client.post(f"{BASE}/{question.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "“Room setup?” has 1 answer set aside (given under a format or track the question does " \
        "not apply to). Deleting the question deletes those answers too." in first
    assert count(db, CfpQuestion) == 1 and count(db, CfpAnswer) == 1

    confirmed = client.post(f"{BASE}/{question.id}/delete", data={"confirmed": "yes"},
                            follow_redirects=True).get_data(as_text=True)
    assert "Question “Room setup?” is deleted, with its 1 answer set aside" in confirmed
    assert count(db, CfpQuestion) == 0 and count(db, CfpAnswer) == 0


def test_an_answer_of_a_proposal_withdrawn_after_submission_still_locks_the_question(
    client, db, conference, organiser
):
    question = CfpQuestionFactory(conference=conference, text="Takeaway?")
    withdrawn = ProposalFactory(
        conference=conference, state=ProposalState.WITHDRAWN, submitted_at=utcnow()
    )
    CfpAnswerFactory(question=question, proposal=withdrawn, value="Lots")
    CfpAnswerFactory(question=question, proposal=draft_proposal(conference), value="Some")
    db.session.commit()

    assert f"/cfp-questions/{question.id}/delete" not in client.get(BASE).get_data(as_text=True)
    refused = client.post(
        f"{BASE}/{question.id}/delete", data={"confirmed": "yes"}, follow_redirects=True
    )

    assert "already has 1 answer from submitted proposals, so it cannot be deleted" in (
        refused.get_data(as_text=True)
    )
    assert count(db, CfpQuestion) == 1 and count(db, CfpAnswer) == 2


def test_the_kind_of_a_question_answered_only_in_drafts_can_change(
    client, db, conference, organiser
):
    question = CfpQuestionFactory(conference=conference, text="Given it before?")
    fits = CfpAnswerFactory(question=question, proposal=draft_proposal(conference), value="yes")
    CfpAnswerFactory(question=question, proposal=draft_proposal(conference), value="At PyCon")
    db.session.commit()

    page = client.get(f"{BASE}/{question.id}/edit").get_data(as_text=True)
    assert "2 speakers have answered this question in a draft (not submitted yet)." in page
    response = client.post(
        f"{BASE}/{question.id}/edit",
        data=question_form(text="Given it before?", kind="yes_no", options="", required=None),
        follow_redirects=True,
    )

    assert "1 answer in speakers&#39; drafts or set aside did not fit the new kind of answer and was removed" in (
        response.get_data(as_text=True)
    )
    (saved,) = questions_in_order(db)
    assert saved.kind is CfpQuestionKind.YES_NO
    assert [(a.id, a.value) for a in db.session.scalars(select(CfpAnswer))] == [(fits.id, "yes")]


def test_a_text_question_answered_in_drafts_keeps_the_texts_when_it_becomes_long_text(
    client, db, conference, organiser
):
    question = CfpQuestionFactory(conference=conference, text="Outline?")
    CfpAnswerFactory(question=question, proposal=draft_proposal(conference), value="First, then.")
    db.session.commit()

    data = question_form(text="Outline?", kind="long_text", options="", required=None)
    assert client.post(f"{BASE}/{question.id}/edit", data=data).status_code == 302

    assert questions_in_order(db)[0].kind is CfpQuestionKind.LONG_TEXT
    assert db.session.scalars(select(CfpAnswer.value)).all() == ["First, then."]


# --- the list ------------------------------------------------------------------------------


def test_the_list_says_who_is_asked_and_who_reads_the_answers(client, db, conference, organiser):
    CfpQuestionFactory(
        conference=conference, text="Where did you give it before?", position=1,
        reviewer_visibility=ReviewerVisibility.UNLESS_ANONYMISED,
    )
    db.session.commit()
    body = client.get(BASE).get_data(as_text=True)

    assert "Reviews are anonymised at this conference" in body
    row = body.split('data-question="', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[2] == "Every proposal"
    assert cells[3].startswith("No<br>")  # hidden: reviews are anonymised by default
    assert 'aria-current="page">Proposal questions</a>' in body


def count_queries(db, client, path) -> int:
    return statements_for_page(db.engine, client, path)


def test_the_list_query_count_does_not_grow_with_the_number_of_questions(
    client, db, conference, organiser, places
):
    def add_question(n):
        question = CfpQuestionFactory(
            conference=conference, text=f"Q{n}?", session_formats=[places["workshop"]],
            tracks=[places["data"]],
        )
        CfpAnswerFactory(question=question, proposal=submitted_proposal(conference), value="A")

    add_question(0)
    db.session.commit()
    few = count_queries(db, client, BASE)
    for n in range(1, 6):
        add_question(n)
    db.session.commit()

    assert count_queries(db, client, BASE) == few


# --- access ----------------------------------------------------------------------------------


def test_only_organisers_of_this_conference_manage_its_questions(client, db, conference, login):
    question = CfpQuestionFactory(conference=conference, text="Ours?")
    outsider = make_user()
    RoleFactory(conference=conference, user=outsider, role=Role.REVIEWER)
    db.session.commit()
    login(outsider)

    assert client.get(BASE).status_code == 403
    assert client.post(f"{BASE}/new", data=question_form()).status_code == 403
    assert client.post(f"{BASE}/{question.id}/retire").status_code == 403
    assert client.post(f"{BASE}/{question.id}/delete").status_code == 403
    assert [q.text for q in questions_in_order(db)] == ["Ours?"]


def test_a_question_of_another_conference_is_not_found(client, db, conference, organiser):
    foreign = CfpQuestionFactory(conference=ConferenceFactory(slug="elsewhere"), text="Theirs?")
    db.session.commit()

    assert client.get(f"{BASE}/{foreign.id}/edit").status_code == 404
    for action in ("edit", "move", "retire", "restore", "delete"):
        assert client.post(f"{BASE}/{foreign.id}/{action}", data={"direction": "up"}).status_code == 404
    (theirs,) = questions_in_order(db)
    assert theirs.active and theirs.text == "Theirs?"


# --- one proposal, as organisers see it ------------------------------------------------------


def test_organisers_read_every_answer_of_a_proposal(client, db, conference, organiser):
    proposal = submitted_proposal(conference, title="Flags at scale", notes_to_organisers="Thanks")
    asked = CfpQuestionFactory(conference=conference, text="Takeaway?", position=1, required=True)
    secret = CfpQuestionFactory(
        conference=conference, text="Employer?", position=2,
        reviewer_visibility=ReviewerVisibility.NEVER,
    )
    retired = CfpQuestionFactory(conference=conference, text="Old question?", position=3, active=False)
    CfpQuestionFactory(conference=conference, text="Unanswered?", position=4)
    CfpAnswerFactory(question=asked, proposal=proposal, value="Safer deploys")
    CfpAnswerFactory(question=secret, proposal=proposal, value="Acme")
    CfpAnswerFactory(question=retired, proposal=proposal, value="An old answer")
    db.session.commit()

    response = client.get(f"/c/devcon/manage/proposals/{proposal.id}")

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Flags at scale" in body and "Sam Speaker" in body and "Thanks" in body
    questions = re.findall(r"<dt>([^<]*)", body)
    assert [q.strip() for q in questions] == ["Takeaway?", "Employer?", "Old question?", "Unanswered?"]
    assert "Safer deploys" in body and "Acme" in body and "An old answer" in body
    assert "(not shown to reviewers)" in body
    assert "(no longer asked)" in body
    assert "<em>Not answered</em>" in body
    ranking = client.get("/c/devcon/manage/ranking").get_data(as_text=True)
    assert f'href="/c/devcon/manage/proposals/{proposal.id}"' in ranking


def test_a_draft_or_another_conferences_proposal_is_not_found(client, db, conference, organiser):
    draft = ProposalFactory(conference=conference, state=ProposalState.DRAFT)
    foreign = ProposalFactory(conference=ConferenceFactory(slug="elsewhere"), state=ProposalState.SUBMITTED)
    db.session.commit()

    assert client.get(f"/c/devcon/manage/proposals/{draft.id}").status_code == 404
    assert client.get(f"/c/devcon/manage/proposals/{foreign.id}").status_code == 404


def test_deleting_the_only_track_of_a_question_retires_it_instead_of_asking_everyone(
    client, db, conference, organiser, places
):
    only_data = CfpQuestionFactory(conference=conference, text="Data only?", tracks=[places["data"]])
    both = CfpQuestionFactory(
        conference=conference, text="Data or platform?", tracks=[places["data"], places["platform"]]
    )
    CfpAnswerFactory(question=only_data, proposal=submitted_proposal(conference), value="Kept")
    db.session.commit()

    response = client.post(
        f"/c/devcon/manage/tracks/{places['data'].id}/delete", follow_redirects=True
    )

    assert "The proposal form no longer asks “Data only?”, which was only for it" in (
        response.get_data(as_text=True)
    )
    db.session.expire_all()
    only_data, both = (db.session.get(CfpQuestion, q.id) for q in (only_data, both))
    assert only_data.active is False and only_data.tracks == []
    assert both.active is True and [t.name for t in both.tracks] == ["Platform"]
    assert count(db, CfpAnswer) == 1


def test_deleting_the_only_format_of_a_question_retires_it(client, db, conference, organiser, places):
    question = CfpQuestionFactory(
        conference=conference, text="Room setup?", session_formats=[places["workshop"]]
    )
    db.session.commit()

    response = client.post(f"/c/devcon/manage/formats/{places['workshop'].id}/delete")

    assert response.status_code == 302
    db.session.expire_all()
    retired = db.session.get(CfpQuestion, question.id)
    assert retired.active is False and retired.session_formats == []


def test_asking_again_a_question_whose_only_track_was_deleted_asks_whom_it_is_for(
    client, db, conference, organiser, places
):
    question = CfpQuestionFactory(
        conference=conference, text="Datasets?", tracks=[places["data"]],
        session_formats=[places["workshop"]],
    )
    db.session.commit()
    deleted = client.post(
        f"/c/devcon/manage/tracks/{places['data'].id}/delete", follow_redirects=True
    ).get_data(as_text=True)
    assert "“Ask again” on the questions page lets you choose whom it is for" in deleted

    listing = client.get(BASE).get_data(as_text=True)
    assert f'href="{BASE}/{question.id}/restore" role="button"' in listing
    page = client.get(f"{BASE}/{question.id}/restore")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "As it stands, this one would be: Asked only of Workshop proposals." in body
    assert "A question retired because the only track it was for was deleted" in body
    assert "it is asked of every track." in body
    assert re.search(rf'checked id="session_format_ids-\d+"[^>]*value="{places["workshop"].id}"', body)
    assert 'checked id="track_ids' not in body
    assert 'name="scope_chosen" type="hidden" value="yes"' in body

    # A bare "Ask again", as the list's button used to send, only shows the page.
    bare = client.post(f"{BASE}/{question.id}/restore")
    assert bare.status_code == 200 and "Ask “Datasets?” again" in bare.get_data(as_text=True)
    assert questions_in_order(db)[0].active is False

    response = client.post(
        f"{BASE}/{question.id}/restore",
        data={
            "scope_chosen": "yes",
            "session_format_ids": [str(places["workshop"].id)],
            "track_ids": [str(places["platform"].id)],
        },
        follow_redirects=True,
    )

    assert "“Datasets?” is asked again. Asked only of Workshop proposals in the Platform track." in (
        response.get_data(as_text=True)
    )
    (restored,) = questions_in_order(db)
    assert restored.active is True
    assert [f.name for f in restored.session_formats] == ["Workshop"]
    assert [t.name for t in restored.tracks] == ["Platform"]


def test_asking_again_of_every_proposal_is_a_choice_made_on_the_restore_page(
    client, db, conference, organiser, places
):
    question = CfpQuestionFactory(conference=conference, text="Takeaway?", active=False)
    db.session.commit()

    body = client.get(f"{BASE}/{question.id}/restore").get_data(as_text=True)
    assert "As it stands, this one would be: Asked of every proposal." in body
    assert "it is asked of every format and track." in body
    response = client.post(
        f"{BASE}/{question.id}/restore", data={"scope_chosen": "yes"}, follow_redirects=True
    )

    assert "“Takeaway?” is asked again. Asked of every proposal." in response.get_data(as_text=True)
    (restored,) = questions_in_order(db)
    assert restored.active and restored.session_formats == [] and restored.tracks == []


def test_asking_again_with_a_format_of_another_conference_is_refused_and_keeps_it_retired(
    client, db, conference, organiser, places
):
    question = CfpQuestionFactory(conference=conference, text="Room setup?", active=False)
    db.session.commit()

    response = client.post(
        f"{BASE}/{question.id}/restore",
        data={"scope_chosen": "yes", "session_format_ids": [str(places["foreign_format"].id)]},
    )

    assert response.status_code == 400
    assert "is not a valid choice for this field" in response.get_data(as_text=True)
    assert questions_in_order(db)[0].active is False


def test_asking_again_a_question_already_asked_changes_nothing(client, db, conference, organiser, places):
    question = CfpQuestionFactory(
        conference=conference, text="Room setup?", session_formats=[places["workshop"]]
    )
    db.session.commit()

    response = client.post(f"{BASE}/{question.id}/restore", data={"scope_chosen": "yes"})

    assert response.status_code == 302
    (same,) = questions_in_order(db)
    assert [f.name for f in same.session_formats] == ["Workshop"]


def test_organisers_do_not_see_an_answer_to_a_question_that_no_longer_applies(
    client, db, conference, organiser, places
):
    """Set aside for the speakers alone, until the proposal is a workshop again."""
    proposal = submitted_proposal(conference, session_format=places["talk"], track=places["data"])
    question = CfpQuestionFactory(conference=conference, text="Room setup?", position=1)
    CfpAnswerFactory(question=question, proposal=proposal, value="Chairs")
    question.session_formats = [places["workshop"]]
    db.session.commit()

    body = client.get(f"/c/devcon/manage/proposals/{proposal.id}").get_data(as_text=True)

    assert "Chairs" not in body and "Room setup?" not in body
    question.session_formats = []
    db.session.commit()
    body = client.get(f"/c/devcon/manage/proposals/{proposal.id}").get_data(as_text=True)
    assert "Chairs" in body
