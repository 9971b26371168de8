"""Changes speakers make at a conference. Operations flush; the request commits."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.access_codes import operations as access_codes
from conference.access_codes.models import AccessCode
from conference.accounts.models import User
from conference.accounts.operations import find_user_by_email, normalise_email
from conference.activity.models import ActivityAction
from conference.activity.operations import proposal_snapshot, record, record_proposal_saved
from conference.conferences.models import Conference, ConferenceRole, Hub, Role, Room
from conference.core.timezones import instant_text, local_to_utc, to_zone
from conference.core.types import utcnow
from conference.extensions import db
from conference.mail.operations import queue_email
from conference.mail.templates import render_email
from conference.proposals.models import (
    AudienceLevel,
    AvailabilityAnswer,
    AvailabilityWindow,
    InvitationState,
    PresentationMode,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerProfile,
    SpeakerRole,
)
from conference.proposals.questions import save_answers, stored_answers
from conference.schedule.models import ScheduledTalk
from conference.schedule.versions import latest_published

MAX_CO_SPEAKERS = 3
EDITABLE_STATES = (ProposalState.DRAFT, ProposalState.SUBMITTED)
# A co-speaker invitation to a proposal in these states can no longer be accepted.
LAPSED_INVITATION_STATES = (ProposalState.WITHDRAWN, ProposalState.REJECTED, ProposalState.DECLINED)
# A second "create" with the same title by the same person this soon is a double submit.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)
DEFAULT_DAY = (time(9, 0), time(17, 30))
INSTANT_PATTERN = "%a %d %b %Y, %H:%M"


class SpeakerActionRefused(Exception):
    """A speaker's request that cannot be carried out; the message is shown to them."""


def current_instant() -> datetime:
    """Now, in UTC (tests replace ``utcnow`` here to stand at a chosen instant)."""
    return utcnow()


# --- the call's window --------------------------------------------------------------------


def cfp_is_open(conference: Conference) -> bool:
    return conference.cfp_is_open(current_instant())


def cfp_window_text(conference: Conference, viewer_zone: str) -> str:
    """The call's dates in the conference's zone and in the viewer's zone."""
    opens, closes = conference.cfp_opens_at, conference.cfp_closes_at
    if opens is None or closes is None:
        return "The call for proposals has no dates yet."

    def span(zone_name: str) -> str:
        return (
            f"{instant_text(opens, zone_name, INSTANT_PATTERN)} – "
            f"{instant_text(closes, zone_name, INSTANT_PATTERN)} ({zone_name})"
        )

    text = f"The call for proposals runs {span(conference.time_zone)}"
    if viewer_zone != conference.time_zone:
        text += f", that is {span(viewer_zone)} in your time zone"
    else:
        text += " in the conference's time zone, which is also yours"
    return text + "."


def cfp_closed_message(conference: Conference, viewer_zone: str) -> str:
    now = current_instant()
    if conference.cfp_opens_at is not None and now < conference.cfp_opens_at:
        state = "The call for proposals is not open yet"
    else:
        state = "The call for proposals is closed"
    return f"{state}, so proposals cannot be created, edited or submitted. " + cfp_window_text(
        conference, viewer_zone
    )


# --- roles and profile --------------------------------------------------------------------


def _serialise_writes_of(user: User) -> None:
    """Take a write lock on the person's row so their concurrent requests run one after another.

    PostgreSQL locks the row until the transaction ends; SQLite locks the whole database.
    Check-then-insert logic that follows is then safe against a double submit.
    """
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(time_zone=User.time_zone)
        .execution_options(synchronize_session=False)
    )


def grant_speaker_role(conference: Conference, user: User) -> None:
    """Make ``user`` a speaker at ``conference`` unless they already are."""
    exists = db.session.scalar(
        select(ConferenceRole.id).where(
            ConferenceRole.conference_id == conference.id,
            ConferenceRole.user_id == user.id,
            ConferenceRole.role == Role.SPEAKER,
        )
    )
    if exists is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(ConferenceRole(conference_id=conference.id, user_id=user.id, role=Role.SPEAKER))
    except IntegrityError:
        pass  # Granted by a concurrent request: the role is there, which is all we need.


def speaker_profile(conference: Conference, user: User) -> SpeakerProfile | None:
    return db.session.scalar(
        select(SpeakerProfile).where(
            SpeakerProfile.conference_id == conference.id, SpeakerProfile.user_id == user.id
        )
    )


@dataclass(frozen=True)
class ProfileDetails:
    display_name: str
    bio: str
    time_zone: str
    hub_id: int | None
    presentation_mode: PresentationMode
    recording_consent: bool  # the form asks it as a required choice


def save_speaker_profile(conference: Conference, user: User, details: ProfileDetails) -> SpeakerProfile:
    """Store the speaker's profile here, their name, zone and home hub; make them a speaker."""
    if details.hub_id is not None:
        hub = db.session.get(Hub, details.hub_id)
        if hub is None or hub.conference_id != conference.id:
            raise SpeakerActionRefused("That hub does not belong to this conference.")
    _serialise_writes_of(user)
    profile = speaker_profile(conference, user)
    if profile is None:
        profile = SpeakerProfile(conference_id=conference.id, user_id=user.id)
        db.session.add(profile)
    profile.bio = details.bio
    profile.hub_id = details.hub_id
    profile.presentation_mode = details.presentation_mode
    profile.recording_consent = details.recording_consent
    user.display_name = details.display_name
    user.time_zone = details.time_zone
    user.home_hub_id = details.hub_id
    db.session.flush()
    grant_speaker_role(conference, user)
    return profile


def recording_consent_of(conference: Conference, user: User) -> bool | None:
    """The speaker's answer here to publishing recordings of their sessions (None: not
    answered, or no profile yet)."""
    profile = speaker_profile(conference, user)
    return profile.recording_consent if profile is not None else None


def answer_recording_consent(conference: Conference, user: User, consent: bool) -> SpeakerProfile:
    """Store the speaker's yes or no to publishing recordings of their sessions here.

    A speaker without a profile gets one holding only this answer: in person without a hub, which
    the schedule and the pages read as they read no profile at all.
    """
    _serialise_writes_of(user)
    profile = speaker_profile(conference, user)
    if profile is None:
        profile = SpeakerProfile(
            conference_id=conference.id,
            user_id=user.id,
            bio="",
            presentation_mode=PresentationMode.IN_PERSON,
            hub_id=None,
        )
        db.session.add(profile)
    profile.recording_consent = consent
    db.session.flush()
    grant_speaker_role(conference, user)
    return profile


# --- proposals ----------------------------------------------------------------------------


def _is_accepted_speaker(user: User):
    return Proposal.speakers.any(
        (ProposalSpeaker.user_id == user.id)
        & (ProposalSpeaker.invitation_state == InvitationState.ACCEPTED)
    )


@dataclass(frozen=True)
class PublishedSlot:
    """Where and when the published schedule has a talk, for its speakers' pages."""

    starts_at: datetime
    ends_at: datetime
    room_name: str
    hub_name: str | None  # None for an online stream
    hub_zone: str | None


def published_slots(conference: Conference, proposal_ids: list[int]) -> dict[int, PublishedSlot]:
    """The latest published version's slot of each of these proposals that it places."""
    version = latest_published(conference.id)
    if version is None or not proposal_ids:
        return {}
    rows = db.session.execute(
        select(ScheduledTalk.proposal_id, ScheduledTalk.starts_at, ScheduledTalk.ends_at, Room.name, Hub.name,
               Hub.time_zone)
        .join(Room, Room.id == ScheduledTalk.room_id)
        .outerjoin(Hub, Hub.id == Room.hub_id)
        .where(ScheduledTalk.version_id == version.id, ScheduledTalk.proposal_id.in_(proposal_ids))
    )
    return {
        proposal_id: PublishedSlot(starts_at, ends_at, room_name, hub_name, hub_zone)
        for proposal_id, starts_at, ends_at, room_name, hub_name, hub_zone in rows
    }


def my_proposals(conference: Conference, user: User) -> list[Proposal]:
    """Proposals at ``conference`` where ``user`` is a speaker who accepted."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.conference_id == conference.id, _is_accepted_speaker(user))
            .options(
                selectinload(Proposal.session_format),
                selectinload(Proposal.track),
                selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
            )
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        )
    )


def load_my_proposal(conference: Conference, proposal_id: int, user: User) -> Proposal | None:
    """The proposal if it belongs to ``conference`` and ``user`` is one of its speakers."""
    return db.session.scalar(
        select(Proposal).where(
            Proposal.id == proposal_id,
            Proposal.conference_id == conference.id,
            _is_accepted_speaker(user),
        )
    )


def is_submitter(proposal: Proposal, user: User) -> bool:
    return any(s.user_id == user.id and s.role is SpeakerRole.SUBMITTER for s in proposal.speakers)


def speakers_may_edit(proposal: Proposal) -> bool:
    return proposal.state in EDITABLE_STATES


@dataclass(frozen=True)
class ProposalDetails:
    title: str
    abstract: str
    session_format_id: int
    track_id: int | None
    audience_level: AudienceLevel
    notes_to_organisers: str
    # Answers to the questions asked now, by question id ("" when left empty).
    answers: Mapping[int, str] = field(default_factory=dict)


def _apply(proposal: Proposal, details: ProposalDetails) -> None:
    proposal.title = details.title
    proposal.abstract = details.abstract
    proposal.session_format_id = details.session_format_id
    proposal.track_id = details.track_id
    proposal.audience_level = details.audience_level
    proposal.notes_to_organisers = details.notes_to_organisers


def _submit(proposal: Proposal, access_code: AccessCode | None = None) -> None:
    """Submit a draft; with ``access_code``, count one use of it (refused once it has none left)
    and record it on the proposal, which without one records none."""
    if proposal.state is not ProposalState.DRAFT:
        return
    if access_code is not None and not access_codes.use_access_code(access_code, current_instant()):
        raise SpeakerActionRefused(
            "Your access code was used up or stopped working just now, so the proposal is not "
            "submitted. Ask the organisers for another code."
        )
    proposal.access_code_id = access_code.id if access_code is not None else None
    proposal.state = ProposalState.SUBMITTED
    proposal.submitted_at = current_instant()


def _check_window(conference: Conference, access_code: AccessCode | None) -> None:
    """Refuse unless the call is open now or a usable access code of this conference is given."""
    if access_code is None:
        if not cfp_is_open(conference):
            raise SpeakerActionRefused("The call for proposals is closed.")
        return
    if access_code.conference_id != conference.id:
        raise SpeakerActionRefused("This access code is for another conference.")
    problem = access_codes.refusal(access_code, current_instant())
    if problem:
        raise SpeakerActionRefused(problem)


def kept_choices(proposal: Proposal | None, access_code: AccessCode | None) -> tuple[int | None, int | None]:
    """The saved (format, track) a proposal keeps even where they are no longer offered to it.

    A submitted proposal keeps them (a track made code-only later does not take it away). A
    draft keeps them only with a usable access code: a draft whose code was used up, revoked or
    expired chooses again among what is open to everyone, or a code limited to one use would
    make any number of drafts that all end up submitted into its code-only track.
    """
    if proposal is None or (proposal.state is ProposalState.DRAFT and access_code is None):
        return None, None
    return proposal.session_format_id, proposal.track_id


def _check_choices(
    conference: Conference,
    details: ProposalDetails,
    access_code: AccessCode | None,
    proposal: Proposal | None = None,
) -> None:
    """Refuse a format or track the proposal may not choose (see `kept_choices`)."""
    keep_format_id, keep_track_id = kept_choices(proposal, access_code)
    problem = access_codes.choice_problem(
        conference,
        access_code,
        details.session_format_id,
        details.track_id,
        keep_format_id=keep_format_id,
        keep_track_id=keep_track_id,
    )
    if problem:
        raise SpeakerActionRefused(problem)


def may_change_now(proposal: Proposal, access_code: AccessCode | None) -> bool:
    """Whether its speakers may edit the proposal now: while the call is open, and a draft
    also outside it with a usable access code of its conference."""
    if not speakers_may_edit(proposal):
        return False
    if cfp_is_open(proposal.conference):
        return True
    return (
        proposal.state is ProposalState.DRAFT
        and access_code is not None
        and access_code.conference_id == proposal.conference_id
        and access_codes.refusal(access_code, current_instant()) is None
    )


def _same_details(proposal: Proposal, details: ProposalDetails) -> bool:
    return (
        proposal.title == details.title
        and proposal.abstract == details.abstract
        and proposal.session_format_id == details.session_format_id
        and proposal.track_id == details.track_id
        and proposal.audience_level == details.audience_level
        and proposal.notes_to_organisers == details.notes_to_organisers
        and stored_answers(proposal) == {qid: text for qid, text in details.answers.items() if text}
    )


def create_proposal(
    conference: Conference,
    user: User,
    details: ProposalDetails,
    submit: bool,
    access_code: AccessCode | None = None,
) -> tuple[Proposal, bool]:
    """A new proposal with ``user`` as submitter, and whether this request changed anything
    ((proposal, False) for a double submit that finds its work done).

    A double submit is the same person sending the same proposal (every field equal) to the same
    conference within ``DOUBLE_SUBMIT_WINDOW``; when it asks to submit what the first request
    saved as a draft, the draft is submitted. The check runs after locking the person's row, so
    two simultaneous requests cannot both see "no proposal yet": the second waits for the first
    to commit, then finds its proposal and returns it instead of inserting a copy. A proposal
    with the same title but other content is a new one: nothing typed is dropped.

    With a usable ``access_code`` the proposal may be created and submitted outside the call's
    window, in the tracks and formats the code grants; the proposal remembers the code.
    """
    _check_window(conference, access_code)
    _check_choices(conference, details, access_code)
    _serialise_writes_of(user)
    now = current_instant()
    recent = db.session.scalars(
        select(Proposal)
        .join(ProposalSpeaker)
        .where(
            Proposal.conference_id == conference.id,
            Proposal.title == details.title,
            Proposal.created_at >= now - DOUBLE_SUBMIT_WINDOW,
            Proposal.state.in_(EDITABLE_STATES),
            ProposalSpeaker.user_id == user.id,
            ProposalSpeaker.role == SpeakerRole.SUBMITTER,
        )
        .order_by(Proposal.id)
    )
    existing = next((proposal for proposal in recent if _same_details(proposal, details)), None)
    if existing is not None:
        if not submit or existing.state is not ProposalState.DRAFT:
            return existing, False
        _submit(existing, access_code)
        db.session.flush()
        record(conference, ActivityAction.PROPOSAL_SUBMITTED, proposal=existing, actor=user)
        return existing, True
    proposal = Proposal(conference_id=conference.id, state=ProposalState.DRAFT, created_at=now)
    proposal.access_code_id = access_code.id if access_code is not None else None
    _apply(proposal, details)
    proposal.speakers.append(
        ProposalSpeaker(
            user_id=user.id,
            role=SpeakerRole.SUBMITTER,
            invitation_state=InvitationState.ACCEPTED,
        )
    )
    if submit:
        _submit(proposal, access_code)
    save_answers(conference, proposal, details.answers)
    db.session.add(proposal)
    db.session.flush()
    created = ActivityAction.PROPOSAL_SUBMITTED if submit else ActivityAction.PROPOSAL_CREATED
    record(conference, created, proposal=proposal, actor=user)
    grant_speaker_role(conference, user)
    return proposal, True


def update_proposal(
    proposal: Proposal, details: ProposalDetails, submit: bool, access_code: AccessCode | None = None
) -> None:
    """Save a speaker's edit; raises StaleDataError when someone saved in between.

    A draft may be saved and submitted outside the call's window with a usable ``access_code``
    (the edit page passes the one the draft was saved with); a submitted proposal is edited
    only while the call is open, code or not.
    """
    if proposal.state is ProposalState.DRAFT:
        _check_window(proposal.conference, access_code)
    elif not cfp_is_open(proposal.conference):
        raise SpeakerActionRefused("The call for proposals is closed.")
    if not speakers_may_edit(proposal):
        raise SpeakerActionRefused("This proposal can no longer be changed.")
    _check_choices(proposal.conference, details, access_code, proposal)
    before = proposal_snapshot(proposal)
    _apply(proposal, details)
    if submit:
        _submit(proposal, access_code)
    proposal.updated_at = current_instant()
    save_answers(proposal.conference, proposal, details.answers)
    db.session.flush()
    record_proposal_saved(proposal, before)


def withdraw_proposal(proposal: Proposal) -> None:
    if not speakers_may_edit(proposal):
        raise SpeakerActionRefused("Only drafts and submitted proposals can be withdrawn.")
    proposal.state = ProposalState.WITHDRAWN
    db.session.flush()
    record(proposal.conference, ActivityAction.PROPOSAL_WITHDRAWN, proposal=proposal)


# --- co-speakers --------------------------------------------------------------------------


def co_speaker_rows(proposal: Proposal) -> list[ProposalSpeaker]:
    return [s for s in proposal.speakers if s.role is SpeakerRole.CO_SPEAKER]


def invite_co_speaker(
    proposal: Proposal, inviter: User, email: str, link_for_token
) -> ProposalSpeaker:
    """Invite ``email`` to co-present and queue the invitation e-mail (once)."""
    email = normalise_email(email)
    if email == normalise_email(inviter.email):
        raise SpeakerActionRefused("You are already a speaker of this proposal.")
    if not speakers_may_edit(proposal):
        raise SpeakerActionRefused("Co-speakers can only be invited while the proposal is open.")
    # Locking the inviter serialises double submits of this form (see _serialise_writes_of).
    _serialise_writes_of(inviter)
    db.session.refresh(proposal)
    invited_user = find_user_by_email(email)
    for row in proposal.speakers:
        same_person = (invited_user is not None and row.user_id == invited_user.id) or (
            row.invited_email and normalise_email(row.invited_email) == email
        )
        if not same_person:
            continue
        if row.invitation_state is InvitationState.DECLINED:
            # A fresh invitation after a decline: a new row, so a new link and a new e-mail.
            db.session.delete(row)
            db.session.flush()
            continue
        if row.invitation_state is InvitationState.INVITED:
            raise SpeakerActionRefused(f"{email} is already invited to this proposal.")
        raise SpeakerActionRefused(f"{email} is already a speaker of this proposal.")
    active = [
        s for s in co_speaker_rows(proposal)
        if s.invitation_state in (InvitationState.INVITED, InvitationState.ACCEPTED)
    ]
    if len(active) >= MAX_CO_SPEAKERS:
        raise SpeakerActionRefused(f"A proposal can have at most {MAX_CO_SPEAKERS} co-speakers.")
    row = ProposalSpeaker(
        proposal_id=proposal.id,
        user_id=invited_user.id if invited_user else None,
        invited_email=email,
        role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.INVITED,
        invitation_token=secrets.token_urlsafe(32),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:
        raise SpeakerActionRefused(f"{email} is already on this proposal.") from error
    conference = proposal.conference
    subject, body = render_email(
        conference.id,
        "co_speaker_invitation",
        {
            "inviter": inviter.display_name,
            "title": proposal.title,
            "conference": conference.name,
            "link": link_for_token(row.invitation_token),
        },
    )
    queue_email(email, subject, body, f"co-speaker-invitation:{row.id}", conference_id=conference.id)
    record(conference, ActivityAction.CO_SPEAKER_INVITED, proposal=proposal, actor=inviter, details={"email": email})
    return row


def cancel_invitation(proposal: Proposal, speaker_id: int) -> None:
    """Withdraw a pending invitation of this proposal."""
    row = next(
        (
            s for s in co_speaker_rows(proposal)
            if s.id == speaker_id and s.invitation_state is InvitationState.INVITED
        ),
        None,
    )
    if row is None:
        raise LookupError(speaker_id)
    record(proposal.conference, ActivityAction.CO_SPEAKER_REMOVED, proposal=proposal,
           details={"email": row.invited_email})
    db.session.delete(row)
    db.session.flush()


def _invitation_for(user: User):
    return (ProposalSpeaker.user_id == user.id) | (
        ProposalSpeaker.user_id.is_(None)
        & (func.lower(ProposalSpeaker.invited_email) == normalise_email(user.email))
    )


def pending_invitations(conference: Conference, user: User) -> list[ProposalSpeaker]:
    """Open co-speaker invitations addressed to ``user`` at ``conference``."""
    return list(
        db.session.scalars(
            select(ProposalSpeaker)
            .join(Proposal)
            .where(
                Proposal.conference_id == conference.id,
                ProposalSpeaker.role == SpeakerRole.CO_SPEAKER,
                ProposalSpeaker.invitation_state == InvitationState.INVITED,
                ProposalSpeaker.invitation_token.is_not(None),
                Proposal.state.in_(EDITABLE_STATES),
                _invitation_for(user),
            )
            .options(selectinload(ProposalSpeaker.proposal))
            .order_by(ProposalSpeaker.id)
        )
    )


def find_invitation(conference: Conference, token: str) -> ProposalSpeaker | None:
    """The pending invitation with this token at this conference, while its proposal is still in
    the running (an invitation to a withdrawn, rejected or declined talk has lapsed)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(ProposalSpeaker)
        .join(Proposal)
        .where(
            ProposalSpeaker.invitation_token == token,
            ProposalSpeaker.invitation_state == InvitationState.INVITED,
            ProposalSpeaker.role == SpeakerRole.CO_SPEAKER,
            Proposal.conference_id == conference.id,
            Proposal.state.not_in(LAPSED_INVITATION_STATES),
        )
    )


def invitation_is_for(row: ProposalSpeaker, user: User) -> bool:
    if row.user_id is not None:
        return row.user_id == user.id
    return bool(row.invited_email) and normalise_email(row.invited_email) == normalise_email(user.email)


def inviter_of(proposal: Proposal) -> User | None:
    return next((s.user for s in proposal.speakers if s.role is SpeakerRole.SUBMITTER), None)


def answer_invitation(conference: Conference, row: ProposalSpeaker, user: User, accept: bool) -> None:
    """Accept or decline; the token stops working either way."""
    if not invitation_is_for(row, user):
        raise SpeakerActionRefused("This invitation was sent to another e-mail address.")
    row.invitation_token = None
    if not accept:
        row.invitation_state = InvitationState.DECLINED
        db.session.flush()
        record(conference, ActivityAction.CO_SPEAKER_DECLINED, proposal=row.proposal, actor=user)
        return
    row.invitation_state = InvitationState.ACCEPTED
    row.user_id = user.id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise SpeakerActionRefused("You are already a speaker of this proposal.") from error
    record(conference, ActivityAction.CO_SPEAKER_ACCEPTED, proposal=row.proposal, actor=user)
    grant_speaker_role(conference, user)


# --- availability -------------------------------------------------------------------------


def minutes_to_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _local_minutes(instant: datetime, day: date, zone_name: str) -> int:
    """Minutes since ``day``'s midnight in ``zone_name`` (1440 for the next midnight)."""
    local = to_zone(instant, zone_name)
    minutes = local.hour * 60 + local.minute
    if local.date() > day:
        return 24 * 60
    return minutes


def _utc_bounds(day: date, start: int, end: int, zone_name: str) -> tuple[datetime, datetime]:
    starts_at = local_to_utc(day, time(start // 60, start % 60), zone_name)
    if end >= 24 * 60:
        ends_at = local_to_utc(day + timedelta(days=1), time(0, 0), zone_name)
    else:
        ends_at = local_to_utc(day, time(end // 60, end % 60), zone_name)
    return starts_at, ends_at


def _merge_touching(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def default_day_ranges(day: date, hub: Hub | None, zone_name: str) -> list[tuple[int, int]]:
    """The hub's working hours on ``day`` seen from the speaker's zone (09:00-17:30 without a hub)."""
    if hub is None:
        return [(DEFAULT_DAY[0].hour * 60 + DEFAULT_DAY[0].minute, DEFAULT_DAY[1].hour * 60 + DEFAULT_DAY[1].minute)]
    day_start, day_end = _utc_bounds(day, 0, 24 * 60, zone_name)
    ranges = []
    # A hub far away may work across the speaker's midnight: look at its previous and next day.
    for offset in (-1, 0, 1):
        hub_day = day + timedelta(days=offset)
        starts = max(local_to_utc(hub_day, hub.working_day_starts, hub.time_zone), day_start)
        ends = min(local_to_utc(hub_day, hub.working_day_ends, hub.time_zone), day_end)
        if starts < ends:
            ranges.append((_local_minutes(starts, day, zone_name), _local_minutes(ends, day, zone_name)))
    return _merge_touching(ranges)


def availability_windows(conference: Conference, user: User) -> list[AvailabilityWindow]:
    return list(
        db.session.scalars(
            select(AvailabilityWindow)
            .where(AvailabilityWindow.conference_id == conference.id, AvailabilityWindow.user_id == user.id)
            .order_by(AvailabilityWindow.starts_at)
        )
    )


def has_answered_availability(conference: Conference, user: User) -> bool:
    return (
        db.session.scalar(
            select(AvailabilityAnswer.id).where(
                AvailabilityAnswer.conference_id == conference.id, AvailabilityAnswer.user_id == user.id
            )
        )
        is not None
    )


def stated_availability(conference: Conference) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per user who saved their availability here, the UTC windows they can present in, in order:
    an empty list means never. Users not listed never said, so they can present at any time."""
    stated: dict[int, list[tuple[datetime, datetime]]] = {
        user_id: [] for user_id in db.session.scalars(
            select(AvailabilityAnswer.user_id).where(AvailabilityAnswer.conference_id == conference.id)
        )
    }
    for user_id, starts_at, ends_at in db.session.execute(
        select(AvailabilityWindow.user_id, AvailabilityWindow.starts_at, AvailabilityWindow.ends_at)
        .where(AvailabilityWindow.conference_id == conference.id, AvailabilityWindow.ends_at > AvailabilityWindow.starts_at)
        .order_by(AvailabilityWindow.starts_at)
    ):
        # A window saved before answers were recorded counts as an answer too.
        stated.setdefault(user_id, []).append((starts_at, ends_at))
    return stated


@dataclass(frozen=True)
class DayAvailability:
    """A speaker's availability laid out on the conference days in their zone."""

    ranges: dict[date, list[tuple[int, int]]]
    is_default: bool
    windows: list[AvailabilityWindow]  # as saved, in UTC (none while the ranges are defaults)


def availability_by_day(conference: Conference, user: User, hub: Hub | None) -> DayAvailability:
    """Each conference day's ranges in the speaker's zone (defaults until they save). A saved window
    across the speaker's midnight, as after a change of zone, shows on both days."""
    zone_name = user.time_zone
    days = conference.days()
    windows = availability_windows(conference, user)
    if not windows and not has_answered_availability(conference, user):
        return DayAvailability(
            {day: default_day_ranges(day, hub, zone_name) for day in days}, True, []
        )
    by_day: dict[date, list[tuple[int, int]]] = {}
    for day in days:
        day_start, day_end = _utc_bounds(day, 0, 24 * 60, zone_name)
        pieces = [
            (
                _local_minutes(max(w.starts_at, day_start), day, zone_name),
                _local_minutes(min(w.ends_at, day_end), day, zone_name),
            )
            for w in windows
            if w.starts_at < day_end and day_start < w.ends_at
        ]
        by_day[day] = _merge_touching(pieces)
    return DayAvailability(by_day, False, windows)


def replace_availability(
    conference: Conference, user: User, ranges_by_day: dict[date, list[tuple[int, int]]]
) -> list[AvailabilityWindow]:
    """Replace all of the speaker's windows here with these local ranges, stored in UTC, and
    record that they answered (so no range at all means never, not "never said")."""
    _serialise_writes_of(user)
    db.session.execute(
        delete(AvailabilityWindow).where(
            AvailabilityWindow.conference_id == conference.id, AvailabilityWindow.user_id == user.id
        )
    )
    answer = db.session.scalar(
        select(AvailabilityAnswer).where(
            AvailabilityAnswer.conference_id == conference.id, AvailabilityAnswer.user_id == user.id
        )
    )
    if answer is None:
        db.session.add(AvailabilityAnswer(conference_id=conference.id, user_id=user.id, saved_at=utcnow()))
    else:
        answer.saved_at = utcnow()
    windows = []
    for day, ranges in sorted(ranges_by_day.items()):
        for start, end in ranges:
            starts_at, ends_at = _utc_bounds(day, start, end, user.time_zone)
            if starts_at < ends_at:
                windows.append(
                    AvailabilityWindow(
                        conference_id=conference.id, user_id=user.id, starts_at=starts_at, ends_at=ends_at
                    )
                )
    db.session.add_all(windows)
    db.session.flush()
    return windows
