"""The migration that adds the choice of discussion e-mails and the record of daily digests."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from conference.extensions import db

BEFORE = "c5d1a0e7f303"
DIGESTS = "c5d1a0e7f304"


def test_everyone_keeps_an_e_mail_per_comment_and_downgrading_drops_the_digests(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, email, display_name, name_key, password_hash, time_zone,"
            " session_token, is_active_account, is_site_admin, created_at) VALUES"
            " (1, 'olga@example.com', 'Olga', 'olga', 'x', 'Europe/London', 't1', true, false,"
            " '2026-01-01 00:00:00')"))
    upgrade(revision=DIGESTS)
    with db.engine.begin() as connection:
        chosen = connection.execute(text("SELECT discussion_emails FROM users")).scalar_one()
        connection.execute(text("UPDATE users SET discussion_emails = 'digest'"))
        connection.execute(text(
            "INSERT INTO discussion_digests (user_id, day, through) VALUES"
            " (1, '2026-12-01', '2026-12-01 07:59:00')"))
    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        columns = {column["name"] for column in inspect(connection).get_columns("users")}
        people = connection.execute(text("SELECT email, time_zone FROM users")).all()
    assert chosen == "each"
    assert "discussion_digests" not in tables and "discussion_emails" not in columns
    assert people == [("olga@example.com", "Europe/London")]
