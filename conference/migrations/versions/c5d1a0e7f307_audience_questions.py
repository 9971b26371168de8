"""audience questions

Revision ID: c5d1a0e7f307
Revises: c5d1a0e7f306
Create Date: 2026-11-23 05:00:00.000000

Live questions from the audience of a published talk, and their upvotes (one per person and
question). New tables only; deleting a talk, a conference or an account deletes its questions
and votes.
"""
import sqlalchemy as sa
from alembic import op

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f307'
down_revision = 'c5d1a0e7f306'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audience_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_audience_questions_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_audience_questions_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_audience_questions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audience_questions'))
    )
    with op.batch_alter_table('audience_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audience_questions_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audience_questions_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audience_questions_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('audience_question_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['audience_questions.id'], name=op.f('fk_audience_question_votes_question_id_audience_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audience_question_votes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audience_question_votes')),
    sa.UniqueConstraint('question_id', 'user_id', name=op.f('uq_audience_question_votes_question_id_user_id'))
    )
    with op.batch_alter_table('audience_question_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audience_question_votes_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audience_question_votes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audience_question_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audience_question_votes_user_id'))
        batch_op.drop_index(batch_op.f('ix_audience_question_votes_question_id'))
    op.drop_table('audience_question_votes')
    with op.batch_alter_table('audience_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audience_questions_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_audience_questions_conference_id'))
        batch_op.drop_index(batch_op.f('ix_audience_questions_author_id'))
    op.drop_table('audience_questions')
