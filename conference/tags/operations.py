"""Changing tags and which proposals carry them; each function flushes, the request commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from conference.conferences.models import Conference
from conference.extensions import db
from conference.proposals.models import Proposal
from conference.tags.models import ProposalTag, Tag, tag_name_key


class TagNameTaken(Exception):
    """Another tag of the same conference has this name, ignoring case."""


@dataclass(frozen=True)
class TagDetails:
    name: str
    colour: str
    description: str
    visible_to_reviewers: bool


def _ensure_name_free(conference_id: int, name: str, keep: Tag | None) -> None:
    query = select(Tag.id).where(Tag.conference_id == conference_id, Tag.name_key == tag_name_key(name))
    if keep is not None:
        query = query.where(Tag.id != keep.id)
    if db.session.scalar(query) is not None:
        raise TagNameTaken(name)


def _apply(tag: Tag, details: TagDetails) -> None:
    tag.name = details.name
    tag.colour = details.colour
    tag.description = details.description
    tag.visible_to_reviewers = details.visible_to_reviewers


def create_tag(conference: Conference, details: TagDetails) -> Tag:
    """Add a tag to the conference; raises TagNameTaken."""
    _ensure_name_free(conference.id, details.name, None)
    tag = Tag(conference_id=conference.id)
    _apply(tag, details)
    db.session.add(tag)
    db.session.flush()
    return tag


def update_tag(tag: Tag, details: TagDetails) -> None:
    """Change a tag; raises TagNameTaken."""
    _ensure_name_free(tag.conference_id, details.name, tag)
    _apply(tag, details)
    db.session.flush()


def delete_tag(tag: Tag) -> int:
    """Delete a tag and take it off every proposal (never deleting one); returns how many carried it."""
    carried = db.session.scalar(select(func.count()).where(ProposalTag.tag_id == tag.id)) or 0
    db.session.delete(tag)
    db.session.flush()
    return carried


def set_proposal_tags(proposal: Proposal, tags: Iterable[Tag]) -> tuple[int, int]:
    """Make ``tags`` (of the proposal's conference) exactly the proposal's tags; returns (added, removed)."""
    wanted = {tag.id for tag in tags if tag.conference_id == proposal.conference_id}
    current = set(db.session.scalars(select(ProposalTag.tag_id).where(ProposalTag.proposal_id == proposal.id)))
    removed = current - wanted
    if removed:
        db.session.execute(
            delete(ProposalTag).where(ProposalTag.proposal_id == proposal.id, ProposalTag.tag_id.in_(removed))
        )
    db.session.add_all(ProposalTag(proposal_id=proposal.id, tag_id=tag_id) for tag_id in sorted(wanted - current))
    db.session.flush()
    return len(wanted - current), len(removed)


def add_tag_to_proposals(tag: Tag, proposals: Sequence[Proposal]) -> int:
    """Put ``tag`` on each proposal (of its conference) that lacks it; returns how many gained it."""
    ids = {proposal.id for proposal in proposals if proposal.conference_id == tag.conference_id}
    having = set(
        db.session.scalars(
            select(ProposalTag.proposal_id).where(ProposalTag.tag_id == tag.id, ProposalTag.proposal_id.in_(ids))
        )
    ) if ids else set()
    db.session.add_all(ProposalTag(proposal_id=proposal_id, tag_id=tag.id) for proposal_id in sorted(ids - having))
    db.session.flush()
    return len(ids - having)


def remove_tag_from_proposals(tag: Tag, proposals: Sequence[Proposal]) -> int:
    """Take ``tag`` off each of the proposals; returns how many carried it."""
    ids = [proposal.id for proposal in proposals]
    if not ids:
        return 0
    result = db.session.execute(
        delete(ProposalTag).where(ProposalTag.tag_id == tag.id, ProposalTag.proposal_id.in_(ids))
    )
    db.session.flush()
    return result.rowcount or 0
