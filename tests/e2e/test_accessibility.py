"""Key pages pass axe-core's WCAG 2.1 A and AA rules in Chromium (contrast, names of controls
and links, landmarks, labels, ARIA), for anonymous visitors and for an organiser.

axe-core comes from the npm registry (tests/node_tools, `make node-tools`); the page's own
content security policy is bypassed only so the checker can be injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conference.conferences.models import Role
from conference.extensions import db
from conference.proposals.models import ProposalState
from tests.conftest import IN_CI
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_tools" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ANONYMOUS_PAGES = [
    "/", "/login", "/register", "/archive", "/c/a11y/agenda/", "/c/a11y/agenda/?view=list",
    "/c/a11y/agenda/now", "/c/a11y/agenda/speakers", "/c/a11y/agenda/rooms", "/c/a11y/embed/agenda",
    "/c/a11y/embed/agenda?view=day",
]
ORGANISER_PAGES = [
    "/account", "/c/a11y/manage/", "/c/a11y/manage/ranking", "/c/a11y/manage/schedule/",
    "/c/a11y/manage/schedule/draft", "/c/a11y/manage/activity", "/c/a11y/manage/embed",
    "/c/a11y/manage/tags", "/c/a11y/manage/access-codes", "/c/a11y/manage/insights",
    "/c/a11y/proposals/", "/admin/people", "/c/a11y/manage/questions", "/c/a11y/manage/attendance",
    "/c/a11y/manage/attendance/settings", "/c/a11y/attendance", "/c/a11y/manage/check-in",
    # The hub's desk and badges on the conference's first day ({hub} is London's id).
    "/c/a11y/manage/check-in/{hub}/2027-03-24", "/c/a11y/manage/check-in/{hub}/2027-03-24/badges",
]


def _make_conference() -> int:
    """The conference the pages show; returns its London hub's id."""
    conference = ConferenceFactory(slug="a11y", name="Accessible Conf", time_zone="Europe/London")
    organiser = UserFactory(email="organiser@example.com", display_name="Olivia Organiser", is_site_admin=True)
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    rooms = [RoomFactory(conference=conference, hub=london, name="Thames", has_streaming=True),
             RoomFactory(conference=conference, hub=None, name="Stream 1", has_streaming=True)]
    tracks = [TrackFactory(conference=conference, name="Platform"), TrackFactory(conference=conference, name="Data")]
    published = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    draft = ScheduleVersionFactory(conference=conference, is_draft=True, number=None)
    starts = datetime(2999, 11, 20, 9, tzinfo=UTC)
    for index in range(4):
        proposal = ProposalFactory(conference=conference, state=ProposalState.ACCEPTED, track=tracks[index % 2],
                                   title=f"Talk number {index}")
        ProposalSpeakerFactory(proposal=proposal, user=UserFactory(display_name=f"Speaker {index}"))
        for version in (published, draft):
            at = starts + timedelta(hours=index // 2)
            ScheduledTalkFactory(version=version, proposal=proposal, room=rooms[index % 2], starts_at=at,
                                 ends_at=at + timedelta(minutes=30))
    submitted = ProposalFactory(conference=conference, state=ProposalState.SUBMITTED, title="Still in review")
    ProposalSpeakerFactory(proposal=submitted, user=UserFactory())
    db.session.commit()
    return london.id


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, e.g. ${v.nodes[0].target.join(' ')})`)",
        RULES,
    )
    return list(found)


def test_key_pages_pass_axe(live_server, browser):
    if not AXE.is_file():
        reason = "axe-core is not installed (make node-tools)."
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    app, base_url = live_server
    with app.app_context():
        hub_id = _make_conference()
        db.session.remove()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/London",
                                  locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = {}
    try:
        for path in ANONYMOUS_PAGES:
            page.goto(f"{base_url}{path}")
            problems[path] = _violations(page)
        page.goto(f"{base_url}/login")
        page.get_by_label("E-mail").fill("organiser@example.com")
        page.locator("#password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_url(f"{base_url}/")
        for path in ORGANISER_PAGES:
            path = path.format(hub=hub_id)
            response = page.goto(f"{base_url}{path}")
            assert response.status == 200, path
            problems[path] = _violations(page)
    finally:
        context.close()
    assert {path: found for path, found in problems.items() if found} == {}
