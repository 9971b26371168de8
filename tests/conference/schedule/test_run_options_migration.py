"""The migration that gives solver runs their options keeps existing runs and their rules."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from conference.extensions import db

BEFORE = "3a8e5c1f7b20"
OPTIONS = "5c91de8aa821"


def _one_active_run_rule(connection) -> str:
    """How the database keeps one active run per conference: the partial unique index's definition."""
    if connection.dialect.name == "sqlite":
        return connection.execute(text(
            "SELECT sql FROM sqlite_master WHERE name = 'uq_solver_runs_one_active'")).scalar_one()
    return connection.execute(text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_solver_runs_one_active'")).scalar_one()


def test_existing_runs_get_empty_options_and_keep_the_one_active_run_rule(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO solver_runs (id, conference_id, kind, state, cancel_requested, created_at,"
            " time_limit_seconds, result, error) VALUES (7, 1, 'reoptimise', 'failed', false,"
            " '2026-01-01 00:00:00', 60, '{}', 'No schedule was found.')"))
    upgrade(revision=OPTIONS)
    with db.engine.connect() as connection:
        options = connection.execute(text("SELECT options FROM solver_runs WHERE id = 7")).scalar_one()
        rule_after_upgrade = _one_active_run_rule(connection)
    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("solver_runs")}
        kept = connection.execute(text("SELECT error FROM solver_runs WHERE id = 7")).scalar_one()
        rule_after_downgrade = _one_active_run_rule(connection)
    assert (json.loads(options) if isinstance(options, str) else options) == {}
    for rule in (rule_after_upgrade, rule_after_downgrade):
        assert "WHERE" in rule.upper() and "queued" in rule and "running" in rule
    assert "options" not in columns and kept == "No schedule was found."
