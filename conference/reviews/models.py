"""Review rubric, assignments, reviews and conflicts of interest."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.conferences.models import Conference, Track
    from conference.proposals.models import Proposal


def _enum(enum_class: type[enum.Enum]) -> Enum:
    return Enum(enum_class, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class ReviewCriterion(db.Model):
    """One line of the rubric, e.g. "Relevance", scored on a scale and weighted."""

    __tablename__ = "review_criteria"
    __table_args__ = (
        UniqueConstraint("conference_id", "name"),
        CheckConstraint("scale_min < scale_max", name="scale_order"),
        CheckConstraint("weight > 0", name="positive_weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(default=1.0)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=5)
    position: Mapped[int] = mapped_column(default=0)

    conference: Mapped[Conference] = relationship()


class TrackPreference(enum.IntEnum):
    AVOID = -1
    NEUTRAL = 0
    PREFER = 1


class ReviewerTrackPreference(db.Model):
    __tablename__ = "reviewer_track_preferences"
    __table_args__ = (UniqueConstraint("reviewer_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    preference: Mapped[int] = mapped_column(Integer, default=TrackPreference.NEUTRAL)

    reviewer: Mapped[User] = relationship()
    track: Mapped[Track] = relationship()


class AssignmentSource(enum.StrEnum):
    SOLVER = "solver"
    ORGANISER = "organiser"


class ReviewAssignment(db.Model):
    """A reviewer is asked to review a proposal."""

    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[AssignmentSource] = mapped_column(
        _enum(AssignmentSource), default=AssignmentSource.ORGANISER
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    reviewer: Mapped[User] = relationship()


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    comment_for_organisers: Mapped[str] = mapped_column(Text, default="")
    comment_for_speaker: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    proposal: Mapped[Proposal] = relationship()
    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class ReviewScore(db.Model):
    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("review_criteria.id", ondelete="CASCADE")
    )
    value: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[ReviewCriterion] = relationship()


class ConflictSource(enum.StrEnum):
    DECLARED = "declared"
    ORGANISER = "organiser"


class Conflict(db.Model):
    """A reviewer must not review a proposal, or any proposal of a person (e.g. same team)."""

    __tablename__ = "review_conflicts"
    __table_args__ = (
        CheckConstraint(
            "(proposal_id IS NULL) <> (speaker_id IS NULL)", name="proposal_or_speaker"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE")
    )
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[ConflictSource] = mapped_column(
        _enum(ConflictSource), default=ConflictSource.DECLARED
    )
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    speaker: Mapped[User | None] = relationship(foreign_keys=[speaker_id])
    proposal: Mapped[Proposal | None] = relationship()
