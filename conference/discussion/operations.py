"""Posting, editing and deleting comments; the callers check access first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.core.types import utcnow
from conference.discussion.access import discussion_access
from conference.discussion.models import ProposalComment
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
    comment = ProposalComment(conference_id=proposal.conference_id, proposal_id=proposal.id,
                              author_id=author.id, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    return comment


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


def notify_participants(comment: ProposalComment, link_for) -> int:
    """E-mail everyone who wrote earlier in the discussion (not the author), once per comment,
    if they may still read it (a conflict declared since, a lost role, or a place among the
    speakers stops it). ``link_for(user, organiser)`` is the page they reply on. Returns how
    many e-mails were queued."""
    proposal = comment.proposal
    participants = db.session.scalars(
        select(User).where(
            User.id.in_(select(ProposalComment.author_id).where(
                ProposalComment.proposal_id == proposal.id, ProposalComment.id != comment.id)),
            User.id != comment.author_id,
        ).order_by(User.id)
    ).all()
    author = comment.author.display_name if comment.author else "Someone"
    queued = 0
    for person in participants:
        access = discussion_access(proposal.conference, proposal, person)
        if not access.can_read:
            continue
        queue_email(
            person.email,
            f"New comment on “{proposal.title}”",
            f"{author} commented in the discussion of “{proposal.title}”, which you took part in:\n\n"
            f"{comment.body}\n\nRead and reply: {link_for(person, access.organiser)}\n",
            f"discussion:{comment.id}:{person.id}",
            conference_id=proposal.conference_id,
        )
        queued += 1
    return queued
