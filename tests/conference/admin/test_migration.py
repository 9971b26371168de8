"""The deactivation-and-erasure migration keeps every account as it was, both ways."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from conference.extensions import db

BEFORE = "c5d1a0e7f304"
THIS = "c5d1a0e7f305"
ADDED = {"deactivated_at", "deactivated_by_id", "deactivation_reason", "erased_at"}


def test_upgrade_leaves_accounts_active_and_downgrade_keeps_them(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        for user_id in (1, 2):
            connection.execute(text(
                "INSERT INTO users (id, email, display_name, name_key, password_hash, time_zone,"
                " session_token, is_active_account, is_site_admin, created_at) VALUES"
                f" ({user_id}, 'u{user_id}@example.com', 'U{user_id}', 'u{user_id}', 'x', 'UTC', 't{user_id}',"
                f" {'true' if user_id == 1 else 'false'}, false, '2026-01-01 00:00:00')"))
    upgrade(revision=THIS)
    with db.engine.begin() as connection:
        upgraded = connection.execute(text(
            "SELECT id, is_active_account, deactivated_at, deactivated_by_id, deactivation_reason,"
            " erased_at FROM users ORDER BY id")).all()
        # The new key refers to users: an admin's id is accepted.
        connection.execute(text("UPDATE users SET deactivated_by_id = 1 WHERE id = 2"))
    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("users")}
        kept = connection.execute(text("SELECT id, email, is_active_account FROM users ORDER BY id")).all()
    assert [tuple(row) for row in upgraded] == [
        (1, True, None, None, "", None),
        (2, False, None, None, "", None),
    ]
    assert not columns & ADDED
    assert [tuple(row) for row in kept] == [(1, "u1@example.com", True), (2, "u2@example.com", False)]
