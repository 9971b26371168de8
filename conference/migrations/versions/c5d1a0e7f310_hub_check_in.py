"""check-in at the hubs

Revision ID: c5d1a0e7f310
Revises: c5d1a0e7f309
Create Date: 2026-11-23 08:00:00.000000

Hub desks check people in on the conference days: one row per person, hub and hub date, with
who checked them in and when, and whether the desk seated them without a registered seat. A
new table only: nothing existing changes, and going down drops the check-ins.
"""
import sqlalchemy as sa
from alembic import op

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f310'
down_revision = 'c5d1a0e7f309'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hub_check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seated_at_desk', sa.Boolean(), nullable=False),
    sa.Column('checked_in_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_hub_check_ins_checked_in_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_hub_check_ins_hub_id_hubs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hub_check_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_check_ins')),
    sa.UniqueConstraint('hub_id', 'day', 'user_id', name=op.f('uq_hub_check_ins_hub_id_day_user_id')),
    # Ids never come back on SQLite, as for the attendance days.
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('hub_check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hub_check_ins_checked_in_by_id'), ['checked_in_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hub_check_ins_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hub_check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hub_check_ins_user_id'))
        batch_op.drop_index(batch_op.f('ix_hub_check_ins_checked_in_by_id'))
    op.drop_table('hub_check_ins')
