"""Who may do what at a conference: the one place handlers ask."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from conference.conferences.models import Conference, ConferenceRole, Role
from conference.extensions import db, login_manager


def load_conference(slug: str) -> Conference:
    conference = db.session.scalar(select(Conference).where(Conference.slug == slug))
    if conference is None:
        abort(404)
    return conference


def roles_of(user, conference: Conference) -> set[Role]:
    if user is None or not user.is_authenticated:
        return set()
    rows = db.session.scalars(
        select(ConferenceRole.role).where(
            ConferenceRole.conference_id == conference.id, ConferenceRole.user_id == user.id
        )
    )
    return set(rows)


def has_role(conference: Conference, role: Role, user=None) -> bool:
    return role in roles_of(user if user is not None else current_user, conference)


def require_role(conference: Conference, *roles: Role) -> None:
    """Abort unless the current user holds one of ``roles`` at ``conference``."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not roles_of(current_user, conference) & set(roles):
        abort(403)


def conference_with_role(slug: str, *roles: Role) -> Conference:
    """The conference at ``slug`` after checking the current user holds one of ``roles`` there."""
    conference = load_conference(slug)
    require_role(conference, *roles)
    return conference


def load_scoped(model, conference: Conference, object_id: int):
    """The ``model`` row with this id at this conference; 404 for ids of other conferences."""
    found = db.session.scalar(
        select(model).where(model.id == object_id, model.conference_id == conference.id)
    )
    if found is None:
        abort(404)
    return found
