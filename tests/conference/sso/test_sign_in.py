"""Logging in with the company account: the round trip through a real OpenID Connect provider,
which account it opens, and every way it can fail (each ends on the login page, saying why)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from conference.accounts.models import User
from conference.config import _single_sign_on_from_environment
from conference.feeds.models import FeedToken
from conference.sso import client as sso
from tests.conference.sso.conftest import free_port, sign_in_at_provider, sso_login
from tests.conftest import make_test_app
from tests.factories import ConferenceFactory, UserFactory


def _flashes(client) -> str:
    return client.get("/login").get_data(as_text=True)


def _logged_in_as(client) -> str | None:
    page = client.get("/account")
    if page.status_code != 200:
        return None
    return page.get_data(as_text=True)


def test_the_login_page_offers_the_company_account(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/sso"' in page and "Log in with Acme SSO" in page
    assert 'name="password"' in page  # passwords still work beside it


def test_the_first_log_in_makes_the_account_from_the_providers_claims(client, db):
    answer = sso_login(client, "asha")

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/account")
    user = db.session.scalar(select(User).where(User.email == "asha.rao@acme.example"))
    assert (user.display_name, user.time_zone, user.has_password) == ("Asha Rao", "Asia/Kolkata", False)
    assert user.sso_subject.endswith(" asha")
    page = _logged_in_as(client)
    assert "Welcome, Asha Rao! Check that your time zone (Asia/Kolkata) is right." in page
    assert "To log in with a password too" in page


def test_the_next_log_in_opens_the_same_account_and_follows_a_new_address(client, db):
    sso_login(client, "asha")
    user = db.session.scalar(select(User).where(User.email == "asha.rao@acme.example"))
    user.display_name = "Asha (chosen here)"
    user.email = "old.address@acme.example"
    db.session.commit()
    client.post("/logout")

    answer = sso_login(client, "asha", next_page="/archive")

    assert answer.headers["Location"].endswith("/archive")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    db.session.refresh(user)
    # The name chosen here stays; the company's address replaces the old one.
    assert (user.display_name, user.email) == ("Asha (chosen here)", "asha.rao@acme.example")


def test_a_verified_address_joins_the_existing_password_account(client, db):
    existing = UserFactory(email="asha.rao@acme.example", display_name="Asha R", time_zone="Europe/London")
    db.session.commit()

    sso_login(client, "asha")

    db.session.refresh(existing)
    assert existing.sso_subject.endswith(" asha") and not existing.has_password
    assert (existing.display_name, existing.time_zone) == ("Asha R", "Europe/London")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert "Asha R" in _logged_in_as(client)


def test_joining_ends_the_password_and_every_other_session(app, client, db):
    # Someone registered the address with a password before its owner came through the company.
    squatter = UserFactory(email="asha.rao@acme.example")
    db.session.flush()
    db.session.add(FeedToken(conference_id=ConferenceFactory().id, user_id=squatter.id, token="squatters-link"))
    db.session.commit()
    squatter_browser = app.test_client()
    squatter_browser.post("/login", data={"email": squatter.email, "password": "correct horse battery"})
    assert squatter_browser.get("/account").status_code == 200

    sso_login(client, "asha")

    db.session.refresh(squatter)
    assert squatter.sso_subject.endswith(" asha") and not squatter.has_password
    assert "Its password here no longer works" in _logged_in_as(client)
    assert db.session.scalar(select(func.count()).select_from(FeedToken).where(FeedToken.user_id == squatter.id)) == 0
    assert squatter_browser.get("/account").status_code == 302  # that session has ended
    other = app.test_client()
    other.post("/login", data={"email": squatter.email, "password": "correct horse battery"})
    assert other.get("/account").status_code == 302


def test_an_unverified_new_address_is_not_followed(app, client, db, sso_settings):
    sso_login(client, "unverified")  # no account has taken@acme.example yet: made
    user = db.session.scalar(select(User).where(User.email == "taken@acme.example"))
    user.email = "first@acme.example"
    db.session.commit()
    client.post("/logout")

    sso_login(client, "unverified")  # the provider says taken@..., unverified

    db.session.refresh(user)
    assert user.email == "first@acme.example"


def test_an_unverified_address_never_takes_over_an_existing_account(client, db):
    existing = UserFactory(email="taken@acme.example")
    db.session.commit()

    answer = sso_login(client, "unverified")

    assert answer.headers["Location"].endswith("/login")
    assert _logged_in_as(client) is None
    db.session.refresh(existing)
    assert existing.sso_subject is None
    assert "the sign-in service does not confirm that address" in _flashes(client)


def test_a_provider_the_site_trusts_for_addresses_may_join_them(app, client, db):
    app.config["OIDC_EMAILS_VERIFIED"] = True
    existing = UserFactory(email="taken@acme.example")
    db.session.commit()
    sso_login(client, "unverified")
    db.session.refresh(existing)
    assert existing.sso_subject is not None


def test_a_deactivated_account_is_refused(client, db):
    UserFactory(email="asha.rao@acme.example", is_active_account=False)
    db.session.commit()

    sso_login(client, "asha")

    assert _logged_in_as(client) is None
    assert "This account is deactivated." in _flashes(client)


def test_no_email_from_the_provider_is_explained_and_nothing_is_made(client, db):
    sso_login(client, "nomail")
    assert _logged_in_as(client) is None
    assert "did not give your e-mail address" in _flashes(client)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_zone_the_provider_gets_wrong_falls_back_to_the_browsers(client, db):
    client.set_cookie("tz", "America/Chicago", domain="conference.test")
    sso_login(client, "oddzone")
    user = db.session.scalar(select(User).where(User.email == "odd@acme.example"))
    assert user.time_zone == "America/Chicago"


def test_cancelling_at_the_provider(client, db):
    answer = sso_login(client, "asha", cancel=True)
    assert answer.headers["Location"].endswith("/login")
    assert "You did not log in with Acme SSO." in _flashes(client)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_callback_from_another_browser_is_refused(app, client, db):
    start = client.get("/login/sso")
    callback = sign_in_at_provider(start.headers["Location"], "asha")

    other = app.test_client()  # no state in its session
    answer = other.get(callback)

    assert answer.headers["Location"].endswith("/login")
    assert "expired or was opened in another browser" in other.get("/login").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_forged_code_is_refused(client, db):
    start = client.get("/login/sso")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    answer = client.get("/login/sso/callback", query_string={"code": "forged", "state": state})
    assert answer.headers["Location"].endswith("/login")
    assert "Acme SSO did not let you in" in _flashes(client)
    assert _logged_in_as(client) is None


def test_an_unsafe_next_page_is_dropped(client, db):
    answer = sso_login(client, "asha", next_page="https://evil.example/")
    assert answer.headers["Location"].endswith("/account")  # first log-in
    client.post("/logout")
    answer = sso_login(client, "asha", next_page="https://evil.example/")
    assert answer.headers["Location"] == "/" or answer.headers["Location"].endswith("conference.test/")


def test_a_provider_that_cannot_be_reached(database_url, sso_settings, db):
    # Another app, whose provider is on a port nothing listens on.
    dead = make_test_app(database_url, **{**sso_settings, "OIDC_ISSUER": f"http://127.0.0.1:{free_port()}"})
    with dead.app_context():
        client = dead.test_client()
        answer = client.get("/login/sso")
        assert answer.headers["Location"].endswith("/login")
        assert "Acme SSO cannot be reached just now." in _flashes(client)


def test_without_a_provider_the_routes_do_not_exist(app, client):
    app.config["OIDC_ISSUER"] = None
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback").status_code == 404
    assert "Log in with" not in client.get("/login").get_data(as_text=True)


def test_settings_are_checked(monkeypatch):
    monkeypatch.setenv("OIDC_ISSUER", "https://login.acme.example/")
    monkeypatch.delenv("OIDC_CLIENT_ID", raising=False)
    with pytest.raises(ValueError, match="OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set"):
        _single_sign_on_from_environment()
    monkeypatch.setenv("OIDC_CLIENT_ID", "id")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "secret")
    assert _single_sign_on_from_environment()["OIDC_ISSUER"] == "https://login.acme.example"
    monkeypatch.setenv("OIDC_ISSUER", "login.acme.example")
    with pytest.raises(ValueError, match="is not an address"):
        _single_sign_on_from_environment()


def test_group_and_logout_settings_default_to_off_but_single_logout(monkeypatch):
    for name in ("OIDC_GROUPS_CLAIM", "OIDC_ADMIN_GROUPS", "OIDC_SINGLE_LOGOUT"):
        monkeypatch.delenv(name, raising=False)
    settings = _single_sign_on_from_environment()
    assert (settings["OIDC_GROUPS_CLAIM"], settings["OIDC_ADMIN_GROUPS"], settings["OIDC_SINGLE_LOGOUT"]) == (
        "groups", "", True)
    monkeypatch.setenv("OIDC_GROUPS_CLAIM", " roles ")
    monkeypatch.setenv("OIDC_ADMIN_GROUPS", "platform-admins, conference-admins")
    monkeypatch.setenv("OIDC_SINGLE_LOGOUT", "off")
    settings = _single_sign_on_from_environment()
    assert (settings["OIDC_GROUPS_CLAIM"], settings["OIDC_SINGLE_LOGOUT"]) == ("roles", False)
    assert sso.admin_groups(settings) == {"platform-admins", "conference-admins"}
    assert not sso.single_logout({**settings, "OIDC_SINGLE_LOGOUT": True, "OIDC_ISSUER": None})


class TestWithoutPasswords:
    @pytest.fixture
    def sso_settings(self, sso_settings):
        return {**sso_settings, "PASSWORD_LOGIN": False}

    def test_only_the_company_account_is_offered(self, client):
        page = client.get("/login").get_data(as_text=True)
        assert "Log in with Acme SSO" in page
        assert 'name="password"' not in page and "/register" not in page

    def test_password_pages_send_people_to_the_company_log_in(self, client, db):
        user = UserFactory()
        db.session.commit()
        answer = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
        assert answer.headers["Location"].endswith("/login")
        assert _logged_in_as(client) is None
        for path in ("/register", "/password-reset"):
            assert client.get(path).headers["Location"].endswith("/login")
        assert "this site has no passwords" in _flashes(client)

    def test_the_company_log_in_still_works(self, client, db):
        sso_login(client, "asha")
        assert "You log in with Acme SSO." in _logged_in_as(client)
