"""Site admins deactivate, reactivate and erase accounts. Operations flush; the caller commits.

Deactivating keeps everything but stops the person using the site: their sessions, password
reset links and API tokens stop working, the outbox holds back their e-mail
(`conference.mail.sender`), and their open review assignments are released for the
organisers' next assignment run. Erasing removes the personal data for good (``ERASURE``
lists what goes and what stays; the confirmation page shows the same list) and leaves the
account as a neutral name on the organisation's records.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select

from conference.accounts.models import User
from conference.accounts.operations import find_user_by_email, normalise_email
from conference.activity.models import ActivityAction, ActivityEntry
from conference.api.models import ApiToken
from conference.attendance.models import AttendanceRegistration
from conference.attendance.operations import remove_registration
from conference.checkin.models import CheckIn
from conference.conferences.models import ConferenceRole
from conference.core.types import utcnow
from conference.discussion.models import DiscussionEmails, DiscussionFollower
from conference.extensions import db
from conference.feeds import membership
from conference.feeds.models import FeedMembership, FeedToken
from conference.feeds.operations import forget_rendered_feeds
from conference.interest.models import InterestMark
from conference.mail.models import OutboxMessage
from conference.proposals.models import (
    AvailabilityAnswer,
    AvailabilityWindow,
    InvitationState,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)
from conference.reviews.models import Review, ReviewAssignment, ReviewerTrackPreference
from conference.reviews.queries import UNDER_REVIEW_STATES
from conference.schedule.models import CalendarEntry
from conference.sso.models import GroupGrantedRole, GroupGrantedSiteAdmin

REASON_MAX_LENGTH = 500
NEUTRAL_NAME = "Former participant {number}"
# RFC 2606 reserves .invalid: no mail can ever be delivered there.
PLACEHOLDER_DOMAIN = "erased.invalid"
# Not a hash werkzeug can read, so no password ever matches it.
UNUSABLE_PASSWORD_HASH = "!erased"  # noqa: S105 - a marker, not a secret
# Activity entries that copy an invited co-speaker's e-mail address into their details.
ACTIONS_NAMING_AN_EMAIL = (ActivityAction.CO_SPEAKER_INVITED, ActivityAction.CO_SPEAKER_REMOVED)


@dataclass(frozen=True)
class ErasureItem:
    """One kind of data erasing an account removes or keeps, as the confirmation page says it."""

    label: str
    detail: str


# What erasing removes and keeps, as `erase_account` does it: the page shows this list.
ERASURE_REMOVES = (
    ErasureItem("Name", "replaced by a neutral “Former participant <number>” everywhere it is shown"),
    ErasureItem("E-mail address", "replaced by an address that cannot receive mail; nobody can log in"
                " with or reset the password of the old one"),
    ErasureItem("Password and sessions", "the password can never match again and every session ends"),
    ErasureItem("Speaker profiles", "the biography and home hub at every conference"),
    ErasureItem("Availability", "every availability window and answer"),
    ErasureItem("Stars and interest", "every talk marked as starred or interesting, and the"
                " record of what their personal calendar feed carried"),
    ErasureItem("Personal feed links", "every personal calendar feed token"),
    ErasureItem("API tokens", "every API token they made for a conference"),
    ErasureItem("Pending co-speaker invitations", "invitations sent to them and not yet answered"),
    ErasureItem("Reviewer settings", "track preferences, discussions followed, and open review"
                " assignments (those without a written review)"),
    ErasureItem("E-mail", "every message to their address in the outbox, sent or not, and their"
                " address in the conferences' activity logs"),
    ErasureItem("Account settings", "time zone, home hub, e-mail preferences, the link to their"
                " company single sign-on identity, site-admin rights and the reason noted when the"
                " account was deactivated"),
    ErasureItem("Attendance", "their registrations to attend (hub, days, dietary and accessibility"
                " needs); the seats go to the people waiting"),
    ErasureItem("Check-ins", "the record of their arrival at a hub's check-in desk (which days,"
                " when, who checked them in), as their registrations go"),
    ErasureItem("Calendar feeds", "their name in what the conferences' feeds remember having sent"
                " (cancelled copies show the neutral name) and every stored copy of those feeds"),
    ErasureItem("Company groups", "which of their roles and rights came from their company groups"
                " (the roles stay, as below, without the group's name)"),
)
ERASURE_KEEPS = (
    ErasureItem("Proposals and talks", "with their abstracts, answers, materials and schedule"
                " places; the speaker is shown under the neutral name"),
    ErasureItem("Reviews, conflicts and comments", "the organisation's record of the review,"
                " shown under the neutral name"),
    ErasureItem("Feedback", "ratings and comments given on talks stay, without a name"),
    ErasureItem("Audience questions", "questions asked during talks and their votes stay, under"
                " the neutral name (or as Anonymous where asked so)"),
    ErasureItem("Check-ins they made", "people they checked in at a hub's desk stay checked in,"
                " with them named as who did it under the neutral name"),
    ErasureItem("Roles", "who was speaker, reviewer, organiser or attendee at which conference,"
                " under the neutral name"),
    ErasureItem("Recording consent", "their yes or no to publishing recordings, so published"
                " recordings stay as they are"),
    ErasureItem("Dates", "when the account was made, deactivated and erased"),
    ErasureItem("E-mail already sent to others", "messages that went to other people (comment"
                " notifications, digests, decisions on shared proposals) may name them; this site"
                " cannot reach into inboxes"),
)


class AccountActionRefused(Exception):
    """The action may not be done to this account; the message says why, for the page."""


class NothingToChange(AccountActionRefused):
    """The account is already as the action would leave it."""


@dataclass(frozen=True)
class Deactivation:
    """What deactivating an account did."""

    released_assignments: int
    withdrawn_registrations: int = 0
    seats_given_on: int = 0  # to people waiting


def active_site_admin_count(lock: bool = False) -> int:
    """How many active accounts are site admins; ``lock`` holds their rows until the commit
    (PostgreSQL), so two admins deactivating each other at once cannot leave none."""
    admins = select(User.id).where(User.is_site_admin.is_(True), User.is_active_account.is_(True))
    if lock:
        admins = admins.with_for_update()
    return len(db.session.scalars(admins).all())


def _last_site_admin(user: User, doing: str, lock: bool) -> str | None:
    if user.is_site_admin and user.is_active and active_site_admin_count(lock=lock) <= 1:
        return (
            f"{user.display_name} is the last active site admin, so you cannot {doing} "
            "this account. Make someone else a site admin first."
        )
    return None


def _refuse_if_no_admin_left(name: str, was_admin: bool, doing: str) -> None:
    """Counted again after the change is written: on SQLite, whose SELECT takes no lock, two
    admins deactivating each other at once both pass the first count; the second to write
    waits for the first's commit and then finds no active admin left (its change is undone)."""
    if was_admin and active_site_admin_count() == 0:
        raise AccountActionRefused(
            f"{name} is the last active site admin, so you cannot {doing} "
            "this account. Make someone else a site admin first."
        )


def make_site_admin_by_hand(user: User) -> str | None:
    """Make ``user`` a site admin by hand, so that no company log-in takes the right back.

    Returns the OIDC_ADMIN_GROUPS group that gave the right before, if one did (it is now
    given by hand), else None.
    """
    from_group = db.session.scalar(
        select(GroupGrantedSiteAdmin.group_name).where(GroupGrantedSiteAdmin.user_id == user.id)
    )
    if from_group is not None:
        # A statement, not the ORM, as conference.sso does for these rows.
        db.session.execute(delete(GroupGrantedSiteAdmin).where(GroupGrantedSiteAdmin.user_id == user.id))
    user.is_site_admin = True
    db.session.flush()
    return from_group


def forget_company_groups(user: User) -> None:
    """Forget which of ``user``'s roles and rights their company groups gave (they stay, as if
    given by hand): which groups someone is in is theirs, and an erased account never logs in
    through the company again to have them taken back."""
    db.session.execute(delete(GroupGrantedSiteAdmin).where(GroupGrantedSiteAdmin.user_id == user.id))
    db.session.execute(
        delete(GroupGrantedRole).where(
            GroupGrantedRole.conference_role_id.in_(select(ConferenceRole.id).where(ConferenceRole.user_id == user.id))
        )
    )


def deactivation_refusal(user: User, by: User | None, lock: bool = False) -> str | None:
    """Why ``by`` may not deactivate ``user`` now, or None."""
    if by is not None and by.id == user.id:
        return "You cannot deactivate your own account. Ask another site admin to do it."
    return _last_site_admin(user, "deactivate", lock)


def erasure_refusal(user: User, by: User | None, lock: bool = False) -> str | None:
    """Why ``by`` may not erase ``user`` now, or None."""
    if user.is_erased:
        return f"{user.display_name} is already erased; there is nothing left to erase."
    if by is not None and by.id == user.id:
        return "You cannot erase your own account. Ask another site admin to do it."
    return _last_site_admin(user, "erase", lock)


def withdraw_attendance(user: User) -> tuple[int, int]:
    """Withdraw ``user``'s attendance registrations (with their needs); each seat freed on a day
    still ahead goes to the first person waiting for it, who is told. Returns how many
    registrations there were and how many people got a seat."""
    registrations = db.session.scalars(
        select(AttendanceRegistration).where(AttendanceRegistration.user_id == user.id)
    ).all()
    promoted = sum(remove_registration(registration) for registration in registrations)
    return len(registrations), promoted


def release_open_review_assignments(user: User) -> int:
    """Remove the person's review assignments of proposals still under review that they have
    not reviewed, so the organisers' assignment run can give them to others; returns how many."""
    reviewed = select(Review.proposal_id).where(Review.reviewer_id == user.id)
    under_review = select(Proposal.id).where(Proposal.state.in_(UNDER_REVIEW_STATES))
    open_ids = list(
        db.session.scalars(
            select(ReviewAssignment.id).where(
                ReviewAssignment.reviewer_id == user.id,
                ReviewAssignment.proposal_id.in_(under_review),
                ReviewAssignment.proposal_id.not_in(reviewed),
            )
        )
    )
    if open_ids:
        db.session.execute(delete(ReviewAssignment).where(ReviewAssignment.id.in_(open_ids)))
    return len(open_ids)


def deactivate_account(user: User, by: User | None, reason: str = "") -> Deactivation:
    """Stop ``user`` using the site (``by``: the site admin, None from the command line).

    Refused for one's own account, the last active site admin, and accounts already
    deactivated (`NothingToChange`).
    """
    if user.is_erased:
        raise NothingToChange(f"{user.display_name} is erased: the account stays deactivated.")
    if not user.is_active:
        raise NothingToChange(f"{user.display_name} is already deactivated; nothing changed.")
    refusal = deactivation_refusal(user, by, lock=True)
    if refusal:
        raise AccountActionRefused(refusal)
    user.is_active_account = False
    user.deactivated_at = utcnow()
    user.deactivated_by = by
    user.deactivation_reason = " ".join((reason or "").split())[:REASON_MAX_LENGTH]
    # Ends every session at its next request and voids password reset links already sent.
    user.rotate_session_token()
    released = release_open_review_assignments(user)
    withdrawn, promoted = withdraw_attendance(user)
    # Roles and the admin right keep their company-group marks, as they keep everything: if the
    # account is reactivated, its next company log-in still takes back what no group gives.
    db.session.flush()
    _refuse_if_no_admin_left(user.display_name, user.is_site_admin, "deactivate")
    return Deactivation(released_assignments=released, withdrawn_registrations=withdrawn, seats_given_on=promoted)


def reactivate_account(user: User) -> None:
    """Let a deactivated person use the site again; erased accounts stay deactivated."""
    if user.is_erased:
        raise AccountActionRefused(
            f"{user.display_name} is erased: the personal data is gone, so the account cannot "
            "be reactivated. The person can register again."
        )
    if user.is_active:
        raise NothingToChange(f"{user.display_name} is already active; nothing changed.")
    user.is_active_account = True
    user.deactivated_at = None
    user.deactivated_by = None
    user.deactivation_reason = ""
    db.session.flush()


def placeholder_email(user: User) -> str:
    """A unique address at a domain that can never receive mail, for an erased account."""
    address = f"erased-{user.id}@{PLACEHOLDER_DOMAIN}"
    if find_user_by_email(address) is not None:
        address = f"erased-{user.id}-{secrets.token_hex(6)}@{PLACEHOLDER_DOMAIN}"
    return address


def _remove_pending_invitations(user: User, email: str) -> None:
    addressed = or_(
        ProposalSpeaker.user_id == user.id,
        (ProposalSpeaker.user_id.is_(None)) & (func.lower(ProposalSpeaker.invited_email) == email),
    )
    pending = db.session.scalars(
        select(ProposalSpeaker).where(addressed, ProposalSpeaker.invitation_state == InvitationState.INVITED)
    )
    # Through the ORM, so the feeds and the archive hear of the change in this flush.
    for invitation in pending:
        db.session.delete(invitation)


def _replace_address_in_records(old: str, new: str) -> None:
    """Put the placeholder where answered invitations and activity details copied the address."""
    for speaker in db.session.scalars(
        select(ProposalSpeaker).where(func.lower(ProposalSpeaker.invited_email) == old)
    ):
        speaker.invited_email = new
    for entry in db.session.scalars(
        select(ActivityEntry).where(ActivityEntry.action.in_(ACTIONS_NAMING_AN_EMAIL))
    ):
        details = entry.details or {}
        if normalise_email(str(details.get("email", ""))) == old:
            entry.details = {**details, "email": new}


def _rename_in_feed_records(user: User) -> None:
    """Give ``user``'s neutral name to what feeds remember sending (a cancelled copy shows it), and
    drop the stored copies of the feeds of every conference they speak at (rendered anew)."""
    proposal_ids = select(ProposalSpeaker.proposal_id).where(ProposalSpeaker.user_id == user.id)
    records = db.session.scalars(
        select(FeedMembership)
        .join(CalendarEntry, CalendarEntry.id == FeedMembership.entry_id)
        .where(CalendarEntry.proposal_id.in_(proposal_ids), FeedMembership.sent.is_not(None))
    )
    for record in records:
        speakers = record.sent.get("speakers") if isinstance(record.sent, dict) else None
        if not speakers or not any(isinstance(s, list) and s and s[0] == user.id for s in speakers):
            continue
        record.sent = {
            **record.sent,
            "speakers": [
                [s[0], user.display_name] if isinstance(s, list) and s and s[0] == user.id else s
                for s in speakers
            ],
        }
    conference_ids = db.session.scalars(
        select(Proposal.conference_id).where(Proposal.id.in_(proposal_ids)).distinct()
    ).all()
    for conference_id in conference_ids:
        db.session.execute(forget_rendered_feeds(conference_id))


def erase_account(user: User, by: User | None) -> None:
    """Erase ``user``'s personal data for good, as ``ERASURE_REMOVES`` and ``ERASURE_KEEPS`` say.

    Refused for one's own account, the last active site admin and accounts already erased.
    """
    if user.is_erased:
        raise NothingToChange(f"{user.display_name} is already erased; nothing changed.")
    refusal = erasure_refusal(user, by, lock=True)
    if refusal:
        raise AccountActionRefused(refusal)
    was_admin, name = user.is_site_admin and user.is_active, user.display_name
    old_email = normalise_email(user.email)
    new_email = placeholder_email(user)
    now = utcnow()

    _remove_pending_invitations(user, old_email)
    _replace_address_in_records(old_email, new_email)
    for profile in db.session.scalars(select(SpeakerProfile).where(SpeakerProfile.user_id == user.id)):
        profile.bio = ""
        profile.hub_id = None
    for model, column in (
        (AvailabilityWindow, AvailabilityWindow.user_id),
        (AvailabilityAnswer, AvailabilityAnswer.user_id),
        (InterestMark, InterestMark.user_id),
        (FeedToken, FeedToken.user_id),
        (ApiToken, ApiToken.created_by_id),
        (DiscussionFollower, DiscussionFollower.user_id),
        (ReviewerTrackPreference, ReviewerTrackPreference.reviewer_id),
        (CheckIn, CheckIn.user_id),
    ):
        db.session.execute(delete(model).where(column == user.id))
    db.session.execute(
        delete(FeedMembership).where(
            FeedMembership.kind == membership.STARRED, FeedMembership.subject_id == user.id
        )
    )
    db.session.execute(delete(OutboxMessage).where(func.lower(OutboxMessage.recipient) == old_email))
    release_open_review_assignments(user)
    withdraw_attendance(user)
    forget_company_groups(user)

    user.display_name = NEUTRAL_NAME.format(number=user.id)
    _rename_in_feed_records(user)
    user.email = new_email
    user.password_hash = UNUSABLE_PASSWORD_HASH
    user.rotate_session_token()
    user.time_zone = "UTC"
    user.home_hub_id = None
    user.is_site_admin = False
    user.starred_change_emails = False
    user.discussion_emails = DiscussionEmails.NONE.value
    # The company identity is personal too, and would keep the person from signing on afresh.
    user.sso_subject = None
    if user.is_active:
        user.deactivated_at = now
        user.deactivated_by = by
    user.is_active_account = False
    user.deactivation_reason = ""
    user.erased_at = now
    db.session.flush()
    _refuse_if_no_admin_left(name, was_admin, "erase")
