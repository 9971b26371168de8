"""Recording consent is the speaker's explicit yes or no: the profile asks it with nothing chosen
beforehand, the confirmation of an accepted talk asks it while unanswered, and the proposal page
says when a recording waits for the answer."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conference.conferences.models import ConferenceRole, Role
from conference.materials.models import MaterialKind, TalkMaterial
from conference.proposals.models import PresentationMode, ProposalState, SpeakerProfile
from conference.proposals.operations import answer_recording_consent
from tests.conference.proposals.conftest import count, make_user
from tests.conference.proposals.factories import proposal_of
from tests.factories import ProposalSpeakerFactory, SpeakerProfileFactory

PROFILE = "/c/devcon/speaker/profile"
ANSWER_LINK = 'href="/c/devcon/speaker/profile#recording-consent"'


def profile_form(conference, **overrides) -> dict:
    data = {
        "display_name": "Ada Lovelace",
        "bio": "",
        "time_zone": "Europe/London",
        "hub_id": str(conference.hubs[0].id),
        "presentation_mode": "in_person",
        "recording_consent": "no",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def consent_of(db, user) -> bool | None:
    db.session.expire_all()
    return db.session.scalar(
        select(SpeakerProfile.recording_consent).where(SpeakerProfile.user_id == user.id)
    )


def checked_consent(page: str) -> list[str]:
    return re.findall(r'<input[^>]*checked[^>]*name="recording_consent"[^>]*value="(\w+)"', page) + \
        re.findall(r'<input[^>]*name="recording_consent"[^>]*value="(\w+)"[^>]*checked', page)


# --- the profile --------------------------------------------------------------------------


def test_a_new_profile_asks_for_consent_with_no_answer_chosen(client, db, conference, speaker):
    page = client.get(PROFILE).get_data(as_text=True)

    assert 'id="recording-consent"' in page
    assert "May recordings of your sessions be published?" in page
    assert 'value="yes"' in page and 'value="no"' in page
    assert checked_consent(page) == []


def test_the_profile_cannot_be_saved_without_an_answer(client, db, conference, speaker):
    response = client.post(PROFILE, data=profile_form(conference, recording_consent=None))

    assert response.status_code == 400
    assert "Answer whether recordings of your sessions may be published." in response.get_data(
        as_text=True
    )
    assert count(db, SpeakerProfile) == 0


@pytest.mark.parametrize("forged", ["y", "true", "maybe"])
def test_a_forged_answer_is_a_form_error_and_saves_nothing(client, db, conference, speaker, forged):
    response = client.post(PROFILE, data=profile_form(conference, recording_consent=forged))

    assert response.status_code == 400
    assert "Answer yes or no." in response.get_data(as_text=True)
    assert count(db, SpeakerProfile) == 0


@pytest.mark.parametrize(("choice", "stored"), [("yes", True), ("no", False)])
def test_the_answer_is_stored_and_shown_chosen(client, db, conference, speaker, choice, stored):
    assert client.post(PROFILE, data=profile_form(conference, recording_consent=choice)).status_code == 302

    assert consent_of(db, speaker) is stored
    assert checked_consent(client.get(PROFILE).get_data(as_text=True)) == [choice]


def test_a_profile_that_never_answered_shows_no_answer_and_must_answer_to_save(
    client, db, conference, speaker
):
    SpeakerProfileFactory(conference=conference, user=speaker, recording_consent=None)
    db.session.commit()

    assert checked_consent(client.get(PROFILE).get_data(as_text=True)) == []
    assert client.post(PROFILE, data=profile_form(conference, recording_consent=None)).status_code == 400
    assert consent_of(db, speaker) is None


def test_a_new_profile_starts_unanswered(db, conference):
    profile = SpeakerProfile(conference_id=conference.id, user_id=make_user().id)
    db.session.add(profile)
    db.session.commit()

    assert profile.recording_consent is None


# --- answering on its own -------------------------------------------------------------------


def test_answering_without_a_profile_makes_one_holding_only_the_answer(db, conference):
    person = make_user()
    db.session.commit()

    answer_recording_consent(conference, person, True)
    db.session.commit()

    profile = db.session.scalar(select(SpeakerProfile).where(SpeakerProfile.user_id == person.id))
    assert profile.recording_consent is True
    # Read as no profile at all by the schedule: in person, no hub.
    assert (profile.presentation_mode, profile.hub_id, profile.bio) == (
        PresentationMode.IN_PERSON, None, ""
    )
    assert count(db, ConferenceRole, ConferenceRole.user_id == person.id, ConferenceRole.role == Role.SPEAKER) == 1
    answer_recording_consent(conference, person, False)
    db.session.commit()
    assert count(db, SpeakerProfile) == 1
    assert consent_of(db, person) is False


# --- the confirmation of an accepted talk ---------------------------------------------------


@pytest.fixture
def accepted(db, conference, speaker):
    proposal = proposal_of(speaker, conference, state=ProposalState.ACCEPTED, title="Tracing")
    db.session.commit()
    return proposal


def confirmation(proposal) -> str:
    return f"/c/devcon/proposals/{proposal.id}/confirmation"


def test_the_confirmation_asks_for_consent_while_it_is_unanswered(client, db, speaker, accepted):
    page = client.get(confirmation(accepted)).get_data(as_text=True)
    assert "May recordings of your sessions be published?" in page
    assert checked_consent(page) == []

    response = client.post(
        confirmation(accepted), data={"answer": "confirm", "recording_consent": "yes"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Recordings of your sessions may be published." in response.get_data(as_text=True)
    assert consent_of(db, speaker) is True
    db.session.refresh(accepted)
    assert accepted.state is ProposalState.CONFIRMED
    # Answered: no longer asked here.
    page = client.get(confirmation(accepted)).get_data(as_text=True)
    assert "May recordings of your sessions be published?" not in page


def test_confirming_without_answering_leaves_consent_unanswered(client, db, speaker, accepted):
    assert client.post(confirmation(accepted), data={"answer": "confirm"}).status_code == 302

    db.session.refresh(accepted)
    assert accepted.state is ProposalState.CONFIRMED
    assert consent_of(db, speaker) is None
    assert count(db, SpeakerProfile) == 0


def test_a_forged_consent_on_the_confirmation_changes_nothing(client, db, speaker, accepted):
    response = client.post(confirmation(accepted), data={"answer": "confirm", "recording_consent": "y"})

    assert response.status_code == 422
    assert "Answer yes or no." in response.get_data(as_text=True)
    db.session.refresh(accepted)
    assert accepted.state is ProposalState.ACCEPTED
    assert count(db, SpeakerProfile) == 0


def test_a_speaker_who_answered_is_not_asked_again(client, db, conference, speaker, accepted):
    SpeakerProfileFactory(conference=conference, user=speaker, recording_consent=False)
    db.session.commit()

    page = client.get(confirmation(accepted)).get_data(as_text=True)

    assert "May recordings of your sessions be published?" not in page


# --- the proposal page ----------------------------------------------------------------------


def add_recording(proposal) -> None:
    from conference.extensions import db

    db.session.add(
        TalkMaterial(
            conference_id=proposal.conference_id, proposal_id=proposal.id,
            kind=MaterialKind.RECORDING, url="https://video.example.com/tracing",
        )
    )
    db.session.commit()


def detail(client, proposal) -> str:
    return client.get(f"/c/devcon/proposals/{proposal.id}").get_data(as_text=True)


def test_the_proposal_page_says_a_recording_waits_for_the_speakers_answer(
    client, db, conference, speaker, accepted
):
    page = detail(client, accepted)
    assert "Your answer about recordings is missing." in page and ANSWER_LINK in page

    add_recording(accepted)
    page = detail(client, accepted)
    assert "A recording of this talk is waiting for your answer." in page
    assert ANSWER_LINK in page

    answer_recording_consent(conference, speaker, False)
    db.session.commit()
    page = detail(client, accepted)
    assert "waiting for your answer" not in page
    assert "You said no to publishing recordings of your sessions, so this talk's recording is not published." in page

    answer_recording_consent(conference, speaker, True)
    db.session.commit()
    page = detail(client, accepted)
    assert "Every speaker agreed to publishing the recording" in page and ANSWER_LINK not in page


def test_the_proposal_page_names_the_co_speaker_whose_answer_is_awaited(
    client, db, conference, speaker, accepted
):
    ProposalSpeakerFactory(proposal=accepted, user=make_user(display_name="Ana García"))
    SpeakerProfileFactory(conference=conference, user=speaker, recording_consent=True)
    db.session.commit()
    add_recording(accepted)

    page = detail(client, accepted)

    assert "You agreed to publishing recordings. Awaiting consent from Ana García." in page
    assert ANSWER_LINK not in page


def test_a_proposal_not_accepted_says_nothing_about_recordings(client, db, conference, speaker):
    proposal = proposal_of(speaker, conference)
    db.session.commit()

    assert 'id="recording-heading"' not in detail(client, proposal)
