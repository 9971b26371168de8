"""Attendees mark the accepted talks they want to attend. Operations flush; the request commits.

The marks are the audience data the schedule solver uses, and later the attendees' starred
talks, so everything that reads or changes them lives here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.extensions import db
from conference.interest.models import InterestMark
from conference.proposals.models import AudienceLevel, Proposal, ProposalSpeaker, ProposalState

# Only these talks are public; drafts, submissions and rejected or withdrawn ones never are.
PUBLIC_STATES = (ProposalState.ACCEPTED, ProposalState.CONFIRMED)


@dataclass(frozen=True)
class TalkFilter:
    """What an attendee narrows the list of accepted talks down to; None means any."""

    track_id: int | None = None
    session_format_id: int | None = None
    audience_level: AudienceLevel | None = None
    search: str = ""


def accepted_talks_query(conference: Conference, talk_filter: TalkFilter | None = None) -> Select:
    """Accepted and confirmed talks of ``conference`` matching ``talk_filter``'s track, format
    and level (not its search: see ``accepted_talks``), by title."""
    talk_filter = talk_filter or TalkFilter()
    query = (
        select(Proposal)
        .where(Proposal.conference_id == conference.id, Proposal.state.in_(PUBLIC_STATES))
        .options(
            selectinload(Proposal.track),
            selectinload(Proposal.session_format),
            selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
        )
        .order_by(func.lower(Proposal.title), Proposal.id)
    )
    if talk_filter.track_id is not None:
        query = query.where(Proposal.track_id == talk_filter.track_id)
    if talk_filter.session_format_id is not None:
        query = query.where(Proposal.session_format_id == talk_filter.session_format_id)
    if talk_filter.audience_level is not None:
        query = query.where(Proposal.audience_level == talk_filter.audience_level)
    return query


def _mentions(talk: Proposal, needle: str) -> bool:
    return needle in talk.title.casefold() or needle in (talk.abstract or "").casefold()


def accepted_talks(conference: Conference, talk_filter: TalkFilter | None = None) -> list[Proposal]:
    """The accepted and confirmed talks matching ``talk_filter``."""
    talk_filter = talk_filter or TalkFilter()
    talks = db.session.scalars(accepted_talks_query(conference, talk_filter))
    # The search is matched here, not with SQL: SQLite's lower() and LIKE fold only ASCII
    # letters, so "über" would not find "Über" there while PostgreSQL finds it.
    needle = talk_filter.search.strip().casefold()
    return [talk for talk in talks if not needle or _mentions(talk, needle)]


def find_accepted_talk(conference: Conference, proposal_id: int) -> Proposal | None:
    """The accepted or confirmed talk with this id at ``conference``, else None."""
    return db.session.scalar(
        accepted_talks_query(conference).where(Proposal.id == proposal_id)
    )


def ensure_attendee(user: User, conference: Conference) -> None:
    """Make ``user`` an attendee of ``conference`` unless they already hold a role there."""
    has_any_role = db.session.scalar(
        select(func.count())
        .select_from(ConferenceRole)
        .where(ConferenceRole.conference_id == conference.id, ConferenceRole.user_id == user.id)
    )
    if has_any_role:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                ConferenceRole(conference_id=conference.id, user_id=user.id, role=Role.ATTENDEE)
            )
    except IntegrityError:
        pass  # a parallel request granted it first


def mark_interest(user: User, proposal: Proposal) -> InterestMark:
    """Record that ``user`` wants to attend ``proposal``; marking twice keeps one mark."""
    ensure_attendee(user, proposal.conference)
    existing = _find_mark(user, proposal)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            mark = InterestMark(user_id=user.id, proposal_id=proposal.id)
            db.session.add(mark)
    except IntegrityError:
        # A double submit raced us to it: the other request's mark is the one.
        mark = _find_mark(user, proposal)
        assert mark is not None
    return mark


def unmark_interest(user: User, proposal: Proposal) -> None:
    """Forget that ``user`` wants to attend ``proposal``; nothing happens if they had not."""
    db.session.execute(
        delete(InterestMark).where(
            InterestMark.user_id == user.id, InterestMark.proposal_id == proposal.id
        )
    )
    db.session.flush()


def _find_mark(user: User, proposal: Proposal) -> InterestMark | None:
    return db.session.scalar(
        select(InterestMark).where(
            InterestMark.user_id == user.id, InterestMark.proposal_id == proposal.id
        )
    )


def _public_marks(conference: Conference) -> Select:
    return (
        select(InterestMark)
        .join(Proposal, Proposal.id == InterestMark.proposal_id)
        .where(Proposal.conference_id == conference.id, Proposal.state.in_(PUBLIC_STATES))
    )


def marked_talk_ids(user: User, conference: Conference) -> set[int]:
    """Ids of the accepted talks of ``conference`` that ``user`` has marked."""
    query = _public_marks(conference).where(InterestMark.user_id == user.id)
    return set(db.session.scalars(query.with_only_columns(InterestMark.proposal_id)))


def marked_talk_count(user: User, conference: Conference) -> int:
    """How many accepted talks of ``conference`` ``user`` has marked."""
    query = _public_marks(conference).where(InterestMark.user_id == user.id)
    return db.session.scalar(query.with_only_columns(func.count(InterestMark.id))) or 0


def interest_counts(conference: Conference) -> dict[int, int]:
    """Number of interested people per accepted talk id (talks nobody marked are absent)."""
    query = (
        _public_marks(conference)
        .with_only_columns(InterestMark.proposal_id, func.count(InterestMark.id))
        .group_by(InterestMark.proposal_id)
    )
    return {proposal_id: count for proposal_id, count in db.session.execute(query)}  # noqa: C416


def wanted_talks(conference: Conference) -> dict[int, list[int]]:
    """For the solver: each interested user's id -> the ids of the accepted talks they marked."""
    query = _public_marks(conference).with_only_columns(
        InterestMark.user_id, InterestMark.proposal_id
    ).order_by(InterestMark.user_id, InterestMark.proposal_id)
    wanted: dict[int, list[int]] = defaultdict(list)
    for user_id, proposal_id in db.session.execute(query):
        wanted[user_id].append(proposal_id)
    return dict(wanted)
