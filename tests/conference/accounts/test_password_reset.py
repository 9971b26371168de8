"""Forgotten passwords: a signed, expiring, single-use link e-mailed to PUBLIC_URL."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from conference.accounts.models import User
from conference.mail.models import OutboxMessage
from conference.mail.sender import send_pending
from tests.conference.mail.conftest import smtp_port, smtp_server  # noqa: F401 - fixtures
from tests.factories import DEFAULT_PASSWORD, UserFactory

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"(https?://\S+/password-reset/\S+)")


def _outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _request_reset(client, email: str, **kwargs):
    return client.post("/password-reset", data={"email": email}, **kwargs)


def _link_for(client, db, email: str) -> str:
    assert _request_reset(client, email).status_code == 302
    return LINK.search(_outbox(db)[-1].body).group(1)


def _path(link: str) -> str:
    return link.removeprefix("http://conference.test")


def _set_password(client, link: str, password: str = NEW_PASSWORD):
    return client.post(_path(link), data={"new_password": password, "confirm_password": password})


def _logs_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def test_login_page_links_to_password_reset(client, db):
    body = client.get("/login").get_data(as_text=True)
    assert 'href="/password-reset"' in body
    assert "Forgot your password?" in body


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client, db):
    UserFactory(email="known@example.com")
    db.session.commit()
    known = _request_reset(client, "known@example.com")
    unknown = _request_reset(client, "ghost@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/password-reset/sent"
    page = client.get("/password-reset/sent").get_data(as_text=True)
    assert "If an account uses that address" in page
    assert [message.recipient for message in _outbox(db)] == ["known@example.com"]


def test_reset_request_with_invalid_address_shows_form_error(client, db):
    response = _request_reset(client, "not an address")
    assert response.status_code == 200
    assert "Invalid email address" in response.get_data(as_text=True)
    assert _outbox(db) == []


def test_reset_email_matches_address_case_insensitively(client, db):
    UserFactory(email="mixed@example.com")
    db.session.commit()
    _request_reset(client, "  Mixed@Example.COM ")
    assert [message.recipient for message in _outbox(db)] == ["mixed@example.com"]


def test_inactive_account_gets_no_reset_email(client, db):
    UserFactory(email="gone@example.com", is_active_account=False)
    db.session.commit()
    assert _request_reset(client, "gone@example.com").status_code == 302
    assert _outbox(db) == []


def test_reset_link_uses_public_url_even_with_a_forged_host_header(app, client, db):
    UserFactory(email="ada@example.com")
    db.session.commit()
    app.config.update(SERVER_NAME=None, PUBLIC_URL="https://planner.example.com")
    response = _request_reset(
        client,
        "ada@example.com",
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert response.status_code == 302
    body = _outbox(db)[0].body
    assert "evil.example" not in body
    assert LINK.search(body).group(1).startswith("https://planner.example.com/password-reset/")


def test_reset_without_public_url_sends_nothing_and_says_so(app, client, db):
    UserFactory(email="ada@example.com")
    db.session.commit()
    app.config["PUBLIC_URL"] = None
    response = _request_reset(client, "ada@example.com")
    assert "not set up on this site" in response.get_data(as_text=True)
    assert _outbox(db) == []


def test_full_reset_flow_over_smtp_sets_password_once_and_ends_other_sessions(
    app,
    client,
    db,
    smtp_server,  # noqa: F811 - the fixture imported above
):
    user = UserFactory(email="ada@example.com", display_name="Ada")
    db.session.commit()
    logged_in_elsewhere = app.test_client()
    logged_in_elsewhere.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert logged_in_elsewhere.get("/account").status_code == 200

    assert _request_reset(client, "ada@example.com").status_code == 302
    assert send_pending()["sent"] == 1
    [received] = smtp_server.received
    assert received.envelope_to == ["ada@example.com"]
    text = received.message.get_content()
    assert "Hello Ada" in text and "60 minutes" in text
    link = LINK.search(text).group(1)
    assert link.startswith("http://conference.test/password-reset/")

    form = client.get(_path(link))
    assert form.status_code == 200
    assert "ada@example.com" in form.get_data(as_text=True)
    assert form.headers["Cache-Control"] == "no-store"

    done = _set_password(client, link)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "Your password is changed" in client.get("/login").get_data(as_text=True)
    assert _logs_in(app, "ada@example.com", NEW_PASSWORD)
    assert not _logs_in(app, "ada@example.com", DEFAULT_PASSWORD)
    assert logged_in_elsewhere.get("/account").status_code == 302

    again = client.get(_path(link))
    assert again.status_code == 404
    assert "does not work any more" in again.get_data(as_text=True)
    assert _set_password(client, link, "yet another passphrase").status_code == 404
    assert _logs_in(app, "ada@example.com", NEW_PASSWORD)


def test_reset_link_expires_after_the_configured_age(app, client, db):
    UserFactory(email="ada@example.com")
    db.session.commit()
    app.config["PASSWORD_RESET_MAX_AGE"] = 1
    link = _link_for(client, db, "ada@example.com")
    assert client.get(_path(link)).status_code == 200
    time.sleep(2.1)
    assert client.get(_path(link)).status_code == 404
    assert _set_password(client, link).status_code == 404


def test_tampered_or_foreign_tokens_are_refused(app, client, db):
    from itsdangerous import URLSafeTimedSerializer

    user = UserFactory(email="ada@example.com")
    db.session.commit()
    link = _link_for(client, db, "ada@example.com")
    token = link.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/password-reset/{tampered}").status_code == 404
    assert client.get("/password-reset/not-a-token").status_code == 404
    # Signed with the app's key but for another purpose (another salt): still refused.
    other_purpose = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else")
    forged = other_purpose.dumps({"user": user.id, "check": "0" * 32})
    assert client.get(f"/password-reset/{forged}").status_code == 404


def test_changing_the_password_another_way_voids_an_unused_link(client, db, login):
    user = login(email="ada@example.com")
    link = _link_for(client, db, "ada@example.com")
    client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert client.get(_path(link)).status_code == 404


def test_reset_form_rejects_short_or_mismatched_passwords(client, db):
    UserFactory(email="ada@example.com")
    db.session.commit()
    link = _link_for(client, db, "ada@example.com")
    short = _set_password(client, link, "short")
    assert short.status_code == 200
    assert "Use 10 to 200 characters." in short.get_data(as_text=True)
    mismatched = client.post(
        _path(link), data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"}
    )
    assert "The passwords differ." in mismatched.get_data(as_text=True)
    # A failed attempt does not use the link up.
    assert _set_password(client, link).status_code == 302


def test_two_requests_give_two_working_links_until_one_is_used(client, db):
    UserFactory(email="ada@example.com")
    db.session.commit()
    first = _link_for(client, db, "ada@example.com")
    time.sleep(1.1)  # tokens carry a timestamp in seconds
    second = _link_for(client, db, "ada@example.com")
    assert first != second
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert _set_password(client, second).status_code == 302
    assert client.get(_path(first)).status_code == 404


def test_reset_keeps_the_password_hashed_with_scrypt(client, db):
    UserFactory(email="ada@example.com")
    db.session.commit()
    _set_password(client, _link_for(client, db, "ada@example.com"))
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user.password_hash.startswith("scrypt:")
