"""Recording consent: a recording a speaker did not agree to publish is shown to nobody else."""

from __future__ import annotations

from datetime import timedelta

from conference.core.types import utcnow
from tests.conference.materials.conftest import add_recording
from tests.factories import InterestMarkFactory, SpeakerProfileFactory

TALK_PAGE = "/c/summit/agenda/talks/{}"
WITHHELD_NOTE = "a speaker did not agree to publishing them"


def refuse_consent(talk, user):
    return SpeakerProfileFactory(conference=talk.conference, user=user, recording_consent=False)


def test_talk_page_shows_a_withheld_recording_only_to_the_speakers_and_organisers(
    app, client, login, talk, db
):
    refuse_consent(talk, talk.co_speaker)
    add_recording(talk.proposal, url="https://video.example.com/withheld")
    db.session.commit()
    path = TALK_PAGE.format(talk.proposal.id)

    anonymous = client.get(path).get_data(as_text=True)
    assert "video.example.com/withheld" not in anonymous
    assert "Slides and recordings" not in anonymous  # nothing left to show

    for person in (talk.attendee, talk.speaker, talk.organiser):
        browser = app.test_client()
        browser.post("/login", data={"email": person.email, "password": "correct horse battery"})
        html = browser.get(path).get_data(as_text=True)
        if person is talk.attendee:
            assert "video.example.com/withheld" not in html and WITHHELD_NOTE not in html
        else:
            assert "video.example.com/withheld" in html and WITHHELD_NOTE in html


def test_consent_of_a_speaker_who_declined_to_co_present_does_not_count(client, talk, db):
    from conference.proposals.models import InvitationState

    refuse_consent(talk, talk.co_speaker)
    co_speaker_row = next(s for s in talk.proposal.speakers if s.user_id == talk.co_speaker.id)
    co_speaker_row.invitation_state = InvitationState.DECLINED
    SpeakerProfileFactory(conference=talk.conference, user=talk.speaker, recording_consent=True)
    add_recording(talk.proposal, url="https://video.example.com/shown")
    db.session.commit()

    html = client.get(TALK_PAGE.format(talk.proposal.id)).get_data(as_text=True)

    assert "video.example.com/shown" in html


def test_a_refusal_at_another_conference_does_not_count(client, talk, db):
    from tests.factories import ConferenceFactory

    SpeakerProfileFactory(
        conference=ConferenceFactory(), user=talk.co_speaker, recording_consent=False
    )
    add_recording(talk.proposal, url="https://video.example.com/shown")
    db.session.commit()

    html = client.get(TALK_PAGE.format(talk.proposal.id)).get_data(as_text=True)

    assert "video.example.com/shown" in html


def test_catch_up_and_the_recordings_feed_leave_out_withheld_recordings(
    client, login, talk, db
):
    talk.scheduled.starts_at = utcnow() - timedelta(days=1)
    talk.scheduled.ends_at = talk.scheduled.starts_at + timedelta(minutes=30)
    refuse_consent(talk, talk.speaker)
    add_recording(talk.proposal, url="https://video.example.com/withheld")
    InterestMarkFactory(user_id=talk.attendee.id, proposal_id=talk.proposal.id)
    db.session.commit()

    feed = client.get("/archive/recordings.atom").get_data(as_text=True)
    login(talk.attendee)
    catch_up = client.get("/c/summit/agenda/catch-up").get_data(as_text=True)

    assert "video.example.com/withheld" not in feed
    assert "Observability at scale" in catch_up  # still missed, just without the recording
    assert "video.example.com/withheld" not in catch_up
