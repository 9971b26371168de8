"""conferences get a feed revision

Revision ID: e8f5a3c1d6b2
Revises: c4e1d2a9b7f3
Create Date: 2026-11-22 10:40:00.000000

The revision is part of every feed's cache key and goes up with each edit that published feeds
show (a renamed room, an edited title), so cached feeds never keep the old text.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8f5a3c1d6b2'
down_revision = 'c4e1d2a9b7f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_revision', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_column('feed_revision')
