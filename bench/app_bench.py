"""In-process timings of the schedule part of the app on a generated 1000-talk conference.

Builds the conference with `bench.app_data` (fresh SQLite file by default), then measures,
each as the median of ``--repeats`` runs (min and max printed too):

* ``build_problem``: the scheduler problem from the database (fresh session each run);
* the whole-conference feed rendered cold (RenderedFeed rows and the in-process LRU
  cleared before each run), through the Flask test client, plus its split into loading
  the published schedule, building the calendar and serialising it;
* the same feed served warm from the cache, 200 and 304 (per request, over ``--requests``);
* schedule.xml and schedule.json rendered cold.

Usage::

    python bench/app_bench.py                                  # 1000 talks, SQLite, 5 repeats
    python bench/app_bench.py --database-url postgresql://postgres@127.0.0.1/bench_app
    python bench/app_bench.py --talks 200 --repeats 3 --profile feed   # cProfile of one cold render
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, select  # noqa: E402

from bench.app_data import SLUG, bench_app, build_database, drop_database  # noqa: E402
from bench.harness import fmt, machine_info, median, render_table, write_results  # noqa: E402
from conference.conferences.models import Conference  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.feeds import ical  # noqa: E402
from conference.feeds.models import RenderedFeed  # noqa: E402
from conference.feeds.published import published_schedule  # noqa: E402
from conference.schedule.mapping import build_problem  # noqa: E402

# Targets of the issue, in seconds (None: no target, the figure is for reading only).
TARGETS = {
    "build_problem": 2.0,
    "feed cold (ics)": 1.0,
}


def _timed(
    run: Callable[[], Any], repeats: int, before: Callable[[], None] | None = None
) -> tuple[list[float], list[float]]:
    """Wall and process CPU seconds of each run (CPU is steadier on a busy machine)."""
    times, cpu = [], []
    for _ in range(repeats):
        if before is not None:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu


def clear_feed_cache(app) -> None:
    """Empty the RenderedFeed table and the app's in-process LRU: the next request renders."""
    with app.app_context():
        db.session.execute(delete(RenderedFeed))
        db.session.commit()
        db.session.remove()
    app.extensions.get("feeds_lru", {}).clear()


def _get(client, path: str, expect: int, headers: dict | None = None):
    response = client.get(path, headers=headers or {})
    if response.status_code != expect:
        raise RuntimeError(f"GET {path}: {response.status_code}, expected {expect}")
    return response


def measure(app, repeats: int, requests: int, log=print) -> list[dict[str, Any]]:
    """Every figure as ``{"name", "times", "cpu", "target", "note"}``; times in seconds."""
    client = app.test_client()
    figures: list[dict[str, Any]] = []

    def add(name: str, timing: tuple[list[float], list[float]], note: str = "", per: int = 1) -> None:
        times, cpu = ([t / per for t in values] for values in timing)
        figures.append({"name": name, "times": times, "cpu": cpu, "target": TARGETS.get(name), "note": note})
        log(f"  {name}: median {median(times) * 1000:.1f} ms")

    def build() -> None:
        with app.app_context():
            conference = db.session.scalar(select(Conference).where(Conference.slug == SLUG))
            mapped = build_problem(conference)
            assert mapped.problem.talks
            db.session.remove()

    build()  # warm imports and the connection pool once
    add("build_problem", _timed(build, repeats))

    feed = f"/c/{SLUG}/calendar.ics"
    add("feed cold (ics)", _timed(lambda: _get(client, feed, 200), repeats, lambda: clear_feed_cache(app)))

    # Where a cold render's time goes, outside the request.
    with app.app_context():
        conference = db.session.scalar(select(Conference).where(Conference.slug == SLUG))
        schedule = published_schedule(conference)

        def load() -> None:
            db.session.expire_all()
            published_schedule(conference)

        add("  feed: load published schedule", _timed(load, repeats))
        stamp = conference.created_at
        calendars = []
        add("  feed: build_calendar", _timed(
            lambda: calendars.append(ical.build_calendar(schedule, "Bench", "All talks.", stamp, "uid@bench")),
            repeats))
        add("  feed: serialise", _timed(lambda: ical.serialise(calendars[-1]), repeats))
        db.session.remove()

    body = _get(client, feed, 200)
    etag = body.headers["ETag"]
    size = len(body.data)
    add("feed warm 200", _timed(lambda: [_get(client, feed, 200) for _ in range(requests)], repeats),
        f"{size / 1024:.0f} KiB body, per request", per=requests)
    add("feed warm 304", _timed(
        lambda: [_get(client, feed, 304, {"If-None-Match": etag}) for _ in range(requests)], repeats),
        "per request", per=requests)

    for kind in ("xml", "json"):
        path = f"/c/{SLUG}/schedule.{kind}"
        add(f"schedule.{kind} cold", _timed(lambda p=path: _get(client, p, 200), repeats,
                                            lambda: clear_feed_cache(app)))
    return figures


def profile_cold_feed(app, path: str, top: int = 30) -> str:
    """cProfile of one cold render of ``path``, the ``top`` entries by cumulative time."""
    clear_feed_cache(app)
    client = app.test_client()
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def table(figures: list[dict[str, Any]]) -> str:
    rows = []
    for figure in figures:
        times = figure["times"]
        target = figure["target"]
        value = median(times)
        met = "-" if target is None else ("MET" if value <= target else "NOT MET")
        rows.append([
            figure["name"], fmt(value * 1000, ".2f"), fmt(min(times) * 1000, ".2f"), fmt(max(times) * 1000, ".2f"),
            fmt(median(figure.get("cpu") or []) * 1000, ".2f"),
            "-" if target is None else f"<= {target * 1000:.0f} ms", met, figure["note"],
        ])
    return render_table(["measure", "median ms", "min ms", "max ms", "cpu ms", "target", "met", "note"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200, help="warm requests per repeat")
    parser.add_argument("--database-url", default="sqlite:////tmp/conference-app-bench.db",
                        help="SQLite file (default) or postgresql://.../bench_<name>: recreated, then dropped")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", choices=("feed", "xml", "json"), help="print a cProfile of one cold render")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/*.json")
    args = parser.parse_args(argv)

    built = build_database(args.database_url, args.talks, args.seed)
    app = bench_app(args.database_url)
    try:
        print(f"measuring ({args.repeats} repeats, {args.requests} warm requests each):")
        figures = measure(app, args.repeats, args.requests)
        print()
        print(table(figures))
        if args.profile:
            path = {"feed": f"/c/{SLUG}/calendar.ics", "xml": f"/c/{SLUG}/schedule.xml",
                    "json": f"/c/{SLUG}/schedule.json"}[args.profile]
            print()
            print(profile_cold_feed(app, path))
        if not args.no_write:
            path = write_results("app_bench", {
                "machine": machine_info(), "database": args.database_url.split(":", 1)[0], "talks": args.talks,
                "seed": args.seed, "build_seconds": built.seconds,
                "figures": [{**f, "median": median(f["times"])} for f in figures],
            })
            print(f"\nresults: {path}")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if not args.keep:
            drop_database(args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
