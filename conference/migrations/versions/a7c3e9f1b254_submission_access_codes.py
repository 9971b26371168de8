"""submission access codes

Revision ID: a7c3e9f1b254
Revises: e4b7c2a9d816
Create Date: 2026-11-23 01:30:00.000000

Organisers hand access codes to particular people so they can submit outside the call's window
or into tracks and formats offered only with a code. Existing tracks and formats stay open to
everyone; proposals remember the code they were submitted with. Downgrading drops the codes and
the "only with an access code" flags, which opens those tracks and formats to everyone again.
"""
from alembic import op
import sqlalchemy as sa

import conference.core.types


# revision identifiers, used by Alembic.
revision = 'a7c3e9f1b254'
down_revision = 'e4b7c2a9d816'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('session_format_id', sa.Integer(), nullable=True),
    sa.Column('valid_until', conference.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('max_uses', sa.Integer(), nullable=True),
    sa.Column('times_used', sa.Integer(), server_default='0', nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', conference.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', conference.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_access_codes_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_access_codes_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_format_id'], ['session_formats.id'], name=op.f('fk_access_codes_session_format_id_session_formats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_access_codes_track_id_tracks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_access_codes_code'))
    )
    with op.batch_alter_table('access_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_codes_conference_id'), ['conference_id'], unique=False)

    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_access_code', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('session_formats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_access_code', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_code_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_proposals_access_code_id_access_codes'), 'access_codes', ['access_code_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposals_access_code_id_access_codes'), type_='foreignkey')
        batch_op.drop_column('access_code_id')

    with op.batch_alter_table('session_formats', schema=None) as batch_op:
        batch_op.drop_column('requires_access_code')

    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_column('requires_access_code')

    with op.batch_alter_table('access_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_codes_conference_id'))

    op.drop_table('access_codes')
