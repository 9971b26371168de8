"""Posting, editing and deleting comments; the callers check access first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.core.types import utcnow
from conference.discussion.models import ProposalComment
from conference.extensions import db
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
