"""People who use the system."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from conference.core.text import folded
from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.conferences.models import ConferenceRole, Hub

NAME_KEY_LENGTH = 480
PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hashing method name, not a secret


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # The name as searched and sorted (case and accents ignored, `core.text.folded`), kept in
    # step with display_name so lists page and filter in SQL. Folding can lengthen a name
    # ("ß" -> "ss"; one ligature U+FDFA becomes 18 characters), hence the wider column, and a
    # key cut at its length (only absurd names reach it; their search matches the start).
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), default="", index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    home_hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    # Part of the login cookie: rotating it ends every other session of this person.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Site administrators create conferences; everything else is per-conference roles.
    is_site_admin: Mapped[bool] = mapped_column(default=False)
    # E-mail when a talk this person starred moves or is cancelled (conference.drafts.starred).
    starred_change_emails: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Comments of followed discussions: "each" by e-mail, a daily "digest" or "none"
    # (conference.discussion.models.DiscussionEmails).
    discussion_emails: Mapped[str] = mapped_column(String(16), default="each", server_default="each")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by a site admin (conference.admin) when the person leaves or asks to be forgotten;
    # by None: from the command line. An erased account is deactivated too, for good.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deactivation_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The company account this person logs in with (conference.sso): "<issuer> <subject>".
    sso_subject: Mapped[str | None] = mapped_column(String(400), unique=True)

    home_hub: Mapped[Hub | None] = relationship(foreign_keys=[home_hub_id])
    roles: Mapped[list[ConferenceRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    deactivated_by: Mapped[User | None] = relationship(
        remote_side=[id], foreign_keys=[deactivated_by_id]
    )

    @validates("display_name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = folded(value or "")[:NAME_KEY_LENGTH]
        return value

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        """False for an account made by single sign-on, which has no password here (yet)."""
        return "$" in self.password_hash

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_erased(self) -> bool:
        """Personal data erased (conference.admin): the row stays only as a neutral name."""
        return self.erased_at is not None

    def __repr__(self) -> str:
        return f"<User {self.email}>"
