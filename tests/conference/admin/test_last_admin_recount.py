"""The last-admin rule holds even when the first count was read before another admin's change
committed (SQLite takes no lock on SELECT): the count after writing refuses and nothing stays."""

from __future__ import annotations

import pytest

from conference.admin import operations
from tests.conference.admin.conftest import make_user


@pytest.mark.parametrize("action", ["deactivate", "erase"])
def test_the_count_after_writing_refuses_when_no_admin_would_be_left(db, monkeypatch, action):
    acting = make_user(is_site_admin=True, display_name="Acting Admin")
    target = make_user(is_site_admin=True, display_name="Other Admin")
    db.session.commit()
    # Another request deactivated the acting admin after this one's first count passed.
    monkeypatch.setattr(operations, "_last_site_admin", lambda user, doing, lock: None)
    acting.is_active_account = False
    db.session.commit()

    with pytest.raises(operations.AccountActionRefused, match="Other Admin is the last active site admin"):
        if action == "deactivate":
            operations.deactivate_account(target, acting)
        else:
            operations.erase_account(target, acting)
    db.session.rollback()
    db.session.refresh(target)
    assert target.is_active and target.is_site_admin and target.display_name == "Other Admin"
