"""Which account a company sign-in opens: the one linked to it, else the one with its verified
e-mail (linked now), else a new one; and the roles its company groups give it. Operations flush
only; the view commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from conference.accounts.models import User
from conference.accounts.operations import find_user_by_email, normalise_email
from conference.admin.operations import active_site_admin_count
from conference.api.models import ApiToken
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.core.timezones import is_valid_time_zone
from conference.extensions import db
from conference.feeds.models import FeedToken
from conference.organisers.operations import LastOrganiser, RoleAlreadyHeld, grant_role, revoke_role
from conference.sso.models import GroupGrantedRole, GroupGrantedSiteAdmin, GroupRoleRule

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


# --- roles from the company's groups --------------------------------------------------------


def groups_from_claims(claims: dict, claim: str) -> frozenset[str] | None:
    """The person's company groups in the provider's claims; None when they cannot be known.

    No claim at all is no groups (many providers leave it out for a person in none). Unknown:
    the provider only points to where the list is (Entra ID's "overage", for people in too many
    groups to put in a token), or sends something that is not a list of names.
    """
    value = claims.get(claim)
    if value is None:
        pointers = claims.get("_claim_names")
        return None if isinstance(pointers, dict) and claim in pointers else frozenset()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(name, str) for name in value):
        return None
    return frozenset(name.strip() for name in value if name.strip())


@dataclass(frozen=True)
class RoleChange:
    conference: Conference
    role: Role


@dataclass
class GroupChanges:
    """What one log-in's company groups changed, and what they would have but may not."""

    granted: list[RoleChange]
    removed: list[RoleChange]
    kept_last_organiser: list[RoleChange]
    became_site_admin: bool = False
    stopped_being_site_admin: bool = False
    kept_last_site_admin: bool = False

    def __bool__(self) -> bool:
        return bool(self.granted or self.removed or self.became_site_admin or self.stopped_being_site_admin)


def apply_company_groups(user: User, groups: frozenset[str], site_admin_groups: frozenset[str]) -> GroupChanges:
    """Give ``user`` the roles and site-admin right their company groups give, and take back
    those a group gave earlier that no group gives now. Rights given by hand are never taken;
    neither is the last active organiser of a conference nor the last active site admin."""
    changes = GroupChanges(granted=[], removed=[], kept_last_organiser=[])
    _apply_role_rules(user, groups, changes)
    _apply_site_admin_groups(user, groups, site_admin_groups, changes)
    return changes


def take_back_company_group_rights(user: User) -> GroupChanges:
    """Take back the roles and site-admin right ``user``'s company groups gave, at a log-in
    with a password: those rights hold only for log-ins through the company, which say what
    groups the person is in now. The next such log-in gives back what the groups still give.
    Never from the last active organiser of a conference nor the last active site admin."""
    return apply_company_groups(user, frozenset(), frozenset())


def describe_roles(roles: list[RoleChange], site_admin: bool = False) -> str:
    """The roles in words for the person: "a reviewer at Eng Summit and a site admin"."""
    parts = [
        f"{'an' if change.role.value[0] in 'aeiou' else 'a'} {change.role.value} at {change.conference.name}"
        for change in roles
    ]
    if site_admin:
        parts.append("a site admin")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _apply_role_rules(user: User, groups: frozenset[str], changes: GroupChanges) -> None:
    # Which of the person's groups give each (conference, role).
    givers: dict[tuple[int, Role], set[str]] = {}
    if groups:
        rules = select(GroupRoleRule.conference_id, GroupRoleRule.role, GroupRoleRule.group_name).where(
            GroupRoleRule.group_name.in_(groups)
        )
        for conference_id, role, group_name in db.session.execute(rules):
            givers.setdefault((conference_id, role), set()).add(group_name)
    held = db.session.execute(
        select(ConferenceRole, GroupGrantedRole.group_name)
        .outerjoin(GroupGrantedRole, GroupGrantedRole.conference_role_id == ConferenceRole.id)
        .where(ConferenceRole.user_id == user.id)
        # In one order for every log-in: taking back an organiser role locks the conference's row.
        .order_by(ConferenceRole.conference_id, ConferenceRole.id)
    ).all()
    held_keys = {(conference_role.conference_id, conference_role.role) for conference_role, _ in held}
    for conference_role, from_group in held:
        if from_group is None:
            continue  # given by hand
        giving = givers.get((conference_role.conference_id, conference_role.role))
        if giving:
            if from_group not in giving:
                # Still given, by another of the person's groups now: the pages name that one.
                db.session.execute(
                    update(GroupGrantedRole)
                    .where(GroupGrantedRole.conference_role_id == conference_role.id)
                    .values(group_name=min(giving))
                )
            continue
        change = RoleChange(conference_role.conference, conference_role.role)
        try:
            revoke_role(conference_role)  # its GroupGrantedRole row goes with it
        except LastOrganiser:
            changes.kept_last_organiser.append(change)
        else:
            changes.removed.append(change)
    for (conference_id, role), giving in sorted(givers.items()):
        if (conference_id, role) in held_keys:
            continue
        conference = db.session.get(Conference, conference_id)
        try:
            # A savepoint: the same person logging in twice at once holds the role already.
            with db.session.begin_nested():
                conference_role = grant_role(conference, user, role)
                db.session.add(GroupGrantedRole(conference_role_id=conference_role.id, group_name=min(giving)))
        except (RoleAlreadyHeld, IntegrityError):
            continue
        changes.granted.append(RoleChange(conference, role))
    db.session.flush()


def _apply_site_admin_groups(
    user: User, groups: frozenset[str], site_admin_groups: frozenset[str], changes: GroupChanges
) -> None:
    # Statements, not ORM objects, for the marker rows: hooks on deleted objects expect an id.
    marker = select(GroupGrantedSiteAdmin.group_name).where(GroupGrantedSiteAdmin.user_id == user.id)
    from_group = db.session.scalar(marker)  # None: not a right the groups gave
    forget = delete(GroupGrantedSiteAdmin).where(GroupGrantedSiteAdmin.user_id == user.id)
    giving = groups & site_admin_groups
    if giving:
        if not user.is_site_admin:
            user.is_site_admin = True
            changes.became_site_admin = True
            if from_group is None:
                try:
                    # A savepoint: the same person logging in twice at once has the mark already.
                    with db.session.begin_nested():
                        db.session.add(GroupGrantedSiteAdmin(user_id=user.id, group_name=min(giving)))
                except IntegrityError:
                    pass
        if from_group is not None and from_group not in giving:
            db.session.execute(
                update(GroupGrantedSiteAdmin)
                .where(GroupGrantedSiteAdmin.user_id == user.id)
                .values(group_name=min(giving))
            )
        db.session.flush()
        return
    if from_group is None:
        return  # an admin made by hand stays one
    if not user.is_site_admin:
        db.session.execute(forget)  # the right was taken some other way: nothing left to take
        return
    # Locks the admins' rows until the commit (PostgreSQL), as conference.admin does.
    if active_site_admin_count(lock=True) <= 1:
        changes.kept_last_site_admin = True
        return
    user.is_site_admin = False
    db.session.flush()
    if active_site_admin_count() == 0:
        # SQLite takes no lock when counting: another admin lost the right at the same moment.
        user.is_site_admin = True
        db.session.flush()
        changes.kept_last_site_admin = True
        return
    db.session.execute(forget)
    changes.stopped_being_site_admin = True


# --- the organisers' rules ---------------------------------------------------------------


class RuleExists(Exception):
    """The conference already has this rule."""


def group_role_rules(conference: Conference) -> list[GroupRoleRule]:
    """The conference's rules, by group name then role."""
    return list(
        db.session.scalars(
            select(GroupRoleRule)
            .where(GroupRoleRule.conference_id == conference.id)
            .order_by(GroupRoleRule.group_name, GroupRoleRule.role)
        )
    )


def add_group_role_rule(conference: Conference, group_name: str, role: Role) -> GroupRoleRule:
    """Members of ``group_name`` get ``role`` at ``conference`` from their next company log-in;
    raises RuleExists."""
    existing = db.session.scalar(
        select(GroupRoleRule.id).where(
            GroupRoleRule.conference_id == conference.id,
            GroupRoleRule.group_name == group_name,
            GroupRoleRule.role == role,
        )
    )
    if existing is not None:
        raise RuleExists()
    rule = GroupRoleRule(conference_id=conference.id, group_name=group_name, role=role)
    db.session.add(rule)
    db.session.flush()
    return rule


def remove_group_role_rule(rule: GroupRoleRule) -> None:
    """Remove a rule; the roles it gave go at each person's next company log-in, unless another
    rule gives them too."""
    db.session.delete(rule)
    db.session.flush()
