"""A question limited to some formats or tracks applies only to proposals in them: the form
hides it from the others (with JavaScript), and the proposal keeps no answer to it."""

import re

import pytest
from sqlalchemy import select

from conference.proposals.models import CfpAnswer, CfpQuestionKind, Proposal, ProposalState
from conference.proposals.questions import (
    answers_by_proposal,
    answers_for_reviewers,
    save_answers,
    shown_answers,
)
from tests.conference.proposals.conftest import count, proposal_form
from tests.conference.proposals.factories import proposal_of
from tests.factories import CfpAnswerFactory, CfpQuestionFactory, SessionFormatFactory, TrackFactory


@pytest.fixture
def places(db, conference):
    """The conference's talk format and platform track, and a workshop format and research track."""
    made = {
        "talk": conference.session_formats[0],
        "platform": conference.tracks[0],
        "workshop": SessionFormatFactory(conference=conference, name="Workshop", duration_minutes=90),
        "research": TrackFactory(conference=conference, name="Research"),
    }
    db.session.commit()
    return made


@pytest.fixture
def setup_question(db, conference, places):
    """Required, and asked only of workshops."""
    question = CfpQuestionFactory(
        conference=conference, text="Room setup?", required=True, session_formats=[places["workshop"]]
    )
    db.session.commit()
    return question


def saved_answers(db, proposal_id: int) -> dict[str, str]:
    db.session.expire_all()
    return {
        answer.question.text: answer.value
        for answer in db.session.scalars(select(CfpAnswer).where(CfpAnswer.proposal_id == proposal_id))
    }


def as_format(conference, session_format, **overrides) -> dict:
    return proposal_form(conference, session_format_id=str(session_format.id), **overrides)


# --- the form -------------------------------------------------------------------------------


def test_the_form_tells_the_script_which_formats_and_tracks_each_question_is_for(
    client, db, conference, speaker, places, setup_question
):
    everyone = CfpQuestionFactory(conference=conference, text="Takeaway?")
    data_only = CfpQuestionFactory(conference=conference, text="Datasets?", tracks=[places["research"]])
    db.session.commit()

    response = client.get("/c/devcon/proposals/new")
    page = response.get_data(as_text=True)

    assert f'data-question="{setup_question.id}" data-question-text="Room setup?" ' \
        f'data-formats="{places["workshop"].id}" data-tracks=""' in page
    assert f'data-question="{everyone.id}" data-question-text="Takeaway?" data-formats="" data-tracks=""' in page
    assert f'data-formats="" data-tracks="{places["research"].id}"' in page
    assert str(data_only.id) in page
    # Without JavaScript every question shows, saying whom it is asked of.
    assert "Asked only of Workshop proposals." in page
    assert '<script src="/static/js/proposal-form.js" defer></script>' in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in page
    assert '<div role="status" data-answers-not-kept></div>' in page


# --- saving ---------------------------------------------------------------------------------


def test_an_answer_typed_for_a_question_of_another_format_is_not_stored_and_the_speaker_is_told(
    client, db, conference, speaker, places, setup_question
):
    data = {**as_format(conference, places["talk"]), f"answer_{setup_question.id}": "Tables"}

    response = client.post("/c/devcon/proposals/new", data=data, follow_redirects=True)

    assert response.status_code == 200
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state is ProposalState.SUBMITTED
    assert saved_answers(db, proposal.id) == {}
    assert (
        "Your answer to “Room setup?” is not kept: the question does not apply to the session "
        "format and track you chose. Asked only of Workshop proposals."
    ) in response.get_data(as_text=True)


def test_an_answer_that_could_not_be_saved_is_no_obstacle_when_its_question_does_not_apply(
    client, db, conference, speaker, places
):
    choice = CfpQuestionFactory(
        conference=conference, text="Rows or tables?", kind=CfpQuestionKind.CHOICE,
        options=["Rows", "Tables"], tracks=[places["research"]],
    )
    long_text = CfpQuestionFactory(conference=conference, text="Agenda?", tracks=[places["research"]])
    db.session.commit()
    data = {
        **proposal_form(conference),  # the platform track
        f"answer_{choice.id}": "A forged option",
        f"answer_{long_text.id}": "x" * 301,
    }

    assert client.post("/c/devcon/proposals/new", data=data).status_code == 302

    assert count(db, CfpAnswer) == 0
    # In the research track the same answers are refused, as before.
    data["track_id"] = str(places["research"].id)
    data["title"] = "Another"
    response = client.post("/c/devcon/proposals/new", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Choose one of the options." in body
    assert "Keep the answer under 300 characters (this one has 301)." in body


def test_a_question_limited_to_tracks_does_not_apply_to_a_proposal_without_a_track(
    client, db, conference, speaker, places
):
    question = CfpQuestionFactory(
        conference=conference, text="Datasets?", required=True, tracks=[places["research"]]
    )
    db.session.commit()

    data = {**proposal_form(conference, track_id="0"), f"answer_{question.id}": "Taxi rides"}
    assert client.post("/c/devcon/proposals/new", data=data).status_code == 302
    assert count(db, CfpAnswer) == 0


def test_switching_away_from_the_format_drops_the_answer_and_switching_back_asks_again(
    client, db, conference, speaker, places, setup_question
):
    proposal = proposal_of(speaker, conference, session_format=places["workshop"])
    CfpAnswerFactory(proposal=proposal, question=setup_question, value="Tables")
    db.session.commit()

    # The form still holds the answer (hidden by the script once the talk format is chosen).
    data = {
        **as_format(conference, places["talk"], lock_version=str(proposal.lock_version)),
        f"answer_{setup_question.id}": "Tables",
    }
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data, follow_redirects=True)

    assert "Your answer to “Room setup?” is not kept" in response.get_data(as_text=True)
    assert saved_answers(db, proposal.id) == {}
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.session_format_id == places["talk"].id
    # Back to a workshop: a submitted workshop proposal needs the answer again.
    back = as_format(conference, places["workshop"], lock_version=str(proposal.lock_version))
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=back)
    assert response.status_code == 400
    assert "Answer this question: a submitted proposal needs it." in response.get_data(as_text=True)
    back[f"answer_{setup_question.id}"] = "Tables again"
    assert client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=back).status_code == 302
    assert saved_answers(db, proposal.id) == {"Room setup?": "Tables again"}


def test_a_form_sent_back_with_errors_keeps_the_hidden_answer_as_typed(
    client, db, conference, speaker, places, setup_question
):
    data = {
        **as_format(conference, places["talk"], title=""),
        f"answer_{setup_question.id}": "Tables in groups",
    }

    response = client.post("/c/devcon/proposals/new", data=data)

    assert response.status_code == 400
    # Choosing the workshop format again in the browser shows it as typed.
    assert 'value="Tables in groups"' in response.get_data(as_text=True)
    assert count(db, Proposal) == 0


def test_an_answer_to_a_question_missing_from_the_page_the_speaker_saw_is_kept(
    client, db, conference, speaker, places
):
    """Asked again while the speaker was editing: the field was not on their page, so sending
    the form without it is no request to take the answer back."""
    text_question = CfpQuestionFactory(conference=conference, text="Takeaway?", required=True)
    choice = CfpQuestionFactory(
        conference=conference, text="Experience?", kind=CfpQuestionKind.CHOICE,
        options=["Junior", "Senior"], required=True,
    )
    proposal = proposal_of(speaker, conference)
    CfpAnswerFactory(proposal=proposal, question=text_question, value="Safer deploys")
    CfpAnswerFactory(proposal=proposal, question=choice, value="Senior")
    db.session.commit()

    data = proposal_form(conference, title="Renamed", lock_version=str(proposal.lock_version))
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data)

    assert response.status_code == 302
    assert saved_answers(db, proposal.id) == {"Takeaway?": "Safer deploys", "Experience?": "Senior"}
    # An empty field that was sent does take the answer back (and a submitted proposal needs it).
    data[f"answer_{text_question.id}"] = ""
    data["lock_version"] = str(db.session.get(Proposal, proposal.id).lock_version)
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data)
    assert response.status_code == 400
    assert "Answer this question: a submitted proposal needs it." in response.get_data(as_text=True)


def test_save_answers_removes_a_saved_answer_whose_question_no_longer_applies(
    db, conference, speaker, places, setup_question
):
    proposal = proposal_of(speaker, conference, session_format=places["workshop"])
    CfpAnswerFactory(proposal=proposal, question=setup_question, value="Tables")
    db.session.commit()

    proposal.session_format_id = places["talk"].id
    save_answers(conference, proposal, {setup_question.id: "Chairs"})
    db.session.commit()

    assert saved_answers(db, proposal.id) == {}


# --- reading --------------------------------------------------------------------------------


@pytest.fixture
def rescoped(db, conference, speaker, places):
    """A submitted talk answered a question asked of everyone, since limited to workshops."""
    question = CfpQuestionFactory(conference=conference, text="Room setup?", position=1)
    other = CfpQuestionFactory(conference=conference, text="Takeaway?", position=2)
    own_track = CfpQuestionFactory(
        conference=conference, text="Platform team?", position=3, tracks=[places["platform"]],
        session_formats=[places["talk"], places["workshop"]],
    )
    other_track = CfpQuestionFactory(conference=conference, text="Datasets?", position=4)
    proposal = proposal_of(speaker, conference, session_format=places["talk"], track=places["platform"])
    CfpAnswerFactory(proposal=proposal, question=question, value="Chairs")
    CfpAnswerFactory(proposal=proposal, question=other, value="Safer deploys")
    CfpAnswerFactory(proposal=proposal, question=own_track, value="Payments")
    CfpAnswerFactory(proposal=proposal, question=other_track, value="Taxi rides")
    question.session_formats = [places["workshop"]]
    other_track.tracks = [places["research"]]
    db.session.commit()
    return proposal


def test_reviewers_and_the_ranking_export_leave_out_answers_that_no_longer_apply(
    db, conference, rescoped
):
    conference.settings = {**(conference.settings or {}), "anonymised_review": False}
    db.session.commit()

    assert [answer.question.text for answer in answers_for_reviewers(conference, rescoped)] == [
        "Takeaway?", "Platform team?"
    ]
    by_question = answers_by_proposal(conference)[rescoped.id]
    assert sorted(by_question.values()) == ["Payments", "Safer deploys"]
    # Kept, though: asked of talks again, the answer is back.
    assert [answer.applies for answer in shown_answers(rescoped)] == [False, True, True, False]


def test_the_speaker_sees_an_answer_that_no_longer_applies_marked(client, db, conference, rescoped):
    page = client.get(f"/c/devcon/proposals/{rescoped.id}").get_data(as_text=True)

    assert re.search(
        r"Room setup\?\s*<small class=\"answer-note\">\(not asked of this proposal's format or "
        r"track\)</small>",
        page,
    )
