"""feed records keep what the feed last sent of each talk

Revision ID: dc0f115c0866
Revises: 4c2a7e9b1d35
Create Date: 2026-11-23 01:30:00.000000

A talk that leaves a hub's, track's, speaker's or starred feed is sent there as cancelled at
the time and place, and under the title, the feed last showed (``sent``, a small JSON
snapshot), not where it is now. Existing records have none: each is filled when its feed next
sends the talk as its own; a talk leaving a feed before that is cancelled at its current time
and place, as before. A deleted track's or hub's records are now kept under the kinds
``removed-track`` and ``removed-hub`` (none exist yet: they were deleted with the row).
Downgrading drops the snapshots and those records, which the older code deleted anyway.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dc0f115c0866'
down_revision = '4c2a7e9b1d35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feed_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent', sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    memberships = sa.table('feed_memberships', sa.column('kind', sa.String(16)))
    op.execute(memberships.delete().where(memberships.c.kind.in_(['removed-track', 'removed-hub'])))
    with op.batch_alter_table('feed_memberships', schema=None) as batch_op:
        batch_op.drop_column('sent')
