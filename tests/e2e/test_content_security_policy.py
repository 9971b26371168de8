"""The strict Content-Security-Policy blocks nothing on real pages, and track colours still show."""

from __future__ import annotations

import pytest

from conference.extensions import db
from tests.conference.security.conftest import build_world
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def test_pages_raise_no_csp_violations_and_keep_track_colours(live_server, page):
    app, base_url = live_server
    with app.app_context():
        world = build_world(db)
        slug, talk_id, track_id = world.slug, world.talk.id, world.track.id
        speaker_id = world.users["speaker"].id
        colour = world.track.colour
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )

    _log_in(page, base_url, "organiser@example.com")
    paths = [
        "/",
        f"/c/{slug}/",
        f"/c/{slug}/agenda/",
        f"/c/{slug}/agenda/talks/{talk_id}",
        f"/c/{slug}/agenda/speakers",
        f"/c/{slug}/agenda/speakers/{speaker_id}",
        f"/c/{slug}/talks/",
        f"/c/{slug}/manage/tracks",
        f"/c/{slug}/manage/schedule/draft",
        f"/c/{slug}/manage/cfp",
        f"/c/{slug}/talks/{talk_id}",
        "/account",
    ]
    for path in paths:
        response = page.goto(f"{base_url}{path}")
        assert response.status < 400, path
        assert "script-src 'self'" in response.headers["content-security-policy"]

    page.goto(f"{base_url}/c/{slug}/agenda/talks/{talk_id}")
    swatch = page.locator(f".track-swatch.track-colour-{track_id}").first
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    expected = f"rgb({red}, {green}, {blue})"
    assert swatch.evaluate("element => getComputedStyle(element).backgroundColor") == expected
    page.goto(f"{base_url}/c/{slug}/manage/schedule/draft")
    cell = page.locator(f"td.talk-cell.track-colour-{track_id}").first
    assert cell.evaluate("element => getComputedStyle(element).borderLeftColor") == expected
    assert violations == []

    # The listener does hear the browser refuse inline styles: the empty list above means something.
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')"""
    )
    page.wait_for_timeout(200)
    assert any("style" in violation for violation in violations)
