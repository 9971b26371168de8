"""What the materials area reads: a talk's materials, who may change them, catch-up, new recordings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.conferences.access import has_role
from conference.conferences.models import Conference, Role
from conference.extensions import db
from conference.feedback.models import FeedbackResponse
from conference.interest.models import InterestMark
from conference.interest.operations import PUBLIC_STATES
from conference.materials.models import MaterialKind, TalkMaterial
from conference.proposals.models import (
    InvitationState,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)
from conference.schedule.models import ScheduledTalk
from conference.schedule.versions import latest_published, latest_published_version_ids

FEED_SIZE = 50


@dataclass
class TalkMaterials:
    """One talk's materials, by kind, oldest first."""

    slides: list[TalkMaterial] = field(default_factory=list)
    recordings: list[TalkMaterial] = field(default_factory=list)
    links: list[TalkMaterial] = field(default_factory=list)

    def add(self, material: TalkMaterial) -> None:
        {
            MaterialKind.SLIDES: self.slides,
            MaterialKind.RECORDING: self.recordings,
            MaterialKind.LINK: self.links,
        }[material.kind].append(material)

    @property
    def is_empty(self) -> bool:
        return not (self.slides or self.recordings or self.links)

    @property
    def count(self) -> int:
        return len(self.slides) + len(self.recordings) + len(self.links)

    def without_recordings(self) -> TalkMaterials:
        """These materials as the public sees them when the talk's recordings are withheld."""
        return TalkMaterials(slides=self.slides, recordings=[], links=self.links)


def _materials_query(proposal_ids):
    return (
        select(TalkMaterial)
        .where(TalkMaterial.proposal_id.in_(proposal_ids))
        .order_by(TalkMaterial.created_at, TalkMaterial.id)
    )


def materials_by_talk(proposal_ids: list[int] | set[int]) -> dict[int, TalkMaterials]:
    """Materials of several talks in one query; every asked id has an entry, maybe empty."""
    grouped = {proposal_id: TalkMaterials() for proposal_id in proposal_ids}
    if grouped:
        for material in db.session.scalars(_materials_query(list(grouped))):
            grouped[material.proposal_id].add(material)
    return grouped


def materials_of(proposal: Proposal) -> TalkMaterials:
    """The materials attached to ``proposal``."""
    return materials_by_talk([proposal.id])[proposal.id]


# --- Recording consent ----------------------------------------------------------------------


def recording_withheld(proposal_id, conference_id) -> ColumnElement[bool]:
    """SQL: not every speaker of the talk said yes to publishing its recording (the one consent
    rule).

    Consent is each speaker's per-conference profile answer; only speakers who accepted count
    (an invited or declined co-speaker does not present). A speaker who said no, who has not
    answered, or who has no profile there has not said yes: publishing needs their yes.
    `recording_consents` explains the same rule in words.
    """
    said_yes = (
        exists()
        .where(
            SpeakerProfile.user_id == ProposalSpeaker.user_id,
            SpeakerProfile.conference_id == conference_id,
            SpeakerProfile.recording_consent.is_(True),
        )
        # ``conference_id`` may name the outermost query's table: correlate past the middle.
        .correlate_except(SpeakerProfile)
    )
    return exists().where(
        ProposalSpeaker.proposal_id == proposal_id,
        ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
        ~said_yes,
    )


@dataclass(frozen=True)
class RecordingConsent:
    """Where a talk's speakers stand on publishing its recording: who said no, and who has not
    answered (or has no speaker profile at the conference)."""

    declined: tuple[User, ...] = ()
    awaiting: tuple[User, ...] = ()

    @property
    def withheld(self) -> bool:
        return bool(self.declined or self.awaiting)

    def is_awaiting(self, user) -> bool:
        return any(person.id == user.id for person in self.awaiting)

    def has_declined(self, user) -> bool:
        return any(person.id == user.id for person in self.declined)

    @property
    def reason(self) -> str:
        """Why the recording is withheld, e.g. "Awaiting consent from Ana García."; "" if not."""
        parts = []
        if self.declined:
            parts.append(f"{_names(self.declined)} declined")
        if self.awaiting:
            parts.append(f"awaiting consent from {_names(self.awaiting)}")
        text = "; ".join(parts)
        return text[:1].upper() + text[1:] + "." if text else ""


def _names(people: tuple[User, ...]) -> str:
    names = [person.display_name for person in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def recording_consents(proposal_ids: list[int] | set[int]) -> dict[int, RecordingConsent]:
    """Per talk, its speakers' answers to publishing its recording (one query for any number
    of talks); every asked id has an entry. ``withheld`` agrees with `recording_withheld`."""
    declined: dict[int, list[User]] = defaultdict(list)
    awaiting: dict[int, list[User]] = defaultdict(list)
    if proposal_ids:
        rows = db.session.execute(
            select(ProposalSpeaker.proposal_id, User, SpeakerProfile.recording_consent)
            .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
            .join(User, User.id == ProposalSpeaker.user_id)
            .outerjoin(
                SpeakerProfile,
                (SpeakerProfile.user_id == ProposalSpeaker.user_id)
                & (SpeakerProfile.conference_id == Proposal.conference_id),
            )
            .where(
                ProposalSpeaker.proposal_id.in_(list(proposal_ids)),
                ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
            )
            .order_by(ProposalSpeaker.proposal_id, ProposalSpeaker.id)
        )
        for proposal_id, user, consent in rows:
            if consent is False:
                declined[proposal_id].append(user)
            elif consent is None:
                awaiting[proposal_id].append(user)
    return {
        proposal_id: RecordingConsent(tuple(declined[proposal_id]), tuple(awaiting[proposal_id]))
        for proposal_id in proposal_ids
    }


def withheld_recording_ids(proposal_ids: list[int] | set[int]) -> set[int]:
    """The talks among ``proposal_ids`` whose recordings must not be shown publicly."""
    if not proposal_ids:
        return set()
    return set(
        db.session.scalars(
            select(Proposal.id).where(
                Proposal.id.in_(list(proposal_ids)),
                recording_withheld(Proposal.id, Proposal.conference_id),
            )
        )
    )


def public_materials_by_talk(proposal_ids: list[int] | set[int]) -> dict[int, TalkMaterials]:
    """What anyone may see of these talks' materials: ``materials_by_talk`` less the
    recordings a speaker did not agree to publish (two queries for any number of talks)."""
    grouped = materials_by_talk(proposal_ids)
    withheld = withheld_recording_ids([key for key, found in grouped.items() if found.recordings])
    for proposal_id in withheld:
        grouped[proposal_id] = grouped[proposal_id].without_recordings()
    return grouped


def is_speaker(user: User, proposal: Proposal) -> bool:
    """True when ``user`` is a speaker of ``proposal`` who accepted (not just invited)."""
    return any(
        speaker.user_id == user.id and speaker.invitation_state is InvitationState.ACCEPTED
        for speaker in proposal.speakers
    )


def is_organiser(user, conference: Conference) -> bool:
    return user is not None and user.is_authenticated and has_role(conference, Role.ORGANISER, user)


def may_manage(user, proposal: Proposal) -> bool:
    """Speakers of the talk and organisers of its conference add and remove its materials."""
    if user is None or not user.is_authenticated:
        return False
    return is_speaker(user, proposal) or is_organiser(user, proposal.conference)


def is_published_talk(proposal: Proposal) -> bool:
    """True when ``proposal`` is public and placed in its conference's latest published schedule."""
    if proposal.state not in PUBLIC_STATES:
        return False
    version = latest_published(proposal.conference_id)
    if version is None:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ScheduledTalk.version_id == version.id,
                    ScheduledTalk.proposal_id == proposal.id,
                )
            )
        )
    )


def published_talk_ids(conference: Conference) -> set[int]:
    """Ids of the talks placed in the conference's latest published schedule."""
    version = latest_published(conference.id)
    if version is None:
        return set()
    return set(
        db.session.scalars(
            select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == version.id)
        )
    )


def material_counts(conference: Conference) -> dict[int, dict[MaterialKind, int]]:
    """Per talk of ``conference``: how many materials of each kind it has."""
    rows = db.session.execute(
        select(TalkMaterial.proposal_id, TalkMaterial.kind, func.count())
        .where(TalkMaterial.conference_id == conference.id)
        .group_by(TalkMaterial.proposal_id, TalkMaterial.kind)
    )
    counts: dict[int, dict[MaterialKind, int]] = defaultdict(dict)
    for proposal_id, kind, count in rows:
        counts[proposal_id][kind] = count
    return counts


# --- Catch up -------------------------------------------------------------------------------


@dataclass
class CatchUpTalk:
    """A starred talk the attendee missed, with what they can watch or read instead."""

    scheduled: ScheduledTalk
    materials: TalkMaterials

    @property
    def proposal(self) -> Proposal:
        return self.scheduled.proposal


@dataclass
class CatchUp:
    """The catch-up list and the counts that explain an empty one."""

    published: bool
    starred_count: int = 0
    ended_count: int = 0
    attended_count: int = 0
    talks: list[CatchUpTalk] = field(default_factory=list)


def catch_up(user: User, conference: Conference, now: datetime) -> CatchUp:
    """Starred talks of ``conference`` that ended before ``now`` and that ``user`` did not attend.

    Giving feedback on a talk, or presenting it, counts as having attended it. When a talk
    ended is read from the latest published schedule only.
    """
    version = latest_published(conference.id)
    starred_ids = set(
        db.session.scalars(
            select(InterestMark.proposal_id)
            .join(Proposal, Proposal.id == InterestMark.proposal_id)
            .where(
                InterestMark.user_id == user.id,
                Proposal.conference_id == conference.id,
                Proposal.state.in_(PUBLIC_STATES),
            )
        )
    )
    if version is None:
        return CatchUp(published=False, starred_count=len(starred_ids))
    if not starred_ids:
        return CatchUp(published=True)
    ended = list(
        db.session.scalars(
            select(ScheduledTalk)
            .where(
                ScheduledTalk.version_id == version.id,
                ScheduledTalk.proposal_id.in_(starred_ids),
                ScheduledTalk.ends_at <= now,
            )
            .options(
                selectinload(ScheduledTalk.proposal)
                .selectinload(Proposal.speakers)
                .selectinload(ProposalSpeaker.user),
                selectinload(ScheduledTalk.room),
            )
            .order_by(ScheduledTalk.starts_at, ScheduledTalk.room_id, ScheduledTalk.id)
        )
    )
    ended_ids = [row.proposal_id for row in ended]
    attended = (
        set(
            db.session.scalars(
                select(FeedbackResponse.proposal_id).where(
                    FeedbackResponse.user_id == user.id,
                    FeedbackResponse.proposal_id.in_(ended_ids),
                )
            )
        )
        # A speaker who starred their own talk was there: it is not one to catch up on.
        | set(
            db.session.scalars(
                select(ProposalSpeaker.proposal_id).where(
                    ProposalSpeaker.user_id == user.id,
                    ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
                    ProposalSpeaker.proposal_id.in_(ended_ids),
                )
            )
        )
        if ended
        else set()
    )
    missed = [row for row in ended if row.proposal_id not in attended]
    materials = public_materials_by_talk({row.proposal_id for row in missed})
    return CatchUp(
        published=True,
        starred_count=len(starred_ids),
        ended_count=len(ended),
        attended_count=len(attended),
        talks=[CatchUpTalk(row, materials[row.proposal_id]) for row in missed],
    )


# --- The recordings feed --------------------------------------------------------------------


def newest_recordings(limit: int = FEED_SIZE) -> list[TalkMaterial]:
    """Recordings of published talks at every conference whose speakers agreed to publishing
    them, the most recently added first."""
    placed = exists().where(
        ScheduledTalk.proposal_id == TalkMaterial.proposal_id,
        ScheduledTalk.version_id.in_(latest_published_version_ids()),
    )
    return list(
        db.session.scalars(
            select(TalkMaterial)
            .join(Proposal, Proposal.id == TalkMaterial.proposal_id)
            .where(
                TalkMaterial.kind == MaterialKind.RECORDING,
                Proposal.state.in_(PUBLIC_STATES),
                placed,
                ~recording_withheld(TalkMaterial.proposal_id, TalkMaterial.conference_id),
            )
            .options(
                selectinload(TalkMaterial.conference),
                selectinload(TalkMaterial.proposal)
                .selectinload(Proposal.speakers)
                .selectinload(ProposalSpeaker.user),
            )
            .order_by(TalkMaterial.created_at.desc(), TalkMaterial.id.desc())
            .limit(limit)
        )
    )
