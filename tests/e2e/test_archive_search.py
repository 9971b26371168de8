"""The knowledge archive in a real browser: an organiser tags a talk, a colleague finds it.

Two yearly editions of a summit are published. The organiser of last year's edition tags one
talk on its Topics page; then a visitor opens the archive from the main navigation, searches
last year's talks on that topic, sees the highlighted result and follows the topic page to the
people who spoke on it and on to the talk itself.
"""

from __future__ import annotations

from datetime import date

import pytest

from conference.archive.models import TopicTag
from conference.archive.operations import refresh_conference_archive
from conference.conferences.models import Role
from conference.extensions import db
from tests.conference.archive.conftest import add_recording, make_edition, make_user, tag
from tests.factories import DEFAULT_PASSWORD, RoleFactory

pytestmark = pytest.mark.browser


def _seed(app) -> None:
    with app.app_context():
        last_year = make_edition("summit-2026", "Summit 2026", date(2026, 3, 10))
        this_year = make_edition("summit-2027", "Summit 2027", date(2027, 3, 12))
        organiser = make_user(email="olga@example.com", display_name="Olga Organiser")
        RoleFactory(conference=last_year.conference, user=organiser, role=Role.ORGANISER)
        asha = make_user(display_name="Asha Rao")
        ben = make_user(display_name="Ben Okafor")
        observability = TopicTag(
            slug="observability", name="Observability", description="Logs, metrics and traces."
        )
        db.session.add(observability)
        tracing = last_year.add_talk(
            "Tracing requests across services",
            "How we follow one request through forty services with OpenTelemetry.",
            speakers=[asha],
        )
        last_year.add_talk(
            "Alerting that lets you sleep",
            "Fewer pages, better tracing of incidents.",
            speakers=[ben],
        )
        last_year.add_talk(
            "Postgres upgrades without downtime", "Logical replication.", speakers=[ben]
        )
        sampling = this_year.add_talk(
            "Tracing at scale: sampling", "Head and tail sampling.", speakers=[asha]
        )
        tag(tracing, observability)
        tag(sampling, observability)
        add_recording(tracing, url="https://video.example.com/tracing")
        db.session.flush()
        refresh_conference_archive(last_year.conference)
        refresh_conference_archive(this_year.conference)
        db.session.commit()


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def test_a_colleague_finds_last_years_talks_on_a_topic(live_server, page):
    app, base_url = live_server
    _seed(app)

    # The organiser tags a second talk of last year's edition.
    _log_in(page, base_url, "olga@example.com")
    page.goto(f"{base_url}/c/summit-2026/manage/topics")
    page.get_by_label("Topic for Alerting that lets you sleep").fill("Observability")
    page.get_by_role("button", name="Add topic to Alerting that lets you sleep").click()
    assert "“Alerting that lets you sleep” is tagged “Observability”." in page.content()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base_url}/")

    # A colleague, not logged in, searches last year's observability talks.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Archive").click()
    page.wait_for_url(f"{base_url}/archive")
    page.get_by_label("Search titles, abstracts, speakers and topics").fill("tracing")
    page.get_by_label("Topic", exact=True).select_option(label="Observability")
    page.get_by_label("Year", exact=True).select_option("2026")
    page.get_by_role("button", name="Search").click()

    results = page.locator(".archive-hit")
    assert page.get_by_role("heading", name="2 talks").is_visible()
    assert results.count() == 2
    # The title match first, then the talk whose abstract mentions tracing.
    assert results.nth(0).get_by_role("heading").inner_text() == "Tracing requests across services"
    assert results.nth(1).get_by_role("heading").inner_text() == "Alerting that lets you sleep"
    assert results.nth(0).locator("mark").first.inner_text() == "Tracing"
    assert "Recording available" in results.nth(0).inner_text()
    assert "Summit 2026" in results.nth(0).inner_text()
    assert "Tracing at scale" not in page.content()  # this year's talk is filtered out

    # The topic page: talks over the years, the recording, who to ask.
    results.nth(0).get_by_role("link", name="Observability").click()
    page.wait_for_url(f"{base_url}/archive/topics/observability")
    assert page.get_by_role("heading", name="Observability", level=1).is_visible()
    assert page.get_by_role("heading", name="2027").is_visible()
    assert page.get_by_role("heading", name="2026").is_visible()
    assert page.get_by_role("link", name="Watch the recording: Recording").get_attribute(
        "href"
    ) == ("https://video.example.com/tracing")
    people = page.get_by_role("complementary")
    assert "Asha Rao" in people.inner_text() and "2 talks, latest 2027" in people.inner_text()

    # From the topic page to the talk on last year's agenda, which shows its topics.
    page.get_by_role("link", name="Tracing requests across services").click()
    page.wait_for_url(f"{base_url}/c/summit-2026/agenda/talks/*")
    assert page.get_by_role("heading", name="Tracing requests across services").is_visible()
    assert page.locator(".talk-topics").get_by_role("link", name="Observability").is_visible()
