"""After login, ``next`` may only lead to a page of this site."""

from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory


def _log_in_with_next(client, db, target: str):
    UserFactory(email="a@example.com")
    db.session.commit()
    data = {"email": "a@example.com", "password": DEFAULT_PASSWORD, "next": target}
    return client.post("/login", data=data)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "//evil.com/path",
        "https://evil.com",
        "http://evil.com/account",
        "/\\evil.com",
        "\\\\evil.com",
        "/\t/evil.com",
        "/\n/evil.com",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.com",
        " //evil.com",
    ],
)
def test_login_refuses_off_site_next_and_goes_home(client, db, target):
    response = _log_in_with_next(client, db, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_same_site_next_with_query(client, db):
    response = _log_in_with_next(client, db, "/c/summit/agenda/?day=2")
    assert response.headers["Location"] == "/c/summit/agenda/?day=2"


def test_login_form_carries_next_from_the_query_string(client, db):
    body = client.get("/login?next=/account").get_data(as_text=True)
    assert 'value="/account"' in body
