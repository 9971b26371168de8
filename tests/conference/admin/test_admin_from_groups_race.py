"""The same person logging in through the company twice at once (two tabs), in an admin group:
both log-ins succeed and the right is marked as from the group once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference.accounts.models import User
from conference.sso.models import GroupGrantedSiteAdmin
from conference.sso.operations import apply_company_groups
from tests.conference.admin.conftest import count, make_user
from tests.races import second_request

ADMINS = frozenset({"platform-admins"})


# PostgreSQL only: SQLite has one writer at a time, so the two log-ins need PostgreSQL's two open
# transactions to race.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_log_ins_at_once_into_an_admin_group_both_succeed(app, db, database_url):
    linus = make_user(email="linus@acme.example")
    db.session.commit()
    linus_id = linus.id

    def other_tab():
        return apply_company_groups(db.session.get(User, linus_id), ADMINS, ADMINS)

    assert apply_company_groups(linus, ADMINS, ADMINS).became_site_admin  # not committed yet
    changes = second_request(app, other_tab, "the other tab's log-in").waits_for(
        db, "this one's change to the account"
    )

    assert changes.became_site_admin is True
    assert count(db, GroupGrantedSiteAdmin) == 1
    assert db.session.scalar(select(User.is_site_admin).where(User.id == linus.id))
