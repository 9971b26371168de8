"""The attendance migration goes up and down on SQLite and PostgreSQL, keeping existing hubs."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from conference.extensions import db

BEFORE, ATTENDANCE = "c5d1a0e7f307", "c5d1a0e7f308"
TABLES = {"attendance_windows", "attendance_registrations", "attendance_days"}


def test_the_migration_adds_the_seat_limit_and_tables_and_removes_them_again(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at, feed_revision) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00', 0)"))
        connection.execute(text(
            "INSERT INTO hubs (id, conference_id, name, time_zone, working_day_starts, working_day_ends)"
            " VALUES (7, 1, 'London', 'Europe/London', '09:00:00', '17:30:00')"))

    upgrade(revision=ATTENDANCE)
    with db.engine.begin() as connection:
        inspector = inspect(connection)
        assert set(inspector.get_table_names()) >= TABLES
        assert connection.execute(text("SELECT name, seat_limit FROM hubs")).all() == [("London", None)]
        connection.execute(text("UPDATE hubs SET seat_limit = 40"))

    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        assert not TABLES & set(inspector.get_table_names())
        assert "seat_limit" not in {column["name"] for column in inspector.get_columns("hubs")}
        assert connection.execute(text("SELECT id, name FROM hubs")).all() == [(7, "London")]
        if connection.dialect.name == "sqlite":
            table_sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'hubs'")).scalar_one()
            assert "AUTOINCREMENT" in table_sql

    upgrade(revision=ATTENDANCE)  # and up again
    with db.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
