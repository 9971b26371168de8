"""The two schedule versions every area asks for: the draft and the latest published one."""

from __future__ import annotations

from sqlalchemy import select

from conference.extensions import db
from conference.schedule.models import ScheduleVersion


def draft_query(conference_id: int):
    """SELECT of the conference's single draft (callers may add FOR UPDATE)."""
    return select(ScheduleVersion).where(
        ScheduleVersion.conference_id == conference_id, ScheduleVersion.is_draft.is_(True)
    )


def current_draft(conference_id: int) -> ScheduleVersion | None:
    """The conference's draft, or None before the first solver run."""
    return db.session.scalar(draft_query(conference_id))


def latest_published(conference_id: int) -> ScheduleVersion | None:
    """The newest published version, or None before the first publication."""
    return db.session.scalar(
        select(ScheduleVersion)
        .where(
            ScheduleVersion.conference_id == conference_id,
            ScheduleVersion.is_draft.is_(False),
            ScheduleVersion.number.is_not(None),
        )
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    )
