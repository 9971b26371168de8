"""proposal discussion

Revision ID: b6d2f0a9c4e1
Revises: 702a04269585
Create Date: 2026-11-22 21:50:00.000000

Organisers and a proposal's reviewers discuss it in comments its speakers never see. A new
table only.
"""
import sqlalchemy as sa
from alembic import op

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'b6d2f0a9c4e1'
down_revision = '702a04269585'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposal_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_proposal_comments_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_comments_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comments'))
    )
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_comments_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_comments_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_comments_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_comments_conference_id'))
    op.drop_table('proposal_comments')
