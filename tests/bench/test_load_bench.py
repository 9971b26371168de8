"""Smoke test of the load benchmark's wrk driver: its Lua script and the figures read back from wrk."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load_bench import ReadTarget, find_wrk, run_wrk, wrk_script
from tests.conftest import IN_CI


class _Recording(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: set[tuple[str, str | None]] = set()

    def do_GET(self):  # noqa: N802 - the http.server hook name
        self.seen.add((self.path, self.headers.get("Accept-Encoding")))
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def _run_wrk_against_recorder(script: str, duration: float, folder: str) -> dict:
    """wrk with ``script`` and 2 connections against a local server that records each request."""
    if find_wrk() is None:
        if IN_CI:
            pytest.fail("CI requires wrk (apt-get install wrk); `make test` installs it as root.")
        pytest.skip("wrk is not installed; `make test` installs it (with chromium) when run as root.")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recording)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return run_wrk(
            find_wrk(),
            f"http://127.0.0.1:{server.server_address[1]}",
            script,
            duration=duration,
            connections=2,
            threads=1,
            folder=folder,
            server_pid=os.getpid(),
        )
    finally:
        server.shutdown()
        server.server_close()


def test_wrk_script_spreads_requests_over_every_url_and_counts_bad_statuses(tmp_path):
    targets = {
        "pages": ReadTarget(["/a", "/b?q=x", "/missing"], {}),
        "feed": ReadTarget(["/feed.ics"], {"Accept-Encoding": "gzip"}),
    }
    result = _run_wrk_against_recorder(wrk_script(targets, {"pages": 3, "feed": 1}), 1, str(tmp_path))

    assert {path for path, _ in _Recording.seen} == {"/a", "/b?q=x", "/missing", "/feed.ics"}
    assert ("/feed.ics", "gzip") in _Recording.seen and ("/a", None) in _Recording.seen
    assert result["requests"] > 0 and result["socket_errors"] == 0
    assert 0 < result["status_400_or_more"] < result["requests"]
    assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    assert result["requests_per_second"] > 0


def test_wrk_script_refuses_urls_it_cannot_quote():
    with pytest.raises(ValueError):
        wrk_script({"pages": ReadTarget(["/caf\u00e9"], {})}, {"pages": 1})


def test_think_time_makes_each_connection_wait_like_a_person(tmp_path):
    script = wrk_script({"pages": ReadTarget(["/a"], {})}, {"pages": 1}, think_ms=250)
    result = _run_wrk_against_recorder(script, 2, str(tmp_path))

    # Two people thinking 250 ms on average make about 16 requests in 2 s, not thousands.
    assert 2 <= result["requests"] <= 60
    assert result["socket_errors"] == 0


def test_first_requests_arrive_before_any_think_time(tmp_path):
    # gunicorn's gthread worker holds a thread while a new connection is silent: a connection
    # must not open and then think first, as no browser or proxy does.
    script = wrk_script({"pages": ReadTarget(["/a"], {})}, {"pages": 1}, think_ms=3_600_000, connections_per_thread=2)
    result = _run_wrk_against_recorder(script, 1, str(tmp_path))

    # Both connections ask at once. Were their first requests delayed too, an hour's mean
    # think time would leave the second without any.
    assert result["requests"] >= 2
    assert result["socket_errors"] == 0
