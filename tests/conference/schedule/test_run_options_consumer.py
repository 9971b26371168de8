"""A real ``huey_consumer`` started after a run was queued keeps the run's re-optimise choice.

The task on the queue carries only the run's id; a consumer process that knows nothing else
(started, as after a restart, once the run is already waiting) reads the choice from the row.
PostgreSQL only, like the other consumer tests: the consumer is a separate process.
"""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import select

from conference.conferences.models import Role
from conference.extensions import db
from conference.schedule.models import RunState, ScheduledTalk, SolverRun
from tests.conference.drafts.conftest import add_talk, at, make_scene
from tests.conference.faults.conftest import (  # noqa: F401 - pg_app and queue are fixtures used below
    logged_in_client,
    make_user,
    pg_app,
    queue,
)
from tests.conference.faults.test_worker_killed import (  # noqa: F401 - consumer_environment is a fixture
    consumer,
    consumer_environment,
    wait_for,
)
from tests.conference.schedule.factories import ScheduleSettingsFactory
from tests.factories import RoleFactory


@pytest.mark.usefixtures("pg_app")
def test_a_consumer_started_after_queueing_keeps_the_talk_not_in_the_draft_out(request, tmp_path):
    environment = request.getfixturevalue("consumer_environment")
    scene = make_scene(db)
    ScheduleSettingsFactory(conference_id=scene.conference.id, slot_minutes=15, time_limit_seconds=3)
    kept = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.delete(scene.talk)  # the organiser took it out of the draft
    organiser = make_user()
    RoleFactory(conference=scene.conference, user=organiser, role=Role.ORGANISER)
    db.session.commit()
    draft_id, kept_id = scene.draft.id, kept.proposal_id
    client = logged_in_client(current_app, organiser)

    response = client.post("/c/devcon/manage/schedule/runs", data={"kind": "reoptimise"})
    assert response.status_code == 302
    run_id = db.session.scalar(select(SolverRun.id))
    log_path = tmp_path / "consumer.log"

    with consumer(environment, log_path):
        run = wait_for(lambda: not (found := db.session.get(SolverRun, run_id, populate_existing=True))
                       .state.is_active and found, "the run to finish", log_path,
                       seconds=90)  # room for a consumer that compiles the annealer's kernel first

    assert run.state is RunState.SUCCEEDED, run.error
    placed = set(db.session.scalars(select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == draft_id)))
    assert placed == {kept_id}
    assert [talk["title"] for talk in run.talks_not_in_draft] == ["Zero-downtime deploys"]
    page = client.get(f"/c/devcon/manage/schedule/runs/{run_id}").get_data(as_text=True)
    assert "Talks not in the draft were kept out: “Zero-downtime deploys”." in page
