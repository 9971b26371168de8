"""Setting up the schedule grid and the solver's goals. Operations flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from conference.conferences.models import Conference, Hub, Room, SessionFormat
from conference.conferences.settings import merge_settings
from conference.core.timezones import local_to_utc
from conference.extensions import db
from conference.schedule.mapping import INCLUDE_ACCEPTED_SETTING, schedule_settings
from conference.schedule.models import (
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleSettings,
)


@dataclass(frozen=True)
class SolverGoals:
    """What the organiser chose on the setup page."""

    slot_minutes: int
    time_limit_seconds: int
    include_accepted: bool
    weights: dict[str, int]
    relaxed_rules: list[str]
    relaxed_weight: int


def formats_not_fitting(conference: Conference, slot_minutes: int) -> list[SessionFormat]:
    """Session formats whose length is not a whole number of ``slot_minutes`` slots."""
    return [
        session_format
        for session_format in db.session.scalars(
            select(SessionFormat).where(SessionFormat.conference_id == conference.id)
        )
        if session_format.duration_minutes % slot_minutes
    ]


def blocks_not_fitting(conference: Conference, slot_minutes: int) -> list[ScheduleBlock]:
    """Blocks whose length is not a whole number of ``slot_minutes`` slots."""
    return [
        block
        for block in list_blocks(conference)
        if (block.ends_at - block.starts_at) % timedelta(minutes=slot_minutes)
    ]


def ensure_schedule_settings(conference: Conference) -> ScheduleSettings:
    """The conference's settings row, created with defaults when missing."""
    found = schedule_settings(conference)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = ScheduleSettings(
                conference_id=conference.id, slot_minutes=15, weights={}, relaxed_rules={}, time_limit_seconds=60
            )
            db.session.add(found)
    except IntegrityError:
        found = schedule_settings(conference)  # a parallel request created it first
    return found


def save_solver_goals(conference: Conference, goals: SolverGoals) -> ScheduleSettings:
    """Store slot length, time limit, weights and relaxed rules."""
    settings = ensure_schedule_settings(conference)
    settings.slot_minutes = goals.slot_minutes
    settings.time_limit_seconds = goals.time_limit_seconds
    settings.weights = dict(goals.weights)
    settings.relaxed_rules = dict.fromkeys(goals.relaxed_rules, goals.relaxed_weight)
    settings.relaxed_weight = goals.relaxed_weight
    merge_settings(conference, {INCLUDE_ACCEPTED_SETTING: goals.include_accepted})
    db.session.flush()
    return settings


def list_blocks(conference: Conference) -> list[ScheduleBlock]:
    return list(
        db.session.scalars(
            select(ScheduleBlock)
            .where(ScheduleBlock.conference_id == conference.id)
            .order_by(ScheduleBlock.starts_at, ScheduleBlock.id)
        )
    )


def block_times(day: date, starts: time, ends: time, zone_name: str) -> tuple[datetime, datetime]:
    """UTC start and end of a block entered as wall-clock times on ``day`` in ``zone_name``."""
    return local_to_utc(day, starts, zone_name), local_to_utc(day, ends, zone_name)


def overlapping_blocks(conference: Conference, starts_at: datetime, ends_at: datetime,
                       exclude_id: int | None = None) -> list[ScheduleBlock]:
    """Blocks of the conference that share any time with [starts_at, ends_at)."""
    query = select(ScheduleBlock).where(
        ScheduleBlock.conference_id == conference.id,
        ScheduleBlock.starts_at < ends_at,
        ScheduleBlock.ends_at > starts_at,
    )
    if exclude_id is not None:
        query = query.where(ScheduleBlock.id != exclude_id)
    return list(db.session.scalars(query))


def add_block(conference: Conference, name: str, hub: Hub | None, starts_at: datetime,
              ends_at: datetime) -> ScheduleBlock:
    """A new block with every room and online stream open in it."""
    block = ScheduleBlock(
        conference_id=conference.id, name=name, hub_id=hub.id if hub else None, starts_at=starts_at, ends_at=ends_at
    )
    db.session.add(block)
    db.session.flush()
    room_ids = db.session.scalars(select(Room.id).where(Room.conference_id == conference.id))
    db.session.add_all(ScheduleBlockRoom(block_id=block.id, room_id=room_id) for room_id in room_ids)
    db.session.flush()
    return block


def delete_block(block: ScheduleBlock) -> None:
    """Delete a block; talks placed in it keep their time and room, but no longer name it."""
    # Done here as well as by ON DELETE: SQLite databases made before foreign keys were
    # enforced may hold such rows, and it gives a deleted row's id to the next block.
    db.session.execute(delete(ScheduleBlockRoom).where(ScheduleBlockRoom.block_id == block.id))
    db.session.execute(
        update(ScheduledTalk).where(ScheduledTalk.block_id == block.id).values(block_id=None)
    )
    db.session.delete(block)
    db.session.flush()


def open_room_pairs(conference: Conference) -> set[tuple[int, int]]:
    """(block id, room id) of every room open in a block."""
    rows = db.session.execute(
        select(ScheduleBlockRoom.block_id, ScheduleBlockRoom.room_id)
        .join(ScheduleBlock, ScheduleBlock.id == ScheduleBlockRoom.block_id)
        .where(ScheduleBlock.conference_id == conference.id)
    )
    return {(block_id, room_id) for block_id, room_id in rows}


def blocks_without_rooms(conference: Conference) -> list[ScheduleBlock]:
    """Blocks in which no room or stream is open (the solver and the editor place nothing there)."""
    open_blocks = {block_id for block_id, _ in open_room_pairs(conference)}
    return [block for block in list_blocks(conference) if block.id not in open_blocks]


def set_open_rooms(conference: Conference, wanted: set[tuple[int, int]]) -> None:
    """Open exactly the (block, room) pairs in ``wanted``; pairs of other conferences are ignored."""
    block_ids = {block.id for block in list_blocks(conference)}
    room_ids = set(db.session.scalars(select(Room.id).where(Room.conference_id == conference.id)))
    wanted = {(b, r) for b, r in wanted if b in block_ids and r in room_ids}
    current = open_room_pairs(conference)
    for block_id, room_id in current - wanted:
        db.session.execute(
            delete(ScheduleBlockRoom).where(
                ScheduleBlockRoom.block_id == block_id, ScheduleBlockRoom.room_id == room_id
            )
        )
    for block_id, room_id in sorted(wanted - current):
        try:
            with db.session.begin_nested():
                db.session.add(ScheduleBlockRoom(block_id=block_id, room_id=room_id))
        except IntegrityError:
            pass  # a double submit opened it already
    db.session.flush()


MIN_BLOCK_MINUTES = 30
LUNCH_BREAK = timedelta(hours=1)


@dataclass(frozen=True)
class _Window:
    """One hub's morning or afternoon on one day, in UTC."""

    hub: Hub | None
    part: str
    starts_at: datetime
    ends_at: datetime


def working_windows(day: date, hub: Hub | None, day_starts: time, day_ends: time, zone_name: str,
                    slot_minutes: int) -> list[_Window]:
    """The hub's morning and afternoon on ``day`` (an hour's lunch in the middle), in UTC."""
    starts = datetime.combine(day, day_starts)
    ends = datetime.combine(day, day_ends)
    middle = starts + (ends - starts) / 2
    windows = []
    for part, start, end in (("morning", starts, middle - LUNCH_BREAK / 2),
                             ("afternoon", middle + LUNCH_BREAK / 2, ends)):
        start_local, end_local = _floor_to_slot(start, slot_minutes, up=True), _floor_to_slot(end, slot_minutes)
        if end_local <= start_local:
            continue
        starts_at, ends_at = block_times(day, start_local.time(), end_local.time(), zone_name)
        if ends_at > starts_at:
            windows.append(_Window(hub, part, starts_at, ends_at))
    return windows


def global_partition(windows: list[_Window], slot_minutes: int) -> list[tuple[datetime, datetime, list[_Window]]]:
    """Non-overlapping (start, end, windows covering it) pieces of the UTC timeline.

    The timeline is cut at every window boundary; pieces no window covers, and pieces
    shorter than `MIN_BLOCK_MINUTES` after aligning them to the slot grid, are dropped.
    """
    cuts = sorted({moment for window in windows for moment in (window.starts_at, window.ends_at)})
    slot = timedelta(minutes=slot_minutes)
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [w for w in windows if w.starts_at <= start and end <= w.ends_at]
        if not covering:
            continue
        start, end = _align_utc(start, slot, up=True), _align_utc(end, slot)
        if end - start < max(timedelta(minutes=MIN_BLOCK_MINUTES), slot):
            continue
        pieces.append((start, end, covering))
    return pieces


def generate_typical_grid(conference: Conference) -> list[ScheduleBlock]:
    """One global, non-overlapping set of blocks per day from every hub's working hours.

    Each hub's morning and afternoon (in its own zone, so DST is right) are laid on the UTC
    timeline, which is cut at every boundary; each piece becomes a block named after the
    hubs it serves ("London morning · Bengaluru afternoon"). The rooms of every hub whose
    working window covers the block are open in it, and the online streams in every block.
    A piece overlapping an existing block is left out.
    """
    slot = (schedule_settings(conference) or ScheduleSettings(slot_minutes=15)).slot_minutes or 15
    hubs = list(db.session.scalars(select(Hub).where(Hub.conference_id == conference.id).order_by(Hub.name)))
    plans = [(hub, hub.working_day_starts, hub.working_day_ends, hub.time_zone) for hub in hubs]
    if not plans:
        plans = [(None, time(9), time(17, 30), conference.time_zone)]
    rooms_of_hub: dict[int | None, list[int]] = {}
    for room_id, hub_id in db.session.execute(
        select(Room.id, Room.hub_id).where(Room.conference_id == conference.id).order_by(Room.id)
    ):
        rooms_of_hub.setdefault(hub_id, []).append(room_id)
    created = []
    for day in conference.days():
        windows = [
            window
            for hub, day_starts, day_ends, zone_name in plans
            for window in working_windows(day, hub, day_starts, day_ends, zone_name, slot)
        ]
        for starts_at, ends_at, covering in global_partition(windows, slot):
            if overlapping_blocks(conference, starts_at, ends_at):
                continue
            served = " · ".join(
                f"{window.hub.name} {window.part}" if window.hub else window.part.capitalize() for window in covering
            )
            suffix = f" {day:%a %d %b}"
            name = served[: 100 - len(suffix)] + suffix
            hub = covering[0].hub if len(covering) == 1 else None
            block = ScheduleBlock(conference_id=conference.id, name=name, hub_id=hub.id if hub else None,
                                  starts_at=starts_at, ends_at=ends_at)
            db.session.add(block)
            db.session.flush()
            room_ids = list(rooms_of_hub.get(None, []))
            if hubs:
                for window in covering:
                    room_ids += rooms_of_hub.get(window.hub.id, [])
            else:
                room_ids = [room_id for ids in rooms_of_hub.values() for room_id in ids]
            db.session.add_all(ScheduleBlockRoom(block_id=block.id, room_id=room_id) for room_id in room_ids)
            created.append(block)
    db.session.flush()
    return created


def _align_utc(moment: datetime, slot: timedelta, up: bool = False) -> datetime:
    """``moment`` on the slot grid of its UTC day (rounded up or down)."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    remainder = (moment - midnight) % slot
    if not remainder:
        return moment
    return moment - remainder + (slot if up else timedelta(0))


def _floor_to_slot(moment: datetime, slot_minutes: int, up: bool = False) -> datetime:
    minutes = moment.hour * 60 + moment.minute
    remainder = minutes % slot_minutes
    if not remainder:
        return moment.replace(second=0, microsecond=0)
    shift = (slot_minutes - remainder) if up else -remainder
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=shift)
