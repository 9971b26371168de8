"""Slides (uploaded files kept outside the web root) and links to recordings of talks."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.conferences.models import Conference
    from conference.proposals.models import Proposal


class MaterialKind(enum.StrEnum):
    SLIDES = "slides"  # an uploaded file
    RECORDING = "recording"  # a link to the video
    LINK = "link"  # any other link: repository, article, slides hosted elsewhere

    @property
    def label(self) -> str:
        return {"slides": "Slides", "recording": "Recording", "link": "Link"}[self.value]


class TalkMaterial(db.Model):
    """Something attached to a talk. Files live in the instance folder under `storage_key`."""

    __tablename__ = "talk_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MaterialKind] = mapped_column(
        Enum(
            MaterialKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    # Uploaded files: a random name in the storage folder, the name the uploader gave, its type.
    storage_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    conference: Mapped[Conference] = relationship()
    proposal: Mapped[Proposal] = relationship()
    added_by: Mapped[User | None] = relationship()
