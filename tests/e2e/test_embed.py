"""The embedded agenda in a real browser: another site (a second server, so another origin)
frames it; the frame shows times in the reader's zone and refuses sites the server does not name."""

from __future__ import annotations

import functools
import threading
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

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


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def intranet(tmp_path):
    """A second site, on another port: writes its home page, returns its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(frame_src: str) -> str:
        (tmp_path / "index.html").write_text(
            "<!doctype html><title>Intranet</title><h1>Intranet home</h1>"
            f'<iframe id="agenda" src="{frame_src}" title="Agenda" width="600" height="400"></iframe>'
        )
        return f"http://127.0.0.1:{server.server_port}/index.html"

    yield publish
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _make_conference() -> None:
    conference = ConferenceFactory(slug="framed", name="Framed Conf", time_zone="Europe/London")
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    room = RoomFactory(conference=conference, hub=london, name="Thames")
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    proposal = ProposalFactory(conference=conference, state=ProposalState.ACCEPTED, title="Framed keynote")
    ProposalSpeakerFactory(proposal=proposal, user=UserFactory())
    # Far ahead, so "now and next" lists it whenever the test runs.
    starts_at = datetime(2999, 11, 20, 14, tzinfo=UTC)
    ScheduledTalkFactory(version=version, proposal=proposal, room=room, starts_at=starts_at,
                         ends_at=starts_at + timedelta(minutes=30))
    db.session.commit()


def test_another_site_frames_the_agenda_in_the_readers_zone(live_server, intranet, page):
    app, base_url = live_server
    with app.app_context():
        _make_conference()
        db.session.remove()

    page.goto(intranet(f"{base_url}/c/framed/embed/agenda"))
    frame = page.frame_locator("#agenda")
    # The page context reads New York time: the script asks for it once.
    assert frame.locator("[data-embed-zone]").inner_text() == "America/New_York (UTC-05:00)"
    talk = frame.get_by_role("link", name="Framed keynote")
    assert talk.is_visible()
    assert frame.locator(".embed-when").inner_text() == "Wed 20 Nov, 09:00–09:30"
    # Links leave the frame for a new tab.
    with page.context.expect_page() as opened:
        talk.click()
    assert opened.value.url.startswith(f"{base_url}/c/framed/agenda/talks/")


def test_a_site_the_server_does_not_name_cannot_frame_it(live_server, intranet, page):
    app, base_url = live_server
    with app.app_context():
        _make_conference()
        db.session.remove()
    app.config["EMBED_FRAME_ANCESTORS"] = "https://intranet.example.com"

    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(intranet(f"{base_url}/c/framed/embed/agenda"))
    page.wait_for_timeout(500)

    assert page.frame_locator("#agenda").get_by_role("link", name="Framed keynote").count() == 0
    assert any("frame-ancestors" in text for text in blocked)
