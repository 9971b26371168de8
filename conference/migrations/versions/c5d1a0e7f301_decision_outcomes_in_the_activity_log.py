"""each decision outcome has its own activity action

Revision ID: c5d1a0e7f301
Revises: a7c3e9f1b254
Create Date: 2026-11-23 04:30:00.000000

Decisions were all logged as ``proposal_decided`` with the outcome in the details, so the log
could not be filtered by outcome. Each outcome now has its action; old entries whose details
name their outcome get it (their details, kept as they were, still do), and those that do not
stay ``proposal_decided``, which the application still reads. The action column is a string
(a non-native enum without a CHECK constraint on either database), so only its values change.

Downgrading gives the outcome entries back their shared action, and deletes the entries of
the actions added with it (group e-mails, reminders, the draft editor's changes): the
application before this revision reads only the actions it knew and would fail on them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f301'
down_revision = 'a7c3e9f1b254'
branch_labels = None
depends_on = None

DECIDED = 'proposal_decided'
OUTCOME_ACTIONS = {
    'accepted': 'proposal_accepted',
    'rejected': 'proposal_rejected',
    'waitlisted': 'proposal_waitlisted',
}
ADDED_ACTIONS = (
    'confirmation_reminders_queued', 'review_reminders_queued', 'group_email_queued',
    'draft_talk_moved', 'draft_talk_placed', 'draft_talk_unscheduled', 'draft_talk_pinned',
    'draft_talk_unpinned',
)
CHUNK = 500

entries = sa.table(
    'activity_entries',
    sa.column('id', sa.Integer()),
    sa.column('action', sa.String(32)),
    sa.column('details', sa.JSON()),
)


def _set_action(connection, ids: list[int], action: str) -> None:
    for start in range(0, len(ids), CHUNK):
        connection.execute(
            sa.update(entries).where(entries.c.id.in_(ids[start:start + CHUNK])).values(action=action)
        )


def upgrade():
    connection = op.get_bind()
    # The outcome is in the JSON details; reading them in Python works the same on SQLite and
    # PostgreSQL (a plain JSON column there, not JSONB).
    by_action: dict[str, list[int]] = {}
    for entry_id, details in connection.execute(
        sa.select(entries.c.id, entries.c.details).where(entries.c.action == DECIDED).order_by(entries.c.id)
    ):
        state = details.get('state') if isinstance(details, dict) else None
        if state in OUTCOME_ACTIONS:
            by_action.setdefault(OUTCOME_ACTIONS[state], []).append(entry_id)
    for action, ids in by_action.items():
        _set_action(connection, ids, action)


def downgrade():
    connection = op.get_bind()
    connection.execute(
        sa.update(entries).where(entries.c.action.in_(tuple(OUTCOME_ACTIONS.values()))).values(action=DECIDED)
    )
    connection.execute(sa.delete(entries).where(entries.c.action.in_(ADDED_ACTIONS)))
