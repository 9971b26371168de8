"""Migration c5d1a0e7f302: track and hub ids are never reused; snapshots keep the description.

Plain SQL only: the models describe the newest schema, not the one at these revisions.
"""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from conference.extensions import db as _db
from tests.conftest import make_test_app

BEFORE, AFTER = "c5d1a0e7f301", "c5d1a0e7f302"
OLD_SNAPSHOT = (
    '{"starts_at": "2027-03-24T09:00:00+00:00", "ends_at": "2027-03-24T09:30:00+00:00", "zone": "UTC",'
    ' "title": "Flags", "room": "Thames", "hub": "London", "track": "Platform"}'
)


def _insert_world(connection) -> None:
    for statement in (
        "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
        " created_at, feed_revision) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
        " '2026-01-01 00:00:00', 0)",
        "INSERT INTO session_formats (id, conference_id, name, duration_minutes) VALUES (1, 1, 'Talk', 30)",
        "INSERT INTO tracks (id, conference_id, name, description, colour) VALUES (1, 1, 'Platform', '', '#000000'),"
        " (2, 1, 'Data', '', '#000000')",
        "INSERT INTO hubs (id, conference_id, name, time_zone, working_day_starts, working_day_ends) VALUES"
        " (1, 1, 'London', 'Europe/London', '09:00:00', '17:30:00')",
        "INSERT INTO users (id, email, display_name, name_key, password_hash, time_zone, session_token,"
        " is_active_account, is_site_admin, created_at) VALUES (1, 'ada@example.com', 'Ada  Lovelace', 'ada',"
        " 'x', 'UTC', 't1', true, false, '2026-01-01 00:00:00'), (2, 'bo@example.com', 'Bo', 'bo', 'x', 'UTC',"
        " 't2', true, false, '2026-01-01 00:00:00')",
        "INSERT INTO proposals (id, conference_id, title, abstract, abstract_text, session_format_id, track_id,"
        " audience_level, notes_to_organisers, state, created_at, updated_at, lock_version) VALUES"
        " (1, 1, 'Flags', 'Ship **safely**', 'Ship safely\r\nand often', 1, 1, 'beginner', '', 'confirmed',"
        " '2026-12-01 00:00:00', '2026-12-01 00:00:00', 1)",
        "INSERT INTO proposal_speakers (id, proposal_id, user_id, role, invitation_state) VALUES"
        " (1, 1, 1, 'submitter', 'accepted'), (2, 1, 2, 'co_speaker', 'invited')",
        "INSERT INTO calendar_entries (id, conference_id, proposal_id, uid, sequence, fingerprint, cancelled,"
        " last_modified, starts_at, ends_at) VALUES (1, 1, 1, 'talk-1@c', 3, '', false,"
        " '2026-12-01 00:00:00', '2027-03-24 09:00:00', '2027-03-24 09:30:00')",
        # A track's record with a snapshot; a removed track's (id 5, past every track's) without
        # one; a removed hub's (id 9) with one.
        "INSERT INTO feed_memberships (id, entry_id, kind, subject_id, in_feed, sequence_offset, changed_at, sent)"
        f" VALUES (1, 1, 'track', 1, true, 0, '2026-12-01 00:00:00', '{OLD_SNAPSHOT}'),"
        " (2, 1, 'removed-track', 5, false, 1, '2026-12-02 00:00:00', NULL),"
        f" (3, 1, 'removed-hub', 9, false, 1, '2026-12-02 00:00:00', '{OLD_SNAPSHOT}')",
    ):
        connection.execute(text(statement))


def _snapshots(connection) -> list:
    rows = connection.execute(text("SELECT sent FROM feed_memberships ORDER BY id")).scalars().all()
    return [json.loads(row) if isinstance(row, str) else row for row in rows]


def _table_sql(connection, name: str) -> str:
    return connection.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": name}).scalar_one()


def test_new_tracks_and_hubs_take_ids_past_every_removed_feed_and_snapshots_get_the_description(
    unmigrated_app
):
    upgrade(revision=BEFORE)
    with _db.engine.begin() as connection:
        _insert_world(connection)
    upgrade(revision=AFTER)
    sqlite = _db.engine.dialect.name == "sqlite"
    with _db.engine.begin() as connection:
        upgraded = _snapshots(connection)
        kept = connection.execute(text("SELECT id, name FROM tracks ORDER BY id")).all()
        track_of_talk = connection.execute(text("SELECT track_id FROM proposals")).scalar_one()
        if sqlite:
            autoincrement = ["AUTOINCREMENT" in _table_sql(connection, name) for name in ("tracks", "hubs")]
            connection.execute(text(
                "INSERT INTO tracks (conference_id, name, description, colour) VALUES (1, 'New', '', '#000000')"))
            connection.execute(text(
                "INSERT INTO hubs (conference_id, name, time_zone, working_day_starts, working_day_ends)"
                " VALUES (1, 'Berlin', 'Europe/Berlin', '09:00:00', '17:30:00')"))
            new_ids = [connection.execute(text(f"SELECT max(id) FROM {name}")).scalar() for name in ("tracks", "hubs")]
            dangling = connection.execute(text("PRAGMA foreign_key_check")).all()
    downgrade(revision=BEFORE)
    with _db.engine.connect() as connection:
        downgraded = _snapshots(connection)
        if sqlite:
            still_autoincrement = ["AUTOINCREMENT" in _table_sql(connection, name) for name in ("tracks", "hubs")]

    description = {"abstract": "Ship safely\nand often", "speakers": [[1, "Ada Lovelace"]]}
    old = json.loads(OLD_SNAPSHOT)
    assert upgraded == [{**old, **description}, None, {**old, **description}]
    assert downgraded == [old, None, old]
    assert kept == [(1, "Platform"), (2, "Data")] and track_of_talk == 1
    if sqlite:
        assert autoincrement == [True, True]
        assert new_ids == [6, 10]  # past the removed track 5 and the removed hub 9
        assert dangling == []
        assert still_autoincrement == [False, False]


def test_tracks_and_hubs_keep_autoincrement_at_the_newest_revision(tmp_path):
    """A later batch migration rebuilding these tables must keep AUTOINCREMENT (reflection loses it)."""
    app = make_test_app(f"sqlite:///{tmp_path / 'migrated.db'}", create_schema=False)
    with app.app_context():
        upgrade()
        wanted = sorted(
            table.name for table in _db.metadata.sorted_tables if table.dialect_options["sqlite"]["autoincrement"]
        )
        with _db.engine.connect() as connection:
            found = sorted(name for name in wanted if "AUTOINCREMENT" in _table_sql(connection, name))
        _db.engine.dispose()
    assert wanted == found
    assert {"hubs", "tracks", "attendance_days"} <= set(wanted)
