"""A deterministic, published 1000-talk conference in a fresh database, for the app benchmarks.

``build_database(url, talks=1000, seed=1)`` creates the schema and fills it with bulk
inserts: 4 hubs plus online streams, ~40 rooms, ~1000 speakers with availability,
~3000 attendees with ~10 interest marks each, schedule settings and blocks, a draft with
every talk placed by a simple greedy (no solver), published through `publish_schedule`
so the CalendarEntry rows exist. Same ``talks``/``seed`` give the same rows.

Command line: ``.venv/bin/python bench/app_data.py --talks 1000 --database-url sqlite:////tmp/b.db``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conference import create_app
from conference.accounts.models import User
from conference.conferences.models import (
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.config import normalise_database_url
from conference.core.markdown import markdown_to_text
from conference.extensions import db
from conference.interest.models import InterestMark
from conference.proposals.models import (
    AvailabilityWindow,
    InvitationState,
    PresentationMode,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerProfile,
    SpeakerRole,
)
from conference.schedule.models import (
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleSettings,
    ScheduleVersion,
)

SLUG = "bench-conf"
SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105 - a throwaway bench database
PUBLIC_URL = "http://conference.bench"
FIRST_DAY = date(2027, 3, 22)
DAYS = 3
SLOT_MINUTES = 15
BLOCK_HOURS = 2
# Blocks start every 3 hours (UTC), so every hub sees 3-4 blocks in its working day.
BLOCK_STARTS_UTC = (0, 3, 6, 9, 12, 15, 18, 21)
HUBS = (
    ("London", "Europe/London"),
    ("New York", "America/New_York"),
    ("Bengaluru", "Asia/Kolkata"),
    ("Singapore", "Asia/Singapore"),
)
ROOMS_PER_HUB = 9
ONLINE_STREAMS = 4
FORMATS = (("Lightning", 15, 15), ("Talk", 30, 50), ("Long talk", 45, 25), ("Workshop", 90, 10))
ATTENDEE_ZONES = (
    "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
    "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "UTC",
)
ABSTRACT = (
    "This talk covers **{topic}** in practice: what we tried, what failed, and what we would do "
    "again. We walk through the architecture, the [migration plan](https://example.com/{n}), "
    "the numbers before and after, and the mistakes worth avoiding.\n\n"
    "* lessons from production\n* a checklist you can reuse\n* time for questions\n"
)
TOPICS = ("observability", "data pipelines", "accessibility", "platform teams", "security reviews",
          "mobile releases", "cost control", "search relevance", "incident response", "testing")
PASSWORD_HASH = generate_password_hash("correct horse battery", method="pbkdf2:sha256:1000")


@dataclass(frozen=True)
class Built:
    """What the benchmarks need to find the conference again."""

    database_url: str
    slug: str
    conference_id: int
    talks: int
    speakers: int
    attendees: int
    interest_marks: int
    rooms: int
    blocks: int
    seconds: float


def bench_app(database_url: str, **config):
    """The app bound to ``database_url`` with bench settings (what gunicorn gets from the environment)."""
    settings = {
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "PUBLIC_URL": PUBLIC_URL,
    }
    settings.update(config)
    return create_app(settings)


def _postgres_admin(url: str) -> tuple[dict, str]:
    parsed = make_url(normalise_database_url(url))
    name = parsed.database or ""
    if not name.startswith("bench"):
        # The builder drops and recreates the database: refuse anything not made for benchmarks.
        raise SystemExit(f"refusing to recreate PostgreSQL database {name!r}: its name must start with 'bench'")
    connect = {"host": parsed.host, "port": parsed.port or 5432, "user": parsed.username,
               "password": parsed.password, "dbname": "postgres", "autocommit": True}
    return connect, name


def fresh_database(url: str) -> None:
    """Make ``url`` an empty database: delete the SQLite file, or drop and create the PostgreSQL db."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    connect, name = _postgres_admin(url)
    with psycopg.connect(**connect) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    """Remove a database made by `fresh_database`."""
    if url.startswith("sqlite:///"):
        fresh_database(url)
        return
    connect, name = _postgres_admin(url)
    with psycopg.connect(**connect) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _bulk(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in one executemany and return their ids in order."""
    if not rows:
        return []
    ids = db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows).all()
    return list(ids)


def _zipf_weights(count: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(count)]


def _local_hour(instant: datetime, zone: str) -> float:
    local = instant.astimezone(ZoneInfo(zone))
    return local.hour + local.minute / 60


def _populate(talks: int, seed: int) -> tuple[int, dict]:
    rng = random.Random(seed)
    now = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
    speakers = talks
    attendees = 3 * talks
    conference_id = _bulk(Conference, [{
        "slug": SLUG, "name": f"Bench Summit ({talks} talks)", "description": "A *generated* conference.",
        "starts_on": FIRST_DAY, "ends_on": FIRST_DAY + timedelta(days=DAYS - 1), "time_zone": "Europe/London",
        "settings": {}, "created_at": now,
    }])[0]
    hub_ids = _bulk(Hub, [{"conference_id": conference_id, "name": name, "time_zone": zone} for name, zone in HUBS])
    hub_zone = {hub_id: zone for hub_id, (_name, zone) in zip(hub_ids, HUBS, strict=True)}

    room_rows = []
    for hub_id, (hub_name, _zone) in zip(hub_ids, HUBS, strict=True):
        for index in range(ROOMS_PER_HUB):
            room_rows.append({
                "conference_id": conference_id, "hub_id": hub_id, "name": f"{hub_name} room {index + 1}",
                "capacity": (300, 200, 150, 120, 100, 80, 60, 40, 20)[index],
                "has_streaming": index < 6, "has_recording": index < 4,
            })
    for index in range(ONLINE_STREAMS):
        room_rows.append({"conference_id": conference_id, "hub_id": None, "name": f"Online stream {index + 1}",
                          "capacity": 1000, "has_streaming": True, "has_recording": True})
    room_ids = _bulk(Room, room_rows)
    rooms = [(room_id, row["hub_id"], row["has_streaming"]) for room_id, row in zip(room_ids, room_rows, strict=True)]

    track_ids = _bulk(Track, [{"conference_id": conference_id, "name": f"Track {n + 1}: {TOPICS[n % len(TOPICS)]}",
                               "description": "", "colour": "#4a6fa5"} for n in range(max(1, talks // 12))])
    format_ids = _bulk(SessionFormat, [{"conference_id": conference_id, "name": name, "duration_minutes": minutes}
                                       for name, minutes, _share in FORMATS])
    format_minutes = dict(zip(format_ids, (minutes for _n, minutes, _s in FORMATS), strict=True))

    db.session.execute(insert(ScheduleSettings), [{
        "conference_id": conference_id, "slot_minutes": SLOT_MINUTES, "weights": {}, "relaxed_rules": {},
        "time_limit_seconds": 60, "updated_at": now}])

    # Blocks on a UTC grid; hub rooms open only in blocks inside the hub's local 08:00-19:00.
    block_rows = []
    for day in range(DAYS):
        for hour in BLOCK_STARTS_UTC:
            starts = datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time(), UTC) + timedelta(hours=hour)
            block_rows.append({"conference_id": conference_id, "name": f"Day {day + 1} {hour:02d}:00 UTC",
                               "hub_id": None, "starts_at": starts, "ends_at": starts + timedelta(hours=BLOCK_HOURS)})
    block_ids = _bulk(ScheduleBlock, block_rows)
    blocks = [(block_id, row["starts_at"]) for block_id, row in zip(block_ids, block_rows, strict=True)]
    open_rooms: dict[int, list[int]] = {}
    block_room_rows = []
    for block_id, starts in blocks:
        for room_id, hub_id, _streaming in rooms:
            if hub_id is not None:
                zone = hub_zone[hub_id]
                start_hour = _local_hour(starts, zone)
                end_hour = start_hour + BLOCK_HOURS
                if start_hour < 8 or end_hour > 19:
                    continue
            open_rooms.setdefault(block_id, []).append(room_id)
            block_room_rows.append({"block_id": block_id, "room_id": room_id})
    db.session.execute(insert(ScheduleBlockRoom), block_room_rows)

    # People: one organiser, the speakers, the attendees.
    user_rows = [{"email": "organiser@bench.example", "display_name": "Bench Organiser", "password_hash": PASSWORD_HASH,
                  "time_zone": "Europe/London", "created_at": now, "session_token": "bench-organiser"}]
    for n in range(speakers):
        user_rows.append({"email": f"speaker{n}@bench.example", "display_name": f"Speaker {n} Ñame",
                          "password_hash": PASSWORD_HASH, "time_zone": rng.choice(ATTENDEE_ZONES),
                          "created_at": now, "session_token": f"bench-speaker-{n}"})
    for n in range(attendees):
        user_rows.append({"email": f"attendee{n}@bench.example", "display_name": f"Attendee {n}",
                          "password_hash": PASSWORD_HASH, "time_zone": rng.choice(ATTENDEE_ZONES),
                          "created_at": now, "session_token": f"bench-attendee-{n}"})
    user_ids = _bulk(User, user_rows)
    organiser_id, speaker_ids, attendee_ids = user_ids[0], user_ids[1:1 + speakers], user_ids[1 + speakers:]
    db.session.execute(insert(ConferenceRole), [{"conference_id": conference_id, "user_id": organiser_id,
                                                 "role": Role.ORGANISER, "created_at": now}])

    # Speaker profiles: 20 % remote; the rest at a hub. ~20 % with availability on some days only.
    profile_rows, window_rows = [], []
    speaker_hub: dict[int, int | None] = {}
    first = datetime.combine(FIRST_DAY, datetime.min.time(), UTC)
    for user_id in speaker_ids:
        remote = rng.random() < 0.2
        hub_id = None if remote else rng.choice(hub_ids)
        speaker_hub[user_id] = hub_id
        profile_rows.append({"conference_id": conference_id, "user_id": user_id, "bio": "",
                             "presentation_mode": PresentationMode.REMOTE if remote else PresentationMode.IN_PERSON,
                             "hub_id": hub_id, "recording_consent": True})
        days = sorted(rng.sample(range(DAYS), 2)) if rng.random() < 0.2 else list(range(DAYS))
        for day in days:
            window_rows.append({"conference_id": conference_id, "user_id": user_id,
                                "starts_at": first + timedelta(days=day), "ends_at": first + timedelta(days=day + 1)})
    db.session.execute(insert(SpeakerProfile), profile_rows)
    db.session.execute(insert(AvailabilityWindow), window_rows)

    # Proposals: one submitter each (speaker n gives talk n), ~30 % with a co-speaker.
    shares = [share for _n, _m, share in FORMATS]
    proposal_rows, talk_formats = [], []
    for n in range(talks):
        format_id = rng.choices(format_ids, weights=shares)[0]
        talk_formats.append(format_id)
        topic = TOPICS[n % len(TOPICS)]
        abstract = ABSTRACT.format(topic=topic, n=n)
        proposal_rows.append({
            "conference_id": conference_id, "title": f"Talk {n}: {topic} at scale, part {n % 7 + 1}",
            # Bulk inserts skip Proposal's @validates: fill the stored plain text as the ORM would.
            "abstract": abstract, "abstract_text": markdown_to_text(abstract), "session_format_id": format_id,
            "track_id": track_ids[n % len(track_ids)], "state": ProposalState.ACCEPTED,
            "created_at": now, "updated_at": now, "submitted_at": now, "lock_version": 1,
        })
    proposal_ids = _bulk(Proposal, proposal_rows)
    speakers_of: dict[int, list[int]] = {}
    speaker_rows = []
    for n, proposal_id in enumerate(proposal_ids):
        people = [speaker_ids[n % speakers]]
        if rng.random() < 0.3:
            other = rng.choice(speaker_ids)
            if other not in people:
                people.append(other)
        speakers_of[proposal_id] = people
        for index, user_id in enumerate(people):
            speaker_rows.append({"proposal_id": proposal_id, "user_id": user_id,
                                 "role": SpeakerRole.SUBMITTER if index == 0 else SpeakerRole.CO_SPEAKER,
                                 "invitation_state": InvitationState.ACCEPTED})
    db.session.execute(insert(ProposalSpeaker), speaker_rows)

    # Interest: each attendee marks ~10 talks from a Zipf-like popularity curve.
    popularity = proposal_ids[:]
    rng.shuffle(popularity)
    weights = _zipf_weights(len(popularity))
    mark_rows = []
    for user_id in attendee_ids:
        wanted = set(rng.choices(popularity, weights=weights, k=rng.randint(8, 14)))
        mark_rows.extend({"user_id": user_id, "proposal_id": p, "created_at": now} for p in sorted(wanted))
    db.session.execute(insert(InterestMark), mark_rows)

    # A draft with every talk placed: first (room, block) with room left, no speaker twice in a block.
    draft_id = _bulk(ScheduleVersion, [{"conference_id": conference_id, "is_draft": True, "created_at": now,
                                        "updated_at": now, "note": "", "lock_version": 1}])[0]
    block_slots = int(BLOCK_HOURS * 60 / SLOT_MINUTES)
    used = {(room_id, block_id): 0 for block_id in block_ids for room_id in open_rooms.get(block_id, [])}
    busy: set[tuple[int, int]] = set()
    block_start = dict(blocks)
    room_hub = {room_id: hub_id for room_id, hub_id, _s in rooms}
    room_streams = {room_id: streaming for room_id, _h, streaming in rooms}
    placed_rows = []
    unplaced = 0
    for proposal_id, format_id in zip(proposal_ids, talk_formats, strict=True):
        slots = -(-format_minutes[format_id] // SLOT_MINUTES)
        people = speakers_of[proposal_id]
        hub = speaker_hub.get(people[0])
        remote = any(speaker_hub.get(u) is None for u in people)
        placed = False
        order = block_ids[:]
        rng.shuffle(order)
        for block_id in order:
            if any((u, block_id) in busy for u in people):
                continue
            for room_id in open_rooms.get(block_id, []):
                if hub is None and room_hub[room_id] is not None:
                    continue
                if hub is not None and room_hub[room_id] != hub:
                    continue
                if remote and not room_streams[room_id]:
                    continue
                start_slot = used[(room_id, block_id)]
                if start_slot + slots > block_slots:
                    continue
                used[(room_id, block_id)] = start_slot + slots
                starts = block_start[block_id] + timedelta(minutes=SLOT_MINUTES * start_slot)
                placed_rows.append({"version_id": draft_id, "proposal_id": proposal_id, "room_id": room_id,
                                    "block_id": block_id, "starts_at": starts,
                                    "ends_at": starts + timedelta(minutes=SLOT_MINUTES * slots), "pinned": False})
                busy.update((u, block_id) for u in people)
                placed = True
                break
            if placed:
                break
        unplaced += not placed
    db.session.execute(insert(ScheduledTalk), placed_rows)
    counts = {"talks": talks, "placed": len(placed_rows), "unplaced": unplaced, "speakers": speakers,
              "attendees": attendees, "interest_marks": len(mark_rows), "rooms": len(rooms), "blocks": len(blocks),
              "organiser_id": organiser_id}
    return conference_id, counts


def build_database(database_url: str, talks: int = 1000, seed: int = 1, quiet: bool = False) -> Built:
    """Recreate ``database_url`` and fill it with a published ``talks``-talk conference."""
    from conference.drafts.operations import publish_schedule

    started = time.perf_counter()
    fresh_database(database_url)
    app = bench_app(database_url)
    with app.app_context():
        db.create_all()
        conference_id, counts = _populate(talks, seed)
        db.session.commit()
        conference = db.session.get(Conference, conference_id)
        organiser = db.session.get(User, counts["organiser_id"])
        publish_schedule(conference, organiser, note="Generated for the benchmarks.")
        db.session.commit()
        assert db.session.scalar(select(Conference.id).where(Conference.slug == SLUG)) == conference_id
        db.session.remove()
        db.engine.dispose()
    built = Built(database_url, SLUG, conference_id, talks, counts["speakers"], counts["attendees"],
                  counts["interest_marks"], counts["rooms"], counts["blocks"], time.perf_counter() - started)
    if not quiet:
        print(f"built {database_url}: {talks} talks ({counts['placed']} placed, {counts['unplaced']} unplaced), "
              f"{counts['speakers']} speakers, {counts['attendees']} attendees, {counts['interest_marks']} interest "
              f"marks, {counts['rooms']} rooms, {counts['blocks']} blocks, published in {built.seconds:.1f} s")
    return built


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="sqlite:////tmp/conference-bench.db",
                        help="SQLite file (default) or postgresql://.../bench_<name> (dropped and recreated)")
    args = parser.parse_args(argv)
    build_database(args.database_url, args.talks, args.seed)


if __name__ == "__main__":
    main()
