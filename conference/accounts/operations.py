"""Changes to accounts. Operations flush; the request commits."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from conference.accounts.models import PASSWORD_METHOD, User
from conference.extensions import db
from conference.mail.operations import queue_email

PASSWORD_RESET_SALT = "conference.accounts.password-reset"  # noqa: S105 - a signing namespace


@functools.cache
def _timing_decoy_hash() -> str:
    """A real hash to verify against when the e-mail is unknown, so failed logins are equally slow.

    Made on first use, not at import: scrypt is deliberately slow and most processes
    (workers, CLI commands) never need it.
    """
    return generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


class EmailAlreadyRegistered(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(email: str, display_name: str, password: str, time_zone: str = "UTC") -> User:
    """Create an account; raises EmailAlreadyRegistered for a taken address."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise EmailAlreadyRegistered(email)
    user = User(email=email, display_name=display_name.strip(), time_zone=time_zone)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def deactivated_account_with(email: str, password: str) -> bool:
    """Whether these credentials are right but the account is deactivated (only someone who
    knows the password learns that: the log-in page says so instead of "do not match")."""
    user = find_user_by_email(email)
    return user is not None and not user.is_active and user.check_password(password)


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None, without revealing which part was wrong."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_timing_decoy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this user."""
    user.set_password(new_password)
    user.rotate_session_token()
    db.session.flush()


def _reset_fingerprint(user: User) -> str:
    # Changes with the password and the session token, so a link stops working once used.
    material = f"{user.id}:{user.password_hash}:{user.session_token}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PASSWORD_RESET_SALT)


def password_reset_token(user: User) -> str:
    """A signed, timestamped token that lets its holder set this user's password once."""
    return _reset_serializer().dumps({"user": user.id, "check": _reset_fingerprint(user)})


def user_for_reset_token(token: str, max_age: int) -> User | None:
    """The user a valid, unexpired, unused token belongs to; None for anything else."""
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(_reset_fingerprint(user), str(data.get("check", ""))):
        return None
    return user


def password_reset_email_body(user: User, link: str, max_age: int) -> str:
    minutes = max(1, max_age // 60)
    return (
        f"Hello {user.display_name},\n\n"
        "Someone, probably you, asked to reset the password of your account on the "
        "conference planner. To choose a new password, open this link within "
        f"{minutes} minutes:\n\n{link}\n\n"
        "The link works once. Setting a new password logs you out everywhere.\n"
        "If you did not ask for this, ignore this e-mail: your password stays as it is.\n"
    )


def request_password_reset(email: str, link_for: Callable[[str], str], max_age: int) -> None:
    """E-mail a reset link if an active account has this address; silent either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token = password_reset_token(user)
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    queue_email(
        user.email,
        "Reset your conference planner password",
        password_reset_email_body(user, link_for(token), max_age),
        dedupe_key=f"password-reset:{user.id}:{digest}",
    )


def update_profile(user: User, display_name: str, time_zone: str, *, starred_change_emails: bool | None = None,
                   discussion_emails: str | None = None) -> None:
    user.display_name = display_name.strip()
    user.time_zone = time_zone
    if starred_change_emails is not None:
        user.starred_change_emails = starred_change_emails
    if discussion_emails is not None:
        user.discussion_emails = discussion_emails
    db.session.flush()
