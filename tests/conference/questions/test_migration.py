"""Revision c5d1a0e7f307 adds the two question tables (with the one-vote-per-person rule) and
its downgrade removes exactly them; read through the database, never through the models."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from conference.extensions import db

BEFORE, REVISION = "c5d1a0e7f306", "c5d1a0e7f307"
TABLES = {"audience_questions", "audience_question_votes"}


def test_question_tables_come_with_the_revision_and_go_with_its_downgrade(unmigrated_app):
    upgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        before = set(inspect(connection).get_table_names())
    upgrade(revision=REVISION)
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        added = set(inspector.get_table_names()) - before
        unique = [u["column_names"] for u in inspector.get_unique_constraints("audience_question_votes")]
        cascades = {
            fk["referred_table"]: fk["options"].get("ondelete")
            for fk in inspector.get_foreign_keys("audience_question_votes")
        }
        question_columns = {c["name"]: c for c in inspector.get_columns("audience_questions")}
    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        after_downgrade = set(inspect(connection).get_table_names())
    assert added == TABLES
    assert unique == [["question_id", "user_id"]]
    assert cascades == {"audience_questions": "CASCADE", "users": "CASCADE"}
    assert question_columns["text"]["type"].length == 500
    assert question_columns["answered_at"]["nullable"] and question_columns["hidden_at"]["nullable"]
    assert after_downgrade == before
