"""starred change e-mails

Revision ID: 4c2a7e9b1d35
Revises: 8d3e1f5a2c70
Create Date: 2026-11-23 10:05:00.000000

People are e-mailed when a talk they starred moves or is cancelled in a newly published
version, unless they turn it off on their account page. Everyone starts with it on.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4c2a7e9b1d35'
down_revision = '8d3e1f5a2c70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starred_change_emails', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('starred_change_emails')
