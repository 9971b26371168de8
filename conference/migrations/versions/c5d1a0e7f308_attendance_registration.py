"""attendance registration

Revision ID: c5d1a0e7f308
Revises: c5d1a0e7f307
Create Date: 2026-11-23 05:00:00.000000

People say how they attend a conference: remotely, or in person at a hub on chosen days. Each
hub gets a nullable seat limit per day (``hubs.seat_limit``, no limit for existing hubs); each
requested hub day has a seat or waits for one; organisers set when registration is open. New
tables and one new nullable column: nothing existing changes.
"""
import sqlalchemy as sa
from alembic import op

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f308'
down_revision = 'c5d1a0e7f307'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hubs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seat_limit', sa.Integer(), nullable=True))

    op.create_table('attendance_windows',
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_attendance_windows_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conference_id', name=op.f('pk_attendance_windows'))
    )
    op.create_table('attendance_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('in_person', 'remote', name='attendancemode', native_enum=False, length=16), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=True),
    sa.Column('dietary_needs', sa.Text(), nullable=False),
    sa.Column('accessibility_needs', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_attendance_registrations_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_attendance_registrations_hub_id_hubs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attendance_registrations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_registrations')),
    sa.UniqueConstraint('conference_id', 'user_id', name=op.f('uq_attendance_registrations_conference_id_user_id'))
    )
    with op.batch_alter_table('attendance_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_registrations_hub_id'), ['hub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('attendance_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'waiting', name='seatstatus', native_enum=False, length=16), nullable=False),
    sa.Column('requested_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('seated_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['attendance_registrations.id'], name=op.f('fk_attendance_days_registration_id_attendance_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_days')),
    sa.UniqueConstraint('registration_id', 'day', name=op.f('uq_attendance_days_registration_id_day')),
    # Ids never come back on SQLite: the seat e-mail's key names the day rows it announces.
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('attendance_days', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_days_day_status', ['day', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('attendance_days', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_days_day_status')
    op.drop_table('attendance_days')

    with op.batch_alter_table('attendance_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_registrations_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_registrations_hub_id'))
    op.drop_table('attendance_registrations')
    op.drop_table('attendance_windows')

    # SQLite rebuilds the table to drop a column: keep its AUTOINCREMENT (hub ids, and so feed
    # URLs, are never reused).
    with op.batch_alter_table('hubs', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('seat_limit')
