"""proposal tags

Revision ID: e4b7c2a9d816
Revises: 64cef8eb67bf
Create Date: 2026-11-23 01:10:00.000000

Organisers label proposals with their own tags ("keynote candidate", "needs mentor"): a tag per
conference (its name unique ignoring case, through the folded ``name_key``) and the proposals
that carry it. New tables only; deleting a tag or a proposal deletes their links.
"""
import sqlalchemy as sa
from alembic import op

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'e4b7c2a9d816'
down_revision = '64cef8eb67bf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_key', sa.String(length=180), nullable=False),
    sa.Column('colour', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('visible_to_reviewers', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_tags_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('conference_id', 'name_key', name=op.f('uq_tags_conference_id_name_key'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_conference_id'), ['conference_id'], unique=False)

    op.create_table('proposal_tags',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_tags_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_proposal_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'tag_id', name=op.f('pk_proposal_tags'))
    )
    with op.batch_alter_table('proposal_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_tags_tag_id'), ['tag_id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_tags_tag_id'))
    op.drop_table('proposal_tags')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tags_conference_id'))
    op.drop_table('tags')
