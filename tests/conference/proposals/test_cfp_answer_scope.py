"""A question limited to some formats or tracks applies only to proposals in them: the form
hides it from the others (with JavaScript), and an answer to it is kept but set aside: not
required, seen only by the speakers, no tie on the question, and back when the proposal is in
one of those formats and tracks again."""

import re

import pytest
from sqlalchemy import select

from conference.conferences.models import Role
from conference.proposals.models import (
    CfpAnswer,
    CfpQuestion,
    CfpQuestionKind,
    Proposal,
    ProposalState,
)
from conference.proposals.questions import (
    AnswerCount,
    KindLocked,
    QuestionAnswered,
    QuestionDetails,
    answer_count,
    answer_counts,
    answers_by_proposal,
    answers_for_reviewers,
    delete_question,
    save_answers,
    shown_answers,
    update_question,
)
from tests.conference.proposals.conftest import count, make_user, proposal_form
from tests.conference.proposals.factories import proposal_of
from tests.factories import (
    DEFAULT_PASSWORD,
    CfpAnswerFactory,
    CfpQuestionFactory,
    RoleFactory,
    SessionFormatFactory,
    TrackFactory,
)


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
    assert '<div role="status" data-answers-set-aside></div>' in page


# --- saving ---------------------------------------------------------------------------------


def test_an_answer_typed_for_a_question_of_another_format_is_set_aside_and_the_speaker_is_told(
    client, db, conference, speaker, places, setup_question
):
    data = {**as_format(conference, places["talk"]), f"answer_{setup_question.id}": "Tables"}

    response = client.post("/c/devcon/proposals/new", data=data, follow_redirects=True)

    assert response.status_code == 200
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state is ProposalState.SUBMITTED
    assert saved_answers(db, proposal.id) == {"Room setup?": "Tables"}
    assert (
        "Your answer to “Room setup?” is kept but set aside: the question does not apply to the "
        "session format and track you chose, so it is not required and only the speakers see the "
        "answer. Asked only of Workshop proposals. Choose one of those again and the answer is "
        "back on the form."
    ) in response.get_data(as_text=True)
    # Nobody but the speakers reads it: not the reviewers, nor the ranking export.
    assert answers_for_reviewers(conference, proposal) == []
    assert proposal.id not in answers_by_proposal(conference)


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

    response = client.post("/c/devcon/proposals/new", data=data, follow_redirects=True)

    assert response.status_code == 200
    # Hidden from the speaker, so no form error; not kept either, and they are told.
    assert count(db, CfpAnswer) == 0
    body = response.get_data(as_text=True)
    assert "Your answer to “Rows or tables?” is not kept (Choose one of the options.)" in body
    assert "Your answer to “Agenda?” is not kept (Keep the answer under 300 characters" in body
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

    # Required of research talks only: a talk without a track is submitted without it.
    assert client.post("/c/devcon/proposals/new", data=proposal_form(conference, track_id="0")).status_code == 302
    assert count(db, CfpAnswer) == 0
    # An answer given anyway is set aside.
    data = {
        **proposal_form(conference, track_id="0", title="Another"),
        f"answer_{question.id}": "Taxi rides",
    }
    assert client.post("/c/devcon/proposals/new", data=data).status_code == 302
    assert count(db, CfpAnswer) == 1
    assert answers_by_proposal(conference) == {}


def test_switching_away_from_the_format_sets_the_answer_aside_and_switching_back_brings_it_back(
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

    page = response.get_data(as_text=True)
    assert "Your answer to “Room setup?” is kept but set aside" in page
    assert saved_answers(db, proposal.id) == {"Room setup?": "Tables"}
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.session_format_id == places["talk"].id
    assert answers_for_reviewers(conference, proposal) == []
    assert proposal.id not in answers_by_proposal(conference)
    # Saving again as a talk says nothing more about it.
    data["lock_version"] = str(proposal.lock_version)
    again = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data, follow_redirects=True)
    assert again.status_code == 200
    assert "is kept but set aside" not in again.get_data(as_text=True)

    # The edit form holds it, as given, ready for the workshop format.
    form_page = client.get(f"/c/devcon/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert re.search(rf'name="answer_{setup_question.id}"[^>]*value="Tables"', form_page)
    # Back to a workshop, as the browser sends the shown answer: it applies again.
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    back = {
        **as_format(conference, places["workshop"], lock_version=str(proposal.lock_version)),
        f"answer_{setup_question.id}": "Tables",
    }
    assert client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=back).status_code == 302
    assert saved_answers(db, proposal.id) == {"Room setup?": "Tables"}
    proposal = db.session.get(Proposal, proposal.id)
    assert answers_by_proposal(conference)[proposal.id] == {setup_question.id: "Tables"}
    # Taking it back is still refused: a submitted workshop proposal needs it.
    back[f"answer_{setup_question.id}"] = ""
    back["lock_version"] = str(proposal.lock_version)
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=back)
    assert response.status_code == 400
    assert "Answer this question: a submitted proposal needs it." in response.get_data(as_text=True)


def test_a_set_aside_answer_taken_back_on_a_form_without_javascript_is_removed(
    client, db, conference, speaker, places, setup_question
):
    """Without JavaScript every question shows: emptying one that does not apply removes it."""
    proposal = proposal_of(speaker, conference, session_format=places["talk"])
    CfpAnswerFactory(proposal=proposal, question=setup_question, value="Tables")
    db.session.commit()

    data = {
        **as_format(conference, places["talk"], lock_version=str(proposal.lock_version)),
        f"answer_{setup_question.id}": "",
    }
    assert client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data).status_code == 302

    assert saved_answers(db, proposal.id) == {}


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


def test_save_answers_keeps_an_answer_whose_question_no_longer_applies_set_aside(
    db, conference, speaker, places, setup_question
):
    proposal = proposal_of(speaker, conference, session_format=places["workshop"])
    CfpAnswerFactory(proposal=proposal, question=setup_question, value="Tables")
    db.session.commit()

    proposal.session_format_id = places["talk"].id
    save_answers(conference, proposal, {})
    db.session.commit()
    assert saved_answers(db, proposal.id) == {"Room setup?": "Tables"}

    proposal = db.session.get(Proposal, proposal.id)
    save_answers(conference, proposal, {setup_question.id: "Chairs"})
    db.session.commit()
    assert saved_answers(db, proposal.id) == {"Room setup?": "Chairs"}
    assert [answer.applies for answer in shown_answers(db.session.get(Proposal, proposal.id))] == [False]


def test_save_answers_refuses_an_answer_that_could_not_be_saved_even_set_aside(
    db, conference, speaker, places
):
    choice = CfpQuestionFactory(
        conference=conference, text="Rows or tables?", kind=CfpQuestionKind.CHOICE,
        options=["Rows", "Tables"], session_formats=[places["workshop"]],
    )
    proposal = proposal_of(speaker, conference, session_format=places["talk"])
    db.session.commit()

    with pytest.raises(ValueError, match="Choose one of the options."):
        save_answers(conference, proposal, {choice.id: "A forged option"})


# --- what set-aside answers tie down ---------------------------------------------------------


@pytest.fixture
def set_aside(db, conference, speaker, places, setup_question):
    """A submitted talk that kept its answer to the workshop question, and a draft workshop."""
    talk = proposal_of(speaker, conference, session_format=places["talk"])
    CfpAnswerFactory(proposal=talk, question=setup_question, value="Tables")
    draft = proposal_of(
        speaker, conference, state=ProposalState.DRAFT, session_format=places["workshop"]
    )
    CfpAnswerFactory(proposal=draft, question=setup_question, value="Chairs")
    db.session.commit()
    return talk


def test_set_aside_answers_do_not_tie_the_question_down(db, conference, setup_question, set_aside):
    assert answer_count(setup_question) == AnswerCount(submitted=0, drafts=1, set_aside=1)
    assert answer_counts(conference) == {setup_question.id: AnswerCount(0, 1, 1)}

    # Its kind may change: the set-aside text that is no yes or no goes, as in drafts.
    removed = update_question(setup_question, _details(setup_question, kind=CfpQuestionKind.YES_NO))
    db.session.commit()

    assert removed == 2
    assert count(db, CfpAnswer) == 0


def test_deleting_a_question_removes_its_answers_in_drafts_and_set_aside(
    db, conference, setup_question, set_aside
):
    question_id = setup_question.id

    assert delete_question(setup_question) == 2
    db.session.commit()

    assert count(db, CfpAnswer) == 0
    assert db.session.get(CfpQuestion, question_id) is None


def test_an_answer_that_applies_on_a_submitted_proposal_still_ties_the_question_down(
    db, conference, speaker, places, setup_question, set_aside
):
    workshop = proposal_of(speaker, conference, session_format=places["workshop"])
    CfpAnswerFactory(proposal=workshop, question=setup_question, value="Tables")
    db.session.commit()

    assert answer_count(setup_question) == AnswerCount(submitted=1, drafts=1, set_aside=1)
    with pytest.raises(QuestionAnswered):
        delete_question(setup_question)
    with pytest.raises(KindLocked):
        update_question(setup_question, _details(setup_question, kind=CfpQuestionKind.YES_NO))


def test_organisers_see_no_set_aside_answer_on_the_proposal_page(
    app, db, conference, set_aside, places
):
    organiser = make_user()
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    applies = CfpQuestionFactory(conference=conference, text="Takeaway?")
    CfpAnswerFactory(proposal=set_aside, question=applies, value="Safer deploys")
    db.session.commit()
    browser = app.test_client()
    browser.post("/login", data={"email": organiser.email, "password": DEFAULT_PASSWORD})

    page = browser.get(f"/c/devcon/manage/proposals/{set_aside.id}").get_data(as_text=True)

    assert "Safer deploys" in page
    assert "Room setup?" not in page and "Tables" not in page


def _details(question, **changes) -> QuestionDetails:
    return QuestionDetails(
        **{
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "options": tuple(question.options),
            "required": question.required,
            "reviewer_visibility": question.reviewer_visibility,
            "session_format_ids": tuple(item.id for item in question.session_formats),
            "track_ids": tuple(track.id for track in question.tracks),
            **changes,
        }
    )


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
        r"Room setup\?\s*<small class=\"answer-note\">\(set aside: not asked of this proposal's "
        r"format or track, so only its speakers see the answer; it is back when the proposal is in "
        r"one the question is asked of\)</small>",
        page,
    )
