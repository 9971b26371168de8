from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from conference.conferences.models import Hub, Room
from conference.core.timezones import local_to_utc, to_zone
from conference.demo.seed import add_hubs_and_rooms, create_conference
from conference.schedule.models import ScheduleBlock, ScheduleBlockRoom
from conference.schedule.operations import ensure_schedule_settings, generate_typical_grid


def demo_grid(db):
    """The demo's three hubs (London, New York, Bengaluru) over 12-14 March 2027."""
    conference = create_conference()
    add_hubs_and_rooms(conference)
    db.session.flush()
    ensure_schedule_settings(conference)
    created = generate_typical_grid(conference)
    return conference, created


def windows_of(hub: Hub, day) -> dict[str, tuple[datetime, datetime]]:
    """The hub's morning and afternoon in UTC, worked out independently of the grid code."""
    starts = datetime.combine(day, hub.working_day_starts)
    ends = datetime.combine(day, hub.working_day_ends)
    middle = starts + (ends - starts) / 2
    local = {"morning": (starts, middle - timedelta(minutes=30)), "afternoon": (middle + timedelta(minutes=30), ends)}
    return {part: (local_to_utc(day, a.time(), hub.time_zone), local_to_utc(day, b.time(), hub.time_zone))
            for part, (a, b) in local.items()}


def open_rooms(db) -> dict[int, set[int]]:
    rooms = defaultdict(set)
    for block_id, room_id in db.session.execute(select(ScheduleBlockRoom.block_id, ScheduleBlockRoom.room_id)):
        rooms[block_id].add(room_id)
    return rooms


def test_typical_grid_blocks_never_overlap_across_hubs(db):
    _conference, created = demo_grid(db)

    blocks = sorted(created, key=lambda block: block.starts_at)
    assert len(blocks) >= 12
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert before.ends_at <= after.starts_at, (before.name, after.name)
    for block in blocks:
        assert block.ends_at - block.starts_at >= timedelta(minutes=30)
        assert (block.ends_at - block.starts_at) % timedelta(minutes=15) == timedelta(0)


def test_typical_grid_gives_every_hub_morning_and_afternoon_time_each_day(db):
    conference, created = demo_grid(db)
    rooms = open_rooms(db)

    for hub in db.session.scalars(select(Hub)):
        hub_rooms = set(db.session.scalars(select(Room.id).where(Room.hub_id == hub.id)))
        for day in conference.days():
            for part, (starts, ends) in windows_of(hub, day).items():
                covered = sum(
                    (block.ends_at - block.starts_at for block in created
                     if starts <= block.starts_at and block.ends_at <= ends and hub_rooms <= rooms[block.id]),
                    timedelta(0),
                )
                assert covered >= timedelta(hours=3), (hub.name, day, part, covered)


def test_typical_grid_opens_hub_rooms_only_in_their_working_hours_and_streams_everywhere(db):
    conference, created = demo_grid(db)
    rooms = open_rooms(db)
    online = set(db.session.scalars(select(Room.id).where(Room.hub_id.is_(None))))

    for block in created:
        assert online <= rooms[block.id], block.name
        for room in db.session.scalars(select(Room).where(Room.id.in_(rooms[block.id] - online))):
            hub = room.hub
            starts, ends = to_zone(block.starts_at, hub.time_zone), to_zone(block.ends_at, hub.time_zone)
            assert starts.date() == ends.date() and starts.date() in conference.days(), (block.name, room.name)
            windows = windows_of(hub, starts.date()).values()
            assert any(a <= block.starts_at and block.ends_at <= b for a, b in windows), (block.name, room.name)
            assert hub.name in block.name


def test_typical_grid_keeps_london_mornings_shared_with_bengaluru_afternoons(db):
    _conference, created = demo_grid(db)
    by_name = {block.name: block for block in created}

    shared = by_name["Bengaluru afternoon · London morning Fri 12 Mar"]
    assert (shared.starts_at, shared.ends_at) == (datetime(2027, 3, 12, 9, tzinfo=UTC),
                                                   datetime(2027, 3, 12, 12, 30, tzinfo=UTC))
    assert shared.hub_id is None
    assert {room.name for room in shared.rooms} == {
        "Thames", "Shard", "Kew", "Cubbon", "Lalbagh", "Ulsoor", "Online Stream 1", "Online Stream 2"}
    assert sum("London morning" in name for name in by_name) == 3


def test_typical_grid_follows_new_york_across_its_dst_change(db):
    _conference, created = demo_grid(db)
    by_name = {block.name: block for block in created}

    # 09:00 in New York is 14:00 UTC before the change (EST) and 13:00 UTC on Sunday (EDT).
    assert by_name["London afternoon · New York morning Fri 12 Mar"].starts_at == datetime(2027, 3, 12, 14, tzinfo=UTC)
    assert by_name["New York morning Sun 14 Mar"].starts_at == datetime(2027, 3, 14, 13, tzinfo=UTC)
    assert by_name["New York afternoon Sun 14 Mar"].ends_at == datetime(2027, 3, 14, 21, 30, tzinfo=UTC)
    assert by_name["New York afternoon Fri 12 Mar"].ends_at == datetime(2027, 3, 12, 22, 30, tzinfo=UTC)


def test_typical_grid_twice_adds_nothing_the_second_time(db):
    conference, created = demo_grid(db)

    assert generate_typical_grid(conference) == []
    assert len(db.session.scalars(select(ScheduleBlock)).all()) == len(created)
