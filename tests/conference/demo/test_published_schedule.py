"""`flask demo` builds, publishes and revises a complete hybrid schedule.

The demo is seeded once per database (a module-scoped app on its own SQLite file, and once
on the shared PostgreSQL test database), because the solver run takes a few seconds.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

import scheduler
from conference.accounts.models import User
from conference.conferences.models import Conference
from conference.drafts.changelog import diff_versions
from conference.drafts.checks import draft_warnings
from conference.drafts.operations import version_rows
from conference.extensions import db as _db
from conference.interest.models import InterestMark
from conference.mail.models import OutboxMessage
from conference.proposals.models import Proposal, ProposalState
from conference.schedule import mapping
from conference.schedule.models import ScheduledTalk, ScheduleVersion, SolverRun
from tests.conference.demo.conftest import demo_app, module_database_url

SCHEDULED_STATES = (ProposalState.ACCEPTED, ProposalState.CONFIRMED)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    with demo_app(module_database_url(request, tmp_path_factory)) as app:
        print(f"\nflask demo took {app.demo_seconds:.2f} s on {request.param}")
        yield app


def versions() -> tuple[ScheduleVersion, ScheduleVersion, ScheduleVersion]:
    rows = list(_db.session.scalars(
        select(ScheduleVersion)
        .where(ScheduleVersion.conference_id == conference().id)
        .order_by(ScheduleVersion.is_draft, ScheduleVersion.number)
    ))
    published = [v for v in rows if not v.is_draft]
    drafts = [v for v in rows if v.is_draft]
    assert [v.number for v in published] == [1, 2]
    assert len(drafts) == 1
    return published[0], published[1], drafts[0]


def conference() -> Conference:
    return _db.session.scalar(select(Conference).where(Conference.slug == "summit-2027"))


def moved_proposal_ids() -> set[int]:
    first, second, _draft = versions()
    return {move.new.proposal_id for move in diff_versions(version_rows(first), version_rows(second)).moved}


def test_demo_publishes_two_versions_and_keeps_one_draft(demo):
    first, second, draft = versions()

    organiser = _db.session.scalar(select(User).where(User.email == "organiser@acme.example"))
    assert first.published_by_id == second.published_by_id == organiser.id
    assert first.published_at <= second.published_at
    assert _db.session.scalar(select(func.count()).select_from(SolverRun)) == 1
    draft_places = {(t.proposal_id, t.room_id, t.starts_at) for t in version_rows(draft)}
    assert draft_places == {(t.proposal_id, t.room_id, t.starts_at) for t in version_rows(second)}


def test_demo_schedules_every_accepted_and_confirmed_talk_in_version_2(demo):
    _first, second, _draft = versions()
    wanted = set(_db.session.scalars(select(Proposal.id).where(
        Proposal.conference_id == conference().id, Proposal.state.in_(SCHEDULED_STATES)
    )))

    scheduled = [t.proposal_id for t in version_rows(second)]
    assert len(wanted) >= 20
    assert sorted(scheduled) == sorted(wanted)


def test_demo_changelog_between_versions_moves_exactly_three_talks(demo):
    first, second, _draft = versions()

    changes = diff_versions(version_rows(first), version_rows(second))

    assert len(changes.moved) == 3
    assert not changes.added and not changes.cancelled


def test_demo_published_schedule_breaks_no_hard_rule(demo):
    summit = conference()
    _first, second, draft = versions()

    mapped = mapping.build_problem(summit)
    report = scheduler.check(mapped.problem, mapping.draft_to_solution(mapped, second))
    assert report.ok, [v.message for v in report.hard_violations]
    assert not draft_warnings(summit, draft).hard_violations


def test_demo_agenda_page_shows_the_talks(demo):
    _first, second, _draft = versions()
    title = version_rows(second)[0].proposal.title

    response = demo.test_client().get("/c/summit-2027/agenda/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Online Stream 1" in page or "Thames" in page or "Hudson" in page or "Cubbon" in page
    assert title.replace("&", "&amp;").replace("'", "&#39;") in page or title in page


def test_demo_conference_feed_gives_moved_talks_sequence_1_and_others_0(demo):
    moved = moved_proposal_ids()

    response = demo.test_client().get("/c/summit-2027/calendar.ics")

    assert response.status_code == 200
    body = response.get_data(as_text=True).replace("\r\n ", "").replace("\r\n", "\n")
    sequences = {}
    for event in body.split("BEGIN:VEVENT")[1:]:
        uid = re.search(r"^UID:talk-(\d+)@", event, re.M)
        sequence = re.search(r"^SEQUENCE:(\d+)", event, re.M)
        sequences[int(uid.group(1))] = int(sequence.group(1)) if sequence else 0
    assert "SEQUENCE:1" in body
    assert {pid for pid, value in sequences.items() if value == 1} == moved
    assert {value for pid, value in sequences.items() if pid not in moved} == {0}


def test_demo_queues_schedule_emails_for_speakers(demo):
    subjects = list(_db.session.scalars(select(OutboxMessage.subject)))

    assert len(subjects) >= 30


def test_demo_command_runs_in_well_under_a_minute_with_its_audience(demo):
    assert demo.demo_seconds < 60
    assert _db.session.scalar(select(func.count()).select_from(InterestMark)) > 1000


def schedule_snapshot() -> list[tuple]:
    """Every published and draft placement by natural keys (titles, rooms, times)."""
    rows = _db.session.execute(
        select(ScheduleVersion.number, ScheduleVersion.is_draft, Proposal.title, ScheduledTalk.starts_at,
               ScheduledTalk.ends_at, ScheduledTalk.room_id)
        .join(ScheduledTalk, ScheduledTalk.version_id == ScheduleVersion.id)
        .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
    )
    from conference.conferences.models import Room

    names = dict(_db.session.execute(select(Room.id, Room.name)).all())
    return sorted((n or 0, d, title, s, e, names[room]) for n, d, title, s, e, room in rows)


def test_demo_schedule_is_the_same_every_time(demo, tmp_path):
    # Built again on a fresh SQLite file: the same on either database, every time.
    expected = schedule_snapshot()
    with demo_app(f"sqlite:///{tmp_path / 'again.db'}"):
        again = schedule_snapshot()

    assert again == expected


def test_demo_co_speakers_of_scheduled_talks_share_a_window_long_enough(demo):
    from conference.demo.seed import longest_common_window
    from conference.proposals.models import AvailabilityWindow

    windows = {}
    for window in _db.session.scalars(select(AvailabilityWindow)):
        windows.setdefault(window.user_id, []).append((window.starts_at, window.ends_at))
    co_spoken = [
        proposal for proposal in _db.session.scalars(select(Proposal).where(
            Proposal.conference_id == conference().id, Proposal.state.in_(SCHEDULED_STATES)
        ))
        if len(proposal.accepted_speakers) > 1
    ]

    assert co_spoken
    for proposal in co_spoken:
        first, second = (windows[speaker.user_id] for speaker in proposal.accepted_speakers)
        length = timedelta(minutes=proposal.session_format.duration_minutes)
        assert longest_common_window(first, second) >= length, proposal.title


def test_the_schedules_log_entries_follow_the_story_not_the_day_the_demo_was_seeded(demo):
    """Publishing and the draft's moves run for real while seeding; their entries are dated in
    the story: after the last speaker confirmed, in order, before the summit starts."""
    from conference.activity.models import ActivityAction, ActivityEntry
    from conference.core.timezones import local_to_utc
    from conference.demo import data, past_data

    summit = conference()
    log = list(_db.session.scalars(
        select(ActivityEntry).where(ActivityEntry.conference_id == summit.id).order_by(ActivityEntry.created_at)
    ))
    schedule_part = [entry for entry in log if entry.action in (
        ActivityAction.SOLVER_RUN_STARTED, ActivityAction.DRAFT_SCHEDULE_BUILT,
        ActivityAction.SCHEDULE_PUBLISHED, ActivityAction.DRAFT_TALK_MOVED)]
    assert [(entry.action, entry.details.get("number")) for entry in schedule_part] == [
        (ActivityAction.SOLVER_RUN_STARTED, None), (ActivityAction.DRAFT_SCHEDULE_BUILT, None),
        (ActivityAction.SCHEDULE_PUBLISHED, 1), *[(ActivityAction.DRAFT_TALK_MOVED, None)] * 3,
        (ActivityAction.SCHEDULE_PUBLISHED, 2),
    ]
    last_confirmed = max(entry.created_at for entry in log if entry.action is ActivityAction.TALK_CONFIRMED)
    starts = local_to_utc(data.CONFERENCE_STARTS_ON, time(0, 0), summit.time_zone)
    assert all(last_confirmed < entry.created_at < starts for entry in schedule_part)
    # The organiser made the moves (at their speakers' request), not "the system".
    organiser = _db.session.scalar(select(User).where(User.email == "organiser@acme.example"))
    moves = [entry for entry in schedule_part if entry.action is ActivityAction.DRAFT_TALK_MOVED]
    assert {entry.actor_id for entry in moves} == {organiser.id}
    assert {entry.proposal_id for entry in moves} == moved_proposal_ids()
    # Last year's summit: its one publication on the day its version says.
    past = _db.session.scalar(select(Conference).where(Conference.slug == past_data.CONFERENCE_SLUG))
    [published] = _db.session.scalars(select(ActivityEntry).where(ActivityEntry.conference_id == past.id))
    assert published.created_at == past_data.PUBLISHED_AT
