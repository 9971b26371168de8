"""Load test of the public pages, feeds, archive search and feedback under gunicorn + PostgreSQL.

Builds the generated 1000-talk conference (`bench.app_data`) on a fresh PostgreSQL database,
grows its audience to ``--attendees`` people (bulk inserts: attendee roles, ~8 stars each on a
Zipf-like curve, a personal feed token each), moves the whole published schedule back in time by
whole weeks so every talk has ended (feedback is open; weekdays and local times unchanged), then
starts ``gunicorn --workers 4 --worker-class gthread`` on a free 127.0.0.1 port, with Redis as in
production (``--redis-url``; the shared agenda page cache and the rate limits; ``--no-redis`` for
per-process caches only), requests every agenda day and talk page once (not measured: the state
of a server some minutes after publishing; ``--no-visit-every-page`` measures a cold start), and
drives it:

1. the read mix (agenda days, talk pages, the conference feed gzipped as calendar clients ask,
   personal token feeds, archive searches). With ``--generator wrk`` (default) each endpoint in
   turn gets ``wrk -t2 -c<connections> -d<duration>s --latency`` with a generated Lua script that
   picks a random URL of that endpoint per request, then one mixed run with all endpoints at
   once (READ_MIX weights); wrk is C and leaves the 2 cores to the server. ``--think-ms`` gives
   each wrk connection a person's think time before each request (exponential, that mean): with
   ``--think-ms 1000`` the 100 connections are 100 people clicking about once a second; without
   it they send back to back, which measures saturation. ``--generator httpx``
   is the earlier mode: ``--users`` asyncio/httpx users, one connection and cookie jar each;
2. a feedback burst (httpx in both modes): every user, logged in, opens the feedback form of a
   talk and posts a rating, ``--feedback-rounds`` times, all users at once.

Prints p50/p90/p95/p99, requests/s and error counts per endpoint next to the targets: no 5xx
anywhere (wrk counts every status >= 400, which must be 0), p95 <= 100 ms for the cached feeds,
<= 300 ms for agenda and talk pages; and the load average before and after. Stops gunicorn and
drops the database (``--keep`` keeps it). Loopback only; bounded by the durations plus the burst.

Usage::

    python bench/load_bench.py                                  # 1000 talks, 10 000 attendees, wrk, 100 connections
    python bench/load_bench.py --duration 10                    # shorter wrk runs
    python bench/load_bench.py --generator httpx --users 100    # the Python generator instead of wrk
    python bench/load_bench.py --talks 100 --attendees 500 --duration 5 --users 10 --workers 2   # smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import delete, func, insert, select, text, update  # noqa: E402

from bench.app_data import (  # noqa: E402
    PASSWORD_HASH,
    SECRET_KEY,
    SLUG,
    TOPICS,
    bench_app,
    build_database,
    drop_database,
)
from bench.harness import fmt, machine_info, render_table, write_results  # noqa: E402
from bench.load_feeds import (  # noqa: E402
    children_cpu_seconds,
    free_port,
    server_cpu_seconds,
    start_gunicorn,
    stop,
    wait_ready,
)

PASSWORD = "correct horse battery"  # noqa: S105 - the generated users' known password
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/bench_load_app"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
KEEP_ALIVE_SECONDS = 75
# Endpoint -> p95 target in milliseconds (None: reported, no target).
TARGETS_MS = {
    "agenda day": 300,
    "talk page": 300,
    "conference feed (gzip)": 100,
    "personal feed": 100,
    "archive search": None,
    "feedback form": None,
    "feedback POST": None,
}
READ_MIX = (
    ("agenda day", 3),
    ("talk page", 4),
    ("conference feed (gzip)", 1),
    ("personal feed", 2),
    ("archive search", 1),
)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
LOCK = re.compile(r'name="lock_version"[^>]*value="(\d*)"|value="(\d*)"[^>]*name="lock_version"')
RADIO = re.compile(r'type="radio"[^>]*name="(answer_\d+)"|name="(answer_\d+)"[^>]*type="radio"')
TEXTAREA = re.compile(r'<textarea[^>]*name="(answer_\d+)"')


# --- data ---------------------------------------------------------------------------------------


@dataclass
class Audience:
    talk_ids: list[int]
    days: list[str]
    tokens: list[str]
    feedback_emails: list[str]
    shifted_weeks: int
    attendees: int
    stars: int


def grow_audience(database_url: str, attendees: int, feedback_users: int, seed: int = 7) -> Audience:
    """Attendees up to ``attendees`` in all, with stars and feed tokens; the schedule moved into the past."""
    from conference.accounts.models import User
    from conference.archive.operations import refresh_conference_archive
    from conference.conferences.models import Conference, ConferenceRole, Role
    from conference.extensions import db
    from conference.feedback.queries import EDIT_DAYS_SETTING, MAX_EDIT_DAYS
    from conference.feeds.models import FeedToken, RenderedFeed
    from conference.interest.models import InterestMark
    from conference.schedule.models import (
        CalendarEntry,
        ScheduleBlock,
        ScheduledTalk,
        ScheduleVersion,
    )

    rng = random.Random(seed)
    app = bench_app(database_url)
    with app.app_context():
        conference = db.session.scalar(select(Conference).where(Conference.slug == SLUG))
        published = db.session.scalar(
            select(ScheduleVersion).where(ScheduleVersion.conference_id == conference.id,
                                          ScheduleVersion.is_draft.is_(False)).order_by(ScheduleVersion.number.desc())
        )
        talk_ids = list(db.session.scalars(
            select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == published.id)
        ))
        existing = list(db.session.scalars(
            select(ConferenceRole.user_id).where(ConferenceRole.conference_id == conference.id,
                                                 ConferenceRole.role == Role.ATTENDEE)
        ))
        missing = max(0, attendees - len(existing))
        now = datetime.now(UTC)
        new_ids = list(db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [{"email": f"load{n}@bench.invalid", "display_name": f"Load attendee {n}", "password_hash": PASSWORD_HASH,
              "time_zone": rng.choice(("Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Singapore")),
              "created_at": now} for n in range(missing)],
        ))
        db.session.execute(insert(ConferenceRole), [
            {"conference_id": conference.id, "user_id": user_id, "role": Role.ATTENDEE} for user_id in new_ids
        ])
        weights = [1.0 / (rank + 1) for rank in range(len(talk_ids))]
        marks = []
        for user_id in new_ids:
            for proposal_id in set(rng.choices(talk_ids, weights=weights, k=8)):
                marks.append({"user_id": user_id, "proposal_id": proposal_id, "created_at": now})
        for start in range(0, len(marks), 20_000):
            db.session.execute(insert(InterestMark), marks[start:start + 20_000])
        everyone = existing + new_ids
        tokens = [f"bench-{user_id}-{rng.getrandbits(128):032x}" for user_id in everyone]
        db.session.execute(insert(FeedToken), [
            {"conference_id": conference.id, "user_id": user_id, "token": token, "created_at": now}
            for user_id, token in zip(everyone, tokens, strict=True)
        ])
        # Move the conference back by whole weeks (weekdays and local times stay) until it is over.
        last_end = db.session.scalar(select(ScheduledTalk.ends_at).order_by(ScheduledTalk.ends_at.desc()).limit(1))
        weeks = math.ceil((last_end - now) / timedelta(weeks=1)) + 1
        shift = timedelta(weeks=weeks)
        for table in (ScheduledTalk.__table__, ScheduleBlock.__table__, CalendarEntry.__table__):
            back = func.make_interval(0, 0, weeks)  # PostgreSQL: years, months, weeks
            db.session.execute(update(table).values(starts_at=table.c.starts_at - back, ends_at=table.c.ends_at - back))
        conference.starts_on -= shift
        conference.ends_on -= shift
        conference.settings = {**(conference.settings or {}), EDIT_DAYS_SETTING: MAX_EDIT_DAYS}
        db.session.execute(delete(RenderedFeed))
        refresh_conference_archive(conference)
        days = [(conference.starts_on + timedelta(days=n)).isoformat()
                for n in range((conference.ends_on - conference.starts_on).days + 1)]
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        feedback_emails = [f"load{n}@bench.invalid" for n in range(min(feedback_users, missing))]
        stars = len(marks)
        db.session.remove()
        db.engine.dispose()
    return Audience(talk_ids, days, tokens, feedback_emails, weeks, len(everyone), stars)


# --- load ---------------------------------------------------------------------------------------


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    async def timed(self, name: str, send, expected: tuple[int, ...]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await send()
        except httpx.HTTPError:
            self.failures[name] += 1
            return None
        self.latencies[name].append((time.perf_counter() - started) * 1000)
        self.statuses[name][response.status_code] += 1
        if response.status_code not in expected:
            self.failures[name] += 1
        return response


def _first(pattern: re.Pattern, page: str) -> str:
    found = pattern.search(page)
    if not found:
        raise RuntimeError(f"pattern {pattern.pattern!r} not on the page")
    return next(group for group in found.groups() if group is not None)


@dataclass(frozen=True)
class ReadTarget:
    """One endpoint of the read mix: the URLs a request picks from, and the headers it sends."""

    paths: list[str]
    headers: dict[str, str]


def read_targets(audience: Audience) -> dict[str, ReadTarget]:
    gzip = {"Accept-Encoding": "gzip"}  # what calendar clients send
    return {
        "agenda day": ReadTarget([f"/c/{SLUG}/agenda/{day}" for day in audience.days], {}),
        "talk page": ReadTarget([f"/c/{SLUG}/agenda/talks/{talk_id}" for talk_id in audience.talk_ids], {}),
        "conference feed (gzip)": ReadTarget([f"/c/{SLUG}/calendar.ics"], gzip),
        "personal feed": ReadTarget([f"/c/{SLUG}/feeds/{token}/starred.ics" for token in audience.tokens], gzip),
        "archive search": ReadTarget([f"/archive?q={topic.split()[0]}" for topic in TOPICS], {}),
    }


async def read_user(client: httpx.AsyncClient, recorder: Recorder, audience: Audience, deadline: float,
                    rng: random.Random) -> None:
    targets = read_targets(audience)
    names = [name for name, _ in READ_MIX]
    weights = [weight for _, weight in READ_MIX]
    while time.monotonic() < deadline:
        name = rng.choices(names, weights=weights)[0]
        url, headers = rng.choice(targets[name].paths), targets[name].headers
        await recorder.timed(name, lambda url=url, headers=headers: client.get(url, headers=headers), (200,))


async def log_in(client: httpx.AsyncClient, email: str, attempts: int = 3) -> None:
    for attempt in range(attempts):
        try:
            page = (await client.get("/login")).text
            response = await client.post("/login", data={"csrf_token": _first(CSRF, page), "email": email,
                                                         "password": PASSWORD})
            break
        except httpx.TransportError:
            # gunicorn closes keep-alive connections idle for 2 s (a busy generator can leave one
            # that long); logging in is setup, not measured, so it is simply tried again.
            if attempt == attempts - 1:
                raise
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} gave {response.status_code}")


async def feedback_user(client: httpx.AsyncClient, recorder: Recorder, audience: Audience, rounds: int,
                        start: asyncio.Event, rng: random.Random) -> None:
    await start.wait()
    for proposal_id in rng.sample(audience.talk_ids, rounds):
        url = f"/c/{SLUG}/talks/{proposal_id}/feedback"
        form = await recorder.timed("feedback form", lambda url=url: client.get(url), (200,))
        if form is None or form.status_code != 200:
            continue
        page = form.text
        data = {"csrf_token": _first(CSRF, page), "lock_version": _first(LOCK, page) or "0",
                "comment": "Measured under load."}
        for found in RADIO.finditer(page):
            data[found.group(1) or found.group(2)] = str(rng.randint(3, 5))
        for found in TEXTAREA.finditer(page):
            data[found.group(1)] = "The worked examples."
        await recorder.timed("feedback POST", lambda url=url, data=data: client.post(url, data=data), (302,))


async def drive(base_url: str, audience: Audience, users: int, duration: float, rounds: int,
                warmup: float = 0, read_mix: bool = True) -> Recorder:
    """The httpx users: the read mix (unless ``read_mix`` is False: wrk ran it), then the feedback burst."""
    recorder = Recorder()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) for _ in range(users)]
    try:
        if read_mix and warmup > 0:
            # Not measured: every worker fills its page caches, as a server that has run a while has.
            deadline = time.monotonic() + warmup
            await asyncio.gather(*(read_user(client, Recorder(), audience, deadline, random.Random(-1 - n))
                                   for n, client in enumerate(clients)))
        if read_mix:
            deadline = time.monotonic() + duration
            await asyncio.gather(*(read_user(client, recorder, audience, deadline, random.Random(n))
                                   for n, client in enumerate(clients)))
        writers = clients[: min(users, len(audience.feedback_emails))]
        # Logging in is setup, not measured; then every user rates talks at the same moment.
        await asyncio.gather(*(log_in(client, email) for client, email in zip(writers, audience.feedback_emails,
                                                                              strict=False)))
        start = asyncio.Event()
        burst = [feedback_user(client, recorder, audience, rounds, start, random.Random(1000 + n))
                 for n, client in enumerate(writers)]
        start.set()
        await asyncio.gather(*burst)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return recorder


async def visit_every_page(base_url: str, audience: Audience, concurrency: int = 8) -> int:
    """Every agenda day and talk page once, ``concurrency`` at a time; the number of pages."""
    targets = read_targets(audience)
    paths = targets["agenda day"].paths + targets["talk page"].paths
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)

    async def visitor(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            response = await client.get(queue.get_nowait())
            if response.status_code != 200:
                raise RuntimeError(f"{response.request.url} gave {response.status_code}")

    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        await asyncio.gather(*(visitor(client) for _ in range(concurrency)))
    return len(paths)


# --- wrk ----------------------------------------------------------------------------------------

# Each request picks an endpoint by weight, then one of its URLs; ``done`` prints wrk's own
# figures (latencies in microseconds) as one JSON line, p95 included, which --latency omits.
WRK_SCRIPT = """-- Generated by bench/load_bench.py.
local endpoints = {
%(endpoints)s
}
local total_weight = %(total_weight)d
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  math.randomseed(thread_number * 104729 + os.time())
end

function request()
  local pick = math.random(total_weight)
  for _, endpoint in ipairs(endpoints) do
    if pick <= endpoint.upto then
      return wrk.format("GET", endpoint.paths[math.random(#endpoint.paths)], endpoint.headers)
    end
  end
end

%(delay)s
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %%.0f, "duration_us": %%.0f, "bytes": %%.0f, "connect": %%.0f, ' ..
    '"read": %%.0f, "write": %%.0f, "timeout": %%.0f, "status_400_or_more": %%.0f, "p50_us": %%.0f, ' ..
    '"p75_us": %%.0f, "p90_us": %%.0f, "p95_us": %%.0f, "p99_us": %%.0f, "max_us": %%.0f, ' ..
    '"mean_us": %%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, latency:percentile(50), latency:percentile(75),
    latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


def _lua_string(text: str) -> str:
    if not text.isascii() or any(ord(char) < 32 for char in text):
        raise ValueError(f"not a plain ASCII string: {text!r}")
    return json.dumps(text)  # ASCII JSON escapes (\" and \\) are Lua escapes too


# A person reads a page before the next click: exponential think time with mean THINK_MS,
# waited by wrk before each request on a connection (so a connection is one user).
# A connection's first request goes at once, as a browser's (or a proxy's) does: gunicorn's
# gthread worker holds a thread for up to 5 s waiting for a new connection's first bytes, so
# connections opened and then left idle would stall the others (seconds at p99) in a way
# real clients do not. wrk asks delay() per thread, hence the per-thread count.
DELAY = """local immediate = %(immediate)d
function delay()
  if immediate > 0 then
    immediate = immediate - 1
    return 0
  end
  return -math.log(1 - math.random()) * %(think_ms)d
end
"""


def wrk_script(targets: dict[str, ReadTarget], weights: dict[str, int], think_ms: int = 0,
               connections_per_thread: int = 0) -> str:
    """A wrk Lua script drawing each request from ``targets`` by ``weights``.

    With ``think_ms`` each connection waits a random think time (mean ``think_ms``) before each
    request after its first (``connections_per_thread`` requests per wrk thread go at once), as a
    person does; with 0 connections send back to back (saturation).
    """
    lines, upto = [], 0
    for name, weight in weights.items():
        upto += weight
        target = targets[name]
        headers = ", ".join(f"[{_lua_string(key)}] = {_lua_string(value)}" for key, value in target.headers.items())
        paths = ",\n      ".join(_lua_string(path) for path in target.paths)
        lines.append(f"  {{ -- {name}\n    upto = {upto},\n    headers = {{ {headers} }},\n"
                     f"    paths = {{\n      {paths}\n    }},\n  }},")
    delay = DELAY % {"think_ms": think_ms, "immediate": connections_per_thread} if think_ms > 0 else ""
    return WRK_SCRIPT % {"endpoints": "\n".join(lines), "total_weight": upto, "delay": delay}


def find_wrk() -> str | None:
    return shutil.which("wrk")


def run_wrk(wrk: str, base_url: str, script: str, duration: float, connections: int, threads: int,
            folder: str, server_pid: int) -> dict[str, Any]:
    """One wrk run with ``script``; its figures (milliseconds), CPU per request and load averages."""
    path = Path(folder) / f"mix-{time.monotonic_ns()}.lua"
    path.write_text(script)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
               "--timeout", "10s", "-s", str(path), base_url]
    load_before = os.getloadavg()
    server_before, client_before = server_cpu_seconds(server_pid), children_cpu_seconds()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    found = re.search(r"^BENCH_RESULT (.*)$", completed.stdout, re.M)
    if completed.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    raw = json.loads(found.group(1))
    requests = max(1, raw["requests"])
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "requests": raw["requests"],
        "requests_per_second": raw["requests"] / (raw["duration_us"] / 1e6),
        **{f"p{p}_ms": raw[f"p{p}_us"] / 1000 for p in (50, 75, 90, 95, 99)},
        "max_ms": raw["max_us"] / 1000, "mean_ms": raw["mean_us"] / 1000,
        "socket_errors": socket_errors, "status_400_or_more": raw["status_400_or_more"],
        "bytes_per_response": round(raw["bytes"] / requests),
        "server_cpu_ms": (server_cpu_seconds(server_pid) - server_before) / requests * 1000,
        "client_cpu_ms": (children_cpu_seconds() - client_before) / requests * 1000,
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "wrk_output": completed.stdout,
    }


def wrk_read_mix(wrk: str, base_url: str, audience: Audience, server_pid: int, *, duration: float,
                 warmup: float, connections: int, threads: int, think_ms: int = 0) -> dict[str, dict[str, Any]]:
    """Each endpoint alone, then all at once by READ_MIX weight ("mixed"), after an unmeasured warm-up."""
    targets = read_targets(audience)
    weights = dict(READ_MIX)
    results = {}
    per_thread = math.ceil(connections / threads)

    def script(chosen: dict[str, int]) -> str:
        return wrk_script(targets, chosen, think_ms, per_thread)

    with tempfile.TemporaryDirectory(prefix="load-bench-wrk-") as folder:
        if warmup > 0:
            # Not measured: every worker fills its caches, as a server that has run a while has.
            run_wrk(wrk, base_url, script(weights), warmup, connections, threads, folder, server_pid)
        for name in weights:
            results[name] = run_wrk(wrk, base_url, script({name: 1}), duration, connections,
                                    threads, folder, server_pid)
            _print_wrk(name, results[name])
        results[MIXED] = run_wrk(wrk, base_url, script(weights), duration, connections, threads,
                                 folder, server_pid)
        _print_wrk(MIXED, results[MIXED])
    return results


def _print_wrk(name: str, result: dict[str, Any]) -> None:
    print(f"  {name}: {result['requests_per_second']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
          f"p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, status >= 400: "
          f"{result['status_400_or_more']}, socket errors: {result['socket_errors']}, "
          f"{result['bytes_per_response']} bytes/response, load {result['load_average_before'][0]:.2f} -> "
          f"{result['load_average_after'][0]:.2f}", flush=True)


MIXED = "mixed (READ_MIX weights)"


def wrk_rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for name, result in results.items():
        target = TARGETS_MS.get(name)
        bad = result["status_400_or_more"] + result["socket_errors"]
        rows.append({
            "endpoint": name, "generator": "wrk", **{k: v for k, v in result.items() if k != "wrk_output"},
            # wrk counts statuses >= 400 without telling 5xx apart: all must be 0.
            "errors": result["socket_errors"], "server_errors": None, "target_p95_ms": target,
            "met": bad == 0 and (target is None or result["p95_ms"] <= target),
        })
    return rows


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def summarise(recorder: Recorder, seconds: dict[str, float], names: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of the httpx figures, for ``names`` (default: every endpoint with a target entry)."""
    rows = []
    for name in names if names is not None else list(TARGETS_MS):
        target = TARGETS_MS[name]
        values = recorder.latencies.get(name, [])
        statuses = dict(recorder.statuses.get(name, {}))
        server_errors = sum(count for status, count in statuses.items() if status >= 500)
        p95 = _percentile(values, 0.95)
        rows.append({
            "endpoint": name, "generator": "httpx", "requests": len(values), "statuses": statuses,
            "errors": recorder.failures.get(name, 0), "server_errors": server_errors,
            "p50_ms": _percentile(values, 0.50), "p90_ms": _percentile(values, 0.90), "p95_ms": p95,
            "p99_ms": _percentile(values, 0.99), "target_p95_ms": target,
            "met": server_errors == 0 and (target is None or (p95 is not None and p95 <= target)),
            "requests_per_second": len(values) / seconds[name] if seconds.get(name) else None,
        })
    return rows


def render_rows(rows: list[dict[str, Any]]) -> str:
    def bad_statuses(row: dict[str, Any]) -> str:
        if row["generator"] == "wrk":
            return f"{row['status_400_or_more']} (>= 400)"
        return str(row["server_errors"])

    return render_table(
        ["endpoint", "generator", "requests", "req/s", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "errors",
         "5xx", "target p95 ms", "met"],
        [[row["endpoint"], row["generator"], str(row["requests"]), fmt(row["requests_per_second"], ".0f"),
          fmt(row["p50_ms"]), fmt(row["p90_ms"]), fmt(row["p95_ms"]), fmt(row["p99_ms"]), str(row["errors"]),
          bad_statuses(row), f"<= {row['target_p95_ms']:.0f}" if row["target_p95_ms"] else "-",
          "yes" if row["met"] else "NO"] for row in rows],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE,
                        help="PostgreSQL database whose name starts with 'bench' (dropped and recreated)")
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--generator", choices=("wrk", "httpx"), default="wrk",
                        help="read mix with wrk (C; per endpoint, then mixed) or with --users httpx users")
    parser.add_argument("--connections", type=int, default=100, help="wrk connections (wrk generator)")
    parser.add_argument("--visit-every-page", action=argparse.BooleanOptionalAction, default=True,
                        help="before the warm-up, request every agenda day and talk page once (not measured): "
                             "the state of a server some minutes after publishing; --no-visit-every-page "
                             "measures a cold start")
    parser.add_argument("--think-ms", type=int, default=0,
                        help="wrk: mean think time per connection before each request (0: back to back, "
                             "saturation; 1000: 100 connections are 100 people clicking about once a second)")
    parser.add_argument("--users", type=int, default=100,
                        help="httpx users: the read mix with --generator httpx, and the feedback burst")
    parser.add_argument("--duration", type=float, default=30,
                        help="seconds of the read mix (httpx), or of each wrk run (5 endpoints + mixed)")
    parser.add_argument("--feedback-rounds", type=int, default=3, help="feedback posts per user in the burst")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of unmeasured read mix first")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS,
                        help="Redis the server uses, as in production (shared page cache, rate limits); "
                             "keys get a per-run prefix and are deleted afterwards")
    parser.add_argument("--no-redis", action="store_true",
                        help="run the server without Redis (per-process caches only)")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("the load benchmark runs on PostgreSQL (--database-url postgresql://.../bench_...)")
    wrk = find_wrk() if args.generator == "wrk" else None
    if args.generator == "wrk" and wrk is None:
        parser.error("wrk is not installed (apt-get install wrk), or use --generator httpx")

    built = build_database(args.database_url, args.talks)
    started = time.perf_counter()
    audience = grow_audience(args.database_url, args.attendees, args.users)
    print(f"audience: {audience.attendees} attendees, {audience.stars} new stars, {len(audience.tokens)} feed "
          f"tokens; schedule moved back {audience.shifted_weeks} weeks ({time.perf_counter() - started:.1f} s)")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # Logins come from one address here; the login limit is for people, not for this generator.
    os.environ.update(RATELIMIT_LOGIN="100000 per minute", PUBLIC_URL="http://conference.bench",
                      SECRET_KEY=SECRET_KEY)
    redis_prefix = f"bench-{os.getpid()}-{time.time_ns()}"
    if args.no_redis:
        os.environ.pop("REDIS_URL", None)
    else:
        check_redis(args.redis_url)
        # As in production: the shared page cache and the rate limits live in Redis.
        os.environ.update(REDIS_URL=args.redis_url, CACHE_KEY_PREFIX=redis_prefix, RATELIMIT_KEY_PREFIX=redis_prefix)
    cache_settings = {name: os.environ.get(name, "default") for name in
                      ("REDIS_URL", "AGENDA_CACHE_MB", "AGENDA_CACHE_SECONDS", "AGENDA_SHARED_CACHE",
                       "AGENDA_VERSION_CHECK_SECONDS", "FEEDS_VERSION_CHECK_SECONDS")}
    wrk_results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="load-bench-") as instance:
        # Browsers keep a connection open between clicks far longer than gunicorn's default
        # 2 s; with think time, a shorter keep-alive would close connections under wrk.
        server = start_gunicorn(args.database_url, port, args.workers, "gthread", args.threads, instance,
                                keep_alive=KEEP_ALIVE_SECONDS)
        try:
            wait_ready(f"{base_url}/c/{SLUG}/agenda/", server, timeout=60)
            for _ in range(args.workers * 4):  # every worker renders and caches the feed once
                httpx.get(f"{base_url}/c/{SLUG}/calendar.ics", headers={"Accept-Encoding": "gzip"}, timeout=120)
            if args.visit_every_page:
                started = time.perf_counter()
                visited = asyncio.run(visit_every_page(base_url, audience))
                print(f"visited every agenda day and talk page once ({visited} pages, "
                      f"{time.perf_counter() - started:.1f} s, not measured)", flush=True)
            load_before = os.getloadavg()
            print(f"uptime before: {_uptime()}", flush=True)
            if wrk is not None:
                print(f"wrk -t2 -c{args.connections}, think time {args.think_ms} ms: {args.warmup:.0f} s unmeasured warm-up, then "
                      f"{args.duration:.0f} s per endpoint and {args.duration:.0f} s mixed", flush=True)
                wrk_results = wrk_read_mix(wrk, base_url, audience, server.pid, duration=args.duration,
                                           warmup=args.warmup, connections=args.connections, threads=2,
                                           think_ms=args.think_ms)
            phase_started = time.perf_counter()
            recorder = asyncio.run(drive(base_url, audience, args.users, args.duration, args.feedback_rounds,
                                         args.warmup, read_mix=wrk is None))
            total = time.perf_counter() - phase_started - (0 if wrk is not None else args.warmup)
            load_after = os.getloadavg()
            print(f"uptime after: {_uptime()}", flush=True)
        finally:
            stop(server)
            if not args.no_redis:
                forget_redis_keys(args.redis_url, redis_prefix)
        if not args.keep:
            drop_database(args.database_url)
    read_seconds = 0 if wrk is not None else args.duration
    seconds = {name: args.duration for name, _ in READ_MIX}
    seconds.update({"feedback form": total - read_seconds, "feedback POST": total - read_seconds})
    if wrk is not None:
        rows = wrk_rows(wrk_results) + summarise(recorder, seconds, ["feedback form", "feedback POST"])
        think = f"think time {args.think_ms} ms" if args.think_ms else "no think time"
        setup = (f"wrk -t2 -c{args.connections} ({think}), {args.warmup:.0f} s warm-up, {args.duration:.0f} s per endpoint "
                 f"and mixed; feedback burst: {args.users} httpx users")
    else:
        rows = summarise(recorder, seconds)
        setup = (f"{args.users} httpx users, {args.warmup:.0f} s warm-up, {args.duration:.0f} s read mix")
    print(f"\n{setup}; {args.workers} gunicorn workers x {args.threads} threads; agenda/feed cache settings "
          f"{cache_settings}; feedback burst {total - read_seconds:.1f} s; load average "
          f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min)\n")
    print(render_rows(rows))
    print("\ntargets (issue 6): no 5xx (wrk: no status >= 400, no socket errors); p95 <= 100 ms cached feeds, "
          "<= 300 ms agenda day and talk page")
    path = write_results("load_bench", {
        "machine": machine_info(), "args": vars(args), "talks": built.talks, "attendees": audience.attendees,
        "cache_settings": cache_settings, "load_average_before": load_before, "load_average_after": load_after,
        "rows": rows, "wrk_output": {name: result["wrk_output"] for name, result in wrk_results.items()},
    })
    print(f"\nresults: {path}")
    return 0 if all(row["met"] for row in rows) else 1


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        raise SystemExit(f"Redis is not reachable at {url} ({error}); start it, or pass --no-redis") from error


def forget_redis_keys(url: str, prefix: str) -> None:
    import redis

    connection = redis.Redis.from_url(url)
    keys = list(connection.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        connection.delete(*keys[start:start + 1000])
    connection.close()


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
