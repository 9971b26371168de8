"""The check-in migration goes up and down on SQLite and PostgreSQL, leaving hubs and people alone."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from conference.extensions import db

BEFORE, CHECK_IN = "c5d1a0e7f309", "c5d1a0e7f310"


def test_the_migration_adds_the_check_in_table_and_removes_it_again(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at, feed_revision) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00', 0)"))
        connection.execute(text(
            "INSERT INTO hubs (id, conference_id, name, time_zone, working_day_starts, working_day_ends)"
            " VALUES (7, 1, 'London', 'Europe/London', '09:00:00', '17:30:00')"))
        connection.execute(text(
            "INSERT INTO users (id, email, display_name, name_key, password_hash, time_zone, session_token,"
            " is_active_account, is_site_admin, created_at) VALUES (3, 'ada@example.com', 'Ada', 'ada',"
            " 'x', 'UTC', 't', true, false, '2026-01-01 00:00:00')"))

    upgrade(revision=CHECK_IN)
    with db.engine.begin() as connection:
        assert "hub_check_ins" in inspect(connection).get_table_names()
        connection.execute(text(
            "INSERT INTO hub_check_ins (hub_id, day, user_id, seated_at_desk, checked_in_at, checked_in_by_id)"
            " VALUES (7, '2027-03-24', 3, false, '2027-03-24 09:30:00', 3)"))
        # One check-in per person and hub day.
        with pytest.raises(IntegrityError), connection.begin_nested():
            connection.execute(text(
                "INSERT INTO hub_check_ins (hub_id, day, user_id, seated_at_desk, checked_in_at)"
                " VALUES (7, '2027-03-24', 3, true, '2027-03-24 09:31:00')"))
        if connection.dialect.name == "sqlite":
            table_sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'hub_check_ins'")).scalar_one()
            assert "AUTOINCREMENT" in table_sql

    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        assert "hub_check_ins" not in inspect(connection).get_table_names()
        assert connection.execute(text("SELECT id, name FROM hubs")).all() == [(7, "London")]
        assert connection.execute(text("SELECT id, display_name FROM users")).all() == [(3, "Ada")]

    upgrade(revision=CHECK_IN)  # and up again
    with db.engine.connect() as connection:
        assert "hub_check_ins" in inspect(connection).get_table_names()
        assert connection.execute(text("SELECT count(*) FROM hub_check_ins")).scalar_one() == 0
