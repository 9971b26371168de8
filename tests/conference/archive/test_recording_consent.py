"""The archive honours speakers' recording consent, and follows it when it changes."""

from __future__ import annotations

from conference.archive.models import ArchiveEntry
from conference.archive.operations import refresh_archive_entries
from conference.proposals.models import SpeakerProfile
from tests.conference.archive.conftest import add_recording
from tests.factories import SpeakerProfileFactory


def test_a_speaker_saying_no_withholds_the_recording_from_the_archive_at_once(db, client, archive):
    tracing = archive.last_year.talks["Tracing requests across services"]
    url = "https://video.example.com/talk"
    assert url in client.get("/archive/topics/observability").get_data(as_text=True)
    # Saying no in a new profile: the entry is no longer recorded, in the same transaction.
    SpeakerProfileFactory(conference=archive.last_year.conference, user=archive.asha, recording_consent=False)
    db.session.commit()
    assert db.session.get(ArchiveEntry, tracing.id).has_recording is False
    html = client.get("/archive/topics/observability").get_data(as_text=True)
    assert url not in html and "Watch the recording" not in html
    assert "Tracing requests across services" in html  # the talk stays, only its recording goes
    # Agreeing again brings it back.
    profile = db.session.query(SpeakerProfile).filter_by(user_id=archive.asha.id).one()
    profile.recording_consent = True
    db.session.commit()
    assert db.session.get(ArchiveEntry, tracing.id).has_recording is True
    assert url in client.get("/archive/topics/observability").get_data(as_text=True)


def test_consent_is_per_conference(db, archive):
    sampling = archive.this_year.talks["Tracing at scale: sampling"]
    add_recording(sampling, url="https://video.example.com/sampling")
    db.session.flush()
    refresh_archive_entries([sampling.id])
    # Asha refuses for last year's summit only: this year's recording stays.
    SpeakerProfileFactory(conference=archive.last_year.conference, user=archive.asha, recording_consent=False)
    db.session.commit()
    assert db.session.get(ArchiveEntry, sampling.id).has_recording is True
    tracing = archive.last_year.talks["Tracing requests across services"]
    assert db.session.get(ArchiveEntry, tracing.id).has_recording is False
