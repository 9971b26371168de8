"""Load test of the public pages, feeds, archive search and feedback under gunicorn + PostgreSQL.

Builds the generated 1000-talk conference (`bench.app_data`) on a fresh PostgreSQL database,
grows its audience to ``--attendees`` people (bulk inserts: attendee roles, ~8 stars each on a
Zipf-like curve, a personal feed token each), moves the whole published schedule back in time by
whole weeks so every talk has ended (feedback is open; weekdays and local times unchanged), then
starts ``gunicorn --workers 4 --worker-class gthread`` on a free 127.0.0.1 port and drives it
with ``--users`` concurrent virtual users (httpx + asyncio, one connection and cookie jar each):

1. a read mix for ``--duration`` seconds: agenda days, talk pages, the conference feed (gzip,
   as calendar clients ask), personal (token) feeds and archive searches;
2. a feedback burst: every user, already logged in, opens the feedback form of a talk and
   posts a rating, ``--feedback-rounds`` times, all users at once.

Prints p50/p95/p99 and error counts per endpoint and checks the targets: no 5xx anywhere,
p95 <= 100 ms for the cached feeds, <= 300 ms for agenda and talk pages. Stops gunicorn and
drops the database (``--keep`` keeps it). Loopback only; bounded by ``--duration`` plus the burst.

Usage::

    python bench/load_bench.py                                  # 1000 talks, 10 000 attendees, 100 users, 30 s
    python bench/load_bench.py --duration 10 --users 50         # shorter
    python bench/load_bench.py --talks 100 --attendees 500 --duration 5 --users 10   # smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import statistics
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
from bench.load_feeds import free_port, start_gunicorn, stop, wait_ready  # noqa: E402

PASSWORD = "correct horse battery"  # noqa: S105 - the generated users' known password
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/bench_load_app"
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


async def read_user(client: httpx.AsyncClient, recorder: Recorder, audience: Audience, deadline: float,
                    rng: random.Random) -> None:
    names = [name for name, _ in READ_MIX]
    weights = [weight for _, weight in READ_MIX]
    while time.monotonic() < deadline:
        name = rng.choices(names, weights=weights)[0]
        if name == "agenda day":
            url = f"/c/{SLUG}/agenda/{rng.choice(audience.days)}"
            headers = {}
        elif name == "talk page":
            url = f"/c/{SLUG}/agenda/talks/{rng.choice(audience.talk_ids)}"
            headers = {}
        elif name == "conference feed (gzip)":
            url, headers = f"/c/{SLUG}/calendar.ics", {"Accept-Encoding": "gzip"}
        elif name == "personal feed":
            url, headers = f"/c/{SLUG}/feeds/{rng.choice(audience.tokens)}/starred.ics", {"Accept-Encoding": "gzip"}
        else:
            url, headers = f"/archive?q={rng.choice(TOPICS).split()[0]}", {}
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
                warmup: float = 0) -> Recorder:
    recorder = Recorder()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) for _ in range(users)]
    try:
        if warmup > 0:
            # Not measured: every worker fills its page caches, as a server that has run a while has.
            deadline = time.monotonic() + warmup
            await asyncio.gather(*(read_user(client, Recorder(), audience, deadline, random.Random(-1 - n))
                                   for n, client in enumerate(clients)))
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


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def summarise(recorder: Recorder, seconds: dict[str, float]) -> list[dict[str, Any]]:
    rows = []
    for name, target in TARGETS_MS.items():
        values = recorder.latencies.get(name, [])
        statuses = dict(recorder.statuses.get(name, {}))
        server_errors = sum(count for status, count in statuses.items() if status >= 500)
        p95 = _percentile(values, 0.95)
        rows.append({
            "endpoint": name, "requests": len(values), "statuses": statuses,
            "errors": recorder.failures.get(name, 0), "server_errors": server_errors,
            "p50_ms": _percentile(values, 0.50), "p95_ms": p95, "p99_ms": _percentile(values, 0.99),
            "target_p95_ms": target,
            "met": server_errors == 0 and (target is None or (p95 is not None and p95 <= target)),
            "requests_per_second": len(values) / seconds[name] if seconds.get(name) else None,
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE,
                        help="PostgreSQL database whose name starts with 'bench' (dropped and recreated)")
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100, help="concurrent virtual users")
    parser.add_argument("--duration", type=float, default=30, help="seconds of the read mix")
    parser.add_argument("--feedback-rounds", type=int, default=3, help="feedback posts per user in the burst")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of unmeasured read mix first")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("the load benchmark runs on PostgreSQL (--database-url postgresql://.../bench_...)")

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
    os.environ.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory(prefix="load-bench-") as instance:
        server = start_gunicorn(args.database_url, port, args.workers, "gthread", args.threads, instance)
        try:
            wait_ready(f"{base_url}/c/{SLUG}/agenda/", server, timeout=60)
            for _ in range(args.workers * 4):  # every worker renders and caches the feed once
                httpx.get(f"{base_url}/c/{SLUG}/calendar.ics", headers={"Accept-Encoding": "gzip"}, timeout=120)
            load_before = os.getloadavg()
            phase_started = time.perf_counter()
            recorder = asyncio.run(drive(base_url, audience, args.users, args.duration, args.feedback_rounds,
                                         args.warmup))
            total = time.perf_counter() - phase_started - args.warmup
            load_after = os.getloadavg()
        finally:
            stop(server)
        if not args.keep:
            drop_database(args.database_url)
    seconds = {name: args.duration for name, _ in READ_MIX}
    seconds.update({"feedback form": total - args.duration, "feedback POST": total - args.duration})
    rows = summarise(recorder, seconds)
    table = render_table(
        ["endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "5xx", "target p95", "met"],
        [[row["endpoint"], str(row["requests"]), fmt(row["requests_per_second"], ".0f"), fmt(row["p50_ms"]),
          fmt(row["p95_ms"]), fmt(row["p99_ms"]), str(row["errors"]), str(row["server_errors"]),
          fmt(row["target_p95_ms"], ".0f"), "yes" if row["met"] else "NO"] for row in rows],
    )
    print(f"\n{args.users} users, {args.workers} gunicorn workers x {args.threads} threads, "
          f"{args.warmup:.0f} s warm-up, {args.duration:.0f} s read mix then a feedback burst ({total:.1f} s measured); "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n")
    print(table)
    path = write_results("load_bench", {
        "machine": machine_info(), "args": vars(args), "talks": built.talks, "attendees": audience.attendees,
        "load_average_before": load_before, "load_average_after": load_after, "rows": rows,
    })
    print(f"\nresults: {path}")
    return 0 if all(row["met"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
