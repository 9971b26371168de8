"""solver runs record their options

Revision ID: 5c91de8aa821
Revises: 3a8e5c1f7b20
Create Date: 2026-11-23 09:00:00.000000

A run stores what it was asked (whether re-optimising places the talks not in the draft, the
talks that concerns, the run a largest subset follows) so the worker, the run page and "Try
again" read it from the row. Existing runs get an empty object: nothing was recorded for them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c91de8aa821'
down_revision = '3a8e5c1f7b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solver_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('options', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('solver_runs', schema=None) as batch_op:
        batch_op.drop_column('options')
