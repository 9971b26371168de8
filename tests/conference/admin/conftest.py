"""Fixtures for the site admins' account pages: a site admin, and the security tests' world."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conference.security.conftest import (  # noqa: F401 - fixtures used by these tests
    log_in,
    make_user,
    queued_tasks,
    world,
)


@pytest.fixture
def site_admin(db):
    """A site admin, not logged in (see ``admin_client``)."""
    admin = make_user(display_name="Ada Admin", email="ada.admin@example.com", is_site_admin=True)
    db.session.commit()
    return admin


@pytest.fixture
def admin_client(app, site_admin):
    """A client logged in as ``site_admin``."""
    return log_in(app, site_admin)


def count(db, model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def reload(db, instance):
    """``instance`` as the database has it now (after a request's own session committed)."""
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)
