"""The archive honours speakers' recording consent, and follows it when it changes: a recording
is listed only once every speaker of the talk said yes."""

from __future__ import annotations

from conference.archive.models import ArchiveEntry
from conference.archive.operations import refresh_archive_entries
from tests.conference.archive.conftest import add_recording, make_user, profile_of
from tests.factories import ProposalSpeakerFactory, SpeakerProfileFactory

TOPIC_PAGE = "/archive/topics/observability"
URL = "https://video.example.com/talk"


def has_recording(db, proposal) -> bool:
    db.session.expire_all()
    return db.session.get(ArchiveEntry, proposal.id).has_recording


def test_a_speaker_saying_no_withholds_the_recording_from_the_archive_at_once(db, client, archive):
    tracing = archive.last_year.talks["Tracing requests across services"]
    assert URL in client.get(TOPIC_PAGE).get_data(as_text=True)

    profile_of(archive.last_year.conference, archive.asha).recording_consent = False
    db.session.commit()

    assert has_recording(db, tracing) is False
    html = client.get(TOPIC_PAGE).get_data(as_text=True)
    assert URL not in html and "Watch the recording" not in html
    assert "Tracing requests across services" in html  # the talk stays, only its recording goes
    # Agreeing again brings it back.
    profile_of(archive.last_year.conference, archive.asha).recording_consent = True
    db.session.commit()
    assert has_recording(db, tracing) is True
    assert URL in client.get(TOPIC_PAGE).get_data(as_text=True)


def test_a_speaker_who_has_not_answered_withholds_the_recording_until_they_say_yes(
    db, client, archive
):
    tracing = archive.last_year.talks["Tracing requests across services"]
    profile = profile_of(archive.last_year.conference, archive.asha)

    profile.recording_consent = None
    db.session.commit()
    assert has_recording(db, tracing) is False
    assert URL not in client.get(TOPIC_PAGE).get_data(as_text=True)

    # The yes reaches the archive in the same transaction as the answer, and leaves with it.
    profile = profile_of(archive.last_year.conference, archive.asha)
    profile.recording_consent = True
    db.session.flush()
    assert db.session.get(ArchiveEntry, tracing.id).has_recording is True
    db.session.rollback()
    assert has_recording(db, tracing) is False

    profile = profile_of(archive.last_year.conference, archive.asha)
    profile.recording_consent = True
    db.session.commit()
    assert has_recording(db, tracing) is True
    assert URL in client.get(TOPIC_PAGE).get_data(as_text=True)


def test_a_speaker_without_a_profile_withholds_the_recording(db, client, archive):
    tracing = archive.last_year.talks["Tracing requests across services"]

    db.session.delete(profile_of(archive.last_year.conference, archive.asha))
    db.session.commit()
    assert has_recording(db, tracing) is False
    assert URL not in client.get(TOPIC_PAGE).get_data(as_text=True)

    # A new profile saying yes brings it back at once.
    SpeakerProfileFactory(
        conference=archive.last_year.conference, user=archive.asha, recording_consent=True
    )
    db.session.commit()
    assert has_recording(db, tracing) is True


def test_consent_is_per_conference(db, archive):
    sampling = archive.this_year.talks["Tracing at scale: sampling"]
    add_recording(sampling, url="https://video.example.com/sampling")
    db.session.flush()
    refresh_archive_entries([sampling.id])
    # Asha refuses for last year's summit only: this year's recording stays.
    profile_of(archive.last_year.conference, archive.asha).recording_consent = False
    db.session.commit()
    assert has_recording(db, sampling) is True
    tracing = archive.last_year.talks["Tracing requests across services"]
    assert has_recording(db, tracing) is False


def test_every_speaker_of_a_talk_must_say_yes(db, archive):
    edition = archive.last_year
    cleo = make_user(display_name="Cleo Park")
    shared = edition.add_talk("Shared on-call", speakers=[archive.asha])
    ProposalSpeakerFactory(proposal=shared, user=cleo)
    own = edition.add_talk("Our first incident review", speakers=[cleo], recording_consent=None)
    add_recording(shared, url="https://video.example.com/shared")
    add_recording(own, url="https://video.example.com/own")
    db.session.flush()
    refresh_archive_entries([shared.id, own.id])
    db.session.commit()
    # Asha said yes, Cleo has not answered: neither talk is listed as recorded.
    assert (has_recording(db, shared), has_recording(db, own)) == (False, False)

    profile_of(edition.conference, cleo).recording_consent = True
    db.session.commit()

    assert (has_recording(db, shared), has_recording(db, own)) == (True, True)
