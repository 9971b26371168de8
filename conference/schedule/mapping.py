"""Translate a conference's rows into a `scheduler.Problem` and a solution back into rows.

The only module that imports both the ORM models and `scheduler`: everything the solver
knows about a conference passes through `build_problem`. Everything is loaded with a few
set-based selects (no per-talk queries), so a 1000-talk conference maps in well under 2 s.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import false, func, select, union

import scheduler
from conference.accounts.models import User
from conference.conferences.models import Conference, Hub, Room, SessionFormat, Track
from conference.extensions import db
from conference.interest.models import InterestMark
from conference.proposals.models import (
    InvitationState,
    PresentationMode,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerProfile,
)
from conference.proposals.operations import stated_availability
from conference.schedule import versions
from conference.schedule.models import (
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleSettings,
    ScheduleVersion,
)
from scheduler.rules import RELAXABLE_RULES, SOFT_TERMS

STREAMING = "streaming"
RECORDING = "recording"
DEFAULT_RELAXED_WEIGHT = 10_000
# Soft terms an organiser weighs on the setup page ("unscheduled" only matters for subsets).
WEIGHED_TERMS = tuple(name for name in SOFT_TERMS if name != "unscheduled")
DEFAULT_WEIGHTS: dict[str, int] = {
    name: scheduler.Weights().for_rule(name) for name in SOFT_TERMS
}
INCLUDE_ACCEPTED_SETTING = "schedule_include_accepted"
_QUOTED_ID = re.compile(r'"([tbrukh]\d+)"')
_ID_IN_PARENTHESES = re.compile(r" \([tbrukh]\d+\)")
_UTC_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00")
# A scheduler field path at the start of an input error: "blocks[3].start: ...".
_FIELD_PATH = re.compile(r"^(blocks|rooms|talks|people|tracks)\[(\d+)\](?:\.([\w.\[\]]+))?: ")
_ITEM_KINDS = {"blocks": "block", "rooms": "room", "talks": "talk", "people": "person", "tracks": "track"}


@dataclass
class MappedProblem:
    """A `scheduler.Problem` plus the id maps between scheduler ids and database ids."""

    problem: scheduler.Problem
    proposal_of_talk: dict[str, int] = field(default_factory=dict)
    talk_of_proposal: dict[int, str] = field(default_factory=dict)
    room_of: dict[str, int] = field(default_factory=dict)
    block_of: dict[str, int] = field(default_factory=dict)
    user_of_person: dict[str, int] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    # Display names of every scheduler id (talk titles, people, rooms, blocks) for messages.
    names: dict[str, str] = field(default_factory=dict)
    pinned_proposals: set[int] = field(default_factory=set)
    draft_id: int | None = None
    # The draft's lock version the problem was read from: a result is only written over that draft.
    draft_lock_version: int | None = None
    # Talks to schedule that draft did not place, read in the same query as the talks: left out
    # of the problem with ``only_draft_talks``, in it otherwise. [{"proposal_id", "title"}].
    not_in_draft: list[dict[str, Any]] = field(default_factory=list)

    def readable(self, message: str) -> str:
        """A scheduler message with quoted ids replaced by the names people know, and instants labelled UTC."""
        message = _ID_IN_PARENTHESES.sub("", message)
        message = _UTC_INSTANT.sub(lambda m: f"{datetime.fromisoformat(m.group(0)):%a %d %b %Y, %H:%M} UTC", message)
        return _QUOTED_ID.sub(lambda m: f"“{self.names.get(m.group(1), m.group(1))}”", message)

    def readable_error(self, message: str) -> str:
        """An input error of the scheduler ("blocks[3].start: ...") naming the block, room, talk,
        person or track instead of its place in the problem's lists."""

        def item(match: re.Match) -> str:
            section, index, detail = match.group(1), int(match.group(2)), match.group(3)
            items = getattr(self.problem, section)
            if index >= len(items):
                return match.group(0)
            name = self.names.get(items[index].id) or self.titles.get(items[index].id) or items[index].id
            return f"{_ITEM_KINDS[section]} “{name}”" + (f" ({detail})" if detail else "") + ": "

        return self.readable(_FIELD_PATH.sub(item, message))

    def talk_title(self, talk_id: str) -> str:
        """The proposal title of a scheduler talk id (the id itself if unknown)."""
        return self.titles.get(talk_id, talk_id)


def talk_key(proposal_id: int) -> str:
    return f"t{proposal_id}"


def room_key(room_id: int) -> str:
    return f"r{room_id}"


def block_key(block_id: int) -> str:
    return f"b{block_id}"


def person_key(user_id: int) -> str:
    return f"u{user_id}"


def hub_key(hub_id: int) -> str:
    return f"h{hub_id}"


def track_key(track_id: int) -> str:
    return f"k{track_id}"


def slots_for(duration_minutes: int, slot_minutes: int) -> int:
    """How many slots a talk of ``duration_minutes`` takes: whole slots, at least one."""
    return max(1, math.ceil(duration_minutes / slot_minutes))


def schedule_settings(conference: Conference) -> ScheduleSettings | None:
    """The conference's saved solver settings, or None when never saved."""
    return db.session.scalar(
        select(ScheduleSettings).where(ScheduleSettings.conference_id == conference.id)
    )


def weights_from(settings: ScheduleSettings | None, **overrides: int) -> scheduler.Weights:
    """Scheduler weights from saved settings (keyed by rule name), defaults for the rest."""
    values = dict(DEFAULT_WEIGHTS)
    for name, value in ((settings.weights if settings else None) or {}).items():
        if name in values and isinstance(value, int) and value >= 0:
            values[name] = value
    values.update({name.replace("_", "-"): value for name, value in overrides.items()})
    return scheduler.Weights(**{name.replace("-", "_"): value for name, value in values.items()})


def hard_rules_from(settings: ScheduleSettings | None) -> scheduler.HardRules:
    """Relaxed hard rules from saved settings, with the saved penalty, else the default."""
    relaxed = [name for name in ((settings.relaxed_rules if settings else None) or {}) if name in RELAXABLE_RULES]
    weight = settings.relaxed_weight if settings and settings.relaxed_weight else DEFAULT_RELAXED_WEIGHT
    return scheduler.HardRules(relaxed=frozenset(relaxed), relaxed_weight=weight)


def scheduled_states(conference: Conference) -> tuple[ProposalState, ...]:
    """Confirmed talks, plus accepted-but-unconfirmed ones unless the organiser turned that off."""
    include_accepted = (conference.settings or {}).get(INCLUDE_ACCEPTED_SETTING, True)
    if include_accepted:
        return (ProposalState.CONFIRMED, ProposalState.ACCEPTED)
    return (ProposalState.CONFIRMED,)


def current_draft(conference: Conference) -> ScheduleVersion | None:
    return versions.current_draft(conference.id)


def _by_title(rows) -> list[dict[str, Any]]:
    """``(id, title)`` rows as ``{"proposal_id", "title"}``, by title (collations differ: sorted here)."""
    return [
        {"proposal_id": proposal_id, "title": title}
        for proposal_id, title in sorted(rows, key=lambda row: (row[1].casefold(), row[0]))
    ]


def talks_not_in_draft(conference: Conference) -> list[dict[str, Any]]:
    """The talks to schedule the current draft does not place, as a run records them."""
    draft = current_draft(conference)
    query = select(Proposal.id, Proposal.title).where(
        Proposal.conference_id == conference.id, Proposal.state.in_(scheduled_states(conference))
    )
    if draft is not None:
        query = query.where(
            Proposal.id.not_in(select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == draft.id))
        )
    return _by_title(db.session.execute(query).all())


def latest_published(conference: Conference) -> ScheduleVersion | None:
    return versions.latest_published(conference.id)


def _placement_rows(version_id: int) -> list[Any]:
    return list(
        db.session.execute(
            select(
                ScheduledTalk.proposal_id,
                ScheduledTalk.room_id,
                ScheduledTalk.block_id,
                ScheduledTalk.starts_at,
                ScheduledTalk.ends_at,
                ScheduledTalk.pinned,
            ).where(ScheduledTalk.version_id == version_id)
        )
    )


def _locate(problem_blocks: dict[str, scheduler.Block], slot_minutes: int, block_id: int | None,
            starts_at: datetime) -> tuple[str, int] | None:
    """(block key, start slot) of a placement; finds the block by time when the one it names
    (if any) does not hold it."""
    named = problem_blocks.get(block_key(block_id)) if block_id is not None else None
    candidates = [named] if named is not None else []
    candidates += [block for block in problem_blocks.values() if block is not named]
    for block in candidates:
        offset = (starts_at - block.start) / timedelta(minutes=slot_minutes)
        if 0 <= offset < block.slots:
            return block.id, int(offset)
    return None


def _placements(rows, mapped_talks: set[str], rooms: set[str], blocks: dict[str, scheduler.Block],
                slot_minutes: int) -> list[scheduler.Placement]:
    result = []
    for row in rows:
        talk = talk_key(row.proposal_id)
        room = room_key(row.room_id)
        where = _locate(blocks, slot_minutes, row.block_id, row.starts_at)
        if talk in mapped_talks and room in rooms and where is not None:
            result.append(scheduler.Placement(talk, room, where[0], where[1]))
    return result


def build_problem(conference: Conference, *, previous: str = "published", stability_weight: int | None = None,
                  audience_scale: float = 1.0, only_draft_talks: bool = False) -> MappedProblem:
    """The conference as a scheduler problem.

    ``previous`` is ``"published"`` (the latest published version, for stability), ``"draft"``
    (the current draft, for re-optimising) or ``"none"``. With ``only_draft_talks`` the problem
    has only the talks the current draft places: talks an organiser left out stay out of a
    re-optimised draft, and the draft's checks do not count them as unscheduled.
    """
    settings = schedule_settings(conference)
    slot_minutes = settings.slot_minutes if settings else 15
    mapped = MappedProblem(problem=None)  # type: ignore[arg-type]

    # Blocks and the rooms open in them.
    block_rows = list(
        db.session.scalars(
            select(ScheduleBlock)
            .where(ScheduleBlock.conference_id == conference.id)
            .order_by(ScheduleBlock.starts_at, ScheduleBlock.id)
        )
    )
    blocks: dict[str, scheduler.Block] = {}
    for row in block_rows:
        slots = int((row.ends_at - row.starts_at) / timedelta(minutes=slot_minutes))
        key = block_key(row.id)
        blocks[key] = scheduler.Block(key, row.starts_at, slots)
        mapped.block_of[key] = row.id
        mapped.names[key] = row.name
    # A room is available exactly in the blocks the setup grid opens it in (the editor's rule too):
    # a block with every room unticked hosts nothing.
    open_rooms: dict[int, set[str]] = defaultdict(set)
    for block_id, room_id in db.session.execute(
        select(ScheduleBlockRoom.block_id, ScheduleBlockRoom.room_id)
        .join(ScheduleBlock, ScheduleBlock.id == ScheduleBlockRoom.block_id)
        .where(ScheduleBlock.conference_id == conference.id)
    ):
        open_rooms[room_id].add(block_key(block_id))

    hubs = {hub.id: hub for hub in db.session.scalars(select(Hub).where(Hub.conference_id == conference.id))}
    rooms: list[scheduler.Room] = []
    for room in db.session.scalars(select(Room).where(Room.conference_id == conference.id).order_by(Room.id)):
        key = room_key(room.id)
        hub = hubs.get(room.hub_id) if room.hub_id else None
        features = []
        if room.has_streaming or room.hub_id is None:
            features.append(STREAMING)
        if room.has_recording:
            features.append(RECORDING)
        available = sorted(open_rooms.get(room.id, set()), key=list(blocks).index)
        rooms.append(
            scheduler.Room(
                key,
                name=room.name,
                capacity=room.capacity,
                hub=hub_key(hub.id) if hub else None,
                time_zone=hub.time_zone if hub else conference.time_zone,
                available_blocks=tuple(available),
                features=tuple(features),
            )
        )
        mapped.room_of[key] = room.id
        mapped.names[key] = room.name

    tracks = [
        scheduler.Track(track_key(track.id), name=track.name)
        for track in db.session.scalars(select(Track).where(Track.conference_id == conference.id))
    ]
    durations = dict(
        db.session.execute(
            select(SessionFormat.id, SessionFormat.duration_minutes).where(
                SessionFormat.conference_id == conference.id
            )
        ).all()
    )

    # Talks, their speakers and the speakers' profiles.
    draft = current_draft(conference)
    talk_filter = (Proposal.conference_id == conference.id) & Proposal.state.in_(scheduled_states(conference))
    in_draft = (
        Proposal.id.in_(select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == draft.id))
        if draft is not None else false()
    )
    # One query reads the talks and whether the draft places them, so the talks a run records
    # as not in the draft are exactly those the problem left out (or took in).
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.session_format_id, Proposal.track_id,
               in_draft.label("in_draft"))
        .where(talk_filter)
        .order_by(Proposal.id)
    ).all()
    mapped.not_in_draft = _by_title((row.id, row.title) for row in rows if not row.in_draft)
    if only_draft_talks:
        talk_filter = talk_filter & in_draft
    proposals = [row for row in rows if row.in_draft or not only_draft_talks]
    speakers_of: dict[int, list[int]] = defaultdict(list)
    for proposal_id, user_id in db.session.execute(
        select(ProposalSpeaker.proposal_id, ProposalSpeaker.user_id)
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
        .where(
            talk_filter,
            ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
            ProposalSpeaker.user_id.is_not(None),
        )
        .order_by(ProposalSpeaker.id)
    ):
        speakers_of[proposal_id].append(user_id)
    profiles = {
        user_id: (mode, hub_id)
        for user_id, mode, hub_id in db.session.execute(
            select(SpeakerProfile.user_id, SpeakerProfile.presentation_mode, SpeakerProfile.hub_id).where(
                SpeakerProfile.conference_id == conference.id
            )
        )
    }
    # Speakers who saved their availability: their windows, none meaning never (others: any time).
    stated = {
        user_id: tuple(scheduler.Window(starts_at, ends_at) for starts_at, ends_at in windows)
        for user_id, windows in stated_availability(conference).items()
    }

    # Attendees: who wants which of these talks (only the talks being scheduled count).
    talk_keys = {talk_key(row.id) for row in proposals}
    wants: dict[int, list[str]] = defaultdict(list)
    for user_id, proposal_id in db.session.execute(
        select(InterestMark.user_id, InterestMark.proposal_id)
        .join(Proposal, Proposal.id == InterestMark.proposal_id)
        .where(talk_filter)
        .order_by(InterestMark.user_id, InterestMark.proposal_id)
    ):
        wants[user_id].append(talk_key(proposal_id))

    people_ids = union(
        select(ProposalSpeaker.user_id.label("id"))
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
        .where(talk_filter, ProposalSpeaker.user_id.is_not(None)),
        select(InterestMark.user_id.label("id"))
        .join(Proposal, Proposal.id == InterestMark.proposal_id)
        .where(talk_filter),
    ).subquery()
    users = {
        user_id: (name, zone)
        for user_id, name, zone in db.session.execute(
            select(User.id, User.display_name, User.time_zone).where(User.id.in_(select(people_ids.c.id)))
        )
    }
    people = []
    for user_id, (name, zone) in sorted(users.items()):
        key = person_key(user_id)
        people.append(
            scheduler.Person(
                key,
                name=name,
                time_zone=zone or "UTC",
                availability=stated.get(user_id, ()),
                unavailable=stated.get(user_id) == (),
                wants=tuple(wants.get(user_id, ())),
            )
        )
        mapped.user_of_person[key] = user_id
        mapped.names[key] = name

    zone_of_user = {user_id: zone or "UTC" for user_id, (_name, zone) in users.items()}
    audience_zones: dict[str, Counter] = defaultdict(Counter)
    for user_id, wanted in wants.items():
        for talk in wanted:
            audience_zones[talk][zone_of_user.get(user_id, "UTC")] += 1
    conference_zones = Counter(zone_of_user[user_id] for user_id in wants if user_id in zone_of_user)

    talks = []
    for row in proposals:
        key = talk_key(row.id)
        duration = durations.get(row.session_format_id, slot_minutes)
        speaker_ids = speakers_of.get(row.id, [])
        mode, hub, features = _presentation(speaker_ids, profiles)
        zones = audience_zones.get(key)
        talks.append(
            scheduler.Talk(
                key,
                title=row.title,
                slots=slots_for(duration, slot_minutes),
                track=track_key(row.track_id) if row.track_id else None,
                speakers=tuple(person_key(u) for u in speaker_ids if u in users),
                audience=int(round(sum(zones.values()) * audience_scale)) if zones else 0,
                mode=mode,
                hub=hub,
                required_features=features,
                audience_time_zones=dict(zones) if zones else None,
            )
        )
        mapped.proposal_of_talk[key] = row.id
        mapped.talk_of_proposal[row.id] = key
        mapped.titles[key] = row.title
        mapped.names[key] = row.title

    # Pins live in the draft; the previous schedule is the published one (or the draft).
    room_keys = set(mapped.room_of)
    draft_rows = _placement_rows(draft.id) if draft else []
    mapped.draft_id = draft.id if draft else None
    mapped.draft_lock_version = draft.lock_version if draft else None
    pinned_rows = [row for row in draft_rows if row.pinned]
    pins = _placements(pinned_rows, talk_keys, room_keys, blocks, slot_minutes)
    mapped.pinned_proposals = {mapped.proposal_of_talk[p.talk] for p in pins}
    previous_rows: list[Any] = []
    if previous == "draft":
        previous_rows = draft_rows
    elif previous == "published":
        published = latest_published(conference)
        previous_rows = _placement_rows(published.id) if published else []
    overrides = {"stability": stability_weight} if stability_weight is not None else {}

    mapped.problem = scheduler.Problem(
        blocks=tuple(blocks.values()),
        rooms=tuple(rooms),
        talks=tuple(talks),
        slot_minutes=slot_minutes,
        people=tuple(people),
        tracks=tuple(tracks),
        audience_time_zones=dict(conference_zones),
        pins=tuple(pins),
        previous=tuple(_placements(previous_rows, talk_keys, room_keys, blocks, slot_minutes)),
        weights=weights_from(settings, **overrides),
        hard_rules=hard_rules_from(settings),
    )
    return mapped


def _presentation(speaker_ids: list[int], profiles: dict[int, tuple[PresentationMode, int | None]]):
    """(mode, hub key, required features) from the speakers' presentation modes and hubs.

    Remote speakers need a streaming room (or an online stream); in-person speakers need a
    room at their hub. A mix is a hybrid talk at the in-person speakers' (most common) hub.
    """
    remote = [u for u in speaker_ids if profiles.get(u, (None, None))[0] is PresentationMode.REMOTE]
    in_person_hubs = Counter(
        profiles[u][1]
        for u in speaker_ids
        if u in profiles and profiles[u][0] is not PresentationMode.REMOTE and profiles[u][1] is not None
    )
    hub = hub_key(in_person_hubs.most_common(1)[0][0]) if in_person_hubs else None
    if speaker_ids and len(remote) == len(speaker_ids):
        return "remote", None, (STREAMING,)
    if remote:
        return "hybrid", hub, (STREAMING,)
    return "in_person", hub, ()


def solution_to_rows(mapped: MappedProblem, solution: scheduler.Solution) -> list[dict[str, Any]]:
    """ScheduledTalk column values for every assignment of ``solution``."""
    blocks = {block.id: block for block in mapped.problem.blocks}
    slot = timedelta(minutes=mapped.problem.slot_minutes)
    lengths = {talk.id: talk.slots for talk in mapped.problem.talks}
    rows = []
    for assignment in solution.assignments:
        starts_at = assignment.starts_at or blocks[assignment.block].start + slot * assignment.start_slot
        ends_at = assignment.ends_at or starts_at + slot * lengths[assignment.talk]
        proposal_id = mapped.proposal_of_talk[assignment.talk]
        rows.append(
            {
                "proposal_id": proposal_id,
                "room_id": mapped.room_of[assignment.room],
                "block_id": mapped.block_of[assignment.block],
                "starts_at": starts_at,
                "ends_at": ends_at,
                "pinned": proposal_id in mapped.pinned_proposals,
            }
        )
    return rows


def draft_to_solution(mapped: MappedProblem, draft_version: ScheduleVersion | None) -> scheduler.Solution:
    """The draft's placements as a `scheduler.Solution`, for `scheduler.check`.

    Talks of the problem missing from the draft are left out of the assignments, so the
    checker reports them (talk-once); rows of talks that are no longer scheduled are ignored.
    """
    if draft_version is None:
        return scheduler.Solution(status="FEASIBLE")
    blocks = {block.id: block for block in mapped.problem.blocks}
    slot_minutes = mapped.problem.slot_minutes
    assignments = []
    for row in _placement_rows(draft_version.id):
        talk = mapped.talk_of_proposal.get(row.proposal_id)
        if talk is None:
            continue
        room = room_key(row.room_id)
        where = _locate(blocks, slot_minutes, row.block_id, row.starts_at)
        if where is None:
            # Outside every block: report it in a block that cannot hold it rather than hide it.
            where = (next(iter(blocks)) if blocks else "", -1)
        assignments.append(
            scheduler.Assignment(talk, room, where[0], where[1], starts_at=row.starts_at, ends_at=row.ends_at)
        )
    return scheduler.Solution(status="FEASIBLE", assignments=tuple(assignments))


def interest_count(conference: Conference) -> int:
    """How many interest marks the talks being scheduled carry (for the setup summary)."""
    return db.session.scalar(
        select(func.count(InterestMark.id))
        .join(Proposal, Proposal.id == InterestMark.proposal_id)
        .where(Proposal.conference_id == conference.id, Proposal.state.in_(scheduled_states(conference)))
    ) or 0
