"""The activity log's migration creates its table and indexes, and takes them away again."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conference.test_migrations import _fresh_url
from tests.conftest import make_test_app

REVISION = "64cef8eb67bf"


def test_activity_log_migration_upgrades_and_downgrades(database_url, tmp_path):
    url, drop = _fresh_url(database_url, tmp_path)
    try:
        app = make_test_app(url, create_schema=False)
        with app.app_context():
            from conference.extensions import db

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
            db.engine.dispose()
    finally:
        drop()
