"""Organisers pressing the same button at the same moment: one publish, one solver run.

Threads post through the real routes against PostgreSQL; a gate holds every request just before
the statement that decides (the draft's row lock, the run's INSERT), so they truly overlap.
"""

from __future__ import annotations

from sqlalchemy import func, select

from conference.conferences.models import Role
from conference.extensions import db
from conference.mail.models import OutboxMessage
from conference.schedule.models import RunState, ScheduledTalk, ScheduleVersion, SolverRun
from tests.conference.drafts.conftest import make_scene
from tests.conference.faults.conftest import (
    gate_before,
    logged_in_client,
    make_user,
    run_in_threads,
)
from tests.conference.schedule.factories import small_conference
from tests.factories import RoleFactory

ORGANISERS = 3


def _organiser_clients(app, conference, count=ORGANISERS):
    users = [make_user() for _ in range(count)]
    for user in users:
        RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    return [logged_in_client(app, user) for user in users]


def test_simultaneous_publishes_make_exactly_one_new_version(pg_app):
    scene = make_scene(db)
    clients = _organiser_clients(pg_app, scene.conference)
    url = "/c/devcon/manage/schedule/publish"

    def publish(client, note):
        return lambda: client.post(url, data={"note": note}).status_code

    with gate_before(db.engine, "SELECT", ORGANISERS, containing="FOR UPDATE"):
        statuses = run_in_threads(
            *(publish(client, f"By organiser {n}") for n, client in enumerate(clients))
        )
    assert statuses == [302] * ORGANISERS
    db.session.expire_all()
    published = db.session.scalars(
        select(ScheduleVersion).where(
            ScheduleVersion.conference_id == scene.conference.id,
            ScheduleVersion.is_draft.is_(False),
        )
    ).all()
    assert [version.number for version in published] == [1]
    rows = db.session.scalars(
        select(ScheduledTalk).where(ScheduledTalk.version_id == published[0].id)
    ).all()
    assert [row.proposal_id for row in rows] == [scene.talk.proposal_id]
    # The speaker is told once, not once per click.
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_simultaneous_build_presses_queue_one_run_and_send_the_others_to_it(pg_app, queue):
    setup = small_conference(slug="devcon")
    clients = _organiser_clients(pg_app, setup.conference)
    url = "/c/devcon/manage/schedule/runs"

    def press(client):
        def post():
            response = client.post(url, data={"kind": "build"})
            return response.status_code, response.headers.get("Location", "")

        return post

    with gate_before(db.engine, "INSERT INTO solver_runs", ORGANISERS):
        results = run_in_threads(*(press(client) for client in clients))
    db.session.expire_all()
    [run] = db.session.scalars(select(SolverRun)).all()
    assert run.state is RunState.QUEUED
    # Everyone lands on the one run's page; the refused presses are told a run is in progress.
    assert results == [(302, f"/c/devcon/manage/schedule/runs/{run.id}")] * ORGANISERS
    messages = [
        client.get(f"/c/devcon/manage/schedule/runs/{run.id}").get_data(as_text=True)
        for client in clients
    ]
    assert sum("A solver run is already in progress" in page for page in messages) == ORGANISERS - 1
    assert queue.pending_count() == 1
    assert db.session.scalar(select(func.count(ScheduleVersion.id))) == 0
