"""What the site admins' people pages list: every account, its status and its roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.core.paging import Page, PageSpot
from conference.core.text import folded
from conference.extensions import db
from conference.sso.models import GroupGrantedRole, GroupGrantedSiteAdmin

PEOPLE_PER_PAGE = 50


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    ERASED = "erased"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def account_status(user: User) -> AccountStatus:
    if user.is_erased:
        return AccountStatus.ERASED
    return AccountStatus.ACTIVE if user.is_active else AccountStatus.DEACTIVATED


def _status_condition(status: AccountStatus):
    if status is AccountStatus.ERASED:
        return User.erased_at.is_not(None)
    if status is AccountStatus.DEACTIVATED:
        return (User.is_active_account.is_(False)) & (User.erased_at.is_(None))
    return User.is_active_account.is_(True)


@dataclass
class ConferenceRoles:
    """One conference and the roles an account holds there, with the company group that gave
    each role a group gave."""

    conference: Conference
    roles: list[Role] = field(default_factory=list)
    from_groups: dict[Role, str] = field(default_factory=dict)


@dataclass
class Account:
    """An account as the people pages show it."""

    user: User
    conferences: list[ConferenceRoles] = field(default_factory=list)
    # The OIDC_ADMIN_GROUPS group that made them a site admin; None: by hand, or not an admin.
    site_admin_from_group: str | None = None

    @property
    def status(self) -> AccountStatus:
        return account_status(self.user)


def roles_by_conference(user_ids: list[int]) -> dict[int, list[ConferenceRoles]]:
    """Each account's roles, grouped by conference, newest conference first (one query)."""
    grouped: dict[int, list[ConferenceRoles]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return grouped
    rows = db.session.execute(
        select(ConferenceRole.user_id, ConferenceRole.role, Conference, GroupGrantedRole.group_name)
        .join(Conference, Conference.id == ConferenceRole.conference_id)
        .outerjoin(GroupGrantedRole, GroupGrantedRole.conference_role_id == ConferenceRole.id)
        .where(ConferenceRole.user_id.in_(user_ids))
        .order_by(Conference.starts_on.desc(), Conference.id, ConferenceRole.role)
    )
    for user_id, role, conference, from_group in rows:
        held = grouped[user_id]
        if not held or held[-1].conference.id != conference.id:
            held.append(ConferenceRoles(conference))
        held[-1].roles.append(role)
        if from_group is not None:
            held[-1].from_groups[role] = from_group
    return grouped


def site_admins_from_groups(users: list[User]) -> dict[int, str]:
    """The company group that made each of these site admins one, for those a group did (one
    query)."""
    admin_ids = [user.id for user in users if user.is_site_admin]
    if not admin_ids:
        return {}
    return dict(
        db.session.execute(
            select(GroupGrantedSiteAdmin.user_id, GroupGrantedSiteAdmin.group_name).where(
                GroupGrantedSiteAdmin.user_id.in_(admin_ids)
            )
        ).all()
    )


def accounts_page(
    search: str = "", status: AccountStatus | None = None, page: int = 1, per_page: int = PEOPLE_PER_PAGE
) -> Page[Account]:
    """Accounts whose name or e-mail contains ``search`` (case and accents ignored), of
    ``status`` if given, by name; one page with their roles. A page past the end gives the last."""
    matching = select(User.id)
    wanted = folded(search)
    if wanted:
        matching = matching.where(
            or_(
                User.name_key.contains(wanted, autoescape=True),
                func.lower(User.email).contains(wanted, autoescape=True),
            )
        )
    if status is not None:
        matching = matching.where(_status_condition(status))
    total = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    spot = PageSpot.of(page, total, per_page)
    users = list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(matching))
            .options(selectinload(User.deactivated_by))
            .order_by(User.name_key, User.id)
            .offset(spot.offset)
            .limit(per_page)
        )
    )
    roles = roles_by_conference([user.id for user in users])
    from_groups = site_admins_from_groups(users)
    return Page([Account(user, roles[user.id], from_groups.get(user.id)) for user in users], total, spot)


def account(user: User) -> Account:
    """One account with its roles and where its site-admin right came from."""
    return Account(user, roles_by_conference([user.id])[user.id], site_admins_from_groups([user]).get(user.id))
