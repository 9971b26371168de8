"""Make, find and revoke API tokens. Operations flush only; the request commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import joinedload

from conference.accounts.models import User
from conference.api.models import ApiToken
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.core.types import utcnow
from conference.extensions import db

# Makes a leaked token recognisable (secret scanners, logs): "cpk_" + 43 URL-safe characters.
TOKEN_PREFIX = "cpk_"  # noqa: S105 - a public prefix, not a secret
SECRET_BYTES = 32
SECRET_LENGTH = len(TOKEN_PREFIX) + 43
HINT_LENGTH = len(TOKEN_PREFIX) + 6
# last_used_at is a hint for organisers; writing it on every request would cost a write per read.
LAST_USED_PRECISION = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    """The stored form of a token's secret: its hex SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_token(conference: Conference, name: str, created_by: User) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is never stored, so show it now or never."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken(
        conference_id=conference.id,
        name=name,
        secret_hash=secret_hash(secret),
        hint=secret[:HINT_LENGTH],
        created_by_id=created_by.id,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_api_token(token: ApiToken) -> None:
    """Stop the token working from the next request; the row stays, to show when it ended."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def conference_tokens(conference: Conference) -> list[ApiToken]:
    """Every token of the conference, active ones first, newest first; each with
    ``maker_organises`` set (False: it no longer works, see `maker_organises`)."""
    rows = db.session.execute(
        select(ApiToken, maker_organises().label("maker_organises"))
        .where(ApiToken.conference_id == conference.id)
        .options(joinedload(ApiToken.created_by))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    ).all()
    for token, organises in rows:
        token.maker_organises = bool(organises)
    return [token for token, _ in rows]


def maker_organises():
    """Condition on ``ApiToken``: its maker still organises its conference. A token reads what
    an organiser may, so it stops working when its maker leaves, their account is deactivated
    (conference.admin) or deleted."""
    return exists().where(
        ConferenceRole.user_id == ApiToken.created_by_id,
        ConferenceRole.conference_id == ApiToken.conference_id,
        ConferenceRole.role == Role.ORGANISER,
        User.id == ConferenceRole.user_id,
        User.is_active_account.is_(True),
    ).correlate_except(ConferenceRole, User)


def find_api_token(secret: str | None) -> ApiToken | None:
    """The active token with this secret, its conference loaded; None if unknown, revoked, or
    made by someone who no longer organises the conference."""
    if not secret or len(secret) != SECRET_LENGTH or not secret.startswith(TOKEN_PREFIX):
        return None
    digest = secret_hash(secret)
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.secret_hash == digest, maker_organises())
        .options(joinedload(ApiToken.conference))
    )
    if token is None or not hmac.compare_digest(token.secret_hash, digest):
        return None
    return None if token.is_revoked else token


def record_use(token: ApiToken, now: datetime | None = None) -> None:
    """Note that the token was used, unless that was already noted within the last minute."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    # Conditional, so parallel requests of the same minute write once between them.
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - LAST_USED_PRECISION,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
