"""discussion followers

Revision ID: 8d3e1f5a2c70
Revises: dcf42346a337
Create Date: 2026-11-23 09:10:00.000000

Who gets a proposal's new comments by e-mail. Until now that was everyone who had written in
its discussion; they follow it from the start, and anyone who may read it can follow or stop.
"""
import sqlalchemy as sa
from alembic import op

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '8d3e1f5a2c70'
down_revision = 'dcf42346a337'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('discussion_followers',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('since', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_discussion_followers_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_discussion_followers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'user_id', name=op.f('pk_discussion_followers'))
    )
    with op.batch_alter_table('discussion_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_followers_user_id'), ['user_id'], unique=False)
    # Those who wrote follow, since their first comment.
    op.execute(
        "INSERT INTO discussion_followers (proposal_id, user_id, since) "
        "SELECT proposal_id, author_id, MIN(created_at) FROM proposal_comments "
        "WHERE author_id IS NOT NULL GROUP BY proposal_id, author_id"
    )


def downgrade():
    with op.batch_alter_table('discussion_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_followers_user_id'))
    op.drop_table('discussion_followers')
