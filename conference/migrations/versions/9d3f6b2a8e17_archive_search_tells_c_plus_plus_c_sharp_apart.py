"""the archive's search tells C++, C# and F# apart

Revision ID: 9d3f6b2a8e17
Revises: 5c2e9a7d4b18
Create Date: 2026-11-22 16:00:00.000000

Split at punctuation, "C++", "C#" and "F#" were all the word "c" (or "f") on both databases, so a
search for C++ found every C# and Objective-C talk. Documents (and queries) now spell them as
"cplusplus", "csharp" and "fsharp" first. On PostgreSQL the generated search vector and its GIN
index are made again (every row is re-parsed). On SQLite the FTS5 table and its triggers are
made again and filled from archive_entries with the new words: FTS5's 'rebuild' would index the
columns as they are.
"""
from alembic import op

from conference.archive.models import (
    POSTGRESQL_SEARCH_DDL,
    POSTGRESQL_SEARCH_DROP,
    SQLITE_SEARCH_DDL,
    SQLITE_SEARCH_DROP,
    SQLITE_SEARCH_FILL,
)


# revision identifiers, used by Alembic.
revision = '9d3f6b2a8e17'
down_revision = '5c2e9a7d4b18'
branch_labels = None
depends_on = None

# The search structures as revision 5c2e9a7d4b18 left them, for downgrade.
PREVIOUS_POSTGRESQL_SEARCH_DDL = [
    "ALTER TABLE archive_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', regexp_replace(title, '[!-/:-@[-`{-~]', ' ', 'g')), 'A') || "
    "setweight(to_tsvector('english', regexp_replace(speaker_names, '[!-/:-@[-`{-~]', ' ', 'g')), 'B') || "
    "setweight(to_tsvector('english', regexp_replace(tag_names, '[!-/:-@[-`{-~]', ' ', 'g')), 'B') || "
    "setweight(to_tsvector('english', regexp_replace(abstract_text, '[!-/:-@[-`{-~]', ' ', 'g')), 'C')"
    ") STORED",
    "CREATE INDEX ix_archive_entries_search ON archive_entries USING gin (search_vector)",
]
PREVIOUS_SQLITE_SEARCH_DDL = [
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
    # The old index held the columns as they are, which is what 'rebuild' reads.
    "INSERT INTO archive_search(archive_search) VALUES ('rebuild')",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    statements = {
        "sqlite": [*SQLITE_SEARCH_DROP, *SQLITE_SEARCH_DDL, SQLITE_SEARCH_FILL],
        "postgresql": [*POSTGRESQL_SEARCH_DROP, *POSTGRESQL_SEARCH_DDL],
    }.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    statements = {
        "sqlite": [*SQLITE_SEARCH_DROP, *PREVIOUS_SQLITE_SEARCH_DDL],
        "postgresql": [*POSTGRESQL_SEARCH_DROP, *PREVIOUS_POSTGRESQL_SEARCH_DDL],
    }.get(dialect, [])
    for statement in statements:
        op.execute(statement)
