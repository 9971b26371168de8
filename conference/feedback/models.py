"""Feedback questions an organiser configures and the one response each attendee gives per talk."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.conferences.models import Conference
    from conference.proposals.models import Proposal


class QuestionKind(enum.StrEnum):
    RATING = "rating"  # 1..5
    TEXT = "text"

    @property
    def label(self) -> str:
        return {"rating": "Rating from 1 to 5", "text": "Free text"}[self.value]


class FeedbackQuestion(db.Model):
    """One question of a conference's feedback form, e.g. "How useful was this talk?"."""

    __tablename__ = "feedback_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    prompt: Mapped[str] = mapped_column(String(200))
    kind: Mapped[QuestionKind] = mapped_column(
        Enum(
            QuestionKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=QuestionKind.RATING,
    )
    required: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A retired question keeps its past answers but is no longer asked.
    active: Mapped[bool] = mapped_column(default=True)

    conference: Mapped[Conference] = relationship()


class FeedbackResponse(db.Model):
    """One attendee's feedback on one talk; speakers only ever see it aggregated, without names."""

    __tablename__ = "feedback_responses"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    conference: Mapped[Conference] = relationship()
    proposal: Mapped[Proposal] = relationship()
    user: Mapped[User] = relationship()
    answers: Mapped[list[FeedbackAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class FeedbackAnswer(db.Model):
    """The answer to one question: a rating or a text, never both."""

    __tablename__ = "feedback_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_questions.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[FeedbackResponse] = relationship(back_populates="answers")
    question: Mapped[FeedbackQuestion] = relationship()
