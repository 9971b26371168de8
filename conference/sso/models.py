"""Roles that come from the company's groups: the organisers' rules, and which roles and site-admin
rights a group gave (so a later log-in may take back only those, never what was given by hand)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conference.conferences.models import Role
from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

GROUP_NAME_MAX = 200


class GroupRoleRule(db.Model):
    """Members of the company group ``group_name`` get ``role`` at the conference."""

    __tablename__ = "group_role_rules"
    __table_args__ = (UniqueConstraint("conference_id", "group_name", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    # Exactly as the provider spells it in the groups claim (a name, or an id such as Entra's).
    group_name: Mapped[str] = mapped_column(String(GROUP_NAME_MAX))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GroupGrantedRole(db.Model):
    """A conference role a group rule gave: removed again once no group gives it, and at a log-in
    with a password (until the next company log-in). A role given by hand has no such row; giving the role by hand, or removing it, on the People page removes
    the row."""

    __tablename__ = "group_granted_roles"

    conference_role_id: Mapped[int] = mapped_column(
        ForeignKey("conference_roles.id", ondelete="CASCADE"), primary_key=True
    )
    # The group the pages name as the role's source: one of those giving it at the last log-in.
    group_name: Mapped[str] = mapped_column(String(GROUP_NAME_MAX))


class GroupGrantedSiteAdmin(db.Model):
    """A site-admin right that OIDC_ADMIN_GROUPS gave: taken back once the person is in none of
    them, and at a log-in with a password (never from the last active admin). An admin made by hand has no such row; making
    someone an admin by hand (``flask create-organiser``) removes it."""

    __tablename__ = "group_granted_site_admins"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # One of the OIDC_ADMIN_GROUPS the person was in at the last log-in, for the admins' pages.
    group_name: Mapped[str] = mapped_column(String(GROUP_NAME_MAX))
