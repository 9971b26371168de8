"""api tokens

Revision ID: 702a04269585
Revises: 5c91de8aa821
Create Date: 2026-11-23 10:00:00.000000

Organisers make named, revocable tokens with which other systems read a conference through the
read-only JSON API. Only each secret's SHA-256 is stored. A new table only.
"""
from alembic import op
import sqlalchemy as sa

import conference.core.types


# revision identifiers, used by Alembic.
revision = '702a04269585'
down_revision = '5c91de8aa821'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', conference.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', conference.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', conference.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_api_tokens_conference_id_conferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_tokens_secret_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_conference_id'), ['conference_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_conference_id'))

    op.drop_table('api_tokens')
