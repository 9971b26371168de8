"""Speakers answer the organisers' questions on the proposal form."""

import re

import pytest
from sqlalchemy import select, text

from conference.proposals.models import (
    CfpAnswer,
    CfpQuestionKind,
    Proposal,
    ProposalState,
    ReviewerVisibility,
)
from tests.conference.proposals.conftest import count, proposal_form
from tests.conference.proposals.factories import proposal_of
from tests.factories import (
    CfpAnswerFactory,
    CfpQuestionFactory,
    ConferenceFactory,
    SessionFormatFactory,
)


@pytest.fixture
def questions(db, conference):
    """One question of each kind, in this order; the first and the third are required."""
    made = {
        "takeaway": CfpQuestionFactory(
            conference=conference, text="What will attendees take away?", required=True,
            help_text="One sentence is enough.", position=1,
        ),
        "outline": CfpQuestionFactory(
            conference=conference, text="Outline your session", kind=CfpQuestionKind.LONG_TEXT,
            position=2,
        ),
        "experience": CfpQuestionFactory(
            conference=conference, text="How long have you worked on this?",
            kind=CfpQuestionKind.CHOICE, options=["Under a year", "One to five years", "Longer"],
            required=True, position=3,
        ),
        "repeat": CfpQuestionFactory(
            conference=conference, text="Could you run it twice?", kind=CfpQuestionKind.YES_NO,
            position=4,
        ),
    }
    db.session.commit()
    return made


def answers(questions, **values) -> dict[str, str]:
    """Form data answering the questions: valid answers unless overridden (None leaves one out)."""
    given = {
        "takeaway": "Safer deploys.",
        "outline": "First the why,\nthen the how.",
        "experience": "Longer",
        "repeat": "yes",
    }
    given.update(values)
    return {
        f"answer_{questions[name].id}": value for name, value in given.items() if value is not None
    }


def saved_answers(db, proposal_id: int) -> dict[str, str]:
    db.session.expire_all()
    return {
        answer.question.text: answer.value
        for answer in db.session.scalars(
            select(CfpAnswer).where(CfpAnswer.proposal_id == proposal_id)
        )
    }


def only_proposal(db) -> Proposal:
    db.session.expire_all()
    return db.session.scalar(select(Proposal))


def test_new_proposal_form_asks_the_questions_in_order_with_fitting_widgets(
    client, db, conference, speaker, questions
):
    questions["outline"].active = False  # retired: no longer asked
    db.session.commit()
    page = client.get("/c/devcon/proposals/new").get_data(as_text=True)

    asked = re.findall(r'data-question="(\d+)"', page)
    assert asked == [str(questions[name].id) for name in ("takeaway", "experience", "repeat")]
    takeaway, experience, repeat = (questions[n].id for n in ("takeaway", "experience", "repeat"))
    assert f'id="answer_{takeaway}" name="answer_{takeaway}" required type="text"' in page
    assert re.search(
        rf'<small id="answer_{takeaway}-hint">One sentence is enough\. '
        r"(The organisers and the reviewers|Only the organisers) read the answer\.</small>",
        page,
    )
    assert (
        '<legend>How long have you worked on this? <span aria-hidden="true">*</span></legend>'
        in page
    )
    assert len(re.findall(rf'name="answer_{experience}" required type="radio"', page)) == 3
    # An optional question can be left unanswered again: it offers "No answer".
    assert len(re.findall(rf'name="answer_{repeat}" type="radio"', page)) == 3
    assert f'name="answer_{repeat}" type="radio" value=""> No answer' in page
    assert "Could you run it twice? (optional)" in page
    assert "Outline your session" not in page


def test_answers_are_saved_with_the_new_proposal_and_shown_to_the_speaker(
    client, db, conference, speaker, questions
):
    response = client.post(
        "/c/devcon/proposals/new", data={**proposal_form(conference), **answers(questions)}
    )

    assert response.status_code == 302
    proposal = only_proposal(db)
    assert proposal.state is ProposalState.SUBMITTED
    assert saved_answers(db, proposal.id) == {
        "What will attendees take away?": "Safer deploys.",
        "Outline your session": "First the why,\nthen the how.",
        "How long have you worked on this?": "Longer",
        "Could you run it twice?": "yes",
    }
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your answers to the organisers" in page
    assert "<dd><span class=\"pre-line\">Yes</span></dd>" in page


def test_submitting_without_a_required_answer_is_a_form_error_and_saves_nothing(
    client, db, conference, speaker, questions
):
    data = {**proposal_form(conference), **answers(questions, takeaway="   ", experience=None)}
    response = client.post("/c/devcon/proposals/new", data=data)

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert body.count("Answer this question to submit, or save as draft to finish later.") == 2
    assert 'aria-invalid="true" aria-describedby="answer_{}-error"'.format(
        questions["experience"].id
    ) in body
    assert count(db, Proposal) == 0
    assert count(db, CfpAnswer) == 0


def test_a_draft_may_leave_required_questions_unanswered(
    client, db, conference, speaker, questions
):
    data = {
        **proposal_form(conference, submit=None, save_draft="Save as draft"),
        **answers(questions, takeaway="", experience=None, repeat="no"),
    }
    assert client.post("/c/devcon/proposals/new", data=data).status_code == 302

    proposal = only_proposal(db)
    assert proposal.state is ProposalState.DRAFT
    assert saved_answers(db, proposal.id) == {
        "Outline your session": "First the why,\nthen the how.",
        "Could you run it twice?": "no",
    }
    # Submitting it later needs the answers.
    data = {
        **proposal_form(conference, lock_version=str(proposal.lock_version)),
        **answers(questions, takeaway="", experience=None),
    }
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data)
    assert response.status_code == 400
    assert only_proposal(db).state is ProposalState.DRAFT


def test_over_long_answers_are_form_errors_never_cut_short(
    client, db, conference, speaker, questions
):
    data = {
        **proposal_form(conference),
        **answers(questions, takeaway="x" * 301, outline="y" * 5001),
    }
    response = client.post("/c/devcon/proposals/new", data=data)

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Keep the answer under 300 characters (this one has 301)." in body
    assert "Keep the answer under 5,000 characters (this one has 5,001)." in body
    assert count(db, Proposal) == 0
    # At the limit is fine.
    data.update(answers(questions, takeaway="x" * 300, outline="y" * 5000))
    assert client.post("/c/devcon/proposals/new", data=data).status_code == 302
    assert len(saved_answers(db, only_proposal(db).id)["What will attendees take away?"]) == 300


@pytest.mark.parametrize(
    ("name", "forged", "message"),
    [
        ("experience", "Twenty years", "Choose one of the options."),
        ("experience", "longer", "Choose one of the options."),
        ("repeat", "maybe", "Answer yes or no."),
        ("repeat", "Yes", "Answer yes or no."),
    ],
)
def test_a_forged_choice_is_a_form_error_not_a_server_error(
    client, db, conference, speaker, questions, name, forged, message
):
    data = {**proposal_form(conference), **answers(questions, **{name: forged})}
    response = client.post("/c/devcon/proposals/new", data=data)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(db, Proposal) == 0


def test_editing_shows_the_saved_answers_and_updates_them(
    client, db, conference, speaker, questions
):
    proposal = proposal_of(speaker, conference)
    CfpAnswerFactory(proposal=proposal, question=questions["takeaway"], value="Old takeaway")
    CfpAnswerFactory(proposal=proposal, question=questions["experience"], value="Under a year")
    CfpAnswerFactory(proposal=proposal, question=questions["repeat"], value="no")
    db.session.commit()
    version = proposal.lock_version

    page = client.get(f"/c/devcon/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert 'value="Old takeaway"' in page
    assert re.search(r'checked[^>]*value="Under a year"', page)
    assert re.search(r'checked[^>]*value="no"', page)

    data = {
        **proposal_form(conference, lock_version=str(version)),
        **answers(questions, takeaway="New takeaway", outline="", repeat=""),
    }
    assert client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data).status_code == 302

    assert saved_answers(db, proposal.id) == {
        "What will attendees take away?": "New takeaway",
        "How long have you worked on this?": "Longer",
    }
    # A change of answers alone is a change of the proposal (co-speakers' edits conflict).
    assert db.session.get(Proposal, proposal.id).lock_version == version + 1


def test_a_stale_edit_saves_no_answers_and_shows_the_other_saved_answer(
    client, db, conference, speaker, questions
):
    proposal = proposal_of(speaker, conference)
    CfpAnswerFactory(proposal=proposal, question=questions["takeaway"], value="Theirs")
    CfpAnswerFactory(proposal=proposal, question=questions["experience"], value="Longer")
    db.session.commit()
    stale = str(proposal.lock_version)
    db.session.execute(
        text("UPDATE proposals SET lock_version = lock_version + 1 WHERE id = :id"),
        {"id": proposal.id},
    )
    db.session.commit()

    data = {**proposal_form(conference, lock_version=stale), **answers(questions, takeaway="Mine")}
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data)

    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert 'value="Mine"' in body
    assert "<dt>What will attendees take away?</dt><dd>Theirs</dd>" in body
    assert saved_answers(db, proposal.id)["What will attendees take away?"] == "Theirs"


def test_a_racing_save_writes_none_of_the_answers(
    client, db, conference, speaker, questions, monkeypatch
):
    from conference.proposals import operations

    proposal = proposal_of(speaker, conference)
    db.session.commit()
    original_apply = operations._apply

    def apply_after_a_concurrent_save(target, details):
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE proposals SET lock_version = lock_version + 1 WHERE id = :id"),
                {"id": target.id},
            )
        original_apply(target, details)

    monkeypatch.setattr(operations, "_apply", apply_after_a_concurrent_save)
    data = {**proposal_form(conference, lock_version=str(proposal.lock_version)), **answers(questions)}
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data)

    assert response.status_code == 409
    assert saved_answers(db, proposal.id) == {}


def test_answers_to_retired_questions_are_kept_and_shown_read_only(
    client, db, conference, speaker, questions
):
    proposal = proposal_of(speaker, conference)
    CfpAnswerFactory(proposal=proposal, question=questions["outline"], value="My old outline")
    questions["outline"].active = False
    db.session.commit()

    page = client.get(f"/c/devcon/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "Questions no longer asked" in page
    assert "My old outline" in page
    assert f'name="answer_{questions["outline"].id}"' not in page

    # A forged field for the retired question changes nothing.
    data = {
        **proposal_form(conference, lock_version=str(proposal.lock_version)),
        **answers(questions, outline="Forged"),
    }
    assert client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data).status_code == 302
    assert saved_answers(db, proposal.id)["Outline your session"] == "My old outline"
    detail = client.get(f"/c/devcon/proposals/{proposal.id}").get_data(as_text=True)
    assert "My old outline" in detail and "(no longer asked)" in detail


def test_a_choice_removed_from_the_options_is_kept_but_cannot_be_chosen_anew(
    client, db, conference, speaker, questions
):
    experience = questions["experience"]
    proposal = proposal_of(speaker, conference)
    CfpAnswerFactory(proposal=proposal, question=experience, value="Longer")
    experience.options = ["Under a year", "One to five years", "More than five years"]
    db.session.commit()

    detail = client.get(f"/c/devcon/proposals/{proposal.id}").get_data(as_text=True)
    assert "Longer</span> <small class=\"answer-note\">(no longer one of the options)</small>" in detail
    page = client.get(f"/c/devcon/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert "Longer (no longer offered)" in page
    assert re.search(r'checked[^>]*value="Longer"', page)

    # Saving the form as it is keeps the answer.
    data = {**proposal_form(conference, lock_version=str(proposal.lock_version)), **answers(questions)}
    assert client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data).status_code == 302
    assert saved_answers(db, proposal.id)["How long have you worked on this?"] == "Longer"
    # A new proposal cannot pick the old option.
    response = client.post(
        "/c/devcon/proposals/new",
        data={**proposal_form(conference, title="Another"), **answers(questions)},
    )
    assert response.status_code == 400
    assert "Choose one of the options." in response.get_data(as_text=True)


def test_a_question_only_for_workshops_is_required_only_of_workshops(
    client, db, conference, speaker, questions
):
    workshop = SessionFormatFactory(conference=conference, name="Workshop", duration_minutes=90)
    setup = CfpQuestionFactory(
        conference=conference, text="Room setup?", required=True, position=5,
        session_formats=[workshop],
    )
    db.session.commit()
    talk_format = next(f for f in conference.session_formats if f.name == "Talk")

    page = client.get("/c/devcon/proposals/new").get_data(as_text=True)
    assert "Asked only of Workshop proposals." in page
    as_talk = {**proposal_form(conference, session_format_id=str(talk_format.id)), **answers(questions)}
    assert client.post("/c/devcon/proposals/new", data=as_talk).status_code == 302
    as_workshop = {
        **proposal_form(conference, title="Hands on", session_format_id=str(workshop.id)),
        **answers(questions),
    }
    response = client.post("/c/devcon/proposals/new", data=as_workshop)
    assert response.status_code == 400
    assert f'id="answer_{setup.id}-error"' in response.get_data(as_text=True)


def test_a_submitted_proposal_needs_a_required_question_added_later_to_be_saved(
    client, db, conference, speaker, questions
):
    proposal = proposal_of(speaker, conference, state=ProposalState.SUBMITTED)
    db.session.commit()
    data = {
        **proposal_form(conference, title="Renamed", lock_version=str(proposal.lock_version)),
        **answers(questions, takeaway=""),
    }
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data)

    assert response.status_code == 400
    assert "Answer this question: a submitted proposal needs it." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).title != "Renamed"


def test_a_double_submit_with_the_same_answers_makes_one_proposal(
    client, db, conference, speaker, questions
):
    data = {**proposal_form(conference), **answers(questions)}
    first = client.post("/c/devcon/proposals/new", data=data)
    second = client.post("/c/devcon/proposals/new", data=data)

    assert first.headers["Location"] == second.headers["Location"]
    assert count(db, Proposal) == 1
    # Other answers make it another proposal: nothing typed is dropped.
    other = {**proposal_form(conference), **answers(questions, takeaway="Something else")}
    assert client.post("/c/devcon/proposals/new", data=other).status_code == 302
    assert count(db, Proposal) == 2


def test_questions_of_another_conference_are_not_asked_here(
    client, db, conference, speaker, questions
):
    elsewhere = ConferenceFactory(slug="elsewhere")
    foreign = CfpQuestionFactory(conference=elsewhere, text="Foreign question?", required=True)
    db.session.commit()

    page = client.get("/c/devcon/proposals/new").get_data(as_text=True)
    assert "Foreign question?" not in page
    data = {**proposal_form(conference), **answers(questions), f"answer_{foreign.id}": "Sneaky"}
    assert client.post("/c/devcon/proposals/new", data=data).status_code == 302
    assert "Foreign question?" not in saved_answers(db, only_proposal(db).id)


def test_each_question_tells_the_speaker_who_reads_the_answer(client, db, conference, speaker):
    conference.settings = {**(conference.settings or {}), "anonymised_review": True}
    for position, (question_text, visibility) in enumerate(
        [
            ("Open to all?", ReviewerVisibility.ALWAYS),
            ("Given this talk before?", ReviewerVisibility.UNLESS_ANONYMISED),
            ("Need a travel grant?", ReviewerVisibility.NEVER),
        ],
        start=1,
    ):
        CfpQuestionFactory(
            conference=conference, text=question_text, reviewer_visibility=visibility,
            position=position,
        )
    db.session.commit()

    page = client.get("/c/devcon/proposals/new").get_data(as_text=True)

    hints = re.findall(r'<small id="answer_\d+-hint"[^>]*>([^<]*)</small>', page)
    assert hints == [
        "The organisers and the reviewers read the answer.",
        # Reviews are anonymised here: an answer that may say who the speaker is stays hidden.
        "Only the organisers read the answer.",
        "Only the organisers read the answer.",
    ]
