"""Remote registrations saved before remote days could be chosen get every day of their
conference; registrations that have days keep exactly those, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from conference.extensions import db

BEFORE, REMOTE_DAYS = "c5d1a0e7f310", "c5d1a0e7f311"


def _insert(connection, sql: str) -> None:
    connection.execute(text(sql))


def _conference(connection, conference_id: int, starts_on: str, ends_on: str) -> None:
    _insert(connection,
        "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
        f" created_at, feed_revision) VALUES ({conference_id}, 'c{conference_id}', 'C', '', '{starts_on}',"
        f" '{ends_on}', 'Europe/London', '{{}}', '2026-01-01 00:00:00', 0)")


def _user(connection, user_id: int) -> None:
    _insert(connection,
        "INSERT INTO users (id, email, display_name, name_key, password_hash, time_zone, session_token,"
        f" is_active_account, is_site_admin, created_at) VALUES ({user_id}, 'u{user_id}@example.com',"
        f" 'U{user_id}', 'u{user_id}', 'x', 'UTC', 't{user_id}', true, false, '2026-01-01 00:00:00')")


def _registration(connection, registration_id: int, conference_id: int, user_id: int, mode: str,
                  hub_id: int | None = None) -> None:
    _insert(connection,
        "INSERT INTO attendance_registrations (id, conference_id, user_id, mode, hub_id, dietary_needs,"
        f" accessibility_needs, created_at, updated_at) VALUES ({registration_id}, {conference_id},"
        f" {user_id}, '{mode}', {'NULL' if hub_id is None else hub_id}, '', '', '2027-02-03 10:00:00',"
        " '2027-02-03 10:00:00')")


def _day(connection, registration_id: int, day: str, status: str, seated: bool) -> None:
    seated_at = "'2027-02-04 11:00:00'" if seated else "NULL"
    _insert(connection,
        "INSERT INTO attendance_days (registration_id, day, status, requested_at, seated_at) VALUES"
        f" ({registration_id}, '{day}', '{status}', '2027-02-04 11:00:00', {seated_at})")


def _days(connection) -> dict[int, list[tuple[date, str, str, str | None]]]:
    """Registration id -> its days as (day, status, requested_at, seated_at), read as text so
    both databases compare alike."""
    found: dict[int, list[tuple[date, str, str, str | None]]] = {}
    for registration_id, day, status, requested_at, seated_at in connection.execute(text(
        "SELECT registration_id, day, status, requested_at, seated_at FROM attendance_days"
        " ORDER BY registration_id, day"
    )):
        day = day if isinstance(day, date) else date.fromisoformat(day)
        stamp = str(requested_at)[:19]
        found.setdefault(registration_id, []).append(
            (day, status, stamp, None if seated_at is None else str(seated_at)[:19]))
    return found


def test_remote_registrations_without_days_get_every_day_of_their_conference(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        _conference(connection, 1, "2027-03-24", "2027-03-26")
        _conference(connection, 2, "2027-05-10", "2027-05-10")
        _insert(connection,
            "INSERT INTO hubs (id, conference_id, name, time_zone, working_day_starts, working_day_ends,"
            " seat_limit) VALUES (7, 1, 'London', 'Europe/London', '09:00:00', '17:30:00', 2)")
        for user_id in (1, 2, 3, 4):
            _user(connection, user_id)
        _registration(connection, 11, 1, 1, "remote")  # registered before remote days: none
        _registration(connection, 12, 2, 1, "remote")  # the same person at a one-day conference
        _registration(connection, 13, 1, 2, "remote")  # chose a day already
        _day(connection, 13, "2027-03-25", "registered", seated=False)
        _registration(connection, 14, 1, 3, "in_person", hub_id=7)
        _day(connection, 14, "2027-03-24", "waiting", seated=False)
        _day(connection, 14, "2027-03-26", "registered", seated=True)

    upgrade(revision=REMOTE_DAYS)
    with db.engine.connect() as connection:
        days = _days(connection)
    registered_then = "2027-02-03 10:00:00"
    assert days[11] == [
        (date(2027, 3, 24), "registered", registered_then, None),
        (date(2027, 3, 25), "registered", registered_then, None),
        (date(2027, 3, 26), "registered", registered_then, None),
    ]
    assert days[12] == [(date(2027, 5, 10), "registered", registered_then, None)]
    assert days[13] == [(date(2027, 3, 25), "registered", "2027-02-04 11:00:00", None)]
    assert days[14] == [
        (date(2027, 3, 24), "waiting", "2027-02-04 11:00:00", None),
        (date(2027, 3, 26), "registered", "2027-02-04 11:00:00", "2027-02-04 11:00:00"),
    ]

    # Going down keeps the days, and going up again adds none.
    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        assert _days(connection) == days
    upgrade(revision=REMOTE_DAYS)
    with db.engine.connect() as connection:
        assert _days(connection) == days

