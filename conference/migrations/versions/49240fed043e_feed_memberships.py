"""talks each filtered calendar feed has carried

Revision ID: 49240fed043e
Revises: b6d2f0a9c4e1
Create Date: 2026-11-23 10:00:00.000000

A hub's, track's, speaker's or starred feed records the talks it sent, so a talk that leaves
the feed (moved to another hub or track, speaker taken off it, unstarred) is sent as
cancelled instead of vanishing: calendars keep what a feed stops mentioning. Nothing records
such moves so far; the table fills as feeds are next rendered.
"""
from alembic import op
import sqlalchemy as sa
import conference.core.types


# revision identifiers, used by Alembic.
revision = '49240fed043e'
down_revision = 'b6d2f0a9c4e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('in_feed', sa.Boolean(), nullable=False),
    sa.Column('sequence_offset', sa.Integer(), nullable=False),
    sa.Column('changed_at', conference.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['calendar_entries.id'], name=op.f('fk_feed_memberships_entry_id_calendar_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_memberships')),
    sa.UniqueConstraint('kind', 'subject_id', 'entry_id', name=op.f('uq_feed_memberships_kind_subject_id_entry_id'))
    )
    with op.batch_alter_table('feed_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_memberships_entry_id'), ['entry_id'], unique=False)


def downgrade():
    with op.batch_alter_table('feed_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_memberships_entry_id'))

    op.drop_table('feed_memberships')
