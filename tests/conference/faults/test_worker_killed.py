"""The queue consumer is killed with SIGKILL in the middle of a solve.

A real ``huey_consumer`` process (SQLite queue in ``tmp_path``, the app's data on PostgreSQL)
takes a run with a 30-second limit on a problem it cannot prove optimal quickly. Once the run is
running and has written progress, the consumer gets SIGKILL: no handler, no cleanup. A new
consumer, on starting, finds the run whose process is gone and marks it abandoned; the draft and
the published schedule are as they were, and a new run succeeds.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, update

from conference.extensions import db
from conference.interest.models import InterestMark
from conference.schedule.jobs import ABANDONED_MESSAGE
from conference.schedule.models import (
    RunState,
    ScheduledTalk,
    ScheduleSettings,
    ScheduleVersion,
    SolverRun,
)
from tests.conference.faults.conftest import logged_in_client, make_user
from tests.conference.schedule.factories import small_conference
from tests.factories import ScheduledTalkFactory, ScheduleVersionFactory

REPOSITORY = Path(__file__).resolve().parents[3]
TALKS = 30
ATTENDEES = 80
WAIT_SECONDS = 40


@pytest.fixture
def consumer_environment(pg_app, queue, tmp_path) -> dict[str, str]:
    """What a consumer process needs to share the test's queue file and database."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        INSTANCE_PATH=str(tmp_path),
        DATABASE_URL=pg_app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="consumer-test-secret",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT="9",
    )
    return env


@contextmanager
def consumer(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """A ``huey_consumer`` process; stopped politely at the end unless a test killed it."""
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("huey_consumer")),
                "conference.tasks.huey",
                "-w",
                "1",
                "-d",
                "0.1",
                "-m",
                "0.5",
                "-n",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPOSITORY,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_for(
    condition: Callable[[], object], what: str, log_path: Path, seconds: float = WAIT_SECONDS
):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        db.session.rollback()
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; consumer log:\n{log_path.read_text()}")


def _rows(version_id: int) -> list[tuple]:
    db.session.expire_all()
    return sorted(
        (row.proposal_id, row.room_id, row.starts_at, row.ends_at)
        for row in db.session.scalars(
            select(ScheduledTalk).where(ScheduledTalk.version_id == version_id)
        )
    )


def _run(run_id: int) -> SolverRun:
    return db.session.get(SolverRun, run_id, populate_existing=True)


def test_consumer_killed_mid_solve_leaves_schedules_untouched_and_a_retry_succeeds(
    pg_app, consumer_environment, tmp_path
):
    setup = small_conference(talk_count=TALKS, slug="devcon")
    # Many attendees wanting overlapping sets of talks: CP-SAT finds schedules at once but
    # cannot prove one optimal within the limit, so the run is still solving when it dies.
    chooser = random.Random(1)
    for _ in range(ATTENDEES):
        attendee = make_user()
        db.session.flush()
        db.session.add_all(
            InterestMark(user_id=attendee.id, proposal_id=talk.id)
            for talk in chooser.sample(setup.talks, 6)
        )
    db.session.execute(update(ScheduleSettings).values(time_limit_seconds=30))
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    published = ScheduleVersionFactory(conference=setup.conference, is_draft=False, number=1)
    for version in (draft, published):
        ScheduledTalkFactory(
            version=version,
            proposal=setup.talks[0],
            room=setup.rooms[0],
            block=setup.blocks[0],
            starts_at=setup.blocks[0].starts_at,
            ends_at=setup.blocks[0].starts_at.replace(minute=30),
        )
    db.session.commit()
    draft_id, published_id = draft.id, published.id
    draft_before, published_before = _rows(draft_id), _rows(published_id)
    organiser = logged_in_client(pg_app, setup.organiser)
    log_path = tmp_path / "consumer.log"

    response = organiser.post("/c/devcon/manage/schedule/runs", data={"kind": "build"})
    assert response.status_code == 302
    run_id = db.session.scalar(select(SolverRun.id))

    with consumer(consumer_environment, log_path) as first:
        # Solving, and the watcher has written progress at least once since the run started.
        wait_for(
            lambda: (
                (run := _run(run_id)).state is RunState.RUNNING and run.best_objective is not None
            ),
            "the run to be solving",
            log_path,
        )
        assert _run(run_id).worker.endswith(f":{first.pid}")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    killed = _run(run_id)
    assert killed.state is RunState.RUNNING  # nobody was left to say otherwise
    assert _rows(draft_id) == draft_before and _rows(published_id) == published_before

    with consumer(consumer_environment, log_path):
        abandoned = wait_for(
            lambda: (run := _run(run_id)).state is RunState.ABANDONED and run,
            "the new consumer to mark the run abandoned",
            log_path,
        )
        assert abandoned.error == ABANDONED_MESSAGE
        page = organiser.get(f"/c/devcon/manage/schedule/runs/{run_id}").get_data(as_text=True)
        assert ABANDONED_MESSAGE in page
        assert _rows(draft_id) == draft_before and _rows(published_id) == published_before

        # Try again, with a short limit: the new run fills the same draft.
        db.session.execute(update(ScheduleSettings).values(time_limit_seconds=3))
        db.session.commit()
        response = organiser.post("/c/devcon/manage/schedule/runs", data={"kind": "build"})
        assert response.status_code == 302
        retry_id = db.session.scalar(select(SolverRun.id).where(SolverRun.id != run_id))
        finished = wait_for(
            lambda: not (run := _run(retry_id)).state.is_active and run,
            "the retry to finish",
            log_path,
        )
        assert finished.state is RunState.SUCCEEDED, finished.error

    drafts = db.session.scalars(
        select(ScheduleVersion).where(ScheduleVersion.is_draft.is_(True))
    ).all()
    assert [version.id for version in drafts] == [draft_id]
    assert drafts[0].solver_run_id == retry_id
    assert len(_rows(draft_id)) == TALKS - len(finished.result["unscheduled"])
    assert _rows(published_id) == published_before
