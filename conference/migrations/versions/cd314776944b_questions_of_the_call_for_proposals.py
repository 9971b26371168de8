"""questions of the call for proposals

Revision ID: cd314776944b
Revises: 9d3f6b2a8e17
Create Date: 2026-11-22 16:15:50.821822

Organisers add their own questions to the proposal form (short or long text, one of some
options, yes or no), optionally only for some session formats or tracks; speakers' answers are
kept per proposal and question. New tables only: existing proposals simply have no answers.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cd314776944b'
down_revision = '9d3f6b2a8e17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cfp_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('help_text', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('short_text', 'long_text', 'choice', 'yes_no', name='cfpquestionkind', native_enum=False, length=16), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('reviewer_visibility', sa.Enum('always', 'unless_anonymised', 'never', name='reviewervisibility', native_enum=False, length=24), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_cfp_questions_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_questions'))
    )
    with op.batch_alter_table('cfp_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_questions_conference_id'), ['conference_id'], unique=False)

    op.create_table('cfp_question_session_formats',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('session_format_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['cfp_questions.id'], name=op.f('fk_cfp_question_session_formats_question_id_cfp_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_format_id'], ['session_formats.id'], name=op.f('fk_cfp_question_session_formats_session_format_id_session_formats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'session_format_id', name=op.f('pk_cfp_question_session_formats'))
    )
    op.create_table('cfp_question_tracks',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['cfp_questions.id'], name=op.f('fk_cfp_question_tracks_question_id_cfp_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_cfp_question_tracks_track_id_tracks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'track_id', name=op.f('pk_cfp_question_tracks'))
    )
    op.create_table('cfp_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_cfp_answers_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['cfp_questions.id'], name=op.f('fk_cfp_answers_question_id_cfp_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_answers')),
    sa.UniqueConstraint('proposal_id', 'question_id', name=op.f('uq_cfp_answers_proposal_id_question_id'))
    )
    with op.batch_alter_table('cfp_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cfp_answers_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cfp_answers_question_id'), ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('cfp_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_answers_question_id'))
        batch_op.drop_index(batch_op.f('ix_cfp_answers_proposal_id'))

    op.drop_table('cfp_answers')
    op.drop_table('cfp_question_tracks')
    op.drop_table('cfp_question_session_formats')
    with op.batch_alter_table('cfp_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cfp_questions_conference_id'))

    op.drop_table('cfp_questions')
