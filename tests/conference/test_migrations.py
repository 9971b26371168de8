"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from conference.archive.models import POSTGRESQL_SEARCH_INDEX, SQLITE_SEARCH_TABLE, is_search_object
from tests.conftest import make_test_app


def _fresh_url(database_url: str, tmp_path) -> tuple[str, callable]:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrated.db'}", lambda: None
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = "migration_check_" + tmp_path.name[-12:].replace("-", "_").lower()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return database_url.rsplit("/", 1)[0] + "/" + name, drop


def test_migrations_upgrade_matches_models(database_url, tmp_path):
    url, drop = _fresh_url(database_url, tmp_path)
    try:
        app = make_test_app(url, create_schema=False)
        with app.app_context():
            from conference.extensions import db

            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection,
                    opts={
                        "compare_type": True,
                        "include_object": lambda _o, name, *_: not is_search_object(name),
                    },
                )
                differences = compare_metadata(context, db.metadata)
                inspector = inspect(connection)
                if connection.dialect.name == "sqlite":
                    search_structure_present = SQLITE_SEARCH_TABLE in inspector.get_table_names()
                else:
                    index_names = {i["name"] for i in inspector.get_indexes("archive_entries")}
                    search_structure_present = POSTGRESQL_SEARCH_INDEX in index_names
            db.engine.dispose()
        assert differences == []
        assert search_structure_present
    finally:
        drop()
