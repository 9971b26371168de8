"""Topic tags and the archive's search table.

`ArchiveEntry` is a denormalised copy of each published talk (title, plain-text abstract,
speaker and tag names) kept up to date by `conference.archive.operations`. Full-text search
runs over it with SQLite FTS5 (an external-content table kept in step by triggers) on the
embedded default and with a weighted `tsvector` GIN index on PostgreSQL. Both are created
by DDL events here (for `create_all`) and by the migration, and are invisible to autogenerate.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DDL, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.conferences.models import Conference
    from conference.proposals.models import Proposal


class TopicTag(db.Model):
    """A knowledge circle: a topic that spans tracks and years, e.g. "observability"."""

    __tablename__ = "topic_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProposalTopic(db.Model):
    __tablename__ = "proposal_topics"
    __table_args__ = (UniqueConstraint("proposal_id", "tag_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("topic_tags.id", ondelete="CASCADE"), index=True)

    proposal: Mapped[Proposal] = relationship()
    tag: Mapped[TopicTag] = relationship()


class ArchiveEntry(db.Model):
    """A published talk as the archive searches and lists it."""

    __tablename__ = "archive_entries"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    abstract_text: Mapped[str] = mapped_column(Text, default="")
    speaker_names: Mapped[str] = mapped_column(Text, default="")
    tag_names: Mapped[str] = mapped_column(Text, default="")
    track_name: Mapped[str] = mapped_column(String(100), default="", index=True)
    # Hubs differ per conference; filtering across years goes by name ("London").
    hub_name: Mapped[str] = mapped_column(String(100), default="", index=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    has_recording: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    conference: Mapped[Conference] = relationship()
    proposal: Mapped[Proposal] = relationship()


SQLITE_SEARCH_TABLE = "archive_search"
POSTGRESQL_SEARCH_INDEX = "ix_archive_entries_search"

# The weighted document PostgreSQL searches; queries must use this exact expression so the
# planner uses the GIN index.
POSTGRESQL_SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', speaker_names), 'B') || "
    "setweight(to_tsvector('english', tag_names), 'B') || "
    "setweight(to_tsvector('english', abstract_text), 'C')"
)

# Literal SQL (no interpolation): the FTS5 table and the triggers that keep it in step.
SQLITE_SEARCH_DDL = [
    "CREATE VIRTUAL TABLE archive_search USING fts5("
    "title, speaker_names, tag_names, abstract_text, "
    "content='archive_entries', content_rowid='proposal_id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER archive_entries_search_insert AFTER INSERT ON archive_entries BEGIN "
    "INSERT INTO archive_search(rowid, title, speaker_names, tag_names, abstract_text) "
    "VALUES (new.proposal_id, new.title, new.speaker_names, new.tag_names, new.abstract_text); "
    "END",
    "CREATE TRIGGER archive_entries_search_delete AFTER DELETE ON archive_entries BEGIN "
    "INSERT INTO archive_search(archive_search, rowid, title, speaker_names, tag_names, "
    "abstract_text) VALUES ('delete', old.proposal_id, old.title, old.speaker_names, "
    "old.tag_names, old.abstract_text); END",
    "CREATE TRIGGER archive_entries_search_update AFTER UPDATE ON archive_entries BEGIN "
    "INSERT INTO archive_search(archive_search, rowid, title, speaker_names, tag_names, "
    "abstract_text) VALUES ('delete', old.proposal_id, old.title, old.speaker_names, "
    "old.tag_names, old.abstract_text); "
    "INSERT INTO archive_search(rowid, title, speaker_names, tag_names, abstract_text) "
    "VALUES (new.proposal_id, new.title, new.speaker_names, new.tag_names, new.abstract_text); "
    "END",
]

POSTGRESQL_SEARCH_DDL = [
    f"CREATE INDEX {POSTGRESQL_SEARCH_INDEX} ON archive_entries "
    f"USING gin (({POSTGRESQL_SEARCH_DOCUMENT}))",
]

SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS archive_entries_search_update",
    "DROP TRIGGER IF EXISTS archive_entries_search_delete",
    "DROP TRIGGER IF EXISTS archive_entries_search_insert",
    f"DROP TABLE IF EXISTS {SQLITE_SEARCH_TABLE}",
]
POSTGRESQL_SEARCH_DROP = [f"DROP INDEX IF EXISTS {POSTGRESQL_SEARCH_INDEX}"]


def is_search_object(name: str | None) -> bool:
    """True for the search structures autogenerate must not try to drop."""
    return bool(name) and (name == POSTGRESQL_SEARCH_INDEX or name.startswith(SQLITE_SEARCH_TABLE))


for _statement in SQLITE_SEARCH_DDL:
    event.listen(
        ArchiveEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in POSTGRESQL_SEARCH_DDL:
    event.listen(
        ArchiveEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
for _statement in SQLITE_SEARCH_DROP:
    event.listen(
        ArchiveEntry.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite")
    )
