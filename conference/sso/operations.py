"""Which account a company sign-in opens: the one linked to it, else the one with its verified
e-mail (linked now), else a new one. Operations flush only; the view commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from conference.accounts.models import User
from conference.accounts.operations import find_user_by_email, normalise_email
from conference.api.models import ApiToken
from conference.core.timezones import is_valid_time_zone
from conference.extensions import db
from conference.feeds.models import FeedToken

# A password hash no password matches (no "$": werkzeug refuses it): the account logs in
# through single sign-on until its owner sets a password with a reset.
UNUSABLE_HASH = "!single-sign-on"  # noqa: S105 - a marker, not a secret
EMAIL_LENGTH = User.__table__.c.email.type.length
NAME_LENGTH = User.__table__.c.display_name.type.length
SUBJECT_LENGTH = User.__table__.c.sso_subject.type.length


class SignInRefused(Exception):
    """The provider's answer cannot open an account here; the message says why, for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Identity:
    """What the company's provider says about the person signing in."""

    subject: str  # "<issuer> <sub>": unique and stable across e-mail changes
    email: str
    email_verified: bool
    name: str
    time_zone: str | None


def identity_from_claims(issuer: str, claims: dict, trust_emails: bool) -> Identity:
    """The person in the provider's claims (ID token and userinfo merged)."""
    sub = str(claims.get("sub") or "").strip()
    if not sub:
        raise SignInRefused("The sign-in service did not say who you are (no subject). Try again.")
    subject = f"{issuer} {sub}"
    if len(subject) > SUBJECT_LENGTH:
        raise SignInRefused("The sign-in service's account id is too long for this site. Ask its administrators.")
    email = normalise_email(str(claims.get("email") or ""))
    if not email or "@" not in email or len(email) > EMAIL_LENGTH:
        raise SignInRefused(
            "The sign-in service did not give your e-mail address, which this site needs. "
            "Ask its administrators to release the e-mail claim to this site."
        )
    name = " ".join(str(claims.get("name") or "").split())[:NAME_LENGTH] or email.split("@")[0][:NAME_LENGTH]
    zone = claims.get("zoneinfo")
    return Identity(
        subject=subject,
        email=email,
        email_verified=trust_emails or claims.get("email_verified") is True,
        name=name,
        time_zone=zone if isinstance(zone, str) and is_valid_time_zone(zone) else None,
    )


@dataclass(frozen=True)
class SignIn:
    user: User
    created: bool  # made now
    linked: bool  # an existing account joined to the company account now (its password dropped)


def account_for(identity: Identity, fallback_zone: str) -> SignIn:
    """The account this sign-in opens, and whether it was made or joined now.

    Refused for a deactivated account, and for an existing account with the same e-mail
    when the provider does not vouch for the address (anyone could claim it there).
    """
    user = db.session.scalar(select(User).where(User.sso_subject == identity.subject))
    created = linked = False
    if user is None:
        user = find_user_by_email(identity.email)
        if user is not None:
            if not identity.email_verified:
                raise SignInRefused(
                    f"An account with {identity.email} exists, but the sign-in service does not confirm "
                    "that address, so it cannot be joined to your company account. Log in with your "
                    "password instead."
                )
            if user.sso_subject is not None:
                raise SignInRefused(
                    f"The account with {identity.email} is already joined to another company account. "
                    "Ask a site administrator."
                )
            user.sso_subject = identity.subject
            # Anyone could have registered this address with a password before its owner came
            # through the company: from now on only the company's log-in opens the account
            # (its owner can set a password again through a reset sent to the address), and
            # every other session ends.
            user.password_hash = UNUSABLE_HASH
            user.rotate_session_token()
            # So do the ways in that outlive a session: personal feed links and API tokens.
            db.session.execute(delete(FeedToken).where(FeedToken.user_id == user.id))
            db.session.execute(delete(ApiToken).where(ApiToken.created_by_id == user.id))
            linked = True
        else:
            user = User(
                email=identity.email,
                display_name=identity.name,
                time_zone=identity.time_zone or fallback_zone,
                password_hash=UNUSABLE_HASH,
                sso_subject=identity.subject,
            )
            db.session.add(user)
            created = True
    elif (
        user.email != identity.email
        and identity.email_verified
        and find_user_by_email(identity.email) is None
    ):
        # The company changed the person's address: follow it while no other account has it,
        # and only when the provider vouches for the new one.
        user.email = identity.email
    db.session.flush()  # a new account gets its defaults (active) here
    if not user.is_active:
        raise SignInRefused("This account is deactivated. Ask a site administrator if that is a mistake.")
    return SignIn(user, created, linked)
