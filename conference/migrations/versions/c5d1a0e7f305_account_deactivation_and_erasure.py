"""account deactivation and erasure

Revision ID: c5d1a0e7f305
Revises: c5d1a0e7f304
Create Date: 2026-11-23 04:30:00.000000

Site admins deactivate accounts (when, by whom, why) and erase an account's personal data;
existing accounts are untouched: active, never deactivated, never erased.
"""
import sqlalchemy as sa
from alembic import op

import conference.core.types

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f305'
down_revision = 'c5d1a0e7f304'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', conference.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deactivated_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deactivation_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('erased_at', conference.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_deactivated_by_id_users'), 'users', ['deactivated_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_deactivated_by_id_users'), type_='foreignkey')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('deactivation_reason')
        batch_op.drop_column('deactivated_by_id')
        batch_op.drop_column('deactivated_at')
