"""The migration that adds discussion followers: those who wrote in a discussion follow it."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from conference.extensions import db

BEFORE = "dcf42346a337"
FOLLOWERS = "8d3e1f5a2c70"


def test_everyone_who_wrote_follows_since_their_first_comment(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00')"))
        for user_id, email in ((1, "olga@example.com"), (2, "rita@example.com"), (3, "paul@example.com")):
            connection.execute(text(
                "INSERT INTO users (id, email, display_name, name_key, password_hash, time_zone,"
                " session_token, is_active_account, is_site_admin, created_at) VALUES"
                f" ({user_id}, '{email}', 'N', 'n', 'x', 'UTC', 't{user_id}', true, false,"
                " '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO session_formats (id, conference_id, name, duration_minutes) VALUES (1, 1, 'Talk', 30)"))
        for proposal_id in (1, 2):
            connection.execute(text(
                "INSERT INTO proposals (id, conference_id, title, abstract, abstract_text, session_format_id,"
                " audience_level, notes_to_organisers, state, created_at, updated_at, lock_version) VALUES"
                f" ({proposal_id}, 1, 'P{proposal_id}', 'A', 'A', 1, 'beginner', '', 'submitted',"
                " '2026-12-01 00:00:00', '2026-12-01 00:00:00', 1)"))
        # Olga wrote twice on proposal 1, Rita once; on proposal 2 only a former member.
        for comment_id, proposal_id, author, created in (
                (1, 1, "1", "2026-12-02 10:00:00"), (2, 1, "2", "2026-12-02 11:00:00"),
                (3, 1, "1", "2026-12-03 09:00:00"), (4, 2, "NULL", "2026-12-04 09:00:00")):
            connection.execute(text(
                "INSERT INTO proposal_comments (id, conference_id, proposal_id, author_id, body, created_at)"
                f" VALUES ({comment_id}, 1, {proposal_id}, {author}, 'x', '{created}')"))
    upgrade(revision=FOLLOWERS)
    with db.engine.connect() as connection:
        followers = connection.execute(text(
            "SELECT proposal_id, user_id, since FROM discussion_followers ORDER BY proposal_id, user_id")).all()
    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        comments = connection.execute(text("SELECT count(*) FROM proposal_comments")).scalar_one()
    assert [(proposal, user) for proposal, user, _since in followers] == [(1, 1), (1, 2)]
    assert [str(since)[:16] for *_, since in followers] == ["2026-12-02 10:00", "2026-12-02 11:00"]
    assert "discussion_followers" not in tables and comments == 4
