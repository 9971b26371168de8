"""speakers' availability answers

Revision ID: f1b7c3d9a2e4
Revises: e8f5a3c1d6b2
Create Date: 2026-11-22 09:20:00.000000

A speaker who saved "not available" on every day stored no window, which read as "never said",
so the solver took them as available at any time. An answer row now records that they saved;
speakers who already have windows saved, so each of them gets one.
"""
from alembic import op
import sqlalchemy as sa

import conference.core.types


# revision identifiers, used by Alembic.
revision = 'f1b7c3d9a2e4'
down_revision = 'e8f5a3c1d6b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('availability_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('saved_at', conference.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_availability_answers_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_availability_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_answers')),
    sa.UniqueConstraint('conference_id', 'user_id', name=op.f('uq_availability_answers_conference_id_user_id'))
    )
    op.execute(
        "INSERT INTO availability_answers (conference_id, user_id, saved_at)"
        " SELECT conference_id, user_id, CURRENT_TIMESTAMP FROM availability_windows"
        " GROUP BY conference_id, user_id"
    )


def downgrade():
    op.drop_table('availability_answers')
