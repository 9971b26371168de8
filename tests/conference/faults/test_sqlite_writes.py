"""SQLite, the default database, under concurrent writes: requests wait their turn, none fails.

Several attendees star talks at the same moment through the app, on a file database, each
request in its own thread and connection as under a threaded server.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from conference.extensions import db
from conference.interest.models import InterestMark
from conference.proposals.models import ProposalState
from tests.conference.faults.conftest import app_on, logged_in_client, make_user, run_in_threads
from tests.factories import (
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
)

ATTENDEES = 16
TALKS = 10
LONG_WRITE_SECONDS = 7


@pytest.fixture
def sqlite_app(tmp_path):
    with app_on(f"sqlite:///{tmp_path / 'busy.db'}") as app:
        yield app


def test_attendees_starring_talks_at_once_on_sqlite_all_succeed(sqlite_app):
    conference = ConferenceFactory(slug="devcon")
    room = RoomFactory(conference=conference, name="Main Hall")
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    starts = datetime(2027, 3, 24, 9, tzinfo=UTC)
    talk_ids = []
    for number in range(TALKS):
        proposal = ProposalFactory(conference=conference, state=ProposalState.CONFIRMED)
        ProposalSpeakerFactory(proposal=proposal, user=make_user())
        ScheduledTalkFactory(
            version=version,
            proposal=proposal,
            room=room,
            starts_at=starts + timedelta(hours=number),
            ends_at=starts + timedelta(hours=number, minutes=30),
        )
        talk_ids.append(proposal.id)
    attendees = [make_user() for _ in range(ATTENDEES)]
    db.session.commit()
    clients = [logged_in_client(sqlite_app, attendee) for attendee in attendees]
    start_together = threading.Barrier(ATTENDEES)

    def star_everything(client):
        def run():
            start_together.wait(timeout=30)
            statuses = []
            for talk_id in talk_ids:
                statuses.append(client.post(f"/c/devcon/agenda/talks/{talk_id}/star").status_code)
            statuses.append(client.post(f"/c/devcon/agenda/talks/{talk_ids[0]}/unstar").status_code)
            return statuses

        return run

    results = run_in_threads(*(star_everything(client) for client in clients))
    assert results == [[302] * (TALKS + 1)] * ATTENDEES
    db.session.expire_all()
    assert db.session.scalar(select(func.count(InterestMark.id))) == ATTENDEES * (TALKS - 1)


def test_stars_wait_for_a_long_write_on_sqlite_instead_of_failing(sqlite_app, tmp_path):
    conference = ConferenceFactory(slug="devcon")
    room = RoomFactory(conference=conference, name="Main Hall")
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    proposal = ProposalFactory(conference=conference, state=ProposalState.CONFIRMED)
    ProposalSpeakerFactory(proposal=proposal, user=make_user())
    starts = datetime(2027, 3, 24, 9, tzinfo=UTC)
    ScheduledTalkFactory(
        version=version,
        proposal=proposal,
        room=room,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
    )
    attendees = [make_user() for _ in range(3)]
    db.session.commit()
    clients = [logged_in_client(sqlite_app, attendee) for attendee in attendees]
    talk_id = proposal.id
    # Another process holds the write lock longer than SQLite's default 5-second wait, as a
    # large publish or a solver saving a 1000-talk draft can.
    holder = sqlite3.connect(
        tmp_path / "busy.db", timeout=1, isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(LONG_WRITE_SECONDS, holder.commit)
    release.start()
    try:
        public_page = clients[0].get(f"/c/devcon/agenda/talks/{talk_id}")
        assert public_page.status_code == 200  # readers are not held up by the writer
        statuses = run_in_threads(
            *(
                (
                    lambda client=client: (
                        client.post(f"/c/devcon/agenda/talks/{talk_id}/star").status_code
                    )
                )
                for client in clients
            )
        )
    finally:
        release.join()
        holder.close()
    assert statuses == [302] * len(clients)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(InterestMark.id))) == len(clients)
