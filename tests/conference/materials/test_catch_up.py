"""Catch up: starred talks that have ended and that the attendee did not attend."""

from __future__ import annotations

import io
from datetime import timedelta

from conference.core.types import utcnow
from conference.feedback.models import FeedbackResponse
from tests.conference.materials.conftest import (
    add_recording,
    consenting_speaker,
    minimal_pdf,
)
from tests.factories import (
    InterestMarkFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
)

URL = "/c/summit/agenda/catch-up"


def place(version, title, starts_at, room=None, minutes=30):
    proposal = ProposalFactory(conference=version.conference, state="confirmed", title=title)
    ProposalSpeakerFactory(proposal=proposal, user=consenting_speaker(version.conference))
    return ScheduledTalkFactory(
        version=version,
        proposal=proposal,
        room=room or RoomFactory(conference=version.conference),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
    )


def star(user, *scheduled_talks):
    for scheduled in scheduled_talks:
        InterestMarkFactory(user_id=user.id, proposal_id=scheduled.proposal_id)


def test_catch_up_needs_a_login(client, talk):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_catch_up_lists_missed_starred_talks_with_their_recordings_and_slides(
    app, client, login, talk, db
):
    now = utcnow()
    version = talk.version
    missed = place(version, "Missed with recording", now - timedelta(days=2))
    earlier = place(version, "Missed earlier, nothing yet", now - timedelta(days=3))
    attended = place(version, "Attended (gave feedback)", now - timedelta(days=1))
    running = place(version, "Still running", now - timedelta(minutes=10))
    future = place(version, "Tomorrow", now + timedelta(days=1))
    not_starred = place(version, "Not starred", now - timedelta(days=2))
    attendee = talk.attendee
    star(attendee, missed, earlier, attended, running, future)
    db.session.add(
        FeedbackResponse(
            conference_id=talk.conference.id, proposal_id=attended.proposal_id, user_id=attendee.id
        )
    )
    add_recording(missed.proposal, url="https://video.example.com/missed")
    add_recording(not_starred.proposal, url="https://video.example.com/other")
    db.session.commit()
    speaker = app.test_client()
    speaker.post(
        "/login",
        data={"email": missed.proposal.speakers[0].user.email, "password": "correct horse battery"},
    )
    speaker.post(
        f"/c/summit/talks/{missed.proposal_id}/materials/slides",
        data={"slides-file": (io.BytesIO(minimal_pdf()), "missed.pdf")},
        content_type="multipart/form-data",
    )
    login(attendee)

    response = client.get(URL)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert html.index("Missed earlier, nothing yet") < html.index("Missed with recording")
    assert 'href="https://video.example.com/missed"' in html
    assert "missed.pdf" in html and "/download" in html
    assert "No recording or slides yet" in html
    for absent in (
        "Attended (gave feedback)",
        "Still running",
        "Tomorrow",
        "Not starred",
        "video.example.com/other",
    ):
        assert absent not in html


def test_catch_up_reads_end_times_from_the_latest_published_version(client, login, talk, db):
    now = utcnow()
    moved = place(talk.version, "Moved to next week", now - timedelta(days=1))
    newer = ScheduleVersionFactory(conference=talk.conference, is_draft=False, number=2)
    ScheduledTalkFactory(
        version=newer,
        proposal=moved.proposal,
        room=moved.room,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, minutes=30),
    )
    star(talk.attendee, moved)
    db.session.commit()
    login(talk.attendee)

    html = client.get(URL).get_data(as_text=True)

    assert "Moved to next week" not in html
    assert "None of your 1 starred talk has ended yet" in html


def test_catch_up_explains_when_nothing_is_published(client, login, talk, db):
    talk.version.is_draft, talk.version.number = True, None
    db.session.commit()
    login(talk.attendee)

    assert "The schedule has not been published yet" in client.get(URL).get_data(as_text=True)


def test_catch_up_explains_when_nothing_is_starred(client, login, talk):
    login(talk.attendee)

    assert "You have not starred any talks" in client.get(URL).get_data(as_text=True)


def test_catch_up_explains_when_every_ended_talk_was_attended(client, login, talk, db):
    ended = place(talk.version, "Went to this one", utcnow() - timedelta(hours=3))
    star(talk.attendee, ended)
    db.session.add(
        FeedbackResponse(
            conference_id=talk.conference.id,
            proposal_id=ended.proposal_id,
            user_id=talk.attendee.id,
        )
    )
    db.session.commit()
    login(talk.attendee)

    html = client.get(URL).get_data(as_text=True)

    assert "Nothing to catch up on" in html
    assert "Went to this one" not in html


def test_the_agenda_navigation_links_to_catch_up(client, talk):
    html = client.get("/c/summit/agenda/").get_data(as_text=True)

    assert 'href="/c/summit/agenda/catch-up"' in html


def test_a_speaker_who_starred_their_own_talk_did_not_miss_it(client, login, talk, db):
    now = utcnow()
    own = place(talk.version, "My own ended talk", now - timedelta(days=1))
    missed = place(talk.version, "A colleague's talk", now - timedelta(days=1, hours=2))
    speaker = own.proposal.speakers[0].user
    star(speaker, own, missed)
    db.session.commit()
    login(speaker)

    html = client.get(URL).get_data(as_text=True)

    assert "A colleague&#39;s talk" in html
    assert "My own ended talk" not in html


def test_catch_up_explains_when_the_only_ended_starred_talk_was_ones_own(
    client, login, talk, db
):
    own = place(talk.version, "My own ended talk", utcnow() - timedelta(hours=3))
    speaker = own.proposal.speakers[0].user
    star(speaker, own)
    db.session.commit()
    login(speaker)

    html = client.get(URL).get_data(as_text=True)

    assert "Nothing to catch up on" in html
    assert "My own ended talk" not in html
