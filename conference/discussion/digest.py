"""The daily digest of discussions, for those who chose it on their account page.

One e-mail per person and day, at about 08:00 in their own time zone, listing by conference and
proposal the new comments of the discussions they follow, since their previous digest, that
they may still read then (``access.discussion_access_to``), without their own. Nothing is sent
when there is nothing new. The huey consumer runs ``queue_due_digests`` every 15 minutes;
``flask discussion-digest`` does the same from cron.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.conferences.models import Conference
from conference.core.timezones import instant_text, is_valid_time_zone, local_to_utc, to_zone
from conference.core.types import utcnow
from conference.discussion.access import discussion_access_to
from conference.discussion.models import (
    DiscussionDigest,
    DiscussionEmails,
    DiscussionFollower,
    ProposalComment,
)
from conference.discussion.operations import comment_email_key
from conference.extensions import db
from conference.feeds.links import public_base_url
from conference.mail.models import OutboxMessage
from conference.mail.operations import queue_email
from conference.proposals.models import Proposal

DIGEST_TIME = time(8)
# A comment is saved a moment after its time is taken; the digest stops this long before it
# is made, so a comment still being saved then goes into the next digest instead of none.
SAVE_MARGIN = timedelta(minutes=1)
# How far the first digest reaches back, and any digest at most (someone who goes back to
# digests after months is not sent months of comments).
FIRST_DIGEST_SPAN = timedelta(days=1)
LONGEST_DIGEST_SPAN = timedelta(days=7)
# Someone new to digests gets their first one right away only in the hour after 08:00.
FIRST_DIGEST_WINDOW = timedelta(hours=1)
DIGEST_EMAIL_PREFIX = "discussion-digest:"


def digest_day(now: datetime, zone_name: str) -> date:
    """The person's latest calendar day whose 08:00 has passed at ``now``: the day a digest
    made now is for. Wall-clock based, so it stays 08:00 on days the clocks change."""
    today = to_zone(now, zone_name).date()
    if now >= local_to_utc(today, DIGEST_TIME, zone_name):
        return today
    return today - timedelta(days=1)


def discussion_link(conference_slug: str, proposal_id: int, organiser: bool) -> str:
    """The page a participant reads and replies on, on PUBLIC_URL when configured."""
    endpoint = "organisers.proposal" if organiser else "reviews.review"
    path = current_app.url_map.bind("localhost").build(
        endpoint, {"slug": conference_slug, "proposal_id": proposal_id})
    return f"{public_base_url()}{path}#discussion"


def _account_link() -> str:
    return public_base_url() + current_app.url_map.bind("localhost").build("accounts.profile")


def _claim(person: User, previous: DiscussionDigest | None, day: date, through: datetime) -> bool:
    """Record ``day``'s digest as made for ``person``; False when another run made it first."""
    if previous is None:
        try:
            with db.session.begin_nested():
                db.session.add(DiscussionDigest(user_id=person.id, day=day, through=through))
        except IntegrityError:
            return False
        return True
    result = db.session.execute(
        update(DiscussionDigest)
        .where(DiscussionDigest.user_id == person.id, DiscussionDigest.day == previous.day)
        .values(day=day, through=through)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _new_comments(person: User, since: datetime, through: datetime) -> tuple[list[ProposalComment], dict[int, bool]]:
    """Comments of the discussions ``person`` follows in [since, through), not theirs, not
    already e-mailed to them one by one, that they may read now, by conference then proposal;
    and per proposal whether they read it as an organiser."""
    found = db.session.scalars(
        select(ProposalComment)
        .join(DiscussionFollower, and_(DiscussionFollower.proposal_id == ProposalComment.proposal_id,
                                       DiscussionFollower.user_id == person.id))
        .where(
            ProposalComment.created_at >= since,
            ProposalComment.created_at < through,
            or_(ProposalComment.author_id.is_(None), ProposalComment.author_id != person.id),
        )
        .options(
            selectinload(ProposalComment.author),
            selectinload(ProposalComment.proposal).selectinload(Proposal.speakers),
            selectinload(ProposalComment.proposal).selectinload(Proposal.conference),
        )
        .order_by(ProposalComment.created_at, ProposalComment.id)
    ).all()
    if not found:
        return [], {}
    # Chosen "every comment" until lately: those already came on their own.
    already = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.in_([comment_email_key(comment.id, person.id) for comment in found]))))
    by_conference: dict[int, list[ProposalComment]] = defaultdict(list)
    for comment in found:
        if comment_email_key(comment.id, person.id) not in already:
            by_conference[comment.conference_id].append(comment)
    readable: list[ProposalComment] = []
    organiser_of: dict[int, bool] = {}
    for comments in by_conference.values():
        proposals = {comment.proposal_id: comment.proposal for comment in comments}
        access = discussion_access_to(comments[0].proposal.conference, proposals.values(), person)
        readable += [comment for comment in comments if access[comment.proposal_id].can_read]
        organiser_of.update({proposal_id: access[proposal_id].organiser for proposal_id in proposals})
    readable.sort(key=lambda comment: (
        comment.proposal.conference.name, comment.conference_id, comment.proposal.title,
        comment.proposal_id, comment.created_at, comment.id))
    return readable, organiser_of


def digest_email(person: User, comments: list[ProposalComment], zone_name: str,
                 organiser_of: dict[int, bool]) -> tuple[str, str]:
    """The (subject, body) of a digest of ``comments`` (already in order) for ``person``."""
    sections = []
    conference: Conference | None = None
    proposal: Proposal | None = None
    for comment in comments:
        if conference is None or comment.proposal.conference_id != conference.id:
            conference = comment.proposal.conference
            sections.append(f"{conference.name}\n{'=' * len(conference.name)}\n")
            proposal = None
        if proposal is None or comment.proposal_id != proposal.id:
            proposal = comment.proposal
            count = sum(1 for other in comments if other.proposal_id == proposal.id)
            link = discussion_link(conference.slug, proposal.id, organiser_of[proposal.id])
            sections.append(f"“{proposal.title}”: {count} new comment{'' if count == 1 else 's'}\n"
                            f"Read and reply: {link}\n")
        author = comment.author.display_name if comment.author else "A former member"
        sections.append(f"  {author}, {instant_text(comment.created_at, zone_name)}:\n"
                        f"{textwrap.indent(comment.body, '    ')}\n")
    proposals = len({comment.proposal_id for comment in comments})
    count = len(comments)
    subject = (f"Discussion digest: {count} new comment{'' if count == 1 else 's'}"
               f" on {proposals} proposal{'' if proposals == 1 else 's'}")
    body = (
        f"Hello {person.display_name},\n\n"
        f"New comments in the discussions you follow since your last digest (times in {zone_name}):\n\n"
        + "\n".join(sections)
        + "\nYou get this digest once a day, at about 08:00 your time, because you chose it for the "
        "discussions you wrote in or follow. To change that: " + _account_link() + "\n"
    )
    return subject, body


def queue_digest(person: User, previous: DiscussionDigest | None, now: datetime) -> bool:
    """Make ``person``'s digest of the day due at ``now``, once: record it, then queue the
    e-mail if there is anything new. True when an e-mail was queued. Flushes."""
    zone_name = person.time_zone if is_valid_time_zone(person.time_zone) else "UTC"
    day = digest_day(now, zone_name)
    if previous is not None and previous.day >= day:
        return False
    through = now - SAVE_MARGIN
    if previous is None and now >= local_to_utc(day, DIGEST_TIME, zone_name) + FIRST_DIGEST_WINDOW:
        # Someone new to digests outside digest time: note where their first one starts (a
        # day back) and send it at the next 08:00, not now.
        _claim(person, None, day, through - FIRST_DIGEST_SPAN)
        db.session.flush()
        return False
    since = previous.through if previous is not None else through - FIRST_DIGEST_SPAN
    since = max(since, through - LONGEST_DIGEST_SPAN)
    if not _claim(person, previous, day, through):
        return False
    comments, organiser_of = _new_comments(person, since, through)
    if not comments:
        db.session.flush()
        return False
    subject, body = digest_email(person, comments, zone_name, organiser_of)
    queue_email(person.email, subject, body, f"{DIGEST_EMAIL_PREFIX}{person.id}:{day.isoformat()}")
    db.session.flush()
    return True


def queue_due_digests(now: datetime | None = None) -> int:
    """Queue every digest due at ``now`` (default: this instant), committing after each person;
    returns how many e-mails were queued. Safe to run twice or at the same time as another run."""
    now = now or utcnow()
    people = db.session.execute(
        select(User, DiscussionDigest)
        .outerjoin(DiscussionDigest, DiscussionDigest.user_id == User.id)
        .where(
            User.discussion_emails == DiscussionEmails.DIGEST,
            User.is_active_account.is_(True),
            exists().where(DiscussionFollower.user_id == User.id),
        )
        .order_by(User.id)
    ).all()
    queued = 0
    for person, previous in people:
        try:
            queued += queue_digest(person, previous, now)
            db.session.commit()
        except IntegrityError:
            # Another run queued this person's e-mail between our claim and our commit.
            db.session.rollback()
    return queued
