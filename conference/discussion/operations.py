"""Posting, editing and deleting comments; the callers check access first."""

from __future__ import annotations

from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.core.types import utcnow
from conference.discussion.access import discussion_access
from conference.discussion.models import DiscussionFollower, ProposalComment
from conference.extensions import db
from conference.mail.operations import queue_email
from conference.proposals.models import Proposal


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


def notify_followers(comment: ProposalComment, link_for) -> int:
    """E-mail everyone who follows the discussion (not the author), once per comment, if they may
    still read it (a conflict declared since, a lost role, or a place among the speakers stops
    it). ``link_for(user, organiser)`` is the page they reply on, where they can also stop
    following. Returns how many e-mails were queued."""
    proposal = comment.proposal
    followers = db.session.scalars(
        select(User).join(DiscussionFollower, DiscussionFollower.user_id == User.id).where(
            DiscussionFollower.proposal_id == proposal.id, User.id != comment.author_id,
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
            f"discussion:{comment.id}:{person.id}",
            conference_id=proposal.conference_id,
        )
        queued += 1
    return queued
