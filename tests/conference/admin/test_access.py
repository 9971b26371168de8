"""Only site admins reach the account pages; everyone else is refused before anything happens."""

from __future__ import annotations

import pytest

from conference.accounts.models import User
from tests.conference.admin.conftest import log_in, make_user, reload

ROUTES = [
    ("GET", "/admin/people"),
    ("GET", "/admin/people/{id}"),
    ("POST", "/admin/people/{id}/deactivate"),
    ("POST", "/admin/people/{id}/reactivate"),
    ("GET", "/admin/people/{id}/erase"),
    ("POST", "/admin/people/{id}/erase"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_account_pages_send_anonymous_visitors_to_log_in(app, db, method, path):
    target = make_user()
    db.session.commit()
    response = app.test_client().open(path.format(id=target.id), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_account_pages_refuse_people_who_are_not_site_admins(app, db, method, path):
    target = make_user(email="target@example.com")
    someone = make_user(email="organiser@example.com")
    db.session.commit()
    client = log_in(app, someone)
    response = client.open(
        path.format(id=target.id), method=method, data={"confirm_email": "target@example.com"}
    )
    assert response.status_code == 403
    assert reload(db, target).is_active and not reload(db, target).is_erased


def test_site_admin_reaches_people_and_person_pages(admin_client, db):
    target = make_user(display_name="Grace Hopper")
    db.session.commit()
    assert admin_client.get("/admin/people").status_code == 200
    page = admin_client.get(f"/admin/people/{target.id}")
    assert page.status_code == 200
    assert "Grace Hopper" in page.get_data(as_text=True)


def test_unknown_account_is_not_found(admin_client, db):
    assert admin_client.get("/admin/people/987654").status_code == 404
    assert admin_client.post("/admin/people/987654/deactivate").status_code == 404


def test_people_link_is_in_the_navigation_for_site_admins_only(app, admin_client, db):
    other = make_user()
    db.session.commit()
    assert 'href="/admin/people"' in admin_client.get("/").get_data(as_text=True)
    assert 'href="/admin/people"' not in log_in(app, other).get("/").get_data(as_text=True)
    assert 'href="/admin/people"' not in app.test_client().get("/").get_data(as_text=True)


def test_a_site_admin_who_loses_the_flag_is_refused_at_the_next_request(admin_client, db, site_admin):
    assert admin_client.get("/admin/people").status_code == 200
    db.session.get(User, site_admin.id).is_site_admin = False
    db.session.commit()
    assert admin_client.get("/admin/people").status_code == 403
