"""Change the draft schedule and publish it. Operations flush; the request commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.activity.models import ActivityAction
from conference.activity.operations import record
from conference.archive.operations import refresh_conference_archive
from conference.conferences.models import Conference, Room
from conference.core.types import utcnow
from conference.drafts.changelog import diff_versions, same_placements
from conference.drafts.queries import clock_label, start_label
from conference.extensions import db
from conference.feeds.operations import record_published_version
from conference.mail.models import OutboxMessage
from conference.mail.operations import queue_email
from conference.mail.templates import render_email
from conference.proposals.models import PresentationMode, Proposal, ProposalSpeaker, SpeakerProfile
from conference.schedule import versions
from conference.schedule.mapping import scheduled_states
from conference.schedule.models import (
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleVersion,
)


class StaleDraft(Exception):
    """The draft changed since the page was loaded."""


class MoveRefused(ValueError):
    """A move that would break the grid; the message says why in the organiser's words."""


class NothingToPublish(ValueError):
    """The draft equals the latest published version (or is empty), or cannot be published."""


class RoomDoubleBooked(NothingToPublish):
    """Two talks to be published share a room at the same time (a declined talk confirmed
    again after its slot was given away, say): the organiser must move one first."""


def check_fresh(draft: ScheduleVersion, lock_version: int | None) -> None:
    """Raise StaleDraft unless the page's copy of the draft is the current one."""
    if lock_version is None or lock_version != draft.lock_version:
        raise StaleDraft


def _touch(draft: ScheduleVersion) -> None:
    # Updating the draft row bumps lock_version (the mapper's version column), so every
    # page showing the old grid is stale from now on, and concurrent edits collide here.
    draft.updated_at = utcnow()
    db.session.flush()


def _place_details(talk: ScheduledTalk) -> dict[str, str]:
    """Where ``talk`` is, for the activity log: the room's name as it is now and UTC times."""
    return {
        "room": talk.room.name,
        "starts_at": talk.starts_at.astimezone(UTC).isoformat(),
        "ends_at": talk.ends_at.astimezone(UTC).isoformat(),
    }


def block_for(conference: Conference, starts_at: datetime, ends_at: datetime) -> ScheduleBlock | None:
    """The block that wholly contains [starts_at, ends_at), if any."""
    return db.session.scalar(
        select(ScheduleBlock)
        .where(
            ScheduleBlock.conference_id == conference.id,
            ScheduleBlock.starts_at <= starts_at,
            ScheduleBlock.ends_at >= ends_at,
        )
        .order_by(ScheduleBlock.starts_at)
    )


def room_is_open(block: ScheduleBlock, room: Room) -> bool:
    return db.session.scalar(
        select(ScheduleBlockRoom.id).where(
            ScheduleBlockRoom.block_id == block.id, ScheduleBlockRoom.room_id == room.id
        )
    ) is not None


def talks_in_the_way(
    draft: ScheduleVersion, room: Room, starts_at: datetime, ends_at: datetime, moving: ScheduledTalk | None
) -> list[ScheduledTalk]:
    """Other placed talks of the draft in ``room`` overlapping [starts_at, ends_at).

    Talks withdrawn or declined since they were placed stay in the draft (flagged) but hold no room.
    """
    query = (
        select(ScheduledTalk)
        .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
        .where(
            ScheduledTalk.version_id == draft.id,
            ScheduledTalk.room_id == room.id,
            ScheduledTalk.starts_at < ends_at,
            ScheduledTalk.ends_at > starts_at,
            Proposal.state.in_(scheduled_states(draft.conference)),
        )
        .order_by(ScheduledTalk.starts_at, ScheduledTalk.id)
    )
    if moving is not None:
        query = query.where(ScheduledTalk.id != moving.id)
    return list(db.session.scalars(query))


def _block_for_placement(
    draft: ScheduleVersion, room: Room, starts_at: datetime, ends_at: datetime, slot_minutes: int,
    moving: ScheduledTalk | None,
) -> ScheduleBlock:
    """The block a talk at [starts_at, ends_at) in ``room`` goes in; MoveRefused says why none fits."""
    block = block_for(draft.conference, starts_at, ends_at)
    if block is None:
        raise MoveRefused("That time is outside every session block: the talk must fit inside one block.")
    offset_minutes = (starts_at - block.starts_at).total_seconds() / 60
    if offset_minutes % slot_minutes:
        raise MoveRefused(f"Talks start on the {slot_minutes}-minute grid of the block “{block.name}”.")
    if not room_is_open(block, room):
        raise MoveRefused(f"“{room.name}” is not open during the block “{block.name}”.")
    blocking = talks_in_the_way(draft, room, starts_at, ends_at, moving)
    if blocking:
        titles = ", ".join(f"“{other.proposal.title}”" for other in blocking)
        raise MoveRefused(f"“{room.name}” is already taken then by {titles}. Move that talk first.")
    return block


def move_talk(
    draft: ScheduleVersion, talk: ScheduledTalk, room: Room, starts_at: datetime, lock_version: int | None,
    slot_minutes: int,
) -> ScheduledTalk:
    """Place ``talk`` in ``room`` from ``starts_at``, keeping its length; refuses invalid moves."""
    check_fresh(draft, lock_version)
    ends_at = starts_at + (talk.ends_at - talk.starts_at)
    block = _block_for_placement(draft, room, starts_at, ends_at, slot_minutes, talk)
    was = _place_details(talk)
    talk.room_id, talk.room = room.id, room
    talk.block_id, talk.block = block.id, block
    talk.starts_at, talk.ends_at = starts_at, ends_at
    _touch(draft)
    if _place_details(talk) != was:
        record(draft.conference, ActivityAction.DRAFT_TALK_MOVED, proposal=talk.proposal,
               details={"from": was, "to": _place_details(talk)})
    return talk


def place_talk(
    draft: ScheduleVersion, proposal: Proposal, room: Room, starts_at: datetime, length: timedelta,
    lock_version: int | None, slot_minutes: int,
) -> ScheduledTalk:
    """Put an accepted talk that is not in the draft into ``room`` from ``starts_at``; refuses as moves do."""
    check_fresh(draft, lock_version)
    ends_at = starts_at + length
    block = _block_for_placement(draft, room, starts_at, ends_at, slot_minutes, None)
    talk = ScheduledTalk(
        version_id=draft.id, proposal_id=proposal.id, proposal=proposal, room_id=room.id, room=room,
        block_id=block.id, block=block, starts_at=starts_at, ends_at=ends_at, pinned=False,
    )
    db.session.add(talk)
    _touch(draft)
    record(draft.conference, ActivityAction.DRAFT_TALK_PLACED, proposal=proposal,
           details={"at": _place_details(talk)})
    return talk


def unschedule_talk(draft: ScheduleVersion, talk: ScheduledTalk, lock_version: int | None) -> None:
    """Take ``talk`` out of the draft; its pin, kept on its row, goes with it."""
    check_fresh(draft, lock_version)
    proposal, details = talk.proposal, {"at": _place_details(talk), "pinned": talk.pinned}
    db.session.delete(talk)
    _touch(draft)
    record(draft.conference, ActivityAction.DRAFT_TALK_UNSCHEDULED, proposal=proposal, details=details)


def set_pinned(draft: ScheduleVersion, talk: ScheduledTalk, pinned: bool, lock_version: int | None) -> None:
    """Pin a talk to its place (re-optimising keeps it there) or release it."""
    check_fresh(draft, lock_version)
    changed, talk.pinned = talk.pinned != pinned, pinned
    _touch(draft)
    if changed:
        record(draft.conference,
               ActivityAction.DRAFT_TALK_PINNED if pinned else ActivityAction.DRAFT_TALK_UNPINNED,
               proposal=talk.proposal, details={"at": _place_details(talk)})


def latest_published(conference: Conference) -> ScheduleVersion | None:
    return versions.latest_published(conference.id)


def version_rows(version: ScheduleVersion) -> list[ScheduledTalk]:
    """A version's talks read fresh from the database, with proposals and rooms loaded."""
    return list(
        db.session.scalars(
            select(ScheduledTalk)
            .where(ScheduledTalk.version_id == version.id)
            .options(
                selectinload(ScheduledTalk.proposal).selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
                selectinload(ScheduledTalk.room).selectinload(Room.hub),
            )
            .order_by(ScheduledTalk.starts_at, ScheduledTalk.id)
            .execution_options(populate_existing=True)
        )
    )


def _refuse_double_bookings(conference: Conference, rows: list[ScheduledTalk]) -> None:
    """Raise RoomDoubleBooked naming the first two talks that overlap in one room."""
    ordered = sorted(rows, key=lambda row: (row.room_id, row.starts_at))
    for first, second in zip(ordered, ordered[1:], strict=False):
        if first.room_id == second.room_id and second.starts_at < first.ends_at:
            raise RoomDoubleBooked(
                f"Not published: “{first.proposal.title}” and “{second.proposal.title}” are both in "
                f"{first.room.name} at {start_label(second.starts_at, conference.time_zone)}. "
                "Move or unschedule one of them, then publish."
            )


def publish_schedule(
    conference: Conference, publisher: User, note: str = "",
    after_publish: Callable[[ScheduleVersion, ScheduleVersion | None], None] | None = None,
    lock_version: int | None = None,
) -> ScheduleVersion:
    """Copy the draft into the next numbered, immutable version; exactly once per change.

    The draft row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite has one writer),
    so a second publish at the same moment waits, then sees the new version and refuses.
    With ``lock_version`` (the draft the publisher saw), a draft edited since raises StaleDraft.
    """
    draft = db.session.scalar(
        versions.draft_query(conference.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if draft is None:
        raise NothingToPublish("There is no draft schedule yet: build one first.")
    if lock_version is not None:
        check_fresh(draft, lock_version)
    # Talks declined or withdrawn since they were placed stay in the draft (the editor flags
    # them) but are not published: the feeds then cancel them where an earlier version had them.
    states = scheduled_states(conference)
    draft_rows = [row for row in version_rows(draft) if row.proposal.state in states]
    if not draft_rows:
        raise NothingToPublish("The draft has no talks: there is nothing to publish.")
    _refuse_double_bookings(conference, draft_rows)
    previous = latest_published(conference)
    previous_rows = version_rows(previous) if previous is not None else []
    if previous is not None and same_placements(previous_rows, draft_rows):
        raise NothingToPublish(f"Nothing to publish: the draft equals version {previous.number}.")
    number = (previous.number if previous is not None else 0) + 1
    version = ScheduleVersion(
        conference_id=conference.id, is_draft=False, number=number, solver_run_id=draft.solver_run_id,
        based_on_id=draft.id, published_at=utcnow(), published_by_id=publisher.id, note=note,
    )
    version.talks = [
        ScheduledTalk(
            proposal_id=row.proposal_id, room_id=row.room_id, block_id=row.block_id,
            starts_at=row.starts_at, ends_at=row.ends_at, pinned=row.pinned,
        )
        for row in draft_rows
    ]
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError as error:
        # The unique (conference, number) constraint: someone published this number first.
        raise NothingToPublish("Someone else published at the same moment; reload to see their version.") from error
    record(conference, ActivityAction.SCHEDULE_PUBLISHED, actor=publisher, details={"number": number})
    # Calendar feeds: SEQUENCE bumps for moved talks, cancellations for removed ones.
    record_published_version(version)
    # The archive lists exactly the talks of each conference's latest published version.
    refresh_conference_archive(conference)
    if after_publish is not None:
        after_publish(version, previous)
    return version


# --- speaker e-mails ----------------------------------------------------------------------


def describe_slot(row: ScheduledTalk, zone_name: str) -> str:
    """E.g. ``Wed 24 Mar 2027, 14:00–14:30 Europe/London`` in the reader's own zone; on a day the
    clocks change there, each time carries its UTC offset (``01:15 UTC-04:00–01:45 UTC-04:00``)."""
    return (
        f"{clock_label(row.starts_at, zone_name, '%a %d %b %Y, %H:%M')}"
        f"–{clock_label(row.ends_at, zone_name)} {zone_name}"
    )


def describe_place(row: ScheduledTalk) -> str:
    room = row.room
    return f"{room.name} ({room.hub.name})" if room.hub is not None else f"{room.name} (online stream)"


def describe_change(old: ScheduledTalk, new: ScheduledTalk | None, zone_name: str) -> str:
    """What changed for a talk between two versions, in lines for a speaker; ``new`` None: cancelled.

    Only what changed is shown twice: a move to another room at the same time names both rooms
    and the time once.
    """
    before_slot, before_place = describe_slot(old, zone_name), describe_place(old)
    if new is None:
        return f"The talk is cancelled: it is no longer in the schedule.\nIt was: {before_slot}, {before_place}"
    now_slot, now_place = describe_slot(new, zone_name), describe_place(new)
    same_time = (old.starts_at, old.ends_at) == (new.starts_at, new.ends_at)
    if same_time and old.room_id != new.room_id:
        return (
            f"The room changed; the time stays the same.\nWhen: {now_slot}\n"
            f"Room before: {before_place}\nRoom now: {now_place}"
        )
    if old.room_id == new.room_id:
        return f"The time changed; the room stays the same.\nBefore: {before_slot}\nNow: {now_slot}\nWhere: {now_place}"
    return (
        f"The time and the room changed.\nBefore: {before_slot}, {before_place}\n"
        f"Now: {now_slot}, {now_place}"
    )


def _speakers(proposal: Proposal) -> list[User]:
    return [speaker.user for speaker in proposal.accepted_speakers if speaker.user is not None]


SCHEDULE_EMAIL_PREFIX = "schedule:"


def _schedule_email_key(version: ScheduleVersion, proposal_id: int, user: User) -> str:
    return f"{SCHEDULE_EMAIL_PREFIX}{version.id}:{proposal_id}:{user.id}"


def _speakers_told(conference_id: int) -> set[tuple[int, int]]:
    """(proposal id, user id) of every speaker already e-mailed about that talk's slot."""
    told = set()
    for key in db.session.scalars(
        select(OutboxMessage.dedupe_key).where(
            OutboxMessage.conference_id == conference_id,
            OutboxMessage.dedupe_key.startswith(SCHEDULE_EMAIL_PREFIX),
        )
    ):
        parts = key.removeprefix(SCHEDULE_EMAIL_PREFIX).split(":")
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            told.add((int(parts[1]), int(parts[2])))
    return told


def queue_schedule_emails(
    version: ScheduleVersion, previous: ScheduleVersion | None, schedule_link: str, changelog_link: str
) -> int:
    """E-mail each speaker their slot the first time, and again when it moves or is cancelled.

    "The first time" is per speaker: a co-speaker who joined a talk after its slot was sent
    gets the slot with the next version, even if the talk itself did not change.
    """
    new_rows = version_rows(version)
    old_rows = version_rows(previous) if previous is not None else []
    changes = diff_versions(old_rows, new_rows)
    changed = changes.changed_proposal_ids()
    unchanged = [row for row in new_rows if row.proposal_id not in changed]
    told = _speakers_told(version.conference_id) if unchanged else set()
    profiles = {
        profile.user_id: profile
        for profile in db.session.scalars(
            select(SpeakerProfile).where(SpeakerProfile.conference_id == version.conference_id)
        )
    }
    conference_name = version.conference.name
    queued = 0

    def send(kind: str, row: ScheduledTalk, old: ScheduledTalk | None, link: str, cancelled: bool,
             only_untold: bool = False) -> None:
        nonlocal queued
        for user in _speakers(row.proposal):
            if only_untold and (row.proposal_id, user.id) in told:
                continue
            zone_name = user.time_zone or "UTC"
            profile = profiles.get(user.id)
            remote = profile is not None and profile.presentation_mode is PresentationMode.REMOTE
            join = ""
            if remote and not cancelled:
                join = f"You present remotely in “{row.room.name}”; join from: {schedule_link}"
            context = {
                "speaker": user.display_name,
                "title": row.proposal.title,
                "conference": conference_name,
                "when": "cancelled: the talk is no longer in the schedule" if cancelled else describe_slot(row, zone_name),
                "where": "-" if cancelled else describe_place(row),
                "previous": describe_slot(old, zone_name) if old is not None else "-",
                "previous_where": describe_place(old) if old is not None else "-",
                "change": describe_change(old, None if cancelled else row, zone_name) if old is not None else "-",
                "join": join,
                "link": link,
            }
            subject, body = render_email(version.conference_id, kind, context)
            queue_email(
                user.email, subject, body, _schedule_email_key(version, row.proposal_id, user),
                conference_id=version.conference_id,
            )
            queued += 1

    for row in changes.added:
        send("schedule_slot", row, None, schedule_link, cancelled=False)
    for move in changes.moved:
        send("schedule_change", move.new, move.old, changelog_link, cancelled=False)
    for row in changes.cancelled:
        send("schedule_change", row, row, changelog_link, cancelled=True)
    for row in unchanged:
        send("schedule_slot", row, None, schedule_link, cancelled=False, only_untold=True)
    return queued
