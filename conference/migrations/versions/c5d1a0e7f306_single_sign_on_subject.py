"""single sign-on: the company account each person logs in with

Revision ID: c5d1a0e7f306
Revises: c5d1a0e7f305
Create Date: 2026-11-23 05:00:00.000000

Accounts made or linked by logging in through the company's OpenID Connect provider remember
its issuer and subject, so the next log-in finds the same account even after an e-mail
change. Downgrading forgets the links (the accounts stay; those made by single sign-on have
no password and can set one through a password reset).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f306'
down_revision = 'c5d1a0e7f305'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=400), nullable=True))
        batch_op.create_unique_constraint('uq_users_sso_subject', ['sso_subject'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_sso_subject', type_='unique')
        batch_op.drop_column('sso_subject')
