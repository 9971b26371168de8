"""Changes to accounts. Operations flush; the request commits."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.accounts.models import User
from conference.extensions import db

# Verifying against a real hash when the e-mail is unknown keeps failed logins equally slow.
_TIMING_DECOY = User(password_hash="")
_TIMING_DECOY.set_password("not-a-real-password")


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


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None, without revealing which part was wrong."""
    user = find_user_by_email(email)
    if user is None:
        _TIMING_DECOY.check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this user."""
    user.set_password(new_password)
    user.rotate_session_token()
    db.session.flush()


def update_profile(user: User, display_name: str, time_zone: str) -> None:
    user.display_name = display_name.strip()
    user.time_zone = time_zone
    db.session.flush()
