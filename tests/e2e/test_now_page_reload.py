""""Now and next" keeps itself current in a real browser: static/js/agenda.js reloads the page
once a minute has passed, but not while the viewer is choosing a filter.

The browser's clock is Playwright's fake one, so a minute passes at once; the server's clock is
the real one, so the talks are placed around the real present.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from conference.core.types import utcnow
from conference.extensions import db
from conference.proposals.models import ProposalState
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
NOW_PAGE = "/c/nowcon/agenda/now?tz=UTC"


def _publish_a_running_talk(app) -> None:
    with app.app_context():
        conference = ConferenceFactory(slug="nowcon", name="Now Conf", time_zone="UTC")
        hub = HubFactory(conference=conference, name="London", time_zone="Europe/London")
        room = RoomFactory(conference=conference, hub=hub, name="Thames")
        version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
        start = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=10)
        proposal = ProposalFactory(conference=conference, title="Running right now", state=ProposalState.ACCEPTED)
        ProposalSpeakerFactory(proposal=proposal, user=UserFactory())
        ScheduledTalkFactory(version=version, proposal=proposal, room=room, starts_at=start,
                             ends_at=start + timedelta(hours=2))
        db.session.commit()


def _mark_page(page) -> None:
    """A flag that lives only as long as this copy of the page: a reload drops it."""
    page.evaluate("window.__notReloaded = true")


def _reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded === undefined")


def test_now_page_reloads_itself_after_a_minute(live_server, browser):
    app, base_url = live_server
    _publish_a_running_talk(app)
    context = browser.new_context(timezone_id="UTC", locale="en-GB")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.clock.install()
        page.goto(f"{base_url}{NOW_PAGE}")
        assert "Running right now" in page.locator("#now").inner_text()
        _mark_page(page)

        page.clock.run_for(30_000)
        assert not _reloaded(page), "reloaded before its minute was up"

        with page.expect_navigation():
            page.clock.run_for(35_000)
        assert _reloaded(page)
        assert "Running right now" in page.locator("#now").inner_text()
    finally:
        context.close()


def test_now_page_waits_while_a_filter_is_being_chosen(live_server, browser):
    app, base_url = live_server
    _publish_a_running_talk(app)
    context = browser.new_context(timezone_id="UTC", locale="en-GB")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.clock.install()
        page.goto(f"{base_url}{NOW_PAGE}")
        _mark_page(page)
        page.locator("select").first.focus()

        page.clock.run_for(3 * 60_000)
        assert not _reloaded(page), "reloaded while the viewer was choosing a filter"

        # Done choosing: the overdue reload comes at the next check.
        page.locator("h1").click()
        with page.expect_navigation():
            page.clock.run_for(6_000)
        assert _reloaded(page)
    finally:
        context.close()
