"""The group-roles migration goes up and down on SQLite and PostgreSQL: existing roles and admin
rights stay (as given by hand), and its tables go again."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from conference.extensions import db

BEFORE, GROUP_ROLES = "c5d1a0e7f308", "c5d1a0e7f309"
TABLES = {"group_role_rules", "group_granted_roles", "group_granted_site_admins"}


def test_the_migration_adds_the_group_tables_and_removes_them_again(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at, feed_revision) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00', 0)"))
        connection.execute(text(
            "INSERT INTO users (id, email, display_name, name_key, password_hash, time_zone,"
            " session_token, is_active_account, is_site_admin, created_at) VALUES"
            " (1, 'u1@example.com', 'U1', 'u1', 'x', 'UTC', 't1', true, true, '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO conference_roles (id, conference_id, user_id, role, created_at)"
            " VALUES (5, 1, 1, 'organiser', '2026-01-01 00:00:00')"))

    upgrade(revision=GROUP_ROLES)
    with db.engine.begin() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
        # Nothing existing came from a group.
        for table in TABLES:
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
        connection.execute(text(
            "INSERT INTO group_role_rules (id, conference_id, group_name, role, created_at)"
            " VALUES (1, 1, 'eng-organisers', 'organiser', '2026-01-02 00:00:00')"))
        connection.execute(text(
            "INSERT INTO group_granted_roles (conference_role_id, group_name) VALUES (5, 'eng-organisers')"))
        connection.execute(text(
            "INSERT INTO group_granted_site_admins (user_id, group_name) VALUES (1, 'platform-admins')"))

    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
        assert connection.execute(text("SELECT id, role FROM conference_roles")).all() == [(5, "organiser")]
        assert connection.execute(text("SELECT is_site_admin FROM users")).scalar_one() in (True, 1)

    upgrade(revision=GROUP_ROLES)  # and up again
    with db.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
