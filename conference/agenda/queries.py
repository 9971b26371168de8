"""What the public agenda reads: the published schedule, grouped and filtered for one viewer.

Only the newest published version is ever read here; the draft never is.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.models import User
from conference.conferences.models import Conference, Hub, Room
from conference.core.markdown import markdown_to_text
from conference.core.timezones import (
    clocks_change_on,
    offset_text,
    offsets_on,
    time_range,
    to_zone,
    zone_offset_label,
)
from conference.extensions import db
from conference.feeds import links
from conference.feeds.operations import existing_feed_token
from conference.interest.models import InterestMark
from conference.interest.operations import PUBLIC_STATES
from conference.proposals.models import (
    InvitationState,
    PresentationMode,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)
from conference.schedule.models import ScheduledTalk, ScheduleVersion
from conference.schedule.versions import latest_published

ONLINE = "online"
# The speaker list's choice for people whose profile names no home hub.
NO_HUB = "none"


class TalkMode(enum.StrEnum):
    """How an attendee can follow a talk."""

    IN_PERSON = "in_person"
    REMOTE = "remote"
    HYBRID = "hybrid"

    @property
    def label(self) -> str:
        return {"in_person": "In person", "remote": "Remote", "hybrid": "Hybrid"}[self.value]


@dataclass(frozen=True)
class AgendaFilter:
    """What the viewer narrowed the agenda to; None means any."""

    track_id: int | None = None
    hub: int | str | None = None  # a hub id, or ONLINE for the online streams
    mode: TalkMode | None = None


@dataclass
class AgendaTalk:
    """A published talk as one viewer sees it: local times and how it can be followed."""

    scheduled: ScheduledTalk
    mode: TalkMode
    local_start: datetime
    local_end: datetime
    speaker_profiles: dict[int, SpeakerProfile] = field(default_factory=dict)
    clashes_with: list[AgendaTalk] = field(default_factory=list)

    @property
    def proposal(self) -> Proposal:
        return self.scheduled.proposal

    @property
    def room(self) -> Room:
        return self.scheduled.room

    @property
    def starts_at(self) -> datetime:
        """The start in UTC: local times of one zone compare by wall time, ignoring the fold."""
        return self.scheduled.starts_at.astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        return self.scheduled.ends_at.astimezone(UTC)

    @property
    def local_day(self) -> date:
        return self.local_start.date()

    @property
    def speakers(self) -> list[ProposalSpeaker]:
        return self.proposal.accepted_speakers

    def time_range(self, with_offsets: bool = False) -> str:
        """``14:00–14:30``; with ``with_offsets`` each time carries its UTC offset, once if shared."""
        return time_range(self.local_start, self.local_end, with_offsets)


def published_version(conference: Conference) -> ScheduleVersion | None:
    """The newest published version of the schedule, or None before the first publication."""
    return latest_published(conference.id)


# --- Offsets on days when the clocks change ------------------------------------------------


def day_zone_label(day: date, zone_name: str) -> str:
    """The zone and its offsets on ``day``: ``Australia/Sydney (UTC+11:00 until 03:00, then UTC+10:00)``."""
    starts = offsets_on(day, zone_name)
    label = offset_text(starts[0])
    for previous, start in itertools.pairwise(starts):
        # A change is named by the wall time the clocks showed when it came (03:00, not 02:00).
        changed_at = start.astimezone(UTC) + (previous.utcoffset() or timedelta(0))
        label += f" until {changed_at:%H:%M}, then {offset_text(start)}"
    return f"{zone_name} ({label})"


# Many talks: one statement per relationship, whatever the number of talks (the API uses it too).
MANY_TALKS = (
    selectinload(ScheduledTalk.proposal).selectinload(Proposal.track),
    selectinload(ScheduledTalk.proposal).selectinload(Proposal.session_format),
    selectinload(ScheduledTalk.proposal)
    .selectinload(Proposal.speakers)
    .selectinload(ProposalSpeaker.user),
    selectinload(ScheduledTalk.room).selectinload(Room.hub),
)
# One talk: joined loads put everything but the speakers in a single statement.
_ONE_TALK = (
    joinedload(ScheduledTalk.proposal).joinedload(Proposal.track),
    joinedload(ScheduledTalk.proposal).joinedload(Proposal.session_format),
    joinedload(ScheduledTalk.proposal)
    .selectinload(Proposal.speakers)
    .joinedload(ProposalSpeaker.user),
    joinedload(ScheduledTalk.room).joinedload(Room.hub),
)


def _published_talks_query(version: ScheduleVersion, loaders=MANY_TALKS):
    return (
        select(ScheduledTalk)
        .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
        .where(
            ScheduledTalk.version_id == version.id,
            Proposal.conference_id == version.conference_id,
            Proposal.state.in_(PUBLIC_STATES),
        )
        .options(*loaders)
        .order_by(ScheduledTalk.starts_at, ScheduledTalk.room_id, ScheduledTalk.id)
    )


def _speaker_profiles(
    conference: Conference, talks: list[ScheduledTalk]
) -> dict[int, SpeakerProfile]:
    user_ids = {s.user_id for t in talks for s in t.proposal.accepted_speakers if s.user_id}
    if not user_ids:
        return {}
    profiles = db.session.scalars(
        select(SpeakerProfile).where(
            SpeakerProfile.conference_id == conference.id, SpeakerProfile.user_id.in_(user_ids)
        )
    )
    return {profile.user_id: profile for profile in profiles}


def talk_mode(scheduled: ScheduledTalk) -> TalkMode:
    """Online stream -> remote; a hub room with a join link -> hybrid; else in person.

    The join link decides (``links.join_url``, the rule the feeds use too): a remote speaker
    in a hub room without streaming is seen in the room only, so that talk is in person.
    """
    return room_mode(scheduled.room)


def room_mode(room: Room) -> TalkMode:
    """How talks in ``room`` can be followed (the rule of `talk_mode`)."""
    if room.is_online:
        return TalkMode.REMOTE
    if links.has_join_link(room):
        return TalkMode.HYBRID
    return TalkMode.IN_PERSON


def presents_remotely(speaker: ProposalSpeaker, profiles: dict[int, SpeakerProfile]) -> bool:
    """True when the speaker's profile says they present from elsewhere."""
    profile = profiles.get(speaker.user_id)
    return profile is not None and profile.presentation_mode is PresentationMode.REMOTE


def _agenda_talks(
    conference: Conference, rows: list[ScheduledTalk], zone_name: str
) -> list[AgendaTalk]:
    profiles = _speaker_profiles(conference, rows)
    return [
        AgendaTalk(
            scheduled=row,
            mode=talk_mode(row),
            local_start=to_zone(row.starts_at, zone_name),
            local_end=to_zone(row.ends_at, zone_name),
            speaker_profiles=profiles,
        )
        for row in rows
    ]


def published_talks(conference: Conference, zone_name: str) -> list[AgendaTalk]:
    """Every public talk of the published version, by start, with times in ``zone_name``."""
    version = published_version(conference)
    if version is None:
        return []
    return _agenda_talks(
        conference, list(db.session.scalars(_published_talks_query(version))), zone_name
    )


def published_days(version: ScheduleVersion, zone_name: str) -> list[date]:
    """Every ``zone_name`` day on which a public talk starts, in order."""
    starts = db.session.scalars(
        select(ScheduledTalk.starts_at)
        .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
        .where(
            ScheduledTalk.version_id == version.id,
            Proposal.conference_id == version.conference_id,
            Proposal.state.in_(PUBLIC_STATES),
        )
        .distinct()
    )
    return sorted({to_zone(instant, zone_name).date() for instant in starts})


def published_talks_on(
    conference: Conference, version: ScheduleVersion, zone_name: str, day: date
) -> list[AgendaTalk]:
    """The public talks starting on ``day`` in ``zone_name``, by start (a day page loads no more)."""
    zone = ZoneInfo(zone_name)
    # A day never spans more than 26 hours of UTC; the margin covers odd offsets and the
    # exact test below keeps only talks whose local start falls on the day.
    earliest = datetime.combine(day, time.min, zone) - timedelta(hours=3)
    latest = datetime.combine(day + timedelta(days=1), time.min, zone) + timedelta(hours=3)
    rows = db.session.scalars(
        _published_talks_query(version).where(
            ScheduledTalk.starts_at >= earliest, ScheduledTalk.starts_at < latest
        )
    )
    talks = _agenda_talks(conference, list(rows), zone_name)
    return [talk for talk in talks if talk.local_day == day]


def find_published_talk(
    conference: Conference, proposal_id: int, zone_name: str
) -> AgendaTalk | None:
    """The published placement of this proposal at ``conference``, else None."""
    version = published_version(conference)
    if version is None:
        return None
    row = db.session.scalar(
        _published_talks_query(version, _ONE_TALK).where(ScheduledTalk.proposal_id == proposal_id)
    )
    if row is None:
        return None
    return _agenda_talks(conference, [row], zone_name)[0]


def _starred_by(conference: Conference, user: User):
    # Never a draft: only its speakers may know of it (and a star needs a public talk).
    return (
        select(Proposal)
        .join(InterestMark, InterestMark.proposal_id == Proposal.id)
        .where(
            InterestMark.user_id == user.id,
            Proposal.conference_id == conference.id,
            ~Proposal.speakers_only,
        )
    )


def find_starred_talk(conference: Conference, user: User, proposal_id: int) -> Proposal | None:
    """The talk ``proposal_id`` if ``user`` starred it at ``conference``, whatever became of it."""
    return db.session.scalar(_starred_by(conference, user).where(Proposal.id == proposal_id))


def starred_talks_gone(conference: Conference, user: User) -> list[Proposal]:
    """Talks ``user`` starred that have left the programme since (withdrawn, declined), by title.

    Their stars stay until the attendee removes them: the private calendar keeps sending
    each as cancelled, and "My agenda" is where they can be removed.
    """
    return list(
        db.session.scalars(
            _starred_by(conference, user)
            .where(Proposal.state.not_in(PUBLIC_STATES))
            .order_by(func.lower(Proposal.title), Proposal.id)
        )
    )


def matches(talk: AgendaTalk, agenda_filter: AgendaFilter) -> bool:
    """True when ``talk`` passes every part of ``agenda_filter``."""
    if agenda_filter.track_id is not None and talk.proposal.track_id != agenda_filter.track_id:
        return False
    return room_matches(talk.room, agenda_filter)


def room_matches(room: Room, agenda_filter: AgendaFilter) -> bool:
    """True when talks in ``room`` pass the hub and mode parts of ``agenda_filter``."""
    if agenda_filter.hub == ONLINE and not room.is_online:
        return False
    if isinstance(agenda_filter.hub, int) and room.hub_id != agenda_filter.hub:
        return False
    return agenda_filter.mode is None or room_mode(room) is agenda_filter.mode


def days_with_talks(talks: list[AgendaTalk]) -> list[date]:
    """The viewer's local dates on which talks start, in order."""
    return sorted({talk.local_day for talk in talks})


def talks_by_day(talks: list[AgendaTalk]) -> dict[date, list[AgendaTalk]]:
    """Talks grouped by the viewer's local date of their start, days in order."""
    grouped: dict[date, list[AgendaTalk]] = defaultdict(list)
    for talk in talks:
        grouped[talk.local_day].append(talk)
    return {day: grouped[day] for day in sorted(grouped)}


def flag_clashes(talks: list[AgendaTalk]) -> None:
    """Fill ``clashes_with`` for every pair of ``talks`` that overlap in time."""
    ordered = sorted(talks, key=lambda t: t.scheduled.starts_at)
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.scheduled.starts_at >= first.scheduled.ends_at:
                break
            first.clashes_with.append(second)
            second.clashes_with.append(first)


# --- Now and next -----------------------------------------------------------------------

# How far ahead "Next" looks.
NEXT_WINDOW = timedelta(hours=2)


class Phase(enum.StrEnum):
    """Where an instant falls in the published schedule (every public talk, whatever the filter)."""

    NO_TALKS = "no_talks"
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


@dataclass(frozen=True)
class NowFilter:
    """What "Now and next" is narrowed to: the agenda's filters and, perhaps, only some talks."""

    agenda_filter: AgendaFilter = field(default_factory=AgendaFilter)
    proposal_ids: frozenset[int] | None = None  # e.g. the viewer's starred talks; None: any


@dataclass(frozen=True)
class HubGroup:
    """The talks running in one hub's rooms, or (``hub`` None) on the online streams."""

    hub: Hub | None
    talks: list[AgendaTalk]

    @property
    def label(self) -> str:
        return self.hub.name if self.hub is not None else "Online streams"


@dataclass
class NowAndNext:
    """The published talks running at ``instant`` and those starting soon after it."""

    instant: datetime
    phase: Phase
    first_start: datetime | None = None  # of the whole conference, unfiltered
    last_end: datetime | None = None
    running: list[AgendaTalk] = field(default_factory=list)
    # Starting within NEXT_WINDOW after ``instant``, by start.
    upcoming: list[AgendaTalk] = field(default_factory=list)
    # The first start after ``instant`` that passes the filter, however far ahead.
    next_start: datetime | None = None

    @property
    def running_by_hub(self) -> list[HubGroup]:
        """``running`` by hub (hubs by name, online streams last), each hub's talks by room."""
        by_hub: dict[Hub | None, list[AgendaTalk]] = defaultdict(list)
        for talk in self.running:
            by_hub[talk.room.hub].append(talk)
        hubs = sorted(
            (hub for hub in by_hub if hub is not None), key=lambda h: (h.name.lower(), h.id)
        )
        ordered: list[Hub | None] = [*hubs, None] if None in by_hub else hubs
        return [
            HubGroup(
                hub,
                sorted(by_hub[hub], key=lambda t: (t.room.name.lower(), t.room.id, t.starts_at)),
            )
            for hub in ordered
        ]


def _public_in(version: ScheduleVersion) -> tuple:
    """The conditions on placements of ``version`` that anyone may see."""
    return (
        ScheduledTalk.version_id == version.id,
        Proposal.conference_id == version.conference_id,
        Proposal.state.in_(PUBLIC_STATES),
    )


def _now_conditions(conference: Conference, now_filter: NowFilter) -> list:
    """``now_filter`` as SQL conditions, so the talks that fail it are never loaded."""
    agenda_filter = now_filter.agenda_filter
    conditions = []
    if agenda_filter.track_id is not None:
        conditions.append(Proposal.track_id == agenda_filter.track_id)
    if agenda_filter.hub is not None or agenda_filter.mode is not None:
        # Hub and mode belong to the room: the agenda's own rule picks the rooms.
        rooms = [room.id for room in conference.rooms if room_matches(room, agenda_filter)]
        conditions.append(ScheduledTalk.room_id.in_(rooms))
    if now_filter.proposal_ids is not None:
        conditions.append(ScheduledTalk.proposal_id.in_(sorted(now_filter.proposal_ids)))
    return conditions


def now_and_next(
    conference: Conference,
    version: ScheduleVersion,
    zone_name: str,
    instant: datetime,
    now_filter: NowFilter | None = None,
) -> NowAndNext:
    """What runs at ``instant`` and what starts within NEXT_WINDOW, with times in ``zone_name``.

    A talk runs from its start up to, not including, its end. The phase is the whole
    conference's; the talks and ``next_start`` pass ``now_filter``.
    """
    first_start, last_end = db.session.execute(
        select(func.min(ScheduledTalk.starts_at), func.max(ScheduledTalk.ends_at))
        .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
        .where(*_public_in(version))
    ).one()
    if first_start is None:
        return NowAndNext(instant, Phase.NO_TALKS)
    if instant >= last_end:
        return NowAndNext(instant, Phase.AFTER, first_start, last_end)
    phase = Phase.BEFORE if instant < first_start else Phase.DURING
    conditions = _now_conditions(conference, now_filter or NowFilter())
    rows = db.session.scalars(
        _published_talks_query(version).where(
            ScheduledTalk.starts_at <= instant + NEXT_WINDOW,
            ScheduledTalk.ends_at > instant,
            *conditions,
        )
    )
    talks = _agenda_talks(conference, list(rows), zone_name)
    running = [talk for talk in talks if talk.starts_at <= instant]
    upcoming = [talk for talk in talks if talk.starts_at > instant]
    if upcoming:
        next_start = upcoming[0].starts_at
    else:
        next_start = db.session.scalar(
            select(func.min(ScheduledTalk.starts_at))
            .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
            .where(*_public_in(version), ScheduledTalk.starts_at > instant, *conditions)
        )
    return NowAndNext(instant, phase, first_start, last_end, running, upcoming, next_start)


def coming_up(
    conference: Conference,
    version: ScheduleVersion,
    zone_name: str,
    instant: datetime,
    agenda_filter: AgendaFilter,
    limit: int,
) -> list[AgendaTalk]:
    """At most ``limit`` public talks that have not ended at ``instant`` and pass the filter:
    those running first, then the next ones, by start (however far ahead: an embedded agenda
    shows the first talks before the conference starts)."""
    rows = db.session.scalars(
        _published_talks_query(version)
        .where(ScheduledTalk.ends_at > instant, *_now_conditions(conference, NowFilter(agenda_filter)))
        .limit(limit)
    )
    return _agenda_talks(conference, list(rows), zone_name)


def wait_text(since: datetime, until: datetime) -> str:
    """The time from ``since`` to ``until``, rounded up to the minute: ``25 min``, ``2 h 5 min``.

    From two days on, whole days (rounded): ``3 days``.
    """
    minutes = max(math.ceil((until - since).total_seconds() / 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{(minutes + 12 * 60) // (24 * 60)} days"


# --- Speakers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerFilter:
    """What the viewer narrowed the speaker list to; None and "" mean any."""

    hub: int | str | None = None  # a hub id, or NO_HUB for speakers without a home hub
    name: str = ""


@dataclass
class PublishedSpeaker:
    """Someone who speaks in a public talk of the published version, as anyone may see them.

    Only the name, the conference profile (bio, home hub, in person or remote) and the talks:
    never the e-mail address or the account's own settings.
    """

    user: User
    profile: SpeakerProfile | None
    hub: Hub | None
    talks: list[AgendaTalk] = field(default_factory=list)

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def presentation_mode(self) -> PresentationMode | None:
        """In person or remote as the profile says; None when there is no profile."""
        return self.profile.presentation_mode if self.profile is not None else None

    @property
    def bio(self) -> str:
        """The Markdown bio ("" without one)."""
        return self.profile.bio if self.profile is not None and self.profile.bio else ""

    @property
    def bio_text(self) -> str:
        """The bio as plain text on one line, for excerpts."""
        return " ".join(markdown_to_text(self.bio).split())


def _speakers_of(conference: Conference, talks: list[AgendaTalk]) -> list[PublishedSpeaker]:
    """The accepted speakers of ``talks``, each with their talks in order, sorted by name."""
    # A profile's hub is shown only if it is one of this conference's.
    hubs = {hub.id: hub for hub in conference.hubs}
    found: dict[int, PublishedSpeaker] = {}
    for talk in talks:
        for speaker in talk.speakers:
            if speaker.user is None:
                continue
            entry = found.get(speaker.user_id)
            if entry is None:
                profile = talk.speaker_profiles.get(speaker.user_id)
                hub = hubs.get(profile.hub_id) if profile is not None and profile.hub_id else None
                entry = found[speaker.user_id] = PublishedSpeaker(speaker.user, profile, hub)
            entry.talks.append(talk)
    return sorted(found.values(), key=lambda s: (s.name.casefold(), s.user_id))


def published_speakers(
    conference: Conference, version: ScheduleVersion, zone_name: str
) -> list[PublishedSpeaker]:
    """Everyone who speaks in a public talk of ``version``, by name, with times in ``zone_name``."""
    rows = list(db.session.scalars(_published_talks_query(version)))
    return _speakers_of(conference, _agenda_talks(conference, rows, zone_name))


def find_published_speaker(
    conference: Conference, user_id: int, zone_name: str
) -> PublishedSpeaker | None:
    """The person ``user_id`` if they speak in a public talk of the published version, else None.

    Submitting, being rejected, declining or being only invited makes nobody a speaker.
    """
    version = published_version(conference)
    if version is None:
        return None
    theirs = select(ProposalSpeaker.proposal_id).where(
        ProposalSpeaker.user_id == user_id,
        ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
    )
    rows = list(
        db.session.scalars(
            _published_talks_query(version).where(ScheduledTalk.proposal_id.in_(theirs))
        )
    )
    speakers = _speakers_of(conference, _agenda_talks(conference, rows, zone_name))
    return next((speaker for speaker in speakers if speaker.user_id == user_id), None)


def matches_speaker(speaker: PublishedSpeaker, speaker_filter: SpeakerFilter) -> bool:
    """True when ``speaker`` passes every part of ``speaker_filter``."""
    if speaker_filter.hub == NO_HUB and speaker.hub is not None:
        return False
    if isinstance(speaker_filter.hub, int) and (
        speaker.hub is None or speaker.hub.id != speaker_filter.hub
    ):
        return False
    wanted = " ".join(speaker_filter.name.split()).casefold()
    return not wanted or wanted in " ".join(speaker.name.split()).casefold()


def zone_label_for_days(talks: list[AgendaTalk], zone_name: str) -> tuple[str | None, set[date]]:
    """The label of a page listing ``talks`` on any days, and the days whose times need offsets.

    When every day has the same offsets, the label names them (``Europe/London (UTC+00:00)``)
    and only a day when the clocks change shows offsets with its times; otherwise the label is
    the zone's name and every time carries its own offset. (None, empty) for no talks.
    """
    labels = {talk.local_day: day_zone_label(talk.local_day, zone_name) for talk in talks}
    if not labels:
        return None, set()
    if len(set(labels.values())) == 1:
        return next(iter(labels.values())), {
            day for day in labels if clocks_change_on(day, zone_name)
        }
    return zone_name, set(labels)


@dataclass(frozen=True)
class TimesElsewhere:
    """A talk's times in another zone (a speaker's hub), labelled as the agenda labels times."""

    local: AgendaTalk
    with_offsets: bool
    zone_label: str


def times_elsewhere(talk: AgendaTalk, zone_name: str) -> TimesElsewhere | None:
    """``talk``'s times in ``zone_name``; None when its clocks there read as the viewer's do."""
    there = replace(
        talk,
        local_start=to_zone(talk.scheduled.starts_at, zone_name),
        local_end=to_zone(talk.scheduled.ends_at, zone_name),
    )
    if (there.local_start.utcoffset(), there.local_end.utcoffset()) == (
        talk.local_start.utcoffset(),
        talk.local_end.utcoffset(),
    ):
        return None
    clocks_change = clocks_change_on(there.local_day, zone_name)
    return TimesElsewhere(
        local=there,
        with_offsets=clocks_change,
        zone_label=(
            day_zone_label(there.local_day, zone_name)
            if clocks_change
            else zone_offset_label(talk.scheduled.starts_at, zone_name)
        ),
    )


# --- The grid ---------------------------------------------------------------------------


@dataclass
class GridCell:
    talks: list[AgendaTalk]
    rowspan: int


@dataclass
class GridColumnGroup:
    label: str
    rooms: list[Room]


@dataclass(frozen=True)
class GridRow:
    """The time between two consecutive boundaries: instants in UTC, shown in the viewer's zone."""

    starts_at: datetime
    ends_at: datetime
    local_start: datetime


@dataclass
class AgendaGrid:
    """Rooms as columns (grouped by hub, online streams last), time boundaries as rows."""

    groups: list[GridColumnGroup]
    rows: list[GridRow]
    # (row index, room id) -> the cell starting there; None where a longer cell covers it.
    cells: dict[tuple[int, int], GridCell | None]

    @property
    def rooms(self) -> list[Room]:
        return [room for group in self.groups for room in group.rooms]


def _column_groups(rooms: list[Room]) -> list[GridColumnGroup]:
    by_hub: dict[Hub | None, list[Room]] = defaultdict(list)
    for room in rooms:
        by_hub[room.hub].append(room)
    hubs = sorted((hub for hub in by_hub if hub is not None), key=lambda h: (h.name.lower(), h.id))
    groups = [
        GridColumnGroup(hub.name, sorted(by_hub[hub], key=lambda r: (r.name.lower(), r.id)))
        for hub in hubs
    ]
    if None in by_hub:
        groups.append(
            GridColumnGroup("Online", sorted(by_hub[None], key=lambda r: (r.name.lower(), r.id)))
        )
    return groups


def build_grid(talks: list[AgendaTalk]) -> AgendaGrid:
    """Lay one day's talks out as a table; rows run between consecutive start/end instants.

    Rows are keyed by UTC instant, never by wall time: when the clocks go back, 02:30 happens
    twice, and the two are different rows (each shown with its offset on such a day).
    """
    rooms = {talk.room.id: talk.room for talk in talks}
    groups = _column_groups(list(rooms.values()))
    zone = talks[0].local_start.tzinfo if talks else UTC
    # By instant: when the clocks go back, 02:30 happens twice, and a wall time can't tell which.
    boundaries = sorted({t.starts_at for t in talks} | {t.ends_at for t in talks})
    rows = [
        GridRow(start, end, start.astimezone(zone))
        for start, end in zip(boundaries, boundaries[1:], strict=False)
    ]
    row_of = {instant: index for index, instant in enumerate(boundaries)}
    cells: dict[tuple[int, int], GridCell | None] = {}
    for room_id in rooms:
        covered_until = -1
        current: GridCell | None = None
        start_row = 0
        room_talks = sorted((t for t in talks if t.room.id == room_id), key=lambda t: t.starts_at)
        for talk in room_talks:
            first, last = row_of[talk.starts_at], row_of[talk.ends_at]
            if current is not None and first < covered_until:
                # Overlapping talks in one room share a cell rather than break the table.
                current.talks.append(talk)
                covered_until = max(covered_until, last)
                current.rowspan = covered_until - start_row
            else:
                current = GridCell([talk], max(last - first, 1))
                start_row, covered_until = first, max(last, first + 1)
                cells[(first, room_id)] = current
            for row in range(first + 1, covered_until):
                cells.setdefault((row, room_id), None)
    return AgendaGrid(groups=groups, rows=rows, cells=cells)


# --- Links ---------------------------------------------------------------------------


def _feed_url(endpoint: str, **values) -> str | None:
    # An endpoint the feeds area does not (yet) expose is simply left out.
    if endpoint not in current_app.view_functions:
        return None
    return links.public_base_url() + url_for(endpoint, **values)


def feed_links(conference: Conference, personal_url: str | None = None) -> list[tuple[str, str]]:
    """(label, https URL) pairs of the public calendar feeds, then ``personal_url`` if given."""
    slug = conference.slug
    found: list[tuple[str, str | None]] = [
        ("Whole conference", _feed_url("feeds.conference_feed", slug=slug)),
    ]
    found += [
        (f"Track: {track.name}", _feed_url("feeds.track_feed", slug=slug, track_id=track.id))
        for track in conference.tracks
    ]
    found += [
        (f"Hub: {hub.name}", _feed_url("feeds.hub_feed", slug=slug, hub_id=hub.id))
        for hub in conference.hubs
    ]
    has_online = db.session.scalar(
        select(Room.id).where(Room.conference_id == conference.id, Room.hub_id.is_(None)).limit(1)
    )
    if has_online is not None:
        found.append(("Online streams", _feed_url("feeds.hub_feed", slug=slug, hub_id=ONLINE)))
    if personal_url:
        found.append(("My starred talks (private link)", personal_url))
    return [(label, url) for label, url in found if url]


def speaker_feed_url(conference: Conference, user_id: int) -> str | None:
    """The https URL of the speaker's public calendar feed (the feeds area's ``speaker_feed``)."""
    return _feed_url("feeds.speaker_feed", slug=conference.slug, user_id=user_id)


def personal_feed_url(conference: Conference, user=None) -> str | None:
    """The viewer's private starred-talks feed, if they asked for one; reading never creates it."""
    if (
        user is None
        or not user.is_authenticated
        or "feeds.personal_feed" not in current_app.view_functions
    ):
        return None
    token = existing_feed_token(user, conference)
    if token is None:
        return None
    return _feed_url("feeds.personal_feed", slug=conference.slug, token=token.token)


def webcal_url(https_url: str) -> str:
    """The same feed with the webcal scheme, which calendar apps open as a subscription."""
    return "webcal://" + https_url.split("://", 1)[1]
