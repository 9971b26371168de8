"""Comments in a proposal's discussion."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.proposals.models import Proposal


class DiscussionEmails(enum.StrEnum):
    """How someone gets the new comments of the discussions they follow (``User.discussion_emails``)."""

    EACH = "each"  # an e-mail per comment
    DIGEST = "digest"  # one e-mail a day (conference.discussion.digest)
    NONE = "none"


class ProposalComment(db.Model):
    """One comment (Markdown) in the discussion of a proposal."""

    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    # Kept when the author's account is deleted; the page then says "a former member".
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    proposal: Mapped[Proposal] = relationship()
    author: Mapped[User | None] = relationship()


class DiscussionFollower(db.Model):
    """Someone who gets each new comment of a proposal's discussion by e-mail.

    Writing a comment follows the discussion; anyone who may read it follows or stops
    following with a button. Whether they may still read it is checked at each e-mail.
    """

    __tablename__ = "discussion_followers"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DiscussionDigest(db.Model):
    """The last daily digest made for someone who chose digests: the next one starts where it ended.

    One row per person; claiming a day is a conditional update of this row (or its insert), so
    two runs of the job, even overlapping, never both send a day's digest.
    """

    __tablename__ = "discussion_digests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The person's own calendar day it was made for (08:00 there had passed).
    day: Mapped[date] = mapped_column(Date)
    # Comments created before this instant went into it (or into an earlier one).
    through: Mapped[datetime] = mapped_column(UTCDateTime())
