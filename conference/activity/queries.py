"""Reading the activity log as organisers may see it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import joinedload

from conference.accounts.models import User
from conference.activity.models import LEGACY_ACTIONS, REVIEW_ACTIONS, ActivityAction, ActivityEntry
from conference.conferences.models import Conference
from conference.core.paging import Page, PageSpot
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalSpeaker

PAGE_SIZE = 50


def _newest_first(statement):
    return statement.order_by(ActivityEntry.created_at.desc(), ActivityEntry.id.desc())


def _not_own_reviews(viewer: User) -> ColumnElement[bool]:
    """Leaves out review entries of proposals ``viewer`` speaks on: a speaker who also
    organises never reads their own proposal's reviews, nor who wrote them or when."""
    own = select(ProposalSpeaker.proposal_id).where(ProposalSpeaker.user_id == viewer.id)
    return not_(and_(ActivityEntry.action.in_(REVIEW_ACTIONS), ActivityEntry.proposal_id.in_(own)))


def proposal_history(proposal: Proposal, viewer: User) -> list[ActivityEntry]:
    """The proposal's entries, newest first, as the organiser ``viewer`` may read them."""
    return list(
        db.session.scalars(
            _newest_first(
                select(ActivityEntry)
                .where(ActivityEntry.proposal_id == proposal.id, _not_own_reviews(viewer))
                .options(joinedload(ActivityEntry.actor))
            )
        )
    )


SYSTEM = "system"


@dataclass(frozen=True)
class ActivityFilters:
    action: ActivityAction | None = None
    # A user id, `SYSTEM`, or None for everyone.
    actor: int | str | None = None
    proposal_id: int | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments, for links to other pages of the same list."""
        values = {"action": self.action, "actor": self.actor, "proposal": self.proposal_id}
        return {key: str(value) for key, value in values.items() if value is not None}


def _conditions(conference: Conference, viewer: User, filters: ActivityFilters) -> list:
    conditions = [
        ActivityEntry.conference_id == conference.id,
        # A speaker's draft is theirs alone until it is submitted: so is its history.
        or_(ActivityEntry.proposal_id.is_(None), not_(Proposal.speakers_only)),
        _not_own_reviews(viewer),
    ]
    if filters.action is not None:
        conditions.append(ActivityEntry.action == filters.action)
    if filters.actor == SYSTEM:
        conditions.append(ActivityEntry.by_system.is_(True))
    elif filters.actor is not None:
        conditions.append(ActivityEntry.actor_id == filters.actor)
    if filters.proposal_id is not None:
        conditions.append(ActivityEntry.proposal_id == filters.proposal_id)
    return conditions


def conference_activity(
    conference: Conference, viewer: User, filters: ActivityFilters, page: int
) -> Page[ActivityEntry]:
    """One page of the conference's entries, newest first, people and proposals loaded."""
    conditions = _conditions(conference, viewer, filters)
    total = db.session.scalar(
        select(func.count(ActivityEntry.id))
        .outerjoin(Proposal, Proposal.id == ActivityEntry.proposal_id)
        .where(*conditions)
    ) or 0
    spot = PageSpot.of(page, total, PAGE_SIZE)
    entries = db.session.scalars(
        _newest_first(
            select(ActivityEntry)
            .outerjoin(Proposal, Proposal.id == ActivityEntry.proposal_id)
            .where(*conditions)
            .options(joinedload(ActivityEntry.actor), joinedload(ActivityEntry.proposal))
        )
        .offset(spot.offset)
        .limit(PAGE_SIZE)
    ).all()
    return Page(list(entries), total, spot)


def people_in_log(conference: Conference, viewer: User) -> list[User]:
    """Everyone who did something at ``conference`` that ``viewer`` may read of, by name, for
    the person filter (a reviewer known only from reviews of the viewer's own proposal is not)."""
    visible_actors = (
        select(ActivityEntry.actor_id)
        .outerjoin(Proposal, Proposal.id == ActivityEntry.proposal_id)
        .where(*_conditions(conference, viewer, ActivityFilters()))
    )
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(visible_actors)).order_by(User.name_key, User.id)
        )
    )


def actions_for_filter(conference: Conference) -> list[ActivityAction]:
    """The actions to filter by: every one written today, and one no longer written (a decision
    whose outcome was never recorded) only where this conference's log still has it."""
    legacy_present = set(
        db.session.scalars(
            select(ActivityEntry.action).distinct().where(
                ActivityEntry.conference_id == conference.id, ActivityEntry.action.in_(LEGACY_ACTIONS)
            )
        )
    )
    return [action for action in ActivityAction if not action.is_legacy or action in legacy_present]


def proposals_in_log(conference: Conference) -> list[Proposal]:
    """The submitted proposals of ``conference`` with entries, by title, for the proposal filter."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.conference_id == conference.id,
                not_(Proposal.speakers_only),
                Proposal.id.in_(select(ActivityEntry.proposal_id).where(ActivityEntry.conference_id == conference.id)),
            )
            .order_by(Proposal.title, Proposal.id)
        )
    )
