"""Foreign keys hold on SQLite as on PostgreSQL: ON DELETE rules run and dangling ids are refused.

SQLite ignores foreign keys unless each connection asks for them; without them a deleted
block left draft talks pointing at its id, which SQLite then gave to the next block.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from conference.conferences.models import Conference
from conference.extensions import db
from conference.proposals.models import AvailabilityWindow
from tests.factories import ConferenceFactory, UserFactory

MISSING_CONFERENCE_ID = 987_654


def _window(conference_id: int, user_id: int) -> AvailabilityWindow:
    """A speaker's 09:00-17:00 UTC window at the conference ``conference_id``."""
    return AvailabilityWindow(
        conference_id=conference_id,
        user_id=user_id,
        starts_at=datetime(2027, 3, 24, 9, tzinfo=UTC),
        ends_at=datetime(2027, 3, 24, 17, tzinfo=UTC),
    )


def test_deleting_a_row_runs_the_on_delete_rules_of_the_rows_pointing_at_it(db):
    conference = ConferenceFactory()
    speaker = UserFactory()
    db.session.flush()
    db.session.add(_window(conference.id, speaker.id))
    db.session.commit()

    # Core, not the ORM: the database itself must apply ON DELETE CASCADE.
    db.session.execute(delete(Conference).where(Conference.id == conference.id))
    db.session.commit()

    assert db.session.scalar(select(func.count(AvailabilityWindow.id))) == 0


def test_a_row_pointing_at_a_missing_row_is_refused(db):
    speaker = UserFactory()
    db.session.commit()
    db.session.add(_window(MISSING_CONFERENCE_ID, speaker.id))

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count(AvailabilityWindow.id))) == 0


def test_after_migrating_the_same_process_still_enforces_them_on_sqlite(tmp_path):
    """Migrations switch foreign keys off for their connection; it goes back to the pool with
    them on again, and the migrations leave no dangling rows."""
    from flask_migrate import upgrade

    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path / 'migrated.db'}", create_schema=False)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            enforced = [connection.exec_driver_sql("PRAGMA foreign_keys").scalar()]
            dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        speaker = UserFactory()
        db.session.commit()
        db.session.add(_window(MISSING_CONFERENCE_ID, speaker.id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()

    assert enforced == [1]
    assert dangling == []
