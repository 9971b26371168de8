"""access codes outlive the track or format they are limited to

Revision ID: c5d1a0e7f303
Revises: c5d1a0e7f302
Create Date: 2026-11-23 04:30:00.000000

Deleting a track or format used to delete the access codes limited to it (their foreign keys
cascaded), and the proposals submitted with them lost their code. Now such a code is revoked
and keeps the deleted track's or format's name; the database refuses to delete a track or
format a code still points to. Existing codes are unchanged.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f303'
down_revision = 'c5d1a0e7f302'
branch_labels = None
depends_on = None


def _limits_refer(batch_op, ondelete):
    batch_op.drop_constraint(batch_op.f('fk_access_codes_track_id_tracks'), type_='foreignkey')
    batch_op.drop_constraint(batch_op.f('fk_access_codes_session_format_id_session_formats'), type_='foreignkey')
    batch_op.create_foreign_key(
        batch_op.f('fk_access_codes_track_id_tracks'), 'tracks', ['track_id'], ['id'], ondelete=ondelete
    )
    batch_op.create_foreign_key(
        batch_op.f('fk_access_codes_session_format_id_session_formats'), 'session_formats',
        ['session_format_id'], ['id'], ondelete=ondelete,
    )


def upgrade():
    with op.batch_alter_table('access_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_track_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('deleted_session_format_name', sa.String(length=100), nullable=True))
        _limits_refer(batch_op, None)


def downgrade():
    # Codes limited to a deleted track or format stay: they were revoked with it, so they grant
    # nothing even when their limit's name is gone.
    with op.batch_alter_table('access_codes', schema=None) as batch_op:
        _limits_refer(batch_op, 'CASCADE')
        batch_op.drop_column('deleted_session_format_name')
        batch_op.drop_column('deleted_track_name')
