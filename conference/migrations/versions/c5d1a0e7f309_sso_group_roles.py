"""single sign-on: roles given by the company's groups

Revision ID: c5d1a0e7f309
Revises: c5d1a0e7f308
Create Date: 2026-11-23 08:00:00.000000

Organisers' rules "members of company group G get role R at this conference"
(``group_role_rules``), and where a right came from: the conference roles a rule gave
(``group_granted_roles``) and the site-admin rights OIDC_ADMIN_GROUPS gave
(``group_granted_site_admins``), each with the group the pages name as its source, so a
later log-in takes back only those. New tables only:
every existing role and admin right counts as given by hand.
"""
import sqlalchemy as sa
from alembic import op

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f309'
down_revision = 'c5d1a0e7f308'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('group_role_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('organiser', 'reviewer', 'speaker', 'attendee', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_group_role_rules_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_role_rules')),
    sa.UniqueConstraint('conference_id', 'group_name', 'role', name=op.f('uq_group_role_rules_conference_id_group_name_role'))
    )
    op.create_table('group_granted_roles',
    sa.Column('conference_role_id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['conference_role_id'], ['conference_roles.id'], name=op.f('fk_group_granted_roles_conference_role_id_conference_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conference_role_id', name=op.f('pk_group_granted_roles'))
    )
    op.create_table('group_granted_site_admins',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_granted_site_admins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_group_granted_site_admins'))
    )


def downgrade():
    op.drop_table('group_granted_site_admins')
    op.drop_table('group_granted_roles')
    op.drop_table('group_role_rules')
