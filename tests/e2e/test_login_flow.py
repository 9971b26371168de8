"""Register, log out and log in again in a real browser."""

import pytest

pytestmark = pytest.mark.browser


def test_login_flow_in_real_browser(live_server, page):
    app, base_url = live_server
    page.goto(f"{base_url}/register")
    # The browser's zone (set on the context) is pre-filled for the new account.
    assert page.get_by_label("Your time zone").input_value() == "America/New_York"
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.locator("#password").fill("analytical engine")
    page.get_by_label("Repeat password").fill("analytical engine")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base_url}/")
    assert "Welcome! Your account is ready." in page.content()
    assert page.get_by_role("link", name="Ada Lovelace").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base_url}/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill("wrong password!!")
    page.get_by_role("button", name="Log in").click()
    assert "That e-mail and password do not match an account." in page.content()

    page.get_by_label("Password").fill("analytical engine")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    assert page.get_by_role("link", name="Ada Lovelace").is_visible()
    assert "America/New_York" in page.locator("footer").inner_text()
