"""The migrations that change how the archive's search splits text into words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from conference.archive.models import POSTGRESQL_SEARCH_INDEX
from conference.archive.operations import refresh_conference_archive
from conference.archive.search import ArchiveQuery, search_archive
from tests.conference.archive.conftest import make_edition
from tests.conftest import make_test_app

BEFORE_PUNCTUATION = "f1b7c3d9a2e4"
BEFORE_LANGUAGE_WORDS = "5c2e9a7d4b18"
CPP = "Modern C++ templates"
CSHARP = "C# records"


@contextmanager
def fresh_database(database_url: str, tmp_path) -> Iterator[str]:
    """The URL of a new, empty database of ``database_url``'s kind, dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = "archive_words_" + tmp_path.name[-12:].replace("-", "_").lower()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
    with fresh_database(database_url, tmp_path) as url:
        app = make_test_app(url, create_schema=False)
        with app.app_context():
            from conference.extensions import db

            upgrade()
            with db.engine.connect() as connection:
                upgraded = _search_structure(connection)
            downgrade(revision=BEFORE_PUNCTUATION)
            with db.engine.connect() as connection:
                downgraded = _search_structure(connection)
            upgrade()
            db.engine.dispose()
    assert "regexp_replace" in upgraded[0] and upgraded[1]
    assert "regexp_replace" not in downgraded[0] and downgraded[1]


def _found(db, query: str) -> set[str]:
    found = {hit.entry.title for hit in search_archive(ArchiveQuery(text=query)).hits}
    # Ends the session's transaction, which would otherwise hold up the next migration.
    db.session.commit()
    return found


def test_language_words_migration_reindexes_archived_talks_both_ways(database_url, tmp_path):
    with fresh_database(database_url, tmp_path) as url:
        app = make_test_app(url, create_schema=False)
        with app.app_context():
            from conference.extensions import db

            # Older migrations build today's search structures (they import them), so the
            # previous ones are what this migration's downgrade makes. The talks are made with
            # today's models, before going down: later migrations add columns they write.
            upgrade()
            edition = make_edition("summit-2027", "Summit 2027", date(2027, 3, 12))
            edition.add_talk(CPP, "Concepts in C++20.")
            edition.add_talk(CSHARP, "Value semantics in C#.")
            refresh_conference_archive(edition.conference)
            db.session.commit()
            downgrade(revision=BEFORE_LANGUAGE_WORDS)
            # Before: both are the word "c".
            before = _found(db, "c")

            upgrade()
            upgraded = (_found(db, "c++"), _found(db, "c#"), _found(db, "c"))
            # The talks indexed by the migration leave the index whole when they change.
            edition.talks[CPP].title = "Modern F# type providers"
            edition.talks[CPP].abstract = "Providers in F#."
            db.session.commit()
            retitled = (_found(db, "c++"), _found(db, "f#"))

            downgrade(revision=BEFORE_LANGUAGE_WORDS)
            downgraded = _found(db, "c")
            upgrade()
            again = (_found(db, "f#"), _found(db, "c#"))
            db.session.remove()
            db.engine.dispose()
    assert before == {CPP, CSHARP}
    assert upgraded == ({CPP}, {CSHARP}, set())
    assert retitled == (set(), {"Modern F# type providers"})
    assert downgraded == {CSHARP}
    assert again == ({"Modern F# type providers"}, {CSHARP})
