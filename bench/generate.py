"""Deterministic generator of realistic internal-conference scheduling instances.

The shape of an instance (see ``bench/README.md``):

* 3-5 hubs in far-apart time zones (London, Singapore, New York, Kolkata, Los Angeles),
  each with an auditorium, lab rooms for workshops, ordinary rooms with streaming and
  a small huddle room without it; hub rooms are only open in the hub's local daytime.
* Online-only streams (rooms without a hub) open around the clock for remote talks.
* 2-3 conference days; every day is a UTC grid of 2-hour blocks (8 slots of 15 min)
  separated by 1-hour breaks, so each hub sees 3-4 blocks in its local day.
* Talk formats: lightning (15 min), regular (30), long (45), panel (60, 3-4 speakers),
  workshop (90/120 min, needs a lab, in person), one hybrid keynote per hub (pinned at
  the start of the hub's first day).
* Co-speakers, speakers with several talks, speakers with hard availability windows
  (some days only, or their local 07:00-22:00) and custom local-hour bands.
* Tracks with chairs (who must attend every talk of their track), cohesive tracks,
  ordered series, and similarity pairs between tracks of the same topic family.
* Attendees whose interest follows a Zipf-like popularity curve over talks; expected
  in-room audience follows the same curve; remote audience spread over 16 IANA zones.

Rooms are scaled from the talks' slot demand so that every talk can be scheduled.

Usage::

    python bench/generate.py --talks 200 --seed 1 -o /tmp/p200.json
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.model import (  # noqa: E402
    Block,
    HourBand,
    Person,
    Placement,
    Problem,
    Room,
    SimilarTracks,
    Talk,
    Track,
    Window,
)

SIZES = (50, 200, 1000, 2000)
SLOT_MINUTES = 15
BLOCK_SLOTS = 8  # 2-hour blocks
BLOCK_PERIOD_HOURS = 3  # 2 h block + 1 h break
CONFERENCE_START = datetime(2027, 10, 12, tzinfo=UTC)  # a Tuesday (DST still on in EU/US)
HUB_DAY = (time(8, 0), time(19, 0))  # hub rooms open if a block fits in this local window


@dataclass(frozen=True)
class HubSpec:
    id: str
    city: str
    time_zone: str
    weight: float  # share of in-person talks


HUBS = (
    HubSpec("lon", "London", "Europe/London", 1.3),
    HubSpec("sin", "Singapore", "Asia/Singapore", 1.0),
    HubSpec("nyc", "New York", "America/New_York", 1.2),
    HubSpec("blr", "Bengaluru", "Asia/Kolkata", 1.0),
    HubSpec("sfo", "San Francisco", "America/Los_Angeles", 1.1),
)

# Remote audience and remote speakers: 16 IANA zones (weights: share of the audience).
AUDIENCE_ZONES = {
    "Europe/London": 9.0,
    "Europe/Berlin": 8.0,
    "Europe/Warsaw": 4.0,
    "Africa/Johannesburg": 2.0,
    "Asia/Dubai": 2.0,
    "Asia/Kolkata": 9.0,
    "Asia/Singapore": 6.0,
    "Asia/Shanghai": 3.0,
    "Asia/Tokyo": 3.0,
    "Australia/Sydney": 3.0,
    "Pacific/Auckland": 1.0,
    "America/Sao_Paulo": 3.0,
    "America/New_York": 10.0,
    "America/Chicago": 5.0,
    "America/Denver": 2.0,
    "America/Los_Angeles": 8.0,
}

# Topic families: tracks within a family are similar (should not run in parallel).
TOPIC_FAMILIES = {
    "data": ["Data Engineering", "ML Platform", "Analytics", "LLM Applications", "Search & Ranking"],
    "infra": ["Kubernetes", "Observability", "Networking", "Storage", "Cloud Cost"],
    "dev": ["Developer Experience", "Build & CI", "Testing", "Languages & Runtimes"],
    "product": ["Frontend", "Mobile", "Design Systems", "Accessibility"],
    "security": ["AppSec", "Identity", "Privacy & Compliance"],
    "people": ["Engineering Culture", "Leadership", "Career Growth"],
    "arch": ["Distributed Systems", "APIs & Integration", "Performance", "Reliability"],
}

FIRST_NAMES = ["Aisha", "Ben", "Chen", "Dara", "Elif", "Femi", "Gita", "Hugo", "Ines", "Jun", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Ravi", "Sofia", "Tariq", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Anya", "Bruno", "Carmen", "Dmitri", "Esther", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kavya", "Luis", "Maya", "Nikhil", "Olga", "Pablo", "Rosa", "Sven", "Tamar", "Uri", "Vera", "Wyatt"]
LAST_NAMES = ["Okafor", "Smith", "Tan", "Kowalski", "Yilmaz", "Adeyemi", "Rao", "Martin", "Silva", "Wang", "Mensah", "Fischer", "Garcia", "Mensah", "Haddad", "Iyer", "Brooks", "Novak", "Rossi", "Nakamura", "Costa", "Lindqvist", "Singh", "Moreau", "Ivanova", "Dubois", "Ahmed", "Kim", "Schmidt", "Lopez", "Nguyen", "Patel", "Jensen", "Cohen", "Murphy", "Sato", "Ferreira", "Ali"]
TITLE_WORDS = ["Scaling", "Migrating", "Debugging", "Observing", "Securing", "Testing", "Designing", "Shipping", "Operating", "Rethinking", "Automating", "Profiling", "Caching", "Sharding", "Streaming", "Versioning", "Documenting"]
TITLE_OBJECTS = ["our event bus", "the payments API", "feature flags", "a monorepo", "the data lake", "on-call", "GPU clusters", "the design system", "edge caches", "the search index", "schema changes", "mobile releases", "access control", "the build farm", "cost dashboards", "incident reviews", "internal SDKs", "queues"]

FORMATS = (
    # name, slots, share, speakers (min, max)
    ("lightning", 1, 0.15, (1, 1)),
    ("regular", 2, 0.50, (1, 2)),
    ("long", 3, 0.14, (1, 2)),
    ("panel", 4, 0.06, (3, 4)),
    ("workshop", 6, 0.06, (1, 2)),
    ("workshop", 8, 0.04, (2, 3)),
)
HUB_SLACK = 1.75  # room-slot supply over demand at each hub
ONLINE_SLACK = 1.6
LAB_SLACK = 2.0


def hub_count(talks: int) -> int:
    return 3 if talks <= 100 else 4 if talks <= 500 else 5


def day_count(talks: int) -> int:
    return 2 if talks <= 200 else 3


def _local(dt: datetime, zone: str) -> datetime:
    return dt.astimezone(ZoneInfo(zone))


def _fits_local_day(start: datetime, end: datetime, zone: str) -> bool:
    ls, le = _local(start, zone), _local(end, zone)
    if ls.date() != le.date() and le.time() != time(0):
        return False
    return ls.time() >= HUB_DAY[0] and (le.time() <= HUB_DAY[1]) and ls.date() == le.date()


def _zipf_weights(n: int, rng: random.Random, exponent: float = 1.0) -> list[float]:
    ranks = list(range(1, n + 1))
    rng.shuffle(ranks)
    return [1.0 / r**exponent for r in ranks]


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, probability proportional to weight (Efraimidis-Spirakis)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:k]]


def _windows_for_local_hours(zone: str, days: list[datetime], start_h: int, end_h: int) -> list[Window]:
    tz = ZoneInfo(zone)
    out = []
    for day in days:
        # the conference day in UTC overlaps two local dates; cover both
        for offset in (-1, 0, 1):
            local_date = (day + timedelta(days=offset)).date()
            ws = datetime(local_date.year, local_date.month, local_date.day, start_h, tzinfo=tz)
            we = datetime(local_date.year, local_date.month, local_date.day, end_h, tzinfo=tz)
            out.append(Window(ws.astimezone(UTC), we.astimezone(UTC)))
    out = sorted(set(out), key=lambda w: w.start)
    return out


def _common_start(starts: list[datetime], length: timedelta, persons: list[Person]) -> bool:
    """True if some start lets a talk of `length` fit every person's availability."""
    for start in starts:
        end = start + length
        if all(not p.availability or any(w.start <= start and end <= w.end for w in p.availability)
               for p in persons):
            return True
    return False


def generate(talks: int, seed: int = 1) -> Problem:
    """A realistic instance with exactly `talks` talks, deterministic for (talks, seed)."""
    if talks < 10:
        raise ValueError("need at least 10 talks")
    rng = random.Random(f"conference-bench/{talks}/{seed}")
    hubs = HUBS[: hub_count(talks)]
    n_days = day_count(talks)
    day_starts = [CONFERENCE_START + timedelta(days=d) for d in range(n_days)]

    # ---- blocks: a UTC grid of 2 h blocks with 1 h breaks -------------------------------
    blocks: list[Block] = []
    for d, day in enumerate(day_starts):
        for k in range(24 // BLOCK_PERIOD_HOURS):
            start = day + timedelta(hours=k * BLOCK_PERIOD_HOURS)
            blocks.append(Block(f"d{d + 1}-{start.hour:02d}", start, BLOCK_SLOTS))
    block_len = timedelta(minutes=SLOT_MINUTES * BLOCK_SLOTS)
    hub_blocks = {
        h.id: [b.id for b in blocks if _fits_local_day(b.start, b.start + block_len, h.time_zone)]
        for h in hubs
    }
    block_day = {b.id: int(b.id[1:].split("-")[0]) for b in blocks}

    # ---- tracks ---------------------------------------------------------------------------
    n_tracks = max(5, min(100, round(talks / 12)))
    family_names = list(TOPIC_FAMILIES)
    catalogue = [(fam, name) for fam in family_names for name in TOPIC_FAMILIES[fam]]
    track_specs = []
    for i in range(n_tracks):
        fam, name = catalogue[i % len(catalogue)]
        suffix = "" if i < len(catalogue) else f" {i // len(catalogue) + 1}"
        track_specs.append((f"tr{i + 1:02d}", fam, name + suffix))
    track_weights = [rng.uniform(0.6, 1.4) for _ in track_specs]

    # ---- talk formats, modes, hubs ---------------------------------------------------------
    hub_weights = [h.weight for h in hubs]
    keynote_count = len(hubs)
    fmt_names = list(FORMATS)
    fmt_weights = [f[2] for f in FORMATS]
    raw_talks: list[dict] = []
    for i in range(talks):
        if i < keynote_count:
            raw_talks.append({"kind": "keynote", "slots": 4, "speakers": (1, 1),
                              "mode": "hybrid", "hub": hubs[i].id, "track": None})
            continue
        kind, slots, _, spk = rng.choices(fmt_names, fmt_weights)[0]
        if kind == "workshop":
            mode = "in_person"
        else:
            mode = rng.choices(["in_person", "hybrid", "remote"], [0.25, 0.45, 0.30])[0]
        hub = None if mode == "remote" else rng.choices(hubs, hub_weights)[0].id
        track = rng.choices(track_specs, track_weights)[0][0]
        raw_talks.append({"kind": kind, "slots": slots, "speakers": spk, "mode": mode,
                          "hub": hub, "track": track})
    popularity = _zipf_weights(talks, rng, exponent=1.0)
    for i in range(keynote_count):  # keynotes are the most popular
        popularity[i] = 1.5

    # ---- rooms, scaled from slot demand -----------------------------------------------------
    rooms: list[Room] = []
    rooms_by_hub: dict[str | None, list[Room]] = {}
    for h in hubs:
        supply = len(hub_blocks[h.id]) * BLOCK_SLOTS
        here = [t for t in raw_talks if t["hub"] == h.id]
        lab_demand = sum(t["slots"] for t in here if t["kind"] == "workshop")
        other_demand = sum(t["slots"] for t in here if t["kind"] != "workshop")
        n_labs = max(1, math.ceil(lab_demand * LAB_SLACK / supply))
        n_other = max(2, math.ceil(other_demand * HUB_SLACK / supply))
        zone = h.time_zone
        hub_rooms = [Room(f"{h.id}-aud", f"{h.city} Auditorium", rng.choice([250, 300, 400, 500]),
                          h.id, zone, tuple(hub_blocks[h.id]), ("stream", "recording"))]
        for j in range(n_labs):
            hub_rooms.append(Room(f"{h.id}-lab{j + 1}", f"{h.city} Lab {j + 1}",
                                  rng.choice([24, 30, 36, 40]), h.id, zone,
                                  tuple(hub_blocks[h.id]), ("lab",)))
        for j in range(n_other - 1):
            cap = rng.choice([40, 60, 80, 100, 120, 150, 200])
            hub_rooms.append(Room(f"{h.id}-r{j + 1}", f"{h.city} Room {j + 1}", cap, h.id, zone,
                                  tuple(hub_blocks[h.id]), ("stream",)))
        hub_rooms.append(Room(f"{h.id}-huddle", f"{h.city} Huddle", rng.choice([12, 16, 20]),
                              h.id, zone, tuple(hub_blocks[h.id]), ()))
        rooms += hub_rooms
        rooms_by_hub[h.id] = hub_rooms
    online_demand = sum(t["slots"] for t in raw_talks if t["mode"] == "remote")
    n_online = max(1, math.ceil(online_demand * ONLINE_SLACK / (len(blocks) * BLOCK_SLOTS)))
    online = [Room(f"online-{j + 1}", f"Online stream {j + 1}", 1000, None, "UTC", None, ("stream",))
              for j in range(n_online)]
    rooms += online
    rooms_by_hub[None] = online

    # ---- people: speakers, chairs, attendees ---------------------------------------------
    people: list[Person] = []
    used_names: Counter = Counter()

    def new_person(prefix: str, zone: str, **kw) -> Person:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        used_names[name] += 1
        if used_names[name] > 1:
            name = f"{name} {used_names[name]}"
        p = Person(f"{prefix}{len(people) + 1:05d}", name, zone, **kw)
        people.append(p)
        return p

    hub_zone = {h.id: h.time_zone for h in hubs}
    remote_zones = list(AUDIENCE_ZONES)
    remote_zone_w = [AUDIENCE_ZONES[z] for z in remote_zones]
    early = (HourBand(time(7), time(15), 0), HourBand(time(15), time(18), 2))
    late = (HourBand(time(11), time(20), 0), HourBand(time(20), time(23), 2),
            HourBand(time(9), time(11), 3))

    def speaker_kwargs(zone: str, is_remote: bool) -> dict:
        kw: dict = {}
        r = rng.random()
        if is_remote and r < 0.35:
            kw["availability"] = tuple(_windows_for_local_hours(zone, day_starts, 7, 22))
        elif r < 0.18 and n_days > 1:
            # available on a contiguous subset of the days only
            first = rng.randrange(n_days)
            last = min(n_days - 1, first + rng.randrange(n_days - 1 or 1))
            if first == last and not is_remote:
                last = min(n_days - 1, first + 1)
                first = max(0, last - 1)
            kw["availability"] = (Window(day_starts[first] - timedelta(hours=12),
                                         day_starts[last] + timedelta(hours=36)),)
        b = rng.random()
        if b < 0.10:
            kw["local_hour_bands"] = early
        elif b < 0.18:
            kw["local_hour_bands"] = late
        return kw

    talk_speakers: list[tuple[str, ...]] = []
    pool: dict[str | None, list[Person]] = {}
    for t in raw_talks:
        lo, hi = t["speakers"]
        k = rng.randint(lo, hi) if t["kind"] != "regular" else (2 if rng.random() < 0.22 else 1)
        chosen: list[str] = []
        key = t["hub"]
        for _ in range(k):
            reuse = pool.get(key) and rng.random() < 0.12 and t["kind"] != "keynote"
            if reuse:
                cand = rng.choice(pool[key])
                if cand.id not in chosen:
                    chosen.append(cand.id)
                    continue
            if key is None:
                zone = rng.choices(remote_zones, remote_zone_w)[0]
            else:
                zone = hub_zone[key] if rng.random() < 0.85 else rng.choices(remote_zones, remote_zone_w)[0]
            kw = {} if t["kind"] == "keynote" else speaker_kwargs(zone, key is None)
            p = new_person("p", zone, **kw)
            pool.setdefault(key, []).append(p)
            chosen.append(p.id)
        talk_speakers.append(tuple(chosen))

    # Co-speakers' hard windows must leave a common time for their talk: drop the
    # windows of later speakers until some placement in the talk's blocks fits them all.
    person_at = {p.id: i for i, p in enumerate(people)}
    slot = timedelta(minutes=SLOT_MINUTES)
    by_id = {b.id: b for b in blocks}
    for t, spk in zip(raw_talks, talk_speakers, strict=True):
        if len(spk) < 2:
            continue
        candidates = [by_id[b] for b in hub_blocks[t["hub"]]] if t["hub"] else blocks
        starts = [b.start + k * slot for b in candidates for k in range(b.slots - t["slots"] + 1)]
        length = t["slots"] * slot
        for pid in spk[1:]:
            if _common_start(starts, length, [people[person_at[q]] for q in spk]):
                break
            person = people[person_at[pid]]
            people[person_at[pid]] = replace(person, availability=())

    # chairs: one or two for most tracks small enough for a person to attend all of it
    track_talk_slots = Counter()
    for t in raw_talks:
        if t["track"]:
            track_talk_slots[t["track"]] += t["slots"]
    total_slots = len(blocks) * BLOCK_SLOTS
    tracks: list[Track] = []
    for tid, _fam, name in track_specs:
        chairs: tuple[str, ...] = ()
        if track_talk_slots[tid] <= 0.45 * total_slots and rng.random() < 0.75:
            n_chairs = 2 if rng.random() < 0.15 else 1
            chairs = tuple(
                new_person("c", hub_zone[rng.choice(hubs).id]).id for _ in range(n_chairs)
            )
        tracks.append(Track(tid, name, chairs, cohesive=rng.random() < 0.3))

    # similar tracks: pairs within a topic family
    similar: list[SimilarTracks] = []
    by_family: dict[str, list[str]] = {}
    for tid, fam, _ in track_specs:
        by_family.setdefault(fam, []).append(tid)
    for fam in family_names:
        ids = by_family.get(fam, [])
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                if rng.random() < 0.5:
                    similar.append(SimilarTracks(ids[a], ids[b], rng.choice([1, 2, 3])))

    # ---- talks ---------------------------------------------------------------------------
    sorted_pop = sorted(popularity)
    median_pop = sorted_pop[len(sorted_pop) // 2]
    series_counter: Counter = Counter()
    ordered_tracks = {tid for tid, _, _ in track_specs if rng.random() < 0.25}
    talk_objs: list[Talk] = []
    for i, t in enumerate(raw_talks):
        tid = f"t{i + 1:04d}"
        hub = t["hub"]
        here = rooms_by_hub[hub]
        caps = sorted(r.capacity for r in here)
        rel = (popularity[i] / median_pop) ** 0.5
        if hub is None:
            audience = min(950, max(10, round(120 * rel)))
        else:
            median_cap = caps[len(caps) // 2]
            audience = min(int(caps[-1] * 1.05), max(5, round(0.55 * median_cap * rel)))
        kw: dict = {}
        if t["kind"] == "keynote":
            aud = here[0]
            kw["allowed_rooms"] = (aud.id,)
            kw["priority"] = 10
            kw["block_penalties"] = {b: 5 for b in hub_blocks[hub] if block_day[b] != 1}
            audience = int(aud.capacity * 0.95)
            title = f"{HUBS[i].city if i < len(HUBS) else hub} keynote"
        else:
            title = f"{rng.choice(TITLE_WORDS)} {rng.choice(TITLE_OBJECTS)}"
            if t["kind"] == "workshop":
                kw["required_features"] = ("lab",)
                title = f"Workshop: {title}"
                audience = min(audience, max(r.capacity for r in here if "lab" in r.features))
            elif t["kind"] == "lightning":
                title = f"Lightning: {title}"
            elif t["kind"] == "panel":
                title = f"Panel: {title}"
            if t["mode"] == "hybrid":
                kw["required_features"] = ("stream",)
            if hub is None:
                kw["allowed_rooms"] = tuple(r.id for r in online)
            if t["track"] in ordered_tracks and t["kind"] in ("regular", "long") \
                    and series_counter[t["track"]] < 3:
                series_counter[t["track"]] += 1
                kw["track_order"] = series_counter[t["track"]]
            if rng.random() < 0.10:  # prefers a given day
                fav = rng.randint(1, n_days)
                kw["block_penalties"] = {b.id: 3 for b in blocks if block_day[b.id] != fav}
            if rng.random() < 0.08:  # regional audience
                zs = _weighted_sample(rng, remote_zones, remote_zone_w, 3)
                kw["audience_time_zones"] = {z: round(rng.uniform(0.5, 3.0), 2) for z in zs}
            if rng.random() < 0.05:
                kw["priority"] = rng.choice([1, 2, 3])
        talk_objs.append(Talk(
            id=tid, title=title, slots=t["slots"], track=t["track"],
            speakers=talk_speakers[i], audience=audience, mode=t["mode"], hub=hub, **kw,
        ))

    # ---- attendees: wants follow the popularity curve ------------------------------------
    talk_ids = [t.id for t in talk_objs]
    n_att = min(2 * talks, 2500)
    hub_talk_idx = {h.id: [i for i, t in enumerate(raw_talks) if t["hub"] == h.id] for h in hubs}
    for _ in range(n_att):
        home = rng.choices([*hubs, None], [*hub_weights, 1.5])[0]
        zone = home.time_zone if home else rng.choices(remote_zones, remote_zone_w)[0]
        k = rng.randint(3, 8)
        if home is not None and rng.random() < 0.6:
            idx = hub_talk_idx[home.id]
            wants = _weighted_sample(rng, [talk_ids[i] for i in idx],
                                     [popularity[i] for i in idx], k)
        else:
            wants = _weighted_sample(rng, talk_ids, popularity, k)
        new_person("a", zone, wants=tuple(sorted(wants)))

    # ---- pins: every hub's keynote opens the hub's first day in its auditorium -----------
    pins = tuple(Placement(talk_objs[i].id, f"{h.id}-aud", hub_blocks[h.id][0], 0)
                 for i, h in enumerate(hubs))

    audience_zones = dict(AUDIENCE_ZONES.items())
    return Problem(
        blocks=tuple(blocks),
        rooms=tuple(rooms),
        talks=tuple(talk_objs),
        slot_minutes=SLOT_MINUTES,
        people=tuple(people),
        tracks=tuple(tracks),
        similar_tracks=tuple(similar),
        audience_time_zones=audience_zones,
        pins=pins,
    )


def summary(problem: Problem) -> dict:
    """Shape figures of an instance (used by the CLI, the benchmark and the tests)."""
    talks = problem.talks
    speakers = {p for t in talks for p in t.speakers}
    chairs = {c for tr in problem.tracks for c in tr.chairs}
    zones = set(problem.audience_time_zones)
    for t in talks:
        zones |= set(t.audience_time_zones or {})
    return {
        "talks": len(talks),
        "talk_slots": sum(t.slots for t in talks),
        "rooms": len(problem.rooms),
        "online_rooms": sum(1 for r in problem.rooms if r.hub is None),
        "hubs": sorted({r.hub for r in problem.rooms if r.hub}),
        "hub_zones": sorted({r.time_zone for r in problem.rooms if r.hub}),
        "blocks": len(problem.blocks),
        "days": len({b.start.date() for b in problem.blocks}),
        "room_block_slots": sum(
            (len(r.available_blocks) if r.available_blocks is not None else len(problem.blocks))
            * problem.blocks[0].slots for r in problem.rooms),
        "audience_zones": len(zones),
        "workshops": sum(1 for t in talks if t.slots >= 6),
        "lightning": sum(1 for t in talks if t.slots == 1),
        "multi_speaker_talks": sum(1 for t in talks if len(t.speakers) > 1),
        "speakers": len(speakers),
        "speakers_with_windows": sum(1 for p in problem.people if p.id in speakers and p.availability),
        "chairs": len(chairs),
        "attendees": sum(1 for p in problem.people if p.wants),
        "tracks": len(problem.tracks),
        "similar_track_pairs": len(problem.similar_tracks),
        "modes": dict(sorted(Counter(t.mode for t in talks).items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--talks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", help="write the problem as JSON (scheduler.io format)")
    args = parser.parse_args(argv)
    problem = generate(args.talks, args.seed)
    if args.output:
        from scheduler.io import dump_problem

        dump_problem(problem, args.output)
    for key, value in summary(problem).items():
        print(f"{key:>22}: {value}")
    if args.output:
        print(f"{'written':>22}: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
