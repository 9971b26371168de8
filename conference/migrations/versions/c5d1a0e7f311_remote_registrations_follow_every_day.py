"""remote registrations made before remote days could be chosen follow every day

Revision ID: c5d1a0e7f311
Revises: c5d1a0e7f310
Create Date: 2026-11-23 14:00:00.000000

Remote attendees now choose the days they follow: one ``attendance_days`` row per day, always
registered, with no seat. Remote registrations saved before that have no day rows, so they
counted on no day. They signed up for the whole conference, so each of them gets a row for
every day of its conference (``starts_on`` to ``ends_on``), requested when they registered.
Registrations that already have days are left alone, so running this again adds nothing.

Downgrading changes no data: the rows stay, and the application before this revision reads
them as the remote days it already knows.
"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa

from conference.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f311'
down_revision = 'c5d1a0e7f310'
branch_labels = None
depends_on = None

CHUNK = 500

conferences = sa.table(
    'conferences',
    sa.column('id', sa.Integer()),
    sa.column('starts_on', sa.Date()),
    sa.column('ends_on', sa.Date()),
)
registrations = sa.table(
    'attendance_registrations',
    sa.column('id', sa.Integer()),
    sa.column('conference_id', sa.Integer()),
    sa.column('mode', sa.String(16)),
    sa.column('created_at', UTCDateTime(timezone=True)),
)
days = sa.table(
    'attendance_days',
    sa.column('registration_id', sa.Integer()),
    sa.column('day', sa.Date()),
    sa.column('status', sa.String(16)),
    sa.column('requested_at', UTCDateTime(timezone=True)),
    sa.column('seated_at', UTCDateTime(timezone=True)),
)


def upgrade():
    connection = op.get_bind()
    without_days = connection.execute(
        sa.select(registrations.c.id, registrations.c.created_at, conferences.c.starts_on, conferences.c.ends_on)
        .join(conferences, conferences.c.id == registrations.c.conference_id)
        .where(
            registrations.c.mode == 'remote',
            ~sa.exists().where(days.c.registration_id == registrations.c.id),
        )
        .order_by(registrations.c.id)
    ).all()
    rows = [
        {
            'registration_id': registration_id,
            'day': starts_on + timedelta(days=offset),
            'status': 'registered',  # a remote day takes no seat and never waits
            'requested_at': created_at,
            'seated_at': None,
        }
        for registration_id, created_at, starts_on, ends_on in without_days
        for offset in range((ends_on - starts_on).days + 1)
    ]
    for start in range(0, len(rows), CHUNK):
        connection.execute(days.insert(), rows[start:start + CHUNK])


def downgrade():
    # Nothing to undo: the days stay (see the docstring).
    pass
