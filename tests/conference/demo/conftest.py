from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from conference.extensions import db as _db
from tests.conftest import _empty_all_tables, make_test_app


@pytest.fixture
def without_schedule(monkeypatch):
    """`flask demo` without its solver run, publishing and past edition, for tests about seeding only."""
    from conference.demo import past, schedule

    monkeypatch.setattr(schedule, "schedule_seeded_demo", lambda: None)
    monkeypatch.setattr(past, "seed_past_demo", lambda: None)


def module_database_url(request, tmp_path_factory) -> str:
    """A fresh SQLite file, or the shared PostgreSQL test database, for one test module."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_database_url")
    return f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"


@contextmanager
def demo_app(database_url: str, *, with_schedule: bool = True, with_past: bool = True):
    """An app (its context pushed) after one ``flask demo``; ``app.demo_seconds`` is how long it took.

    ``with_schedule=False`` skips the solver run and publishing of 2027, ``with_past=False``
    the past edition (2026). Read-only tests share it; the PostgreSQL database is emptied again
    afterwards.
    """
    from conference.demo import past, schedule

    app = make_test_app(database_url)
    with app.app_context():
        originals = (schedule.schedule_seeded_demo, past.seed_past_demo)
        if not with_schedule:
            schedule.schedule_seeded_demo = lambda: None
        if not with_past:
            past.seed_past_demo = lambda: None
        try:
            started = time.perf_counter()
            result = app.test_cli_runner().invoke(args=["demo"])
            app.demo_seconds = time.perf_counter() - started
        finally:
            schedule.schedule_seeded_demo, past.seed_past_demo = originals
        assert result.exit_code == 0, result.output
        _db.session.remove()
        try:
            yield app
        finally:
            _db.session.remove()
            if database_url.startswith("postgresql"):
                _empty_all_tables()  # shared with the other tests
            _db.engine.dispose()
