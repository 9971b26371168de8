"""Pages fit a phone's width (390 px): a wide table scrolls sideways in a labelled region of its
own (static/js/app.js), hidden labels inside scrolling regions do not widen the page, and the
header wraps a long name. On a wide screen tables are left as they are."""

from __future__ import annotations

import pytest

from conference.conferences.models import Role
from conference.extensions import db
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    RoleFactory,
    RoomFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def _make_conference() -> None:
    conference = ConferenceFactory(slug="narrow", name="Narrow Conf", time_zone="Europe/London")
    organiser = UserFactory(email="organiser@example.com", display_name="Maximiliana Featherstonehaugh-Wolstenholme")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    for name, zone in (("London headquarters", "Europe/London"), ("Bengaluru campus", "Asia/Kolkata"),
                       ("New York office", "America/New_York")):
        hub = HubFactory(conference=conference, name=name, time_zone=zone)
        RoomFactory(conference=conference, hub=hub, name=f"{name} main auditorium", capacity=300)
    db.session.commit()


def _page_as_organiser(browser, base_url, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, timezone_id="Europe/London",
                                  locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill("organiser@example.com")
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    return context, page


@pytest.mark.parametrize("path", ["/c/narrow/manage/hubs", "/c/narrow/manage/rooms", "/c/narrow/manage/people"])
def test_organiser_pages_fit_a_phone_and_their_tables_scroll_in_a_region(live_server, browser, path):
    app, base_url = live_server
    with app.app_context():
        _make_conference()
        db.session.remove()
    context, page = _page_as_organiser(browser, base_url, 390)
    try:
        page.goto(f"{base_url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        table = page.locator("main table").first
        region = table.locator("xpath=ancestor::*[@role='region'][1]")
        assert region.count() == 1
        assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")
        assert region.get_attribute("tabindex") == "0"
        # The region scrolls: the table is wider than it.
        assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", region.element_handle())
    finally:
        context.close()


def test_tables_that_fit_are_not_wrapped(live_server, browser):
    app, base_url = live_server
    with app.app_context():
        _make_conference()
        db.session.remove()
    context, page = _page_as_organiser(browser, base_url, 1280)
    try:
        page.goto(f"{base_url}/c/narrow/manage/hubs")
        assert page.locator("main .table-region").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        context.close()
