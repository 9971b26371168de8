"""Logging in with the company account in a real browser, through a real OpenID Connect
provider (node-oidc-provider's development login form), and back to the page asked for; and
logging out of both the site and the provider."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.conference.sso.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    free_port,
    start_provider,
    stop_provider,
)
from tests.conftest import make_test_app

pytestmark = pytest.mark.browser


@pytest.fixture
def sso_site(tmp_path):
    """The app on a real HTTP server, logging in through a provider started for it."""
    provider_port = free_port()
    app = make_test_app(
        f"sqlite:///{tmp_path / 'live.db'}", WTF_CSRF_ENABLED=True, SERVER_NAME=None, PUBLIC_URL=None,
        OIDC_ISSUER=f"http://127.0.0.1:{provider_port}", OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_PROVIDER_NAME="Acme SSO",
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    provider = start_provider(
        [f"{base_url}/login/sso/callback"], port=provider_port, post_logout_redirect_uris=[f"{base_url}/login"]
    )
    try:
        yield base_url
    finally:
        stop_provider(provider)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            from conference.extensions import db

            db.engine.dispose()


def test_log_in_with_the_company_account_and_land_where_you_were_going(sso_site, page):
    page.goto(f"{sso_site}/account")  # needs a login: sent to the login page, remembering this
    page.get_by_role("button", name="Log in with Acme SSO").click()

    # The provider's own pages.
    page.locator("input[name=login]").fill("asha")
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()

    # Back here, logged in, with the account made from the provider's claims.
    page.wait_for_url(f"{sso_site}/account")
    assert page.get_by_text("Welcome, Asha Rao!").is_visible()
    assert page.locator("input[name=time_zone]").input_value() == "Asia/Kolkata"
    page.get_by_role("button", name="Log out").click()

    # Single logout: the provider asks, ends its session too and sends the person back here.
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{sso_site}/login")
    assert page.get_by_text("You are logged out.").is_visible()

    # So the next company log-in asks for the password at the provider again.
    page.get_by_role("button", name="Log in with Acme SSO").click()
    page.locator("input[name=login]").fill("asha")
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{sso_site}/")
    assert page.get_by_role("link", name="Asha Rao").is_visible()
