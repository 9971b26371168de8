"""The migration that lets recording consent be unanswered keeps every stored answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from tests.conftest import make_test_app

CONSENT_MAY_BE_UNANSWERED = "dcf42346a337"
BEFORE = "cd314776944b"


@contextmanager
def fresh_database(database_url: str, tmp_path) -> Iterator[str]:
    """The URL of a new, empty database of ``database_url``'s kind, dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = "recording_consent_" + tmp_path.name[-12:].replace("-", "_").lower()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _consents(connection) -> dict[int, bool | None]:
    rows = connection.execute(text("SELECT user_id, recording_consent FROM speaker_profiles"))
    return {user_id: None if consent is None else bool(consent) for user_id, consent in rows}


def test_existing_answers_are_kept_and_unanswered_becomes_no_on_downgrade(database_url, tmp_path):
    with fresh_database(database_url, tmp_path) as url:
        app = make_test_app(url, create_schema=False)
        with app.app_context():
            from conference.extensions import db

            upgrade(revision=BEFORE)
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO conferences (id, slug, name, description, starts_on, ends_on,"
                    " time_zone, settings, created_at) VALUES (1, 'c', 'C', '', '2027-03-24',"
                    " '2027-03-25', 'UTC', '{}', '2026-01-01 00:00:00')"))
                for user_id in (1, 2, 3):
                    connection.execute(text(
                        "INSERT INTO users (id, email, display_name, password_hash, time_zone,"
                        " session_token, is_active_account, is_site_admin, created_at)"
                        f" VALUES ({user_id}, 'u{user_id}@example.com', 'U{user_id}', 'x', 'UTC',"
                        f" 'token-{user_id}', true, false, '2026-01-01 00:00:00')"))
                for user_id, consent in ((1, "true"), (2, "false")):
                    connection.execute(text(
                        "INSERT INTO speaker_profiles (conference_id, user_id, bio,"
                        " presentation_mode, recording_consent)"
                        f" VALUES (1, {user_id}, '', 'in_person', {consent})"))

            upgrade(revision=CONSENT_MAY_BE_UNANSWERED)
            with db.engine.begin() as connection:
                # A True kept only because the box was ticked by default stays a yes: it
                # cannot be told from one the speaker meant.
                assert _consents(connection) == {1: True, 2: False}
                connection.execute(text(
                    "INSERT INTO speaker_profiles (conference_id, user_id, bio,"
                    " presentation_mode, recording_consent) VALUES (1, 3, '', 'remote', NULL)"))
                assert _consents(connection) == {1: True, 2: False, 3: None}

            downgrade(revision="-1")
            with db.engine.begin() as connection:
                # Before this migration no profile could be unanswered: it publishes nothing.
                assert _consents(connection) == {1: True, 2: False, 3: False}

            upgrade(revision=CONSENT_MAY_BE_UNANSWERED)
            with db.engine.begin() as connection:
                assert _consents(connection) == {1: True, 2: False, 3: False}
            db.engine.dispose()
