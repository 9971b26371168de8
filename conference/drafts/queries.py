"""Read-only views of the draft: the grid in a chosen zone, warnings, versions, changelog."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.conferences.models import Conference, Room
from conference.core.timezones import clocks_change_on, is_valid_time_zone, offset_text, to_zone
from conference.drafts.changelog import Changes, diff_versions
from conference.extensions import db
from conference.interest.operations import interest_counts
from conference.proposals.models import Proposal, ProposalSpeaker
from conference.proposals.operations import stated_availability
from conference.schedule.mapping import scheduled_states, slots_for
from conference.schedule.models import (
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleSettings,
    ScheduleVersion,
)
from conference.schedule.versions import current_draft

DEFAULT_SLOT_MINUTES = 15
# A speaker's local hours outside this window get a warning (the scheduler's default band).
SUITABLE_LOCAL_HOURS = (time(9, 0), time(18, 0))


def find_draft(conference: Conference) -> ScheduleVersion | None:
    return current_draft(conference.id)


def slot_minutes(conference: Conference) -> int:
    settings = db.session.scalar(
        select(ScheduleSettings).where(ScheduleSettings.conference_id == conference.id)
    )
    return settings.slot_minutes if settings is not None else DEFAULT_SLOT_MINUTES


def zone_choices(conference: Conference, user: User) -> list[tuple[str, str]]:
    """(zone, label) pairs an organiser may view the grid in: conference, hubs, their own."""
    choices = [(conference.time_zone, f"Conference: {conference.time_zone}")]
    for hub in conference.hubs:
        choices.append((hub.time_zone, f"{hub.name}: {hub.time_zone}"))
    if user.is_authenticated and user.time_zone:
        choices.append((user.time_zone, f"Yours: {user.time_zone}"))
    seen: set[str] = set()
    return [(name, label) for name, label in choices if not (name in seen or seen.add(name))]


def chosen_zone(requested: str | None, choices: list[tuple[str, str]]) -> str | None:
    """The requested zone when it is one of the choices; None when it is not (a 400)."""
    if not requested:
        return choices[0][0]
    if is_valid_time_zone(requested) and requested in {name for name, _ in choices}:
        return requested
    return None


def ordered_rooms(conference: Conference) -> list[Room]:
    """Rooms grouped by hub (hubs by name), online streams last."""
    rooms = db.session.scalars(
        select(Room).where(Room.conference_id == conference.id).options(selectinload(Room.hub))
    ).all()
    return sorted(rooms, key=lambda room: (room.hub is None, room.hub.name if room.hub else "", room.name))


def draft_talks(draft: ScheduleVersion) -> list[ScheduledTalk]:
    return list(
        db.session.scalars(
            select(ScheduledTalk)
            .where(ScheduledTalk.version_id == draft.id)
            .options(
                selectinload(ScheduledTalk.room),
                selectinload(ScheduledTalk.proposal).selectinload(Proposal.track),
                selectinload(ScheduledTalk.proposal)
                .selectinload(Proposal.speakers)
                .selectinload(ProposalSpeaker.user),
            )
            .order_by(ScheduledTalk.starts_at, ScheduledTalk.id)
        )
    )


def placed_and_left_out(
    conference: Conference, talks: list[ScheduledTalk]
) -> tuple[list[ScheduledTalk], list[ScheduledTalk]]:
    """The draft's talks that hold their room, and those withdrawn or declined since they were
    placed (kept in the draft, flagged, but holding no room and left out of publishing)."""
    states = scheduled_states(conference)
    placed = [talk for talk in talks if talk.proposal.state in states]
    left_out = [talk for talk in talks if talk.proposal.state not in states]
    return placed, left_out


def talks_not_in_draft(conference: Conference, draft: ScheduleVersion) -> list[Proposal]:
    """Talks to schedule (accepted or confirmed) that the draft does not place, by title."""
    in_draft = select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == draft.id)
    # Sorted here: SQLite's and PostgreSQL's collations order titles differently.
    return sorted(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.conference_id == conference.id,
                Proposal.state.in_(scheduled_states(conference)),
                Proposal.id.not_in(in_draft),
            )
            .options(
                selectinload(Proposal.track),
                selectinload(Proposal.session_format),
                selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
            )
        ),
        key=lambda proposal: (proposal.title.casefold(), proposal.id),
    )


def talk_length(proposal: Proposal, minutes: int) -> timedelta:
    """How long a talk placed by hand lasts: its format's length in whole slots, as the solver counts."""
    duration = proposal.session_format.duration_minutes if proposal.session_format is not None else minutes
    return timedelta(minutes=minutes * slots_for(duration, minutes))


def blocks_with_rooms(conference: Conference) -> list[tuple[ScheduleBlock, set[int]]]:
    blocks = db.session.scalars(
        select(ScheduleBlock).where(ScheduleBlock.conference_id == conference.id).order_by(ScheduleBlock.starts_at)
    ).all()
    open_rooms: dict[int, set[int]] = defaultdict(set)
    for block_id, room_id in db.session.execute(
        select(ScheduleBlockRoom.block_id, ScheduleBlockRoom.room_id)
        .join(ScheduleBlock, ScheduleBlock.id == ScheduleBlockRoom.block_id)
        .where(ScheduleBlock.conference_id == conference.id)
    ):
        open_rooms[block_id].add(room_id)
    return [(block, open_rooms[block.id]) for block in blocks]


def valid_starts(blocks: list[tuple[ScheduleBlock, set[int]]], minutes: int, duration: timedelta) -> list[datetime]:
    """Every slot start at which a talk of ``duration`` fits inside a block."""
    step, starts = timedelta(minutes=minutes), []
    for block, _ in blocks:
        current = block.starts_at
        while current + duration <= block.ends_at:
            starts.append(current)
            current += step
    return sorted(set(starts))


# --- wall-clock labels -----------------------------------------------------------------------


@lru_cache(maxsize=1024)
def clock_label(instant: datetime, zone_name: str, pattern: str = "%H:%M") -> str:
    """``instant``'s wall clock in ``zone_name``, with its UTC offset on a day the clocks change
    (the night they go back shows 01:00 twice; only the offset tells the two apart)."""
    local = to_zone(instant, zone_name)
    text = local.strftime(pattern)
    return f"{text} {offset_text(local)}" if clocks_change_on(local.date(), zone_name) else text


def start_label(instant: datetime, zone_name: str) -> str:
    """E.g. ``Sun 07 Nov 2027, 01:00 America/New_York (UTC-05:00)``; the offset only on a day
    the clocks change."""
    local = to_zone(instant, zone_name)
    text = f"{local:%a %d %b %Y, %H:%M} {zone_name}"
    return f"{text} ({offset_text(local)})" if clocks_change_on(local.date(), zone_name) else text


# --- the grid -----------------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # "talk", "covered", "free" or "closed"
    room: Room
    starts_at: datetime
    talk: ScheduledTalk | None = None
    rowspan: int = 1
    # A free cell: how many minutes from its start the room stays open and free in one block,
    # so the editor only offers it to a talk that fits (the server checks again).
    free_minutes: int = 0


@dataclass
class GridRow:
    starts_at: datetime
    cells: list[Cell]
    label: str = ""


@dataclass
class GridDay:
    day: date
    rows: list[GridRow]


@dataclass
class Grid:
    zone: str
    rooms: list[Room]
    hub_groups: list[tuple[str, int]]
    days: list[GridDay]
    # Talks the table cannot draw, each with a talk drawn in its room then (a declined talk
    # confirmed again after its slot was given away, say); the editor lists them.
    overlapping: list[tuple[ScheduledTalk, ScheduledTalk]] = field(default_factory=list)


def build_grid(
    conference: Conference, talks: list[ScheduledTalk], zone_name: str, minutes: int
) -> Grid:
    """One table per local day in ``zone_name``: rooms as columns, slot starts as rows.

    ``talks`` are the placed ones; a talk overlapping one drawn earlier in its room is not drawn
    but returned in ``overlapping``.
    """
    rooms = ordered_rooms(conference)
    holding_room: dict[int, list[ScheduledTalk]] = defaultdict(list)
    for talk in talks:
        holding_room[talk.room_id].append(talk)
    drawn: list[ScheduledTalk] = []
    overlapping: list[tuple[ScheduledTalk, ScheduledTalk]] = []
    last_in_room: dict[int, ScheduledTalk] = {}
    for talk in sorted(talks, key=lambda talk: (talk.starts_at, talk.id)):
        previous = last_in_room.get(talk.room_id)
        if previous is not None and talk.starts_at < previous.ends_at:
            overlapping.append((talk, previous))
            continue
        drawn.append(talk)
        if previous is None or talk.ends_at > previous.ends_at:
            last_in_room[talk.room_id] = talk
    talks = drawn
    blocks = blocks_with_rooms(conference)
    step = timedelta(minutes=minutes)
    instants: set[datetime] = set()
    for block, _ in blocks:
        current = block.starts_at
        while current < block.ends_at:
            instants.add(current)
            current += step
    for talk in talks:
        instants.add(talk.starts_at)
    by_day: dict[date, list[datetime]] = defaultdict(list)
    for instant in sorted(instants):
        by_day[to_zone(instant, zone_name).date()].append(instant)
    starting = {(talk.room_id, talk.starts_at): talk for talk in talks}

    def is_open(room: Room, instant: datetime) -> bool:
        return any(
            block.starts_at <= instant < block.ends_at and room.id in open_ids for block, open_ids in blocks
        )

    def free_minutes(room: Room, instant: datetime) -> int:
        # Every talk holding the room counts, the ones the table cannot draw too.
        ends = [
            block.ends_at for block, open_ids in blocks
            if block.starts_at <= instant < block.ends_at and room.id in open_ids
        ]
        if not ends:
            return 0
        until = max(ends)
        for talk in holding_room[room.id]:
            if talk.ends_at > instant:
                until = min(until, max(talk.starts_at, instant))
        return int((until - instant).total_seconds() // 60)

    days = []
    for day, day_instants in sorted(by_day.items()):
        covered: set[tuple[int, datetime]] = set()
        rows = []
        for instant in day_instants:
            cells = []
            for room in rooms:
                talk = starting.get((room.id, instant))
                if talk is not None:
                    spanned = [i for i in day_instants if talk.starts_at <= i < talk.ends_at]
                    covered.update((room.id, i) for i in spanned[1:])
                    cells.append(Cell("talk", room, instant, talk, max(1, len(spanned))))
                elif (room.id, instant) in covered:
                    cells.append(Cell("covered", room, instant))
                elif is_open(room, instant):
                    cells.append(Cell("free", room, instant, free_minutes=free_minutes(room, instant)))
                else:
                    cells.append(Cell("closed", room, instant))
            rows.append(GridRow(instant, cells, clock_label(instant, zone_name)))
        days.append(GridDay(day, rows))
    groups: list[tuple[str, int]] = []
    for room in rooms:
        label = room.hub.name if room.hub is not None else "Online"
        if groups and groups[-1][0] == label:
            groups[-1] = (label, groups[-1][1] + 1)
        else:
            groups.append((label, 1))
    return Grid(zone_name, rooms, groups, days, overlapping)


# --- warnings -----------------------------------------------------------------------------


def talk_warnings(conference: Conference, talks: list[ScheduledTalk]) -> dict[int, list[str]]:
    """Per scheduled talk id: plain-word warnings an organiser should see in its cell."""
    warnings: dict[int, list[str]] = defaultdict(list)
    counts = interest_counts(conference)
    windows = stated_availability(conference)
    by_person: dict[int, list[ScheduledTalk]] = defaultdict(list)
    states = scheduled_states(conference)
    for talk in talks:
        if talk.proposal.state not in states:
            # It holds no room and clashes with nobody: only why it is left out matters.
            warnings[talk.id].append(
                f"{talk.proposal.state.label} since it was placed: publishing leaves it out"
                " (and cancels it in calendars that had it)"
            )
            continue
        for speaker in talk.proposal.accepted_speakers:
            user = speaker.user
            if user is None:
                continue
            by_person[user.id].append(talk)
            zone_name = user.time_zone or "UTC"
            local_start = to_zone(talk.starts_at, zone_name)
            local_end = to_zone(talk.ends_at, zone_name)
            earliest, latest = SUITABLE_LOCAL_HOURS
            if local_start.time() < earliest or local_end.time() > latest or local_end.date() != local_start.date():
                warnings[talk.id].append(
                    f"{user.display_name} presents at {local_start:%H:%M} local time ({zone_name})"
                )
            own = windows.get(user.id)
            if own == []:
                warnings[talk.id].append(f"{user.display_name} said they are not available on any day")
            elif own and not any(starts_at <= talk.starts_at and talk.ends_at <= ends_at for starts_at, ends_at in own):
                warnings[talk.id].append(f"{user.display_name} is not available then")
        expected = counts.get(talk.proposal_id, 0)
        if expected > talk.room.capacity:
            warnings[talk.id].append(
                f"{expected} people want to attend; “{talk.room.name}” seats {talk.room.capacity}"
            )
    for person_talks in by_person.values():
        for index, first in enumerate(person_talks):
            for second in person_talks[index + 1:]:
                if first.starts_at < second.ends_at and second.starts_at < first.ends_at:
                    warnings[first.id].append(f"Speaker clash with “{second.proposal.title}”")
                    warnings[second.id].append(f"Speaker clash with “{first.proposal.title}”")
    return warnings


# --- versions and changelog ---------------------------------------------------------------


def published_versions(conference: Conference) -> list[ScheduleVersion]:
    return list(
        db.session.scalars(
            select(ScheduleVersion)
            .where(ScheduleVersion.conference_id == conference.id, ScheduleVersion.is_draft.is_(False))
            .order_by(ScheduleVersion.number.desc())
        )
    )


def load_version_rows(version_ids: list[int]) -> dict[int, list[ScheduledTalk]]:
    rows: dict[int, list[ScheduledTalk]] = {version_id: [] for version_id in version_ids}
    if not version_ids:
        return rows
    for row in db.session.scalars(
        select(ScheduledTalk)
        .where(ScheduledTalk.version_id.in_(version_ids))
        .options(selectinload(ScheduledTalk.proposal), selectinload(ScheduledTalk.room).selectinload(Room.hub))
        .order_by(ScheduledTalk.starts_at, ScheduledTalk.id)
    ):
        rows[row.version_id].append(row)
    return rows


@dataclass
class ChangelogEntry:
    version: ScheduleVersion
    changes: Changes
    talk_count: int
    publisher_name: str = ""


def changelog(conference: Conference) -> list[ChangelogEntry]:
    """Each published version (newest first) with what changed since the one before."""
    versions = published_versions(conference)
    rows = load_version_rows([version.id for version in versions])
    publisher_ids = {version.published_by_id for version in versions if version.published_by_id}
    names = dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(publisher_ids))).all()
    ) if publisher_ids else {}
    entries = []
    oldest_first = list(reversed(versions))
    for index, version in enumerate(oldest_first):
        before = rows[oldest_first[index - 1].id] if index > 0 else []
        entries.append(
            ChangelogEntry(
                version, diff_versions(before, rows[version.id]), len(rows[version.id]),
                names.get(version.published_by_id, ""),
            )
        )
    return list(reversed(entries))
