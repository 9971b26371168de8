"""activity log

Revision ID: 64cef8eb67bf
Revises: dc0f115c0866
Create Date: 2026-11-23 01:00:00.000000

Organisers read who did what and when: one entry per change, written in the change's own
transaction. The log starts empty; nothing done before it existed can be reconstructed.
"""
from alembic import op
import sqlalchemy as sa

import conference.core.types


# revision identifiers, used by Alembic.
revision = '64cef8eb67bf'
down_revision = 'dc0f115c0866'
branch_labels = None
depends_on = None

ACTIONS = (
    'proposal_created', 'proposal_submitted', 'proposal_edited', 'proposal_withdrawn',
    'co_speaker_invited', 'co_speaker_accepted', 'co_speaker_declined', 'co_speaker_removed',
    'proposal_decided', 'decision_emails_queued', 'talk_confirmed', 'talk_declined',
    'review_submitted', 'review_changed', 'solver_run_started', 'draft_schedule_built',
    'schedule_published',
)


def upgrade():
    op.create_table('activity_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('by_system', sa.Boolean(), nullable=False),
    sa.Column('action', sa.Enum(*ACTIONS, name='activityaction', native_enum=False, length=32), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', conference.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_activity_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_activity_entries_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_activity_entries_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_entries'))
    )
    with op.batch_alter_table('activity_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_activity_entries_conference_id_created_at', ['conference_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_activity_entries_proposal_id_created_at', ['proposal_id', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('activity_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_entries_proposal_id_created_at')
        batch_op.drop_index('ix_activity_entries_conference_id_created_at')
        batch_op.drop_index(batch_op.f('ix_activity_entries_actor_id'))
    op.drop_table('activity_entries')
