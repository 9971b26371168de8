"""Read-only questions about tags, each answered in one statement whatever the number of proposals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select

from conference.conferences.models import Conference
from conference.extensions import db
from conference.proposals.models import Proposal
from conference.tags.models import ProposalTag, Tag


def conference_tags(conference: Conference) -> list[Tag]:
    """The conference's tags in name order."""
    return list(
        db.session.scalars(
            select(Tag).where(Tag.conference_id == conference.id).order_by(Tag.name_key, Tag.id)
        )
    )


def tags_with_ids(conference: Conference, tag_ids: Iterable[int]) -> list[Tag]:
    """Those of ``tag_ids`` that are tags of this conference (others are left out)."""
    wanted = set(tag_ids)
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(Tag).where(Tag.conference_id == conference.id, Tag.id.in_(wanted)).order_by(Tag.name_key)
        )
    )


def proposal_counts(conference: Conference) -> dict[int, int]:
    """How many proposals carry each tag, by tag id (tags on no proposal are absent)."""
    rows = db.session.execute(
        select(ProposalTag.tag_id, func.count())
        .join(Tag, Tag.id == ProposalTag.tag_id)
        .where(Tag.conference_id == conference.id)
        .group_by(ProposalTag.tag_id)
    )
    return dict(rows.all())


def proposal_count(tag: Tag) -> int:
    return db.session.scalar(select(func.count()).where(ProposalTag.tag_id == tag.id)) or 0


def tags_by_proposal(
    conference: Conference,
    proposal_ids: Iterable[int] | None = None,
    reviewers_only: bool = False,
) -> dict[int, list[Tag]]:
    """Each proposal's tags in name order, by proposal id; ``reviewers_only`` keeps only the tags
    marked visible to reviewers. ``proposal_ids`` limits the proposals (None: all of them)."""
    query = (
        select(ProposalTag.proposal_id, Tag)
        .join(Tag, Tag.id == ProposalTag.tag_id)
        .where(Tag.conference_id == conference.id)
        .order_by(Tag.name_key, Tag.id)
    )
    if reviewers_only:
        query = query.where(Tag.visible_to_reviewers.is_(True))
    if proposal_ids is not None:
        ids = set(proposal_ids)
        if not ids:
            return {}
        query = query.where(ProposalTag.proposal_id.in_(ids))
    tags: dict[int, list[Tag]] = defaultdict(list)
    for proposal_id, tag in db.session.execute(query):
        tags[proposal_id].append(tag)
    return dict(tags)


def tags_of(proposal: Proposal, reviewers_only: bool = False) -> list[Tag]:
    """The proposal's tags in name order (only those reviewers may see, with ``reviewers_only``)."""
    query = (
        select(Tag)
        .join(ProposalTag, ProposalTag.tag_id == Tag.id)
        .where(ProposalTag.proposal_id == proposal.id, Tag.conference_id == proposal.conference_id)
        .order_by(Tag.name_key, Tag.id)
    )
    if reviewers_only:
        query = query.where(Tag.visible_to_reviewers.is_(True))
    return list(db.session.scalars(query))


def carrying_every_tag(tag_ids: Iterable[int]):
    """Conditions on ``Proposal``, one per tag: it carries each of ``tag_ids``."""
    return [
        Proposal.id.in_(select(ProposalTag.proposal_id).where(ProposalTag.tag_id == tag_id))
        for tag_id in sorted(set(tag_ids))
    ]
