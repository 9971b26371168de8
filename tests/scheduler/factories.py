"""Small random problems for tests (plain `random`, driven by Hypothesis-chosen seeds)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from scheduler import (
    Block,
    HourBand,
    Person,
    Placement,
    Problem,
    Room,
    SimilarTracks,
    Talk,
    Track,
    Weights,
    Window,
)

ZONES = ("Europe/London", "America/New_York", "Asia/Tokyo", "Europe/Berlin", "Australia/Sydney")


def random_problem(seed: int, *, talks: int = 6, rooms: int = 2, blocks: int = 2, slots: int = 3,
                   rich: bool = True) -> Problem:
    """A random small problem; `rich` adds preferences, tracks, attendees and constraints."""
    rng = random.Random(seed)
    day = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    block_list = tuple(Block(f"b{i}", day + timedelta(hours=max(5, slots + 1) * i), slots) for i in range(blocks))
    hubs = ("london", "nyc", None)
    room_list = tuple(
        Room(f"r{i}", f"Room {i}", capacity=rng.choice((20, 50, 100)), hub=hubs[i % len(hubs)],
             time_zone="Europe/London",
             available_blocks=None if not rich or rng.random() < 0.8 else (block_list[0].id,),
             features=("streaming",) if rng.random() < 0.6 else ())
        for i in range(rooms))
    people = []
    n_people = max(2, talks // 2 + 1)
    for i in range(n_people):
        availability = ()
        if rich and rng.random() < 0.2:
            start = day + timedelta(hours=rng.choice((0, 5)))
            availability = (Window(start, start + timedelta(hours=rng.choice((3, 6)))),)
        people.append(Person(f"p{i}", f"Person {i}", time_zone=rng.choice(ZONES), availability=availability))
    track_list = tuple(Track(f"k{i}", f"Track {i}", cohesive=rich and rng.random() < 0.5,
                             chairs=(f"p{rng.randrange(n_people)}",) if rich and rng.random() < 0.1 else ())
                       for i in range(2))
    talk_list = []
    for i in range(talks):
        talk_list.append(Talk(
            f"t{i}", f"Talk {i}", slots=rng.choice((1, 1, 1, 2)) if slots > 1 else 1,
            track=rng.choice(track_list).id if rich else None,
            speakers=tuple(rng.sample([p.id for p in people], rng.choice((1, 1, 2)))),
            audience=rng.choice((10, 40, 80)),
            room_penalties={room_list[0].id: rng.randrange(3)} if rich else {},
            block_penalties={block_list[-1].id: rng.randrange(3)} if rich else {},
            mode=rng.choice(("in_person", "remote", "hybrid")),
            hub=rng.choice(("london", None)) if rich else None,
            required_features=("streaming",) if rich and rng.random() < 0.2 else (),
            track_order=rng.randrange(3) if rich and rng.random() < 0.5 else None,
            priority=rng.randrange(4)))
    attendees = [Person(f"a{i}", time_zone="UTC", wants=tuple(rng.sample([t.id for t in talk_list], 2)))
                 for i in range(3 if rich else 0)]
    similar = (SimilarTracks("k0", "k1", 2),) if rich else ()
    previous = ()
    if rich and rng.random() < 0.3:
        previous = (Placement("t0", room_list[0].id, block_list[0].id, 0),)
    return Problem(
        blocks=block_list, rooms=room_list, talks=tuple(talk_list), slot_minutes=60,
        people=tuple(people) + tuple(attendees), tracks=track_list, similar_tracks=similar,
        audience_time_zones={"Europe/London": 2, "America/New_York": 1}, civilised_hours=(time(8), time(20)),
        previous=previous, weights=Weights())


__all__ = ["random_problem", "HourBand"]
