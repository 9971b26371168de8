"""recording consent may be unanswered

Revision ID: dcf42346a337
Revises: 49240fed043e
Create Date: 2026-11-22 22:00:00.000000

A speaker's recording consent becomes yes, no or not answered (NULL), and a recording is
published only with every speaker's yes. Existing profiles keep their stored value: a True
saved because the box was left ticked cannot be told from one the speaker meant, so those stay
consents. Profiles created from now on start unanswered. Downgrading turns "not answered" into
no, the only reading of it that publishes nothing the speaker did not agree to.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dcf42346a337'
down_revision = '49240fed043e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('speaker_profiles', schema=None) as batch_op:
        batch_op.alter_column('recording_consent', existing_type=sa.Boolean(), nullable=True)


def downgrade():
    profiles = sa.table('speaker_profiles', sa.column('recording_consent', sa.Boolean()))
    op.execute(
        profiles.update()
        .where(profiles.c.recording_consent.is_(None))
        .values(recording_consent=False)
    )
    with op.batch_alter_table('speaker_profiles', schema=None) as batch_op:
        batch_op.alter_column('recording_consent', existing_type=sa.Boolean(), nullable=False)
