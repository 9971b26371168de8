"""Search latency of the talk archive on 10 000 published talks (SQLite FTS5 and PostgreSQL).

Builds ten yearly conferences of 1000 talks each (speakers, tracks, hubs, topic tags,
recordings, a published schedule), fills the archive through the real
`rebuild_archive()` (timed), then times `search_archive()` -- the function behind
/archive -- for several queries and filters: median and p95 over ``--repeats`` runs after a
warm-up. The whole page through the Flask test client is timed for two searches too.

SQLite always runs (a temporary file). PostgreSQL runs as well when ``--postgres-url``,
``TEST_DATABASE_URL`` or ``DATABASE_URL`` names a server; the benchmark creates and drops its
own database ``bench_archive`` there.

Usage::

    python bench/archive_bench.py                           # SQLite, + PostgreSQL if a URL is set
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/archive_bench.py
    python bench/archive_bench.py --talks 2000 --repeats 10 --no-postgres
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.app_data import bench_app, drop_database, fresh_database  # noqa: E402
from bench.harness import machine_info, render_table  # noqa: E402
from conference.accounts.models import User  # noqa: E402
from conference.archive.models import ArchiveEntry, ProposalTopic, TopicTag  # noqa: E402
from conference.archive.operations import rebuild_archive, refresh_conference_archive  # noqa: E402
from conference.archive.search import ArchiveQuery, search_archive  # noqa: E402
from conference.conferences.models import Conference, Hub, Room, SessionFormat, Track  # noqa: E402
from conference.config import normalise_database_url  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.materials.models import MaterialKind, TalkMaterial  # noqa: E402
from conference.proposals.models import Proposal, ProposalSpeaker, ProposalState  # noqa: E402
from conference.schedule.models import ScheduledTalk, ScheduleVersion  # noqa: E402

FIRST_YEAR = 2017
YEARS = 10
HUBS = ("London", "New York", "Bengaluru")
TRACKS = ("Platform", "Data", "Security", "Frontend", "Culture", "Reliability")
TOPICS = (
    "Observability",
    "Kubernetes",
    "Databases",
    "Security",
    "Testing",
    "Machine learning",
    "Developer experience",
    "Incident response",
    "Performance",
    "Accessibility",
    "APIs",
    "Cost",
    "Mobile",
    "Search",
    "Streaming",
    "Compilers",
    "Networking",
    "Privacy",
    "Migrations",
    "Leadership",
    "Hiring",
    "Documentation",
    "Caching",
    "Queues",
)
SUBJECTS = (
    "kubernetes",
    "postgres",
    "kafka",
    "tracing",
    "observability",
    "latency",
    "caching",
    "feature flags",
    "service mesh",
    "terraform",
    "incident response",
    "on-call",
    "schema migrations",
    "search",
    "recommendations",
    "fraud detection",
    "accessibility",
    "design systems",
    "webassembly",
    "rust",
    "python",
    "typescript",
    "graphql",
    "grpc",
    "load balancing",
    "chaos engineering",
    "capacity planning",
    "data contracts",
    "privacy",
    "encryption",
    "secrets",
    "ci pipelines",
    "flaky tests",
    "monorepos",
    "code review",
    "mentoring",
    "hiring",
    "documentation",
    "event sourcing",
    "stream processing",
    "batch jobs",
    "cost control",
    "autoscaling",
)
VERBS = (
    "Scaling",
    "Debugging",
    "Taming",
    "Rethinking",
    "Shipping",
    "Measuring",
    "Securing",
    "Migrating",
    "Testing",
    "Operating",
    "Understanding",
    "Simplifying",
)
FILLER = (
    "we",
    "our",
    "team",
    "learned",
    "how",
    "why",
    "the",
    "a",
    "in",
    "production",
    "at",
    "scale",
    "lessons",
    "from",
    "years",
    "of",
    "running",
    "with",
    "without",
    "downtime",
    "practical",
    "patterns",
    "mistakes",
    "and",
    "what",
    "worked",
    "users",
    "customers",
    "millions",
    "requests",
    "every",
    "day",
    "across",
    "services",
    "regions",
    "tooling",
    "process",
    "culture",
    "budget",
)
FIRST_NAMES = (
    "Asha",
    "Ben",
    "Chen",
    "Dana",
    "Emeka",
    "Fatima",
    "Gustav",
    "Hana",
    "Ivan",
    "Jun",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
)
LAST_NAMES = (
    "Rao",
    "Okafor",
    "Li",
    "Schmidt",
    "Haddad",
    "Kowalski",
    "Silva",
    "Tanaka",
    "Moreau",
    "Nguyen",
    "Petrov",
    "Larsen",
    "Mensah",
    "Garcia",
    "Kim",
    "Novak",
    "Ahmed",
    "Costa",
)

# (label, query, page) -- what people type into /archive.
SEARCHES: list[tuple[str, ArchiveQuery, int]] = [
    ("newest first, no query", ArchiveQuery(), 1),
    ("q=kubernetes", ArchiveQuery(text="kubernetes"), 1),
    ("q=observability tracing", ArchiveQuery(text="observability tracing"), 1),
    ('q="feature flags"', ArchiveQuery(text='"feature flags"'), 1),
    ("q=kube* (prefix)", ArchiveQuery(text="kube*"), 1),
    ("q=postgres -migrations", ArchiveQuery(text="postgres -migrations"), 1),
    ("q=latency or caching", ArchiveQuery(text="latency or caching"), 1),
    ("q=kubernetes, year", ArchiveQuery(text="kubernetes", year=FIRST_YEAR + YEARS - 2), 1),
    ("topic only", ArchiveQuery(topic="observability"), 1),
    ("q=latency, topic+hub", ArchiveQuery(text="latency", topic="performance", hub="London"), 1),
    ("speaker name", ArchiveQuery(speaker="rao"), 1),
    (
        "q=kubernetes, track+year",
        ArchiveQuery(text="kubernetes", track="Platform", year=FIRST_YEAR + 3),
        1,
    ),
    ("q=python, page 10", ArchiveQuery(text="python"), 10),
    ("q=nothingmatches", ArchiveQuery(text="zzyzxnothing"), 1),
]
PAGES = [
    ("GET /archive?q=kubernetes", "/archive?q=kubernetes"),
    (
        "GET /archive?topic=observability&year=…",
        f"/archive?topic=observability&year={FIRST_YEAR + 8}",
    ),
]


def _sentence(rng: random.Random, words: int) -> str:
    picked = []
    for _ in range(words):
        picked.append(rng.choice(SUBJECTS) if rng.random() < 0.18 else rng.choice(FILLER))
    return " ".join(picked).capitalize() + "."


def _title(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    return f"{rng.choice(VERBS)} {subject}: {' '.join(rng.choice(FILLER) for _ in range(rng.randint(2, 5)))}"


def _ids(model, rows: list[dict]) -> list[int]:
    return list(
        db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    )


def seed(talks: int, seed_value: int = 7) -> None:
    """Ten yearly conferences sharing speakers and topics, each with a published schedule."""
    rng = random.Random(seed_value)
    per_year = max(1, talks // YEARS)
    topic_ids = _ids(
        TopicTag,
        [
            {
                "slug": name.lower().replace(" ", "-"),
                "name": name,
                "description": f"Talks about {name.lower()}.",
                "created_at": datetime.now(UTC),
            }
            for name in TOPICS
        ],
    )
    names = {f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES}
    user_ids = _ids(
        User,
        [
            {
                "email": f"speaker{number}@example.com",
                "display_name": name,
                "password_hash": "x",
                "time_zone": "Europe/London",
                "session_token": f"token-{number}",
                "is_active_account": True,
                "is_site_admin": False,
                "created_at": datetime.now(UTC),
            }
            for number, name in enumerate(sorted(names) * 6)
        ],
    )
    for offset in range(YEARS):
        year = FIRST_YEAR + offset
        starts_on = date(year, 3, 10)
        conference_id = _ids(
            Conference,
            [
                {
                    "slug": f"summit-{year}",
                    "name": f"Engineering Summit {year}",
                    "description": "",
                    "starts_on": starts_on,
                    "ends_on": starts_on + timedelta(days=2),
                    "time_zone": "Europe/London",
                    "settings": {},
                    "created_at": datetime.now(UTC),
                }
            ],
        )[0]
        hub_ids = _ids(
            Hub,
            [
                {"conference_id": conference_id, "name": name, "time_zone": "Europe/London"}
                for name in HUBS
            ],
        )
        room_ids = _ids(
            Room,
            [
                {
                    "conference_id": conference_id,
                    "hub_id": hub_id,
                    "name": f"Room {number}",
                    "capacity": 100,
                    "has_streaming": True,
                    "has_recording": True,
                }
                for number, hub_id in enumerate(hub_ids * 4 + [None, None])
            ],
        )
        track_ids = _ids(
            Track,
            [
                {
                    "conference_id": conference_id,
                    "name": name,
                    "description": "",
                    "colour": "#4a6fa5",
                }
                for name in TRACKS
            ],
        )
        format_id = _ids(
            SessionFormat,
            [{"conference_id": conference_id, "name": "Talk", "duration_minutes": 30}],
        )[0]
        version_id = _ids(
            ScheduleVersion,
            [
                {
                    "conference_id": conference_id,
                    "is_draft": False,
                    "number": 1,
                    "published_at": datetime.now(UTC),
                    "note": "",
                }
            ],
        )[0]
        proposals = []
        for _ in range(per_year):
            abstract = " ".join(
                _sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(3, 7))
            )
            proposals.append(
                {
                    "conference_id": conference_id,
                    "title": _title(rng)[:200],
                    "abstract": abstract,
                    "abstract_text": abstract,
                    "session_format_id": format_id,
                    "track_id": rng.choice(track_ids),
                    "state": ProposalState.CONFIRMED.value,
                    "notes_to_organisers": "",
                    "audience_level": "intermediate",
                    "lock_version": 1,
                    "created_at": datetime.now(UTC),
                    "updated_at": datetime.now(UTC),
                }
            )
        proposal_ids = _ids(Proposal, proposals)
        db.session.execute(
            insert(ProposalSpeaker),
            [
                {
                    "proposal_id": proposal_id,
                    "user_id": user_id,
                    "role": "submitter",
                    "invitation_state": "accepted",
                }
                for proposal_id in proposal_ids
                for user_id in rng.sample(user_ids, rng.choice((1, 1, 1, 2)))
            ],
        )
        db.session.execute(
            insert(ProposalTopic),
            [
                {"proposal_id": proposal_id, "tag_id": tag_id}
                for proposal_id in proposal_ids
                for tag_id in rng.sample(topic_ids, rng.randint(1, 3))
            ],
        )
        db.session.execute(
            insert(TalkMaterial),
            [
                {
                    "conference_id": conference_id,
                    "proposal_id": proposal_id,
                    "kind": MaterialKind.RECORDING.value,
                    "title": "Recording",
                    "url": f"https://video.example.com/{proposal_id}",
                    "created_at": datetime.now(UTC),
                }
                for proposal_id in proposal_ids
                if rng.random() < 0.4
            ],
        )
        first_slot = datetime(year, 3, 10, 8, tzinfo=UTC)
        db.session.execute(
            insert(ScheduledTalk),
            [
                {
                    "version_id": version_id,
                    "proposal_id": proposal_id,
                    "room_id": room_ids[index % len(room_ids)],
                    "starts_at": first_slot + timedelta(minutes=30 * (index // len(room_ids))),
                    "ends_at": first_slot + timedelta(minutes=30 * (index // len(room_ids)) + 30),
                    "pinned": False,
                }
                for index, proposal_id in enumerate(proposal_ids)
            ],
        )
    db.session.commit()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed(run: Callable[[], object], repeats: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        db.session.rollback()  # a fresh transaction per search, as per request
    return times


def measure(app, repeats: int, log: Callable[[str], None] = print) -> list[dict]:
    """Build the archive, then time every search; figures in milliseconds."""
    figures = []
    with app.app_context():
        start = time.perf_counter()
        count = rebuild_archive()
        db.session.commit()
        rebuild = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        log(f"  rebuilt the archive: {count} entries in {rebuild:.2f} s")
        figures.append(
            {"name": f"rebuild_archive() ({count} talks)", "times": [rebuild], "results": count}
        )
        conference = db.session.scalar(select(Conference).order_by(Conference.id.desc()).limit(1))
        per_conference = db.session.scalar(
            select(func.count())
            .select_from(ArchiveEntry)
            .where(ArchiveEntry.conference_id == conference.id)
        )
        times = _timed(
            lambda: refresh_conference_archive(conference), max(3, repeats // 5), warmup=1
        )
        figures.append(
            {
                "name": f"refresh_conference_archive, unchanged ({per_conference} talks)",
                "times": times,
                "results": per_conference,
            }
        )
        for label, query, page in SEARCHES:
            found = search_archive(query, page=page)
            times = _timed(lambda query=query, page=page: search_archive(query, page=page), repeats)
            figures.append({"name": label, "times": times, "results": found.total})
    client = app.test_client()
    for label, url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

        def fetch(url=url):
            client.get(url)

        with app.app_context():
            times = _timed(fetch, repeats)
        figures.append({"name": label, "times": times, "results": None})
    return figures


def table(figures: list[dict]) -> str:
    rows = [
        [
            figure["name"],
            f"{statistics.median(figure['times']) * 1000:.1f}",
            f"{_percentile(figure['times'], 0.95) * 1000:.1f}",
            str(len(figure["times"])),
            "" if figure["results"] is None else str(figure["results"]),
        ]
        for figure in figures
    ]
    return render_table(["measurement", "median ms", "p95 ms", "runs", "matches"], rows)


def _postgres_url(explicit: str | None) -> str | None:
    found = explicit or os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not found or not normalise_database_url(found).startswith("postgresql"):
        return None
    return (
        make_url(normalise_database_url(found))
        .set(database="bench_archive")
        .render_as_string(hide_password=False)
    )


def run(database_url: str, talks: int, repeats: int) -> list[dict]:
    fresh_database(database_url)
    app = bench_app(database_url)
    try:
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            seed(talks)
            print(f"  seeded {talks} talks in {time.perf_counter() - start:.1f} s")
        return measure(app, repeats)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(database_url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--postgres-url", default=None, help="a PostgreSQL server (any database name)"
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    info = machine_info()
    print(f"python {info['python']}, {info['cpus']} cpus, load {info['loadavg_at_start']}")
    targets = [("SQLite (FTS5)", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench_archive.db'}")]
    postgres = None if args.no_postgres else _postgres_url(args.postgres_url)
    if postgres:
        targets.append(("PostgreSQL (GIN)", postgres))
    for label, url in targets:
        print(f"\n{label}: {args.talks} talks, {args.repeats} runs per search")
        print(table(run(url, args.talks, args.repeats)))


if __name__ == "__main__":
    main()
