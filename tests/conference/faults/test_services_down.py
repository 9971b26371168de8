"""The queue server or the SMTP server is down: the organiser is told, nothing is half-written or lost."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
from huey.storage import RedisStorage
from sqlalchemy import event, func, select, update

from conference.conferences.models import Role
from conference.core.types import utcnow
from conference.mail.models import OutboxMessage, OutboxState
from conference.schedule.jobs import QUEUE_UNAVAILABLE_MESSAGE
from conference.schedule.models import RunState, SolverRun
from conference.tasks import huey, make_huey, send_outbox_now
from tests.conference.drafts.conftest import make_scene
from tests.conference.faults.conftest import make_user
from tests.conference.mail.conftest import SmtpServer, free_port
from tests.conference.schedule.factories import small_conference
from tests.factories import RoleFactory

RUNS = "/c/devcon/manage/schedule/runs"
BUILD = "/c/devcon/manage/schedule/"


def _redis_storage(url: str) -> RedisStorage:
    return RedisStorage(name=f"faults-{uuid.uuid4().hex[:8]}", url=url)


@pytest.fixture
def organiser_of_small_conference(db, login):
    setup = small_conference(slug="devcon")
    db.session.commit()
    login(setup.organiser)
    return setup


def _runs(db) -> list[SolverRun]:
    db.session.expire_all()
    return db.session.scalars(select(SolverRun)).all()


def test_build_with_redis_down_tells_the_organiser_and_writes_no_run(
    client, db, organiser_of_small_conference, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    monkeypatch.setattr(huey, "storage", make_huey().storage)
    response = client.post(RUNS, data={"kind": "build"}, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == BUILD
    assert QUEUE_UNAVAILABLE_MESSAGE in response.get_data(as_text=True)
    assert _runs(db) == []
    # Redis is back: the same button queues the run and its task.
    storage = _redis_storage("redis://127.0.0.1:6379/0")
    monkeypatch.setattr(huey, "storage", storage)
    try:
        response = client.post(RUNS, data={"kind": "build"})
        assert response.status_code == 302
        [run] = _runs(db)
        assert run.state is RunState.QUEUED and storage.queue_size() == 1
    finally:
        storage.flush_all()


def test_reoptimise_with_redis_down_is_refused_with_the_same_message(
    client, db, login, monkeypatch
):
    scene = make_scene(db)
    organiser = make_user()
    RoleFactory(conference=scene.conference, user=organiser, role=Role.ORGANISER)
    db.session.commit()
    login(organiser)
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(huey, "storage", make_huey().storage)
    response = client.post("/c/devcon/manage/schedule/draft/reoptimise", follow_redirects=True)
    assert response.status_code == 200
    assert QUEUE_UNAVAILABLE_MESSAGE in response.get_data(as_text=True)
    assert _runs(db) == []


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of our own on a free port, which a test may kill."""
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    try:
        yield process, f"redis://127.0.0.1:{port}/0"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_redis_dying_between_the_check_and_the_enqueue_fails_the_run_instead_of_blocking(
    client, db, organiser_of_small_conference, monkeypatch, own_redis
):
    process, url = own_redis
    monkeypatch.setattr(huey, "storage", _redis_storage(url))

    def kill_redis_while_the_run_is_written(
        conn, cursor, statement, parameters, context, executemany
    ):
        if (
            statement.lstrip().upper().startswith("INSERT INTO SOLVER_RUNS")
            and process.poll() is None
        ):
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)

    event.listen(db.engine, "before_cursor_execute", kill_redis_while_the_run_is_written)
    try:
        response = client.post(RUNS, data={"kind": "build"}, follow_redirects=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", kill_redis_while_the_run_is_written)
    assert response.status_code == 200
    [run] = _runs(db)
    assert run.state is RunState.FAILED and run.error == QUEUE_UNAVAILABLE_MESSAGE
    assert QUEUE_UNAVAILABLE_MESSAGE in response.get_data(as_text=True)
    # Nothing is left "queued" for ever: once the queue is back, a new run can start.
    storage = _redis_storage("redis://127.0.0.1:6379/0")
    monkeypatch.setattr(huey, "storage", storage)
    try:
        assert client.post(RUNS, data={"kind": "build"}).status_code == 302
        assert [r.state for r in _runs(db)].count(RunState.QUEUED) == 1
    finally:
        storage.flush_all()


def test_smtp_down_keeps_speaker_emails_in_the_outbox_and_sends_them_once_it_is_back(
    app, client, db, login
):
    port = free_port()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME=None,
        MAIL_TIMEOUT=5,
        MAIL_DEFAULT_SENDER="conference@example.com",
    )
    scene = make_scene(db)
    organiser = make_user()
    RoleFactory(conference=scene.conference, user=organiser, role=Role.ORGANISER)
    db.session.commit()
    login(organiser)
    assert client.post("/c/devcon/manage/schedule/publish", data={"note": ""}).status_code == 302
    # The consumer's task runs while nothing listens on the SMTP port.
    assert send_outbox_now.call_local() == {"sent": 0, "retry": 1, "failed": 0, "interrupted": 0}
    db.session.expire_all()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.state is OutboxState.PENDING and message.attempts == 1
    assert "Connection refused" in message.last_error or "111" in message.last_error
    page = client.get("/c/devcon/manage/outbox").get_data(as_text=True)
    assert message.last_error in page.replace("&#39;", "'")
    assert 'data-state="pending"' in page and "next try" in page
    server = SmtpServer(port)
    server.start()
    try:
        # The back-off has passed.
        db.session.execute(
            update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert send_outbox_now.call_local()["sent"] == 1
        assert send_outbox_now.call_local()["sent"] == 0
    finally:
        server.stop()
    assert [received.envelope_to for received in server.received] == [[scene.speaker.email]]
    page = client.get("/c/devcon/manage/outbox").get_data(as_text=True)
    assert 'data-state="sent"' in page and 'data-state="pending"' not in page
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
