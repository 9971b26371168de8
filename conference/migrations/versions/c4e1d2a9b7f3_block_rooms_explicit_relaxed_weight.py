"""open rooms are explicit for every block; the relaxed-rule penalty is kept on its own

Revision ID: c4e1d2a9b7f3
Revises: ba777686a98c
Create Date: 2026-11-22 09:30:00.000000

Before, a block with no open-room rows was open to every room for the solver while the editor
treated it as closed. Such blocks get a row for every room of their conference, so the solver
sees what it saw before and the setup grid now shows it. The relaxed-rule penalty moves to its
own column so that it survives while no rule is relaxed.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1d2a9b7f3'
down_revision = 'ba777686a98c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schedule_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('relaxed_weight', sa.Integer(), nullable=True))

    connection = op.get_bind()
    settings = sa.table(
        'schedule_settings',
        sa.column('id', sa.Integer()),
        sa.column('relaxed_rules', sa.JSON()),
        sa.column('relaxed_weight', sa.Integer()),
    )
    for row in connection.execute(sa.select(settings.c.id, settings.c.relaxed_rules)).all():
        weights = [v for v in (row.relaxed_rules or {}).values() if isinstance(v, int) and v > 0]
        if weights:
            connection.execute(
                settings.update().where(settings.c.id == row.id).values(relaxed_weight=max(weights))
            )

    blocks = sa.table('schedule_blocks', sa.column('id', sa.Integer()), sa.column('conference_id', sa.Integer()))
    rooms = sa.table('rooms', sa.column('id', sa.Integer()), sa.column('conference_id', sa.Integer()))
    block_rooms = sa.table(
        'schedule_block_rooms', sa.column('block_id', sa.Integer()), sa.column('room_id', sa.Integer())
    )
    configured = sa.select(block_rooms.c.block_id)
    missing = connection.execute(
        sa.select(blocks.c.id, rooms.c.id.label('room_id'))
        .join(rooms, rooms.c.conference_id == blocks.c.conference_id)
        .where(blocks.c.id.not_in(configured))
    ).all()
    if missing:
        connection.execute(
            block_rooms.insert(), [{'block_id': block_id, 'room_id': room_id} for block_id, room_id in missing]
        )


def downgrade():
    with op.batch_alter_table('schedule_settings', schema=None) as batch_op:
        batch_op.drop_column('relaxed_weight')
