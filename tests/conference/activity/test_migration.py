"""The activity log's migrations: its table and indexes, then each decision outcome's own action."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from conference.extensions import db

REVISION = "64cef8eb67bf"


def test_activity_log_migration_upgrades_and_downgrades(unmigrated_app):
    upgrade(revision=REVISION)
    inspector = inspect(db.engine)
    assert "activity_entries" in inspector.get_table_names()
    indexes = {index["name"]: index["column_names"] for index in inspector.get_indexes("activity_entries")}
    assert indexes["ix_activity_entries_conference_id_created_at"] == ["conference_id", "created_at", "id"]
    assert indexes["ix_activity_entries_proposal_id_created_at"] == ["proposal_id", "created_at", "id"]
    deletes = {key["referred_table"]: key["options"].get("ondelete") for key in inspector.get_foreign_keys("activity_entries")}
    assert deletes == {"conferences": "CASCADE", "proposals": "CASCADE", "users": "SET NULL"}
    downgrade(revision="-1")
    assert "activity_entries" not in inspect(db.engine).get_table_names()


OUTCOMES_REVISION = "c5d1a0e7f301"


def test_decisions_get_their_outcomes_action_and_go_back_to_the_shared_one(unmigrated_app):
    """Old ``proposal_decided`` entries whose details name the outcome take its action; those
    without one stay as they were; downgrading maps the outcomes back and drops the entries of
    actions the older application cannot read. Details are never touched."""
    old_rows = {
        1: ("proposal_decided", {"state": "accepted", "previous": "submitted"}),
        2: ("proposal_decided", {"state": "rejected", "previous": "accepted"}),
        3: ("proposal_decided", {"state": "waitlisted"}),
        4: ("proposal_decided", {}),
        5: ("proposal_decided", {"state": "withdrawn"}),
        6: ("decision_emails_queued", {"state": "accepted", "count": 2}),
        7: ("proposal_submitted", {}),
    }
    upgrade(revision=OUTCOMES_REVISION + "-1")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on, time_zone, settings,"
            " created_at) VALUES (1, 'c', 'C', '', '2027-03-24', '2027-03-25', 'UTC', '{}',"
            " '2026-01-01 00:00:00')"))
        for entry_id, (action, details) in old_rows.items():
            connection.execute(_insert_entry(), {"id": entry_id, "action": action,
                                                 "details": json.dumps(details)})

    def rows() -> dict[int, tuple[str, dict]]:
        with db.engine.connect() as connection:
            found = connection.execute(text("SELECT id, action, details FROM activity_entries ORDER BY id"))
            return {row.id: (row.action, _as_dict(row.details)) for row in found}

    upgrade(revision=OUTCOMES_REVISION)
    upgraded = rows()
    assert {entry_id: action for entry_id, (action, _) in upgraded.items()} == {
        1: "proposal_accepted", 2: "proposal_rejected", 3: "proposal_waitlisted",
        4: "proposal_decided", 5: "proposal_decided", 6: "decision_emails_queued", 7: "proposal_submitted",
    }
    assert {entry_id: details for entry_id, (_, details) in upgraded.items()} == {
        entry_id: details for entry_id, (_, details) in old_rows.items()
    }
    # Written after the upgrade: an entry of an action the older application never knew.
    with db.engine.begin() as connection:
        connection.execute(_insert_entry(), {"id": 8, "action": "draft_talk_moved", "details": "{}"})
    downgrade(revision=OUTCOMES_REVISION + "-1")
    assert rows() == old_rows


def _insert_entry():
    return text(
        "INSERT INTO activity_entries (id, conference_id, proposal_id, actor_id, by_system, action, details,"
        " created_at) VALUES (:id, 1, NULL, NULL, true, :action, :details, '2026-06-01 00:00:00')"
    )


def _as_dict(details) -> dict:
    return json.loads(details) if isinstance(details, str) else details
