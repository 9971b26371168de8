"""daily discussion digests

Revision ID: c5d1a0e7f304
Revises: c5d1a0e7f303
Create Date: 2026-11-23 04:30:00.000000

Each person chooses how the new comments of the discussions they follow reach them: an e-mail
per comment (everyone, as until now), one daily digest, or none. The digest table remembers
each person's last digest, so a day's digest is sent once.
"""
import sqlalchemy as sa
from alembic import op

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f304'
down_revision = 'c5d1a0e7f303'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discussion_emails', sa.String(length=16), server_default='each', nullable=False))
    op.create_table('discussion_digests',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('through', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_discussion_digests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_discussion_digests'))
    )


def downgrade():
    op.drop_table('discussion_digests')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('discussion_emails')
