"""The migration that makes PostgreSQL's stored search vector split words at punctuation."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from conference.archive.models import POSTGRESQL_SEARCH_INDEX
from tests.conftest import make_test_app

BEFORE = "f1b7c3d9a2e4"


def _search_structure(connection) -> tuple[str, bool]:
    expression = connection.scalar(
        text(
            "SELECT generation_expression FROM information_schema.columns "
            "WHERE table_name = 'archive_entries' AND column_name = 'search_vector'"
        )
    )
    indexed = connection.scalar(
        text("SELECT count(*) FROM pg_indexes WHERE indexname = :name"),
        {"name": POSTGRESQL_SEARCH_INDEX},
    )
    return expression, indexed == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_search_vector_migration_upgrades_and_downgrades(database_url, tmp_path):
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = "archive_words_" + tmp_path.name[-12:].replace("-", "_").lower()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        app = make_test_app(database_url.rsplit("/", 1)[0] + "/" + name, create_schema=False)
        with app.app_context():
            from conference.extensions import db

            upgrade()
            with db.engine.connect() as connection:
                upgraded = _search_structure(connection)
            downgrade(revision=BEFORE)
            with db.engine.connect() as connection:
                downgraded = _search_structure(connection)
            upgrade()
            db.engine.dispose()
        assert "regexp_replace" in upgraded[0] and upgraded[1]
        assert "regexp_replace" not in downgraded[0] and downgraded[1]
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
