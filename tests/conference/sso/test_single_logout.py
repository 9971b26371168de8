"""Single logout: logging out of the site after a company log-in ends the session at the real
provider too (RP-initiated logout) and comes back to the login page; otherwise it stays local."""

from __future__ import annotations

import base64
import html
import json
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from conference.sso.logout import (
    ID_TOKEN_KEY,
    ID_TOKEN_MAX_LENGTH,
    SIGNED_IN_KEY,
    provider_logout_url,
    remember_sign_in,
)
from tests.conference.sso.conftest import (
    AFTER_LOGOUT,
    CALLBACK,
    CLIENT_ID,
    sso_login,
    start_provider,
    stop_provider,
)
from tests.conftest import make_test_app
from tests.factories import UserFactory


def _jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def _sent_on_to(page) -> str:
    """Where the page between the logout and the provider sends the browser (a form may only
    lead to this site, so a page here sends it on)."""
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    refresh = html.unescape(re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', text).group(1))
    assert f'href="{html.escape(refresh)}"' in text  # and a link, should the refresh not happen
    return refresh


def _confirm_at_provider(browser: requests.Session, end_session_url: str) -> str:
    """Play the person's browser at the provider's logout page ("Yes, sign me out"); where it
    sends them next."""
    page = browser.get(end_session_url, allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "Yes, sign me out" in page.text, page.text[:500]
    action = urljoin(page.url, re.search(r'<form id="op.logoutForm" method="post" action="([^"]+)"', page.text).group(1))
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
    answer = browser.post(action, data={"xsrf": xsrf, "logout": "yes"}, allow_redirects=False, timeout=10)
    assert answer.is_redirect, answer.text[:500]
    return answer.headers["Location"]


def test_logging_out_ends_the_session_at_the_provider_and_comes_back(client, db, oidc_provider):
    with requests.Session() as browser:  # the person's browser, as the provider sees it
        sso_login(client, "asha", browser=browser)
        assert _logged_in(client)

        answer = client.post("/logout")

        # Logged out here first, whatever happens at the provider.
        assert answer.headers["Location"].endswith("/logout/sso")
        assert not _logged_in(client)
        location = _sent_on_to(client.get("/logout/sso"))
        assert location.startswith(f"{oidc_provider.issuer}/session/end?")
        query = parse_qs(urlsplit(location).query)
        assert query["post_logout_redirect_uri"] == [AFTER_LOGOUT]
        assert query["client_id"] == [CLIENT_ID]
        hint = _jwt_claims(query["id_token_hint"][0])
        assert (hint["sub"], hint["aud"], hint["iss"]) == ("asha", CLIENT_ID, oidc_provider.issuer)

        # Only once: the page forgets the address (and its ID token).
        assert client.get("/logout/sso").headers["Location"].endswith("/login")

        back = _confirm_at_provider(browser, location)

        assert back == AFTER_LOGOUT
        page = client.get(back)
        assert page.status_code == 200 and "You are logged out." in page.get_data(as_text=True)
        # The provider's session is over: logging in again asks for the password there.
        start = client.get("/login/sso")
        again = browser.get(start.headers["Location"], timeout=10)
        assert 'name="login"' in again.text


def test_a_password_log_in_logs_out_here_only(client, db, login):
    login(UserFactory())
    answer = client.post("/logout")
    assert answer.headers["Location"] in ("/", "http://conference.test/")
    assert not _logged_in(client)


def test_single_logout_can_be_turned_off(app, client, db):
    app.config["OIDC_SINGLE_LOGOUT"] = False
    sso_login(client, "asha")
    answer = client.post("/logout")
    assert answer.headers["Location"] in ("/", "http://conference.test/")
    assert not _logged_in(client)


def test_a_provider_without_an_end_session_endpoint_logs_out_here_only(database_url, sso_settings, db):
    provider = start_provider([CALLBACK], single_logout=False)
    try:
        assert "end_session_endpoint" not in requests.get(
            f"{provider.issuer}/.well-known/openid-configuration", timeout=5).json()
        app = make_test_app(database_url, **{**sso_settings, "OIDC_ISSUER": provider.issuer})
        with app.app_context():
            client = app.test_client()
            sso_login(client, "asha")
            assert _logged_in(client)
            answer = client.post("/logout")
            assert answer.headers["Location"] in ("/", "http://conference.test/")
            assert not _logged_in(client)
            db.session.remove()
            db.engine.dispose()
    finally:
        stop_provider(provider)


@pytest.mark.parametrize(("length", "kept"), [(ID_TOKEN_MAX_LENGTH, True), (ID_TOKEN_MAX_LENGTH + 1, False)])
def test_an_id_token_too_long_for_the_cookie_is_not_kept(app, length, kept):
    with app.test_request_context("/logout"):
        remember_sign_in("x" * length)
        from flask import session

        assert session[SIGNED_IN_KEY] is True
        assert (ID_TOKEN_KEY in session) is kept
        url = provider_logout_url()
    # Without the token the provider still knows the site by its client id.
    query = parse_qs(urlsplit(url).query)
    assert ("id_token_hint" in query) is kept
    assert query["client_id"] == [CLIENT_ID]
