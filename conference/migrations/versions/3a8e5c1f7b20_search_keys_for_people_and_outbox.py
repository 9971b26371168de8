"""search keys for people and the outbox

Revision ID: 3a8e5c1f7b20
Revises: cd314776944b
Create Date: 2026-11-22 09:10:00.000000

The people list and the outbox search and page in SQL instead of reading every row: users get
``name_key`` (the display name with case and accents folded, indexed, the people list's sort
order) and outbox messages ``search_key`` (recipient and subject folded, one per line). Both
are filled here for existing rows with the application's own folding.
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3a8e5c1f7b20'
down_revision = 'cd314776944b'
branch_labels = None
depends_on = None

BATCH = 1000


def _folded(text):
    # conference.core.text.folded as of this revision (a migration must not follow later edits).
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _backfill(table, columns, key, compute):
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, *[table.c[name] for name in columns])).all()
    for start in range(0, len(rows), BATCH):
        connection.execute(
            table.update().where(table.c.id == sa.bindparam("row_id")).values({key: sa.bindparam("key")}),
            [{"row_id": row[0], "key": compute(*row[1:])} for row in rows[start:start + BATCH]],
        )


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=480), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_users_name_key'), ['name_key'], unique=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.Text(), nullable=False, server_default=''))

    users = sa.table('users', sa.column('id', sa.Integer), sa.column('display_name', sa.String),
                     sa.column('name_key', sa.String))
    # Cut at the column's length, as the model does: folding can lengthen a name 18-fold.
    _backfill(users, ['display_name'], 'name_key', lambda name: _folded(name)[:480])
    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer), sa.column('recipient', sa.String),
                      sa.column('subject', sa.String), sa.column('search_key', sa.Text))
    _backfill(outbox, ['recipient', 'subject'], 'search_key',
              lambda recipient, subject: f"{_folded(recipient)}\n{_folded(subject)}")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('name_key', server_default=None)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('search_key', server_default=None)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('search_key')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_name_key'))
        batch_op.drop_column('name_key')
