"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from conference.archive.models import POSTGRESQL_SEARCH_INDEX, SQLITE_SEARCH_TABLE, is_search_object
from conference.extensions import db


def test_migrations_upgrade_matches_models(unmigrated_app):
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda _o, name, *_: not is_search_object(name),
            },
        )
        differences = compare_metadata(context, db.metadata)
        inspector = inspect(connection)
        if connection.dialect.name == "sqlite":
            search_structure_present = SQLITE_SEARCH_TABLE in inspector.get_table_names()
        else:
            index_names = {i["name"] for i in inspector.get_indexes("archive_entries")}
            search_structure_present = POSTGRESQL_SEARCH_INDEX in index_names
    assert differences == []
    assert search_structure_present


def test_upgrade_opens_every_room_in_unconfigured_blocks_and_keeps_the_relaxed_penalty(unmigrated_app):
    """Blocks saved with no open-room rows were open to every room for the solver: the migration
    writes those rows, leaves configured blocks alone, and moves the relaxed-rule penalty to its column."""
    upgrade(revision="ba777686a98c")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00')"))
        for room_id in (1, 2):
            connection.execute(text(
                "INSERT INTO rooms (id, conference_id, name, capacity, has_streaming, has_recording)"
                f" VALUES ({room_id}, 1, 'Room {room_id}', 10, false, false)"))
        for block_id in (1, 2):
            connection.execute(text(
                "INSERT INTO schedule_blocks (id, conference_id, name, starts_at, ends_at)"
                f" VALUES ({block_id}, 1, 'Block {block_id}', '2027-03-24 09:00:00', '2027-03-24 12:00:00')"))
        connection.execute(text("INSERT INTO schedule_block_rooms (block_id, room_id) VALUES (2, 2)"))
        connection.execute(text(
            "INSERT INTO schedule_settings (conference_id, slot_minutes, weights, relaxed_rules,"
            " time_limit_seconds, updated_at) VALUES (1, 15, '{}', '{\"person-unavailable\": 5000}', 60,"
            " '2026-01-01 00:00:00')"))
    upgrade()
    with db.engine.connect() as connection:
        pairs = set(connection.execute(text("SELECT block_id, room_id FROM schedule_block_rooms")).all())
        weight = connection.execute(text("SELECT relaxed_weight FROM schedule_settings")).scalar_one()
    assert pairs == {(1, 1), (1, 2), (2, 2)}
    assert weight == 5000


def test_upgrade_records_an_availability_answer_for_every_speaker_with_windows(unmigrated_app):
    """Windows saved before answers were recorded are answers: each such speaker gets one row,
    and a speaker with no window stays "never said" (available at any time)."""
    upgrade(revision="e8f5a3c1d6b2")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00')"))
        for user_id in (1, 2):
            connection.execute(text(
                "INSERT INTO users (id, email, display_name, password_hash, time_zone, session_token,"
                " is_active_account, is_site_admin, created_at) VALUES"
                f" ({user_id}, 'u{user_id}@example.com', 'U{user_id}', 'x', 'UTC', 't{user_id}', true,"
                " false, '2026-01-01 00:00:00')"))
        for hour in (9, 13):
            connection.execute(text(
                "INSERT INTO availability_windows (conference_id, user_id, starts_at, ends_at) VALUES"
                f" (1, 1, '2027-03-24 {hour:02d}:00:00', '2027-03-24 {hour + 2:02d}:00:00')"))
    upgrade()
    with db.engine.connect() as connection:
        answers = connection.execute(text("SELECT conference_id, user_id FROM availability_answers")).all()
    assert answers == [(1, 1)]


def test_questions_of_the_call_upgrade_and_downgrade_leave_proposals_alone(unmigrated_app):
    """cd314776944b only adds the question and answer tables: existing proposals are untouched
    on the way up and on the way down, and the answers go with the tables."""
    upgrade(revision="9d3f6b2a8e17")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO session_formats (id, conference_id, name, duration_minutes) VALUES (1, 1, 'Talk', 30)"))
        connection.execute(text(
            "INSERT INTO proposals (id, conference_id, title, abstract, abstract_text, session_format_id,"
            " audience_level, notes_to_organisers, state, created_at, updated_at, lock_version) VALUES"
            " (1, 1, 'Flags', 'A', 'A', 1, 'beginner', '', 'submitted', '2026-12-01 00:00:00',"
            " '2026-12-01 00:00:00', 1)"))
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO cfp_questions (id, conference_id, text, help_text, kind, options, required,"
            " reviewer_visibility, position, active) VALUES (1, 1, 'Takeaway?', '', 'choice',"
            " '[\"Yes\", \"No\"]', true, 'unless_anonymised', 1, true)"))
        connection.execute(text(
            "INSERT INTO cfp_question_session_formats (question_id, session_format_id) VALUES (1, 1)"))
        connection.execute(text(
            "INSERT INTO cfp_answers (proposal_id, question_id, value) VALUES (1, 1, 'Yes')"))
    with db.engine.connect() as connection:
        answers = connection.execute(text("SELECT proposal_id, question_id, value FROM cfp_answers")).all()
    downgrade(revision="9d3f6b2a8e17")
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        proposals = connection.execute(text("SELECT id, title, lock_version FROM proposals")).all()
    upgrade()
    with db.engine.connect() as connection:
        answers_after = connection.execute(text("SELECT count(*) FROM cfp_answers")).scalar_one()
    assert answers == [(1, 1, "Yes")]
    assert not tables & {"cfp_questions", "cfp_answers", "cfp_question_tracks", "cfp_question_session_formats"}
    assert proposals == [(1, "Flags", 1)]
    assert answers_after == 0


def test_search_keys_are_filled_for_existing_people_and_emails(unmigrated_app):
    """3a8e5c1f7b20 folds the names and e-mails already stored, so the people list and the
    outbox find them by the same rule as rows written afterwards."""
    upgrade(revision="cd314776944b")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, email, display_name, password_hash, time_zone, session_token,"
            " is_active_account, is_site_admin, created_at) VALUES (1, 'Ana@Example.com',"
            " 'Ana  García Straße', 'x', 'UTC', 't', true, false, '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO outbox_messages (id, dedupe_key, recipient, subject, body, state, attempts,"
            " next_attempt_at, last_error, created_at) VALUES (1, 'k', 'Ana@Example.com',"
            " 'Änderung: Zeitplan', 'B', 'sent', 1, '2026-01-01 00:00:00', '', '2026-01-01 00:00:00')"))
    upgrade(revision="3a8e5c1f7b20")
    with db.engine.connect() as connection:
        name_key = connection.execute(text("SELECT name_key FROM users")).scalar_one()
        search_key = connection.execute(text("SELECT search_key FROM outbox_messages")).scalar_one()
    assert name_key == "ana garcia strasse"
    assert search_key == "ana@example.com\nanderung: zeitplan"


def test_feed_records_keep_their_rows_when_snapshots_are_added_and_dropped(unmigrated_app):
    """dc0f115c0866 adds the snapshot of what a feed sent: existing records keep their columns
    with none (filled on the feed's next render); downgrading drops the snapshots and the records
    of removed tracks' and hubs' feeds (which the older code deleted with the row)."""
    upgrade(revision="dcf42346a337")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at, feed_revision) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00', 0)"))
        connection.execute(text(
            "INSERT INTO session_formats (id, conference_id, name, duration_minutes) VALUES (1, 1, 'Talk', 30)"))
        connection.execute(text(
            "INSERT INTO proposals (id, conference_id, title, abstract, abstract_text, session_format_id,"
            " audience_level, notes_to_organisers, state, created_at, updated_at, lock_version) VALUES"
            " (1, 1, 'Flags', 'A', 'A', 1, 'beginner', '', 'confirmed', '2026-12-01 00:00:00',"
            " '2026-12-01 00:00:00', 1)"))
        connection.execute(text(
            "INSERT INTO calendar_entries (id, conference_id, proposal_id, uid, sequence, fingerprint,"
            " cancelled, last_modified, starts_at, ends_at) VALUES (1, 1, 1, 'talk-1@c', 3, '', false,"
            " '2026-12-01 00:00:00', '2027-03-24 09:00:00', '2027-03-24 09:30:00')"))
        connection.execute(text(
            "INSERT INTO feed_memberships (id, entry_id, kind, subject_id, in_feed, sequence_offset,"
            " changed_at) VALUES (1, 1, 'hub', 4, true, 0, '2026-12-01 00:00:00'),"
            " (2, 1, 'track', 5, false, 1, '2026-12-02 00:00:00')"))
    upgrade(revision="dc0f115c0866")
    columns = "entry_id, kind, subject_id, in_feed, sequence_offset"
    with db.engine.begin() as connection:
        upgraded = connection.execute(text(f"SELECT {columns}, sent FROM feed_memberships ORDER BY id")).all()
        connection.execute(text(
            "INSERT INTO feed_memberships (id, entry_id, kind, subject_id, in_feed, sequence_offset,"
            " changed_at, sent) VALUES (3, 1, 'removed-track', 6, false, 1, '2026-12-03 00:00:00',"
            " '{\"title\": \"Flags\"}')"))
    downgrade(revision="dcf42346a337")
    with db.engine.connect() as connection:
        names = {column["name"] for column in inspect(connection).get_columns("feed_memberships")}
        downgraded = connection.execute(text(f"SELECT {columns} FROM feed_memberships ORDER BY id")).all()
    assert upgraded == [(1, "hub", 4, True, 0, None), (1, "track", 5, False, 1, None)]
    assert "sent" not in names
    assert downgraded == [(1, "hub", 4, True, 0), (1, "track", 5, False, 1)]


def test_access_codes_keep_their_limits_and_proposals_across_c5d1a0e7f303(unmigrated_app):
    """c5d1a0e7f303 keeps every code as it was (no deleted limit) and, from then on, the database
    refuses to delete a track a code points to instead of deleting the code; down again, the
    codes are still there."""
    from sqlalchemy.exc import IntegrityError

    upgrade(revision="c5d1a0e7f302")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO tracks (id, conference_id, name, description, colour, requires_access_code)"
            " VALUES (1, 1, 'Keynotes', '', '#123456', true)"))
        connection.execute(text(
            "INSERT INTO session_formats (id, conference_id, name, duration_minutes, requires_access_code)"
            " VALUES (1, 1, 'Talk', 30, false)"))
        connection.execute(text(
            "INSERT INTO access_codes (id, conference_id, code, track_id, session_format_id, times_used,"
            " note, created_at) VALUES (1, 1, 'secret', 1, 1, 1, 'Ada', '2026-12-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO proposals (id, conference_id, title, abstract, abstract_text, session_format_id,"
            " track_id, access_code_id, audience_level, notes_to_organisers, state, created_at, updated_at,"
            " lock_version) VALUES (1, 1, 'Flags', 'A', 'A', 1, 1, 1, 'beginner', '', 'submitted',"
            " '2026-12-01 00:00:00', '2026-12-01 00:00:00', 1)"))
    upgrade(revision="c5d1a0e7f303")
    with db.engine.connect() as connection:
        upgraded = connection.execute(text(
            "SELECT track_id, session_format_id, deleted_track_name, deleted_session_format_name, note"
            " FROM access_codes")).all()
    refused = False
    try:
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM tracks WHERE id = 1"))
    except IntegrityError:
        refused = True
    downgrade(revision="c5d1a0e7f302")
    with db.engine.connect() as connection:
        downgraded = connection.execute(text("SELECT track_id, session_format_id, note FROM access_codes")).all()
        proposal_code = connection.execute(text("SELECT access_code_id FROM proposals")).scalar_one()
    assert upgraded == [(1, 1, None, None, "Ada")]
    assert refused
    assert downgraded == [(1, 1, "Ada")]
    assert proposal_code == 1
