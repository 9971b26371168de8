"""Organisers copy an access code's link with a button (static/js/app.js; the CSP forbids inline
script), which says so; the field stays selectable for browsers without JavaScript."""

from __future__ import annotations

import pytest

from conference.access_codes.models import AccessCode
from conference.conferences.models import Role
from conference.extensions import db
from tests.factories import DEFAULT_PASSWORD, ConferenceFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.browser


def test_the_copy_button_puts_the_codes_link_on_the_clipboard(live_server, browser):
    app, base_url = live_server
    with app.app_context():
        conference = ConferenceFactory(slug="codes", name="Codes Conf", time_zone="Europe/London")
        organiser = UserFactory(email="organiser@example.com")
        RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
        db.session.add(AccessCode(conference_id=conference.id, code="k3yn0te-Secret_code-123", note="Keynote: Ada"))
        db.session.commit()
        db.session.remove()
    context = browser.new_context(timezone_id="Europe/London", locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{base_url}/login")
        page.get_by_label("E-mail").fill("organiser@example.com")
        page.locator("#password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base_url}/")
        page.goto(f"{base_url}/c/codes/manage/access-codes")
        field = page.get_by_label("Link for Keynote: Ada (select to copy)")
        link = field.input_value()
        assert link.endswith("/c/codes/proposals/new?code=k3yn0te-Secret_code-123")

        button = page.get_by_role("button", name="Copy link for Keynote: Ada")
        button.click()

        page.get_by_role("button", name="Copied for Keynote: Ada").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == link
    finally:
        context.close()
