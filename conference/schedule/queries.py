"""Read-only lookups for the schedule pages."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.conferences.models import Conference, Hub, Room
from conference.extensions import db
from conference.proposals.models import Proposal
from conference.schedule.mapping import scheduled_states
from conference.schedule.models import ScheduledTalk, SolverRun
from conference.schedule.versions import current_draft

RECENT_RUNS = 10


def recent_runs(conference: Conference, limit: int = RECENT_RUNS) -> list[SolverRun]:
    return list(
        db.session.scalars(
            select(SolverRun)
            .where(SolverRun.conference_id == conference.id)
            .order_by(SolverRun.created_at.desc(), SolverRun.id.desc())
            .limit(limit)
        )
    )


def followed_run(run: SolverRun) -> SolverRun | None:
    """The run of the same conference whose choice a largest-subset ``run`` keeps, if any."""
    if run.follows_run_id is None:
        return None
    return db.session.scalar(
        select(SolverRun).where(SolverRun.id == run.follows_run_id, SolverRun.conference_id == run.conference_id)
    )


def hubs_of(conference: Conference) -> list[Hub]:
    return list(db.session.scalars(select(Hub).where(Hub.conference_id == conference.id).order_by(Hub.name)))


def rooms_of(conference: Conference) -> list[Room]:
    return list(
        db.session.scalars(
            select(Room).where(Room.conference_id == conference.id).order_by(Room.hub_id.is_(None), Room.name)
        )
    )


def talks_to_schedule_count(conference: Conference) -> int:
    return db.session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.conference_id == conference.id, Proposal.state.in_(scheduled_states(conference))
        )
    ) or 0


def draft_summary(conference: Conference) -> dict | None:
    """The current draft with its number of placed and pinned talks, or None."""
    draft = current_draft(conference.id)
    if draft is None:
        return None
    placed, pinned = db.session.execute(
        select(func.count(ScheduledTalk.id), func.count(ScheduledTalk.id).filter(ScheduledTalk.pinned.is_(True)))
        .where(ScheduledTalk.version_id == draft.id)
    ).one()
    return {"version": draft, "placed": placed, "pinned": pinned}
