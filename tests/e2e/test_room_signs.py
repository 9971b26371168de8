"""Room schedules print as door signs: one sheet per room and day, without the site's header,
navigation, filters or footer. Checked on the PDF Chromium prints."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

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


def _make_conference() -> None:
    conference = ConferenceFactory(slug="signs", name="Signs Conf", time_zone="Europe/London")
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    rooms = [RoomFactory(conference=conference, hub=london, name=name) for name in ("Thames", "Severn")]
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    for room, day in ((rooms[0], 12), (rooms[0], 13), (rooms[1], 12)):
        for hour in (9, 10):
            proposal = ProposalFactory(conference=conference, state=ProposalState.ACCEPTED,
                                       title=f"{room.name} {day} {hour}")
            ProposalSpeakerFactory(proposal=proposal, user=UserFactory())
            starts_at = datetime(2027, 3, day, hour, tzinfo=UTC)
            ScheduledTalkFactory(version=version, proposal=proposal, room=room, starts_at=starts_at,
                                 ends_at=starts_at + timedelta(minutes=30))
    db.session.commit()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_each_room_and_day_prints_on_a_sheet_of_its_own(live_server, page):
    app, base_url = live_server
    with app.app_context():
        _make_conference()
        db.session.remove()

    page.goto(f"{base_url}/c/signs/agenda/rooms")
    assert page.locator("section.room-sign").count() == 3
    assert page.get_by_role("button", name="Print").is_visible()  # shown once JavaScript runs

    page.emulate_media(media="print")
    assert page.locator("body > header").is_hidden()
    assert page.locator("nav.subnav").is_hidden()
    assert page.get_by_role("button", name="Show").is_hidden()
    assert page.get_by_text("Thames 13 10").is_visible()
    assert _pdf_pages(page.pdf(format="A4")) == 3

    page.goto(f"{base_url}/c/signs/agenda/rooms?day=2027-03-12")
    assert _pdf_pages(page.pdf(format="A4")) == 2
