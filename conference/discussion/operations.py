"""Posting, editing and deleting comments; the callers check access first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.core.types import utcnow
from conference.discussion.access import discussion_access, discussion_access_to
from conference.discussion.models import DiscussionEmails, DiscussionFollower, ProposalComment
from conference.extensions import db
from conference.mail.operations import queue_email
from conference.proposals.models import Proposal

_NEVER = datetime.min.replace(tzinfo=UTC)


def comments(proposal: Proposal) -> list[ProposalComment]:
    """The discussion of ``proposal``, oldest first."""
    return list(db.session.scalars(
        select(ProposalComment)
        .where(ProposalComment.proposal_id == proposal.id)
        .options(selectinload(ProposalComment.author))
        .order_by(ProposalComment.created_at, ProposalComment.id)
    ))


def post(proposal: Proposal, author: User, body: str) -> ProposalComment:
    """Add a comment; its author follows the discussion from then on (again, if they had stopped)."""
    comment = ProposalComment(conference_id=proposal.conference_id, proposal_id=proposal.id,
                              author_id=author.id, body=body.strip())
    db.session.add(comment)
    follow(proposal, author, True)
    db.session.flush()
    return comment


def is_following(proposal: Proposal, user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(
        DiscussionFollower.proposal_id == proposal.id, DiscussionFollower.user_id == user.id))))


def follow(proposal: Proposal, user: User, following: bool) -> bool:
    """Start or stop following; False (nothing written) when that is already so."""
    if is_following(proposal, user) == following:
        return False
    if following:
        try:
            with db.session.begin_nested():
                db.session.add(DiscussionFollower(proposal_id=proposal.id, user_id=user.id))
        except IntegrityError:
            return False  # a simultaneous request (a double click, two comments) followed first
    else:
        db.session.execute(sql_delete(DiscussionFollower).where(
            DiscussionFollower.proposal_id == proposal.id, DiscussionFollower.user_id == user.id))
    db.session.flush()
    return True


def edit(comment: ProposalComment, body: str) -> bool:
    """Replace the text; False (and nothing written) when it is unchanged."""
    body = body.strip()
    if body == comment.body:
        return False
    comment.body = body
    comment.edited_at = utcnow()
    db.session.flush()
    return True


def delete(comment: ProposalComment) -> None:
    db.session.delete(comment)
    db.session.flush()


def comment_email_key(comment_id: int, user_id: int) -> str:
    """The outbox key of the e-mail that tells ``user_id`` about one comment."""
    return f"discussion:{comment_id}:{user_id}"


def notify_followers(comment: ProposalComment, link_for) -> int:
    """E-mail everyone who follows the discussion (not the author) and wants an e-mail per
    comment (the others get a daily digest or nothing), once per comment, if they may
    still read it (a conflict declared since, a lost role, or a place among the speakers stops
    it). ``link_for(user, organiser)`` is the page they reply on, where they can also stop
    following. Returns how many e-mails were queued."""
    proposal = comment.proposal
    followers = db.session.scalars(
        select(User).join(DiscussionFollower, DiscussionFollower.user_id == User.id).where(
            DiscussionFollower.proposal_id == proposal.id, User.id != comment.author_id,
            User.discussion_emails == DiscussionEmails.EACH,
        ).order_by(User.id)
    ).all()
    author = comment.author.display_name if comment.author else "Someone"
    queued = 0
    for person in followers:
        access = discussion_access(proposal.conference, proposal, person)
        if not access.can_read:
            continue
        link = link_for(person, access.organiser)
        queue_email(
            person.email,
            f"New comment on “{proposal.title}”",
            f"{author} commented in the discussion of “{proposal.title}”, which you follow:\n\n"
            f"{comment.body}\n\nRead and reply: {link}\n\n"
            "You get this because you wrote in the discussion or chose to follow it. To stop, "
            "press “Stop following” on that page.\n",
            comment_email_key(comment.id, person.id),
            conference_id=proposal.conference_id,
        )
        queued += 1
    return queued


@dataclass(frozen=True)
class Followed:
    """A discussion someone follows, as their list shows it."""

    proposal: Proposal
    comments: int
    last: ProposalComment | None  # the newest comment, with its author loaded
    organiser: bool  # read on the organisers' proposal page (else on the review page)


def followed_discussions(conference, user: User) -> list[Followed]:
    """The discussions of ``conference`` that ``user`` follows and may still read, the most
    recently active first."""
    proposals = db.session.scalars(
        select(Proposal)
        .join(DiscussionFollower, DiscussionFollower.proposal_id == Proposal.id)
        .where(DiscussionFollower.user_id == user.id, Proposal.conference_id == conference.id)
        .options(selectinload(Proposal.speakers))
    ).all()
    access = discussion_access_to(conference, proposals, user)
    readable = {proposal.id: (proposal, access[proposal.id].organiser)
                for proposal in proposals if access[proposal.id].can_read}
    if not readable:
        return []
    counts = dict(db.session.execute(
        select(ProposalComment.proposal_id, func.count(ProposalComment.id))
        .where(ProposalComment.proposal_id.in_(readable)).group_by(ProposalComment.proposal_id)
    ).all())
    newest = select(func.max(ProposalComment.id)).where(
        ProposalComment.proposal_id.in_(readable)).group_by(ProposalComment.proposal_id)
    last = {
        comment.proposal_id: comment
        for comment in db.session.scalars(
            select(ProposalComment).where(ProposalComment.id.in_(newest))
            .options(selectinload(ProposalComment.author))
        )
    }
    rows = [Followed(proposal, counts.get(proposal_id, 0), last.get(proposal_id), organiser)
            for proposal_id, (proposal, organiser) in readable.items()]
    return sorted(rows, key=lambda row: (row.last.created_at if row.last else _NEVER, row.proposal.id), reverse=True)
