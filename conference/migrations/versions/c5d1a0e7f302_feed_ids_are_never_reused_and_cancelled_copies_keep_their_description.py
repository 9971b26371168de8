"""feed ids are never reused, and cancelled copies keep their description

Revision ID: c5d1a0e7f302
Revises: c5d1a0e7f301
Create Date: 2026-11-23 04:30:00.000000

Track and hub feeds are found by the row's id (``/c/<slug>/tracks/<id>/calendar.ics``). On
SQLite a table without AUTOINCREMENT gives the highest id again once its row is deleted, so a
new track or hub took a deleted one's feed URL and the records its removed feed cancels. Both
tables are rebuilt with AUTOINCREMENT on SQLite, and their counter starts past every id a
removed feed still answers for. PostgreSQL sequences never hand an id out twice: nothing to do.

A feed's record of a talk keeps a snapshot of what the feed last sent (dc0f115c0866); it now
holds the abstract and the speakers too, so a cancelled copy repeats the description the
subscriber had. Feeds have always sent the talk's current abstract and speakers, so existing
snapshots take those; records without a snapshot keep none (they fall back as before), and a
snapshot whose abstract or speakers are null leaves them out of its cancelled copy. Downgrading
drops those two entries of the snapshots and the AUTOINCREMENT (SQLite may reuse ids again).
"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5d1a0e7f302'
down_revision = 'c5d1a0e7f301'
branch_labels = None
depends_on = None

# The feeds of each table, by the kinds of their records (`conference.feeds.membership`).
FEED_KINDS = {'tracks': ('track', 'removed-track'), 'hubs': ('hub', 'removed-hub')}
CHUNK_SIZE = 1000
# As `conference.feeds.published.clean_text`, frozen here: what the feeds sent.
_CONTROL_CHARACTERS = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]')

memberships = sa.table(
    'feed_memberships',
    sa.column('id', sa.Integer),
    sa.column('entry_id', sa.Integer),
    sa.column('kind', sa.String(16)),
    sa.column('subject_id', sa.Integer),
    sa.column('sent', sa.JSON(none_as_null=True)),
)
entries = sa.table('calendar_entries', sa.column('id', sa.Integer), sa.column('proposal_id', sa.Integer))
proposals = sa.table('proposals', sa.column('id', sa.Integer), sa.column('abstract_text', sa.Text))
speakers = sa.table(
    'proposal_speakers',
    sa.column('id', sa.Integer),
    sa.column('proposal_id', sa.Integer),
    sa.column('user_id', sa.Integer),
    sa.column('invitation_state', sa.String(16)),
)
users = sa.table('users', sa.column('id', sa.Integer), sa.column('display_name', sa.String(120)))


def _clean_text(text):
    if not text:
        return ''
    return _CONTROL_CHARACTERS.sub('', text.replace('\r\n', '\n').replace('\r', '\n'))


def _single_line(text):
    return ' '.join(_clean_text(text).split())


def _never_reuse_ids(table_name):
    bind = op.get_bind()
    with op.batch_alter_table(table_name, recreate='always', table_kwargs={'sqlite_autoincrement': True}):
        pass
    table = sa.table(table_name, sa.column('id', sa.Integer))
    highest = max(
        bind.scalar(sa.select(sa.func.max(table.c.id))) or 0,
        bind.scalar(
            sa.select(sa.func.max(memberships.c.subject_id)).where(memberships.c.kind.in_(FEED_KINDS[table_name]))
        )
        or 0,
    )
    sequence = sa.table('sqlite_sequence', sa.column('name', sa.String), sa.column('seq', sa.Integer))
    bind.execute(sequence.delete().where(sequence.c.name == table_name))
    if highest:
        bind.execute(sequence.insert().values(name=table_name, seq=highest))


def _snapshot_rows(bind, after_id):
    return bind.execute(
        sa.select(memberships.c.id, memberships.c.sent, entries.c.proposal_id, proposals.c.abstract_text)
        .join(entries, entries.c.id == memberships.c.entry_id)
        .join(proposals, proposals.c.id == entries.c.proposal_id)
        .where(memberships.c.sent.is_not(None), memberships.c.id > after_id)
        .order_by(memberships.c.id)
        .limit(CHUNK_SIZE)
    ).all()


def _accepted_speakers(bind, proposal_ids):
    found = {proposal_id: [] for proposal_id in proposal_ids}
    rows = bind.execute(
        sa.select(speakers.c.proposal_id, speakers.c.user_id, users.c.display_name)
        .join(users, users.c.id == speakers.c.user_id)
        .where(speakers.c.proposal_id.in_(proposal_ids), speakers.c.invitation_state == 'accepted')
        .order_by(speakers.c.id)
    )
    for proposal_id, user_id, display_name in rows:
        found[proposal_id].append([user_id, _single_line(display_name)])
    return found


def _rewrite_snapshots(change):
    """Apply ``change(snapshot, row)`` to every stored snapshot, a chunk at a time."""
    bind = op.get_bind()
    update = (
        memberships.update()
        .where(memberships.c.id == sa.bindparam('record'))
        .values(sent=sa.bindparam('snapshot', type_=memberships.c.sent.type))
    )
    after_id = 0
    while rows := _snapshot_rows(bind, after_id):
        after_id = rows[-1].id
        speakers_by_proposal = _accepted_speakers(bind, {row.proposal_id for row in rows})
        changed = []
        for row in rows:
            if not isinstance(row.sent, dict):
                continue
            changed.append({'record': row.id, 'snapshot': change(dict(row.sent), row, speakers_by_proposal)})
        if changed:
            bind.execute(update, changed)


def _with_description(snapshot, row, speakers_by_proposal):
    snapshot.setdefault('abstract', _clean_text(row.abstract_text))
    snapshot.setdefault('speakers', speakers_by_proposal[row.proposal_id])
    return snapshot


def _without_description(snapshot, _row, _speakers_by_proposal):
    snapshot.pop('abstract', None)
    snapshot.pop('speakers', None)
    return snapshot


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for table_name in FEED_KINDS:
            _never_reuse_ids(table_name)
    _rewrite_snapshots(_with_description)


def downgrade():
    _rewrite_snapshots(_without_description)
    if op.get_bind().dialect.name == 'sqlite':
        for table_name in FEED_KINDS:
            with op.batch_alter_table(table_name, recreate='always', table_kwargs={'sqlite_autoincrement': False}):
                pass
