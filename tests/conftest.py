"""Fixtures in the flaskr shape: ``app``, ``client``, ``runner``, ``db`` and a login helper.

Every test that uses ``app`` runs twice: on SQLite and on PostgreSQL. PostgreSQL is used when
``TEST_DATABASE_URL`` is set or a local server answers on 127.0.0.1:5432; under CI
(``CI=true``) its absence fails the run instead of skipping.
"""

from __future__ import annotations

import contextvars
import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from conference import create_app
from conference.config import normalise_database_url
from conference.extensions import db as _db

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis() -> None:
    """Skip the test when the test Redis is not reachable; under CI, fail it instead."""
    parts = urlsplit(TEST_REDIS_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=2).close()
    except OSError as error:
        reason = f"Redis not reachable at {parts.hostname}:{parts.port}: {error}"
        if IN_CI:
            pytest.fail(f"CI requires Redis. {reason}")
        pytest.skip(reason)


def _postgres_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL


def _postgres_reason_unavailable() -> str | None:
    url = make_url(normalise_database_url(_postgres_admin_url()))
    try:
        with psycopg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password,
            dbname=url.database, connect_timeout=3,
        ):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)}: {error}"


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, dropped afterwards."""
    reason = _postgres_reason_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"CI requires PostgreSQL. {reason}")
        pytest.skip(reason)
    admin = make_url(normalise_database_url(_postgres_admin_url()))
    name = f"conference_test_{uuid.uuid4().hex[:10]}"
    connect = {"host": admin.host, "port": admin.port or 5432, "user": admin.username,
               "password": admin.password, "autocommit": True}
    with psycopg.connect(dbname=admin.database, **connect) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dbname=admin.database, **connect) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


_schema_ready: set[str] = set()


class IsolatedClient(FlaskClient):
    """Runs each request in its own context, as a real server does.

    The test itself holds an app context for factories; without this, requests would share
    its ``g`` and database session, hiding bugs such as a missing commit or a stale login.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(database_url: str, create_schema: bool = True, **overrides):
    """An app bound to ``database_url`` with test settings; the schema is created once."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "conference.test",
        "PUBLIC_URL": "http://conference.test",
        # Rate limits are off except in tests/conference/security, which turn them on.
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    if create_schema and database_url not in _schema_ready:
        with app.app_context():
            _db.create_all()
        _schema_ready.add(database_url)
    return app


def _empty_all_tables() -> None:
    # DELETE in dependency order: on small tables it is much faster than TRUNCATE on PostgreSQL.
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_database_url")
    return request.getfixturevalue("sqlite_database_url")


@pytest.fixture
def unmigrated_app(database_url, tmp_path):
    """An app on a new database without any table, in its app context, for migration tests:
    they ``upgrade`` and ``downgrade`` to revisions and look at the rows. The database (a file
    on SQLite, a database of its own on PostgreSQL) is removed afterwards."""
    if database_url.startswith("sqlite"):
        url, admin = f"sqlite:///{tmp_path / 'migrated.db'}", None
    else:
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        name = "migration_check_" + uuid.uuid4().hex[:12]
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        app = make_test_app(url, create_schema=False)
        with app.app_context():
            try:
                yield app
            finally:
                _db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def app(database_url):
    app = make_test_app(database_url)
    with app.app_context():
        yield app
        _db.session.remove()
        _empty_all_tables()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "correct horse battery"):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login(client, db):
    """Create-or-use a user and log the test client in as them; returns the user."""
    from tests.factories import UserFactory

    def _login(user=None, **user_fields):
        if user is None:
            user = UserFactory(**user_fields)
        db.session.commit()
        response = AuthActions(client).login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login
