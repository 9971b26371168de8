"""The same person logging in through the company twice at once (two tabs), in an admin group:
both log-ins succeed and the right is marked as from the group once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from conference.accounts.models import User
from conference.sso.models import GroupGrantedSiteAdmin
from conference.sso.operations import apply_company_groups
from tests.conference.admin.conftest import count, make_user

ADMINS = frozenset({"platform-admins"})


def _other_tab(app, user_id: int, outcome: list) -> threading.Thread:
    """A thread doing what the other tab's log-in does, in its own database session."""

    def run():
        try:
            with app.app_context():
                from conference.extensions import db

                changes = apply_company_groups(db.session.get(User, user_id), ADMINS, ADMINS)
                db.session.commit()
                outcome.append(("became site admin", changes.became_site_admin))
        except BaseException as error:  # reported below, not lost in the thread
            outcome.append(error)

    return threading.Thread(target=run)


# PostgreSQL only: SQLite has one writer at a time, so the two log-ins need PostgreSQL's two open
# transactions to race.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_log_ins_at_once_into_an_admin_group_both_succeed(app, db, database_url):
    linus = make_user(email="linus@acme.example")
    db.session.commit()
    outcome: list = []
    thread = _other_tab(app, linus.id, outcome)

    assert apply_company_groups(linus, ADMINS, ADMINS).became_site_admin  # not committed yet
    thread.start()
    try:
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the other tab's log-in should wait for this one's change to the account"
    finally:
        db.session.commit()
    thread.join(timeout=15)

    assert not thread.is_alive()
    assert outcome == [("became site admin", True)]
    assert count(db, GroupGrantedSiteAdmin) == 1
    assert db.session.scalar(select(User.is_site_admin).where(User.id == linus.id))
