"""Organisers' tags and which proposals carry them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.conferences.models import Conference
    from conference.proposals.models import Proposal

TAG_NAME_LENGTH = 60
# Case folding lengthens a name at most threefold ("ﬃ" is "ffi"), so a folded name always fits.
TAG_NAME_KEY_LENGTH = 3 * TAG_NAME_LENGTH
TAG_DESCRIPTION_LENGTH = 500


@dataclass(frozen=True)
class TagColour:
    """One colour of the palette: a light background with dark text (WCAG AA, see app.css)."""

    value: str
    label: str


# The palette: each colour has a class ``tag-colour-<value>`` in static/css/app.css.
TAG_COLOURS = (
    TagColour("grey", "Grey"),
    TagColour("blue", "Blue"),
    TagColour("green", "Green"),
    TagColour("yellow", "Yellow"),
    TagColour("orange", "Orange"),
    TagColour("red", "Red"),
    TagColour("purple", "Purple"),
    TagColour("teal", "Teal"),
)
DEFAULT_TAG_COLOUR = "grey"


def tag_name_key(name: str) -> str:
    """``name`` as uniqueness compares it: case ignored, spaces collapsed ("Needs  Mentor" ~ "needs mentor")."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.split())[:TAG_NAME_KEY_LENGTH]


class Tag(db.Model):
    """An organisers' label for proposals at one conference."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("conference_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TAG_NAME_LENGTH))
    # The folded name: the database itself refuses two names that differ only in case.
    name_key: Mapped[str] = mapped_column(String(TAG_NAME_KEY_LENGTH))
    colour: Mapped[str] = mapped_column(String(16), default=DEFAULT_TAG_COLOUR)
    description: Mapped[str] = mapped_column(Text, default="")
    visible_to_reviewers: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conference: Mapped[Conference] = relationship()
    # The foreign key cascades too; the ORM cascade keeps this session's loaded links in step.
    proposal_links: Mapped[list[ProposalTag]] = relationship(
        back_populates="tag", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = tag_name_key(value or "")
        return value

    @property
    def colour_class(self) -> str:
        known = {colour.value for colour in TAG_COLOURS}
        return f"tag-colour-{self.colour if self.colour in known else DEFAULT_TAG_COLOUR}"

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"


class ProposalTag(db.Model):
    """A tag on a proposal."""

    __tablename__ = "proposal_tags"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)

    proposal: Mapped[Proposal] = relationship()
    tag: Mapped[Tag] = relationship(back_populates="proposal_links")
