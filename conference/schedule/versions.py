"""The two schedule versions every area asks for: the draft and the latest published one."""

from __future__ import annotations

from sqlalchemy import and_, func, select

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


def latest_published_version_ids():
    """SELECT of every conference's newest published version id, for ``IN`` across conferences."""
    newest = (
        select(
            ScheduleVersion.conference_id.label("conference_id"),
            func.max(ScheduleVersion.number).label("number"),
        )
        .where(ScheduleVersion.is_draft.is_(False), ScheduleVersion.number.is_not(None))
        .group_by(ScheduleVersion.conference_id)
        .subquery()
    )
    return select(ScheduleVersion.id).join(
        newest,
        and_(
            ScheduleVersion.conference_id == newest.c.conference_id,
            ScheduleVersion.number == newest.c.number,
        ),
    )
