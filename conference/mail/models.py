"""Editable e-mail templates and the persisted outbox every e-mail goes through."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from conference.core.text import folded
from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db


class EmailTemplate(db.Model):
    """An organiser's wording for one kind of e-mail at one conference."""

    __tablename__ = "email_templates"
    __table_args__ = (UniqueConstraint("conference_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One e-mail to send. ``dedupe_key`` is unique, so the same e-mail is never queued twice."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int | None] = mapped_column(
        ForeignKey("conferences.id", ondelete="SET NULL")
    )
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # Recipient and subject as searched (case and accents ignored, `core.text.folded`), one
    # per line so a search never matches across the two; kept in step with both columns.
    search_key: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[OutboxState] = mapped_column(
        Enum(OutboxState, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=OutboxState.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @validates("recipient", "subject")
    def _keep_search_key(self, key: str, value: str) -> str:
        recipient = value if key == "recipient" else self.recipient
        subject = value if key == "subject" else self.subject
        self.search_key = outbox_search_key(recipient or "", subject or "")
        return value


def outbox_search_key(recipient: str, subject: str) -> str:
    return f"{folded(recipient)}\n{folded(subject)}"
