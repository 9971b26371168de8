"""Setting up the schedule grid and the solver's goals. Operations flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from conference.conferences.models import Conference, Hub, Room, SessionFormat
from conference.core.timezones import local_to_utc
from conference.extensions import db
from conference.schedule.mapping import INCLUDE_ACCEPTED_SETTING, schedule_settings
from conference.schedule.models import ScheduleBlock, ScheduleBlockRoom, ScheduleSettings


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
    conference.settings = {**(conference.settings or {}), INCLUDE_ACCEPTED_SETTING: goals.include_accepted}
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
    db.session.execute(delete(ScheduleBlockRoom).where(ScheduleBlockRoom.block_id == block.id))
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


def generate_typical_grid(conference: Conference) -> list[ScheduleBlock]:
    """Morning and afternoon blocks per hub per day from the hubs' working hours.

    The solver needs blocks that never overlap, so a block that would overlap an existing
    one is left out; rooms of every hub can be open in any block.
    """
    slot = (schedule_settings(conference) or ScheduleSettings(slot_minutes=15)).slot_minutes or 15
    hubs = list(db.session.scalars(select(Hub).where(Hub.conference_id == conference.id).order_by(Hub.name)))
    plans = [(hub, hub.working_day_starts, hub.working_day_ends, hub.time_zone) for hub in hubs]
    if not plans:
        plans = [(None, time(9), time(17, 30), conference.time_zone)]
    created = []
    for day in conference.days():
        for hub, day_starts, day_ends, zone_name in plans:
            starts = datetime.combine(day, day_starts)
            ends = datetime.combine(day, day_ends)
            middle = starts + (ends - starts) / 2
            lunch = timedelta(minutes=30)
            for name, start, end in (
                ("Morning", starts, middle - lunch),
                ("Afternoon", middle + lunch, ends),
            ):
                start_local, end_local = _floor_to_slot(start, slot, up=True), _floor_to_slot(end, slot)
                if end_local <= start_local:
                    continue
                starts_at, ends_at = block_times(day, start_local.time(), end_local.time(), zone_name)
                if overlapping_blocks(conference, starts_at, ends_at):
                    continue
                label = f"{hub.name} " if hub else ""
                created.append(add_block(conference, f"{label}{name} {day:%a %d %b}", hub, starts_at, ends_at))
    return created


def _floor_to_slot(moment: datetime, slot_minutes: int, up: bool = False) -> datetime:
    minutes = moment.hour * 60 + moment.minute
    remainder = minutes % slot_minutes
    if not remainder:
        return moment.replace(second=0, microsecond=0)
    shift = (slot_minutes - remainder) if up else -remainder
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=shift)
