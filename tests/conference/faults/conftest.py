"""Fixtures for fault tests: an app on PostgreSQL only, clients in threads, SQL gates and counters.

The concurrency tests need a server that lets two transactions really overlap, so they use
``pg_app`` (PostgreSQL, never SQLite) rather than the parametrised ``app`` fixture.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from huey.storage import SqliteStorage
from sqlalchemy import event

from conference.extensions import db
from conference.tasks import huey
from tests.conference.organisers.conftest import FAST_PASSWORD_HASH
from tests.conftest import make_test_app
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.statements import recorded_statements

THREAD_TIMEOUT = 30


def empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@contextmanager
def app_on(database_url: str, **overrides) -> Iterator[Flask]:
    """An app on ``database_url`` inside its app context; every table is emptied afterwards."""
    app = make_test_app(database_url, RATELIMIT_ENABLED=False, **overrides)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            empty_all_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def pg_app(postgres_database_url) -> Iterator[Flask]:
    with app_on(postgres_database_url) as app:
        yield app


def make_user(**fields):
    """A user who can log in with the default test password, quickly."""
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


def logged_in_client(app: Flask, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


LOCK_VERSION = re.compile(
    r'name="lock_version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="lock_version"'
)


def lock_version_in(page: str) -> str:
    """The hidden lock_version a form page carries (what a browser would post back)."""
    found = LOCK_VERSION.search(page)
    assert found, "the page has no lock_version field"
    return found.group(1) or found.group(2)


def run_in_threads(*calls: Callable[[], object]) -> list:
    """Run each call in its own thread, all at once; returns their results in order, or raises."""
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def runner(index: int, call: Callable[[], object]) -> None:
        try:
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(error)

    threads = [
        threading.Thread(target=runner, args=(index, call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request thread hung"
    if errors:
        raise errors[0]
    return results


@contextmanager
def gate_before(engine, statement_start: str, parties: int, containing: str = ""):
    """Hold ``parties`` threads just before each runs SQL starting with ``statement_start``.

    Both requests have then passed every check in Python and are about to write, which is
    the window a lost update needs; the database must sort them out. Each thread waits once.
    """
    barrier = threading.Barrier(parties)
    waited: set[int] = set()
    prefix = statement_start.upper()

    def hold(conn, cursor, statement, parameters, context, executemany):
        me = threading.get_ident()
        text = statement.lstrip().upper()
        if me not in waited and text.startswith(prefix) and containing.upper() in text:
            waited.add(me)
            barrier.wait(timeout=THREAD_TIMEOUT)

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield barrier
    finally:
        event.remove(engine, "before_cursor_execute", hold)


def count_queries(engine):
    """Collect the SQL statements ``engine`` runs meanwhile (savepoints excluded)."""
    return recorded_statements(engine)


@pytest.fixture
def queue(tmp_path, monkeypatch):
    """The app's huey with a real SQLite queue in ``tmp_path`` (as a consumer would read it)."""
    monkeypatch.setattr(
        huey, "storage", SqliteStorage(name=huey.name, filename=str(tmp_path / "huey.db"))
    )
    return huey
