"""the archive's PostgreSQL search splits words at punctuation

Revision ID: 5c2e9a7d4b18
Revises: f1b7c3d9a2e4
Create Date: 2026-11-22 11:30:00.000000

PostgreSQL's parser read "Node.js" or "ASP.NET" as one host token, so searching for "node" or
"asp" missed those talks (SQLite's FTS5 splits them). The stored search vector now reads the text
with ASCII punctuation spaced out. A generated column's expression cannot be altered on
PostgreSQL 15, so the column and its GIN index are made again (every row is re-parsed). Nothing
changes on SQLite.
"""
from alembic import op

from conference.archive.models import POSTGRESQL_SEARCH_DDL, POSTGRESQL_SEARCH_DROP


# revision identifiers, used by Alembic.
revision = '5c2e9a7d4b18'
down_revision = 'f1b7c3d9a2e4'
branch_labels = None
depends_on = None

# The search structures as revision ba777686a98c made them, for downgrade.
PREVIOUS_POSTGRESQL_SEARCH_DDL = [
    "ALTER TABLE archive_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', speaker_names), 'B') || "
    "setweight(to_tsvector('english', tag_names), 'B') || "
    "setweight(to_tsvector('english', abstract_text), 'C')) STORED",
    "CREATE INDEX ix_archive_entries_search ON archive_entries USING gin (search_vector)",
]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in [*POSTGRESQL_SEARCH_DROP, *POSTGRESQL_SEARCH_DDL]:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in [*POSTGRESQL_SEARCH_DROP, *PREVIOUS_POSTGRESQL_SEARCH_DDL]:
        op.execute(statement)
