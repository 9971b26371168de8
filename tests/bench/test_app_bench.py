"""Smoke tests of the app benchmarks: the data builder, one in-process measurement, the load generator.

Timings are printed by the scripts, never asserted here.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from bench.app_bench import measure, table
from bench.app_data import SLUG, bench_app, build_database, drop_database
from bench.load_feeds import run_python
from conference.extensions import db
from conference.proposals.models import Proposal
from conference.schedule.models import CalendarEntry, ScheduleVersion


@pytest.fixture
def built(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    built = build_database(url, talks=24, seed=3, quiet=True)
    app = bench_app(url)
    yield built, app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(url)


def test_builder_publishes_every_generated_talk(built):
    built, app = built
    with app.app_context():
        assert db.session.scalar(select(func.count(Proposal.id))) == 24
        assert db.session.scalar(select(func.count(CalendarEntry.id))) == 24
        version = db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.is_draft.is_(False)))
        assert version.number == 1
    assert built.slug == SLUG and built.attendees == 72 and built.interest_marks > 0


def test_measure_reports_every_figure_with_its_target(built):
    _built, app = built
    figures = measure(app, repeats=1, requests=2, log=lambda *_: None)
    names = [figure["name"] for figure in figures]
    assert names[:2] == ["build_problem", "feed cold (ics)"]
    assert {"feed warm 200", "feed warm 304", "schedule.xml cold", "schedule.json cold"} <= set(names)
    assert all(len(figure["times"]) == 1 for figure in figures)
    assert "MET" in table(figures)


class _NotModified(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - the http.server hook name
        status = 304 if self.headers.get("If-None-Match") == '"x"' else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_python_load_generator_counts_expected_statuses():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotModified)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/feed.ics"
        result = run_python(url, duration=1, connections=2, headers={"If-None-Match": '"x"'}, expect=304)
    finally:
        server.shutdown()
        server.server_close()
    assert result["requests"] > 0
    assert result["unexpected"] == 0
    assert set(result["statuses"]) == {304}
