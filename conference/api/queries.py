"""What the API reads: one page of each list, with everything its rows show loaded up front.

Review statistics come from the ranking (`decisions.queries`, `decisions.ranking`), answers
from the call's questions (`proposals.questions`), the published version from
`schedule.versions`; each list runs the same statements whatever its number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.models import User
from conference.agenda.queries import MANY_TALKS
from conference.api.parameters import Edges, Page, SortKey, cursor_key
from conference.conferences.models import Conference, Room, Track
from conference.decisions import ranking
from conference.decisions.queries import conference_review_inputs
from conference.extensions import db
from conference.proposals import questions
from conference.proposals.models import (
    CfpQuestion,
    InvitationState,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerProfile,
)
from conference.reviews.models import Review, ReviewScore
from conference.reviews.queries import review_is_counted
from conference.schedule.models import ScheduledTalk, ScheduleVersion
from conference.schedule.versions import latest_published
from conference.tags import queries as tag_queries

# Every state organisers see; a draft (and a draft withdrawn unsubmitted) is its speakers' alone.
LISTED_STATES = tuple(state for state in ProposalState if state is not ProposalState.DRAFT)


def count_of(query: Select) -> int:
    """How many rows ``query`` selects, ignoring its order."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


# Each list's order, as (column, kind) pairs: the sort key its cursors carry.
BY_ID = {
    Proposal: ((Proposal.id, int),),
    User: ((User.id, int),),
    Review: ((Review.id, int),),
    Room: ((Room.id, int),),
    Track: ((Track.id, int),),
}
SCHEDULE_ORDER = ((ScheduledTalk.starts_at, datetime), (ScheduledTalk.room_id, int), (ScheduledTalk.id, int))


def _after(order: Sequence[tuple[Any, type]], key: SortKey) -> ColumnElement[bool]:
    """Rows after ``key`` in ``order``: (a, b) > (x, y) spelt as a > x OR (a = x AND b > y)."""
    columns = [column for column, _kind in order]
    return or_(*(
        and_(*(columns[j] == key[j] for j in range(i)), columns[i] > key[i])
        for i in range(len(columns))
    ))


def _before(order: Sequence[tuple[Any, type]], key: SortKey) -> ColumnElement[bool]:
    """Rows before ``key`` in ``order``: (a, b) < (x, y), spelt as in `_after`."""
    columns = [column for column, _kind in order]
    return or_(*(
        and_(*(columns[j] == key[j] for j in range(i)), columns[i] < key[i])
        for i in range(len(columns))
    ))


def _next_to(key: SortKey, step: int) -> SortKey:
    """``key`` with its last value, an id, moved by ``step``. Every order ends with the id and
    ids are integers from 1, so "after (x, id - 1)" means "from (x, id) on" and "before
    (x, id + 1)" means "up to (x, id)"."""
    return (*key[:-1], max(int(key[-1]) + step, 0))


def _slice(query: Select, page: Page, order: Sequence[tuple[Any, type]]) -> Select:
    """The page's rows, plus one to tell whether another page follows (see `_paged`). A page
    asked for by ``before`` is read backwards from its cursor; `_paged` turns it round."""
    key = cursor_key(page, [kind for _column, kind in order])
    if key is None:
        query = query.offset(page.offset)
    elif page.before is not None:
        query = query.where(_before(order, key)).order_by(None).order_by(
            *(column.desc() for column, _kind in order)
        )
    else:
        query = query.where(_after(order, key))
    return query.limit(page.limit + 1)


def _any_row(query: Select) -> bool:
    return bool(db.session.scalar(select(query.order_by(None).exists())))


def _paged(
    rows: Sequence, page: Page, key_of: Callable[[Any], SortKey], query: Select, order: Sequence[tuple[Any, type]]
) -> tuple[list, Edges]:
    """The page's rows in the list's order (without the extra one `_slice` read) and where its
    neighbours start. ``query`` is the whole list: a page asked for by cursor asks it (one
    statement) whether any row lies beyond the page's other edge."""
    rows = list(rows)
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    key = cursor_key(page, [kind for _column, kind in order])
    if page.before is not None:
        rows.reverse()
        previous_before = key_of(rows[0]) if more else None
        # An empty page (every row before the cursor was removed) leads on from the cursor row.
        edge = key_of(rows[-1]) if rows else _next_to(key, -1)
        return rows, Edges(edge if _any_row(query.where(_after(order, edge))) else None, previous_before)
    next_after = key_of(rows[-1]) if more else None
    if key is None:
        return rows, Edges(next_after, None)  # an offset page links back by offset
    # An empty page (every row after the cursor was removed) leads back up to the cursor row.
    edge = key_of(rows[0]) if rows else _next_to(key, 1)
    return rows, Edges(next_after, edge if _any_row(query.where(_before(order, edge))) else None)


def _visible_proposals(conference: Conference):
    return (Proposal.conference_id == conference.id, ~Proposal.speakers_only)


# --- proposals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalPage:
    proposals: list[Proposal]
    count: int
    statistics: dict[int, ranking.ProposalStatistics]
    all_questions: list[CfpQuestion]
    tag_names: dict[int, list[str]]  # the organisers' tags of each proposal, by proposal id
    edges: Edges  # where the neighbouring pages start


def proposals_page(
    conference: Conference,
    page: Page,
    states: Sequence[ProposalState] | None = None,
    track_id: int | None = None,
) -> ProposalPage:
    """Proposals by id with speakers, answers and the ranking's review statistics."""
    query = select(Proposal).where(*_visible_proposals(conference)).order_by(Proposal.id)
    if states:
        query = query.where(Proposal.state.in_(states))
    if track_id is not None:
        query = query.where(Proposal.track_id == track_id)
    found = db.session.scalars(
        _slice(query, page, BY_ID[Proposal]).options(
            selectinload(Proposal.track),
            selectinload(Proposal.session_format),
            selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
            selectinload(Proposal.cfp_answers),
        )
    ).all()
    proposals, edges = _paged(found, page, lambda proposal: (proposal.id,), query, BY_ID[Proposal])
    return ProposalPage(
        proposals=list(proposals),
        count=count_of(query),
        # Every review at the conference: each reviewer's z-scores need all of their reviews.
        statistics=ranking.proposal_statistics(conference_review_inputs(conference)),
        all_questions=questions.questions(conference, include_retired=True),
        tag_names={
            proposal_id: [tag.name for tag in tags]
            for proposal_id, tags in tag_queries.tags_by_proposal(
                conference, [proposal.id for proposal in proposals]
            ).items()
        },
        edges=edges,
    )


def track_of(conference: Conference, track_id: int) -> Track | None:
    return db.session.scalar(
        select(Track).where(Track.id == track_id, Track.conference_id == conference.id)
    )


def is_listed_proposal(conference: Conference, proposal_id: int) -> bool:
    """Whether the proposal is one the API lists at this conference (not a speakers' draft)."""
    return (
        db.session.scalar(
            select(Proposal.id).where(Proposal.id == proposal_id, *_visible_proposals(conference))
        )
        is not None
    )


# --- speakers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerRow:
    user: User
    profile: SpeakerProfile | None
    proposal_ids: list[int]


def speakers_page(conference: Conference, page: Page) -> tuple[list[SpeakerRow], int, Edges]:
    """People who speak on a proposal organisers see (invitations they accepted), by user id."""
    speaks = exists().where(
        ProposalSpeaker.user_id == User.id,
        ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
        Proposal.id == ProposalSpeaker.proposal_id,
        *_visible_proposals(conference),
    )
    query = select(User).where(speaks).order_by(User.id)
    users, edges = _paged(
        db.session.scalars(_slice(query, page, BY_ID[User])).all(), page, lambda user: (user.id,), query, BY_ID[User]
    )
    user_ids = [user.id for user in users]
    profiles: dict[int, SpeakerProfile] = {}
    proposal_ids: dict[int, list[int]] = {user_id: [] for user_id in user_ids}
    if user_ids:
        profiles = {
            profile.user_id: profile
            for profile in db.session.scalars(
                select(SpeakerProfile)
                .where(
                    SpeakerProfile.conference_id == conference.id,
                    SpeakerProfile.user_id.in_(user_ids),
                )
                .options(joinedload(SpeakerProfile.hub))
            )
        }
        for user_id, proposal_id in db.session.execute(
            select(ProposalSpeaker.user_id, ProposalSpeaker.proposal_id)
            .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
            .where(
                ProposalSpeaker.user_id.in_(user_ids),
                ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
                *_visible_proposals(conference),
            )
            .order_by(ProposalSpeaker.proposal_id)
        ):
            proposal_ids[user_id].append(proposal_id)
    rows = [SpeakerRow(user, profiles.get(user.id), proposal_ids[user.id]) for user in users]
    return rows, count_of(query), edges


# --- reviews -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    # False once its author may no longer review the proposal (a conflict declared since):
    # the ranking leaves it out, as `decisions.queries` does.
    counted: bool
    # Against the reviewer's other counted reviews, as the ranking computes it; None if not counted.
    z_score: float | None


def reviews_page(
    conference: Conference,
    page: Page,
    proposal_id: int | None = None,
    hidden_from_speaker_id: int | None = None,
) -> tuple[list[ReviewRow], int, Edges]:
    """Reviews by id, with their scores and criteria; none of a proposal on which the person
    ``hidden_from_speaker_id`` speaks (the organisers' proposal page hides those from them too)."""
    conditions = [Review.conference_id == conference.id, *_visible_proposals(conference)]
    if proposal_id is not None:
        conditions.append(Review.proposal_id == proposal_id)
    if hidden_from_speaker_id is not None:
        conditions.append(
            ~exists().where(
                ProposalSpeaker.proposal_id == Review.proposal_id,
                ProposalSpeaker.user_id == hidden_from_speaker_id,
            )
        )
    reviews = (
        select(Review, review_is_counted().label("counted"))
        .join(Proposal, Proposal.id == Review.proposal_id)
        .where(*conditions)
        .order_by(Review.id)
    )
    rows, edges = _paged(db.session.execute(
        _slice(reviews, page, BY_ID[Review]).options(
            joinedload(Review.reviewer),
            selectinload(Review.scores).joinedload(ReviewScore.criterion),
        )
    ).all(), page, lambda row: (row[0].id,), reviews, BY_ID[Review])
    count = count_of(
        select(Review.id).join(Proposal, Proposal.id == Review.proposal_id).where(*conditions)
    )
    z_scores = ranking.reviewer_z_scores(conference_review_inputs(conference)) if rows else {}
    return [
        ReviewRow(review, bool(counted), z_scores.get((review.proposal_id, review.reviewer_id)))
        for review, counted in rows
    ], count, edges


# --- schedule ------------------------------------------------------------------------------


def published_version(conference: Conference, number: int | None = None) -> ScheduleVersion | None:
    """The latest published version, or the one numbered ``number``; None if there is none."""
    if number is None:
        return latest_published(conference.id)
    return db.session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.conference_id == conference.id,
            ScheduleVersion.is_draft.is_(False),
            ScheduleVersion.number == number,
        )
    )


def scheduled_talks_page(version: ScheduleVersion, page: Page) -> tuple[list[ScheduledTalk], int, Edges]:
    """The version's talks as published, by start, room and id."""
    query = (
        select(ScheduledTalk)
        .where(ScheduledTalk.version_id == version.id)
        .order_by(ScheduledTalk.starts_at, ScheduledTalk.room_id, ScheduledTalk.id)
    )
    talks, edges = _paged(
        db.session.scalars(_slice(query, page, SCHEDULE_ORDER).options(*MANY_TALKS)).all(),
        page, lambda talk: (talk.starts_at, talk.room_id, talk.id), query, SCHEDULE_ORDER,
    )
    return talks, count_of(query), edges


# --- rooms and tracks ----------------------------------------------------------------------


def rooms_page(conference: Conference, page: Page) -> tuple[list[Room], int, Edges]:
    query = select(Room).where(Room.conference_id == conference.id).order_by(Room.id)
    rooms, edges = _paged(
        db.session.scalars(_slice(query, page, BY_ID[Room]).options(joinedload(Room.hub))).all(),
        page, lambda room: (room.id,), query, BY_ID[Room],
    )
    return rooms, count_of(query), edges


def tracks_page(conference: Conference, page: Page) -> tuple[list[Track], int, Edges]:
    query = select(Track).where(Track.conference_id == conference.id).order_by(Track.id)
    tracks, edges = _paged(
        db.session.scalars(_slice(query, page, BY_ID[Track])).all(), page, lambda track: (track.id,), query, BY_ID[Track]
    )
    return tracks, count_of(query), edges
