"""Building archive entries from published schedules, and keeping them in step."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text

from conference.archive.models import ArchiveEntry
from conference.archive.operations import (
    refresh_archive_entries,
    refresh_conference_archive,
)
from conference.archive.search import ArchiveQuery, search_archive
from conference.drafts.operations import publish_schedule
from conference.proposals.models import InvitationState, ProposalState
from tests.conference.archive.conftest import add_recording, make_user
from tests.factories import ProposalSpeakerFactory, ScheduledTalkFactory, ScheduleVersionFactory


def entry(db, proposal) -> ArchiveEntry | None:
    return db.session.get(ArchiveEntry, proposal.id)


def test_refresh_copies_every_field_of_a_published_talk(db, archive):
    found = entry(db, archive.last_year.talks["Tracing requests across services"])
    assert found.conference_id == archive.last_year.conference.id
    assert found.year == 2026
    assert found.title == "Tracing requests across services"
    assert found.abstract_text == "How we follow one request through forty services."
    assert found.speaker_names == "Asha Rao"
    assert found.tag_names == "Observability"
    assert found.track_name == "Platform"
    assert found.hub_name == "London"
    assert found.starts_at == datetime(2026, 3, 10, 9, tzinfo=UTC)
    assert found.has_recording is True


def test_refresh_names_online_streams_online_and_flags_talks_without_recordings(db, archive):
    found = entry(db, archive.last_year.talks["Dashboards nobody reads"])
    assert found.hub_name == "Online"
    assert found.track_name == "Data"
    assert found.has_recording is False


def test_refresh_lists_only_accepted_speakers_in_order(db, archive):
    proposal = archive.this_year.talks["Team rituals"]
    ProposalSpeakerFactory(proposal=proposal, user=make_user(display_name="Chen Li"))
    ProposalSpeakerFactory(
        proposal=proposal,
        user=make_user(display_name="Invited Only"),
        invitation_state=InvitationState.INVITED,
    )
    refresh_archive_entries([proposal.id])
    assert entry(db, proposal).speaker_names == "Ben Okafor, Chen Li"


def test_publishing_a_schedule_builds_the_archive(db, archive):
    edition = archive.this_year
    organiser = make_user()
    draft = ScheduleVersionFactory(conference=edition.conference, is_draft=True)
    kept = edition.talks["Team rituals"]
    ScheduledTalkFactory(
        version=draft,
        proposal=kept,
        room=edition.stream,
        starts_at=datetime(2027, 3, 13, 15, tzinfo=UTC),
        ends_at=datetime(2027, 3, 13, 15, 30, tzinfo=UTC),
    )
    db.session.commit()

    publish_schedule(edition.conference, organiser)
    db.session.commit()

    assert entry(db, kept).hub_name == "Online"
    assert entry(db, kept).starts_at == datetime(2027, 3, 13, 15, tzinfo=UTC)
    # The sampling talk is not in version 2: it leaves the archive.
    assert entry(db, edition.talks["Tracing at scale: sampling"]) is None
    # Last year's archive is untouched.
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ArchiveEntry)
            .where(ArchiveEntry.conference_id == archive.last_year.conference.id)
        )
        == 3
    )


def test_talks_only_in_a_draft_are_not_archived(db, archive):
    proposal = archive.this_year.add_talk("Draft-only idea", published=False)
    refresh_conference_archive(archive.this_year.conference)
    assert entry(db, proposal) is None


def test_declined_talks_leave_the_archive_on_refresh(db, archive):
    proposal = archive.this_year.talks["Team rituals"]
    proposal.state = ProposalState.DECLINED
    refresh_archive_entries([proposal.id])
    assert entry(db, proposal) is None


def test_refresh_archive_entries_picks_up_a_new_recording(db, archive):
    proposal = archive.this_year.talks["Team rituals"]
    add_recording(proposal)
    db.session.flush()
    refresh_archive_entries([proposal.id])
    assert entry(db, proposal).has_recording is True


def test_refresh_leaves_unchanged_entries_alone(db, archive):
    proposal = archive.this_year.talks["Team rituals"]
    before = entry(db, proposal).updated_at
    refresh_conference_archive(archive.this_year.conference)
    db.session.commit()
    assert entry(db, proposal).updated_at == before


def test_refresh_of_many_ids_works_in_chunks(db, archive):
    ids = [
        p.id for edition in (archive.last_year, archive.this_year) for p in edition.talks.values()
    ]
    refresh_archive_entries(ids + list(range(10_000, 11_200)))
    assert db.session.scalar(select(func.count()).select_from(ArchiveEntry)) == 5


def test_reindex_command_rebuilds_the_whole_archive(db, archive, runner):
    db.session.execute(ArchiveEntry.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["archive-reindex"])
    assert result.exit_code == 0, result.output
    assert "5 talks" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ArchiveEntry)) == 5


def test_reindex_command_makes_core_retitles_searchable_by_language(db, archive, runner):
    # Core statements bypass the flush hook: only the rebuild brings the new title in.
    db.session.execute(
        text("UPDATE proposals SET title = 'Team rituals in C#' WHERE title = 'Team rituals'")
    )
    db.session.commit()
    assert search_archive(ArchiveQuery(text="c#")).total == 0
    result = runner.invoke(args=["archive-reindex"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert [hit.entry.title for hit in search_archive(ArchiveQuery(text="c#")).hits] == [
        "Team rituals in C#"
    ]
    assert search_archive(ArchiveQuery(text="c++")).total == 0
