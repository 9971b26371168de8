"""Placing a talk that is not in the draft by dragging it onto the grid, in a real browser.

One London room, 09:00-12:00 UTC in 30-minute slots, with talks at 09:00 and 11:00: the free
cells at 09:30, 10:00 and 10:30 leave 90, 60 and 30 minutes. A 30-minute talk and an hour-long
workshop wait under "Talks not in the draft".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from conference.conferences.models import Role
from conference.core.types import utcnow
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalState
from conference.schedule import operations as schedule_operations
from conference.schedule.models import ScheduledTalk, ScheduleVersion
from tests.conference.schedule.factories import ScheduleSettingsFactory
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
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
SLUG = "dragcon"
EDITOR = f"/c/{SLUG}/manage/schedule/draft"
SHORT, WORKSHOP = "Caching at the edge", "Hands-on tracing workshop"


def _utc(hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, 24, hour, minute, tzinfo=UTC)


def _make_conference() -> int:
    """The scene above; returns the room's id."""
    conference = ConferenceFactory(slug=SLUG, name="Drag Conf", time_zone="Europe/London")
    organiser = UserFactory(email="organiser@example.com", time_zone="Europe/London")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    thames = RoomFactory(conference=conference, hub=london, name="Thames", capacity=80)
    ScheduleSettingsFactory(conference_id=conference.id, slot_minutes=30, time_limit_seconds=3)
    track = TrackFactory(conference=conference, name="Platform")
    half_hour = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    hour = SessionFormatFactory(conference=conference, name="Workshop", duration_minutes=60)
    db.session.flush()
    block = schedule_operations.add_block(conference, "London morning", london, _utc(9), _utc(12))
    draft = ScheduleVersionFactory(conference=conference, is_draft=True)
    for title, session_format, starts_at in (
        ("Opening keynote", half_hour, _utc(9)), ("Closing panel", half_hour, _utc(11)),
        (SHORT, half_hour, None), (WORKSHOP, hour, None),
    ):
        proposal = ProposalFactory(conference=conference, title=title, track=track, session_format=session_format,
                                   state=ProposalState.ACCEPTED)
        ProposalSpeakerFactory(proposal=proposal, user=UserFactory())
        if starts_at is not None:
            ScheduledTalkFactory(version=draft, proposal=proposal, room=thames, block=block, starts_at=starts_at,
                                 ends_at=starts_at + timedelta(minutes=30))
    db.session.commit()
    return thames.id


def _placement(app, title: str) -> tuple[int, datetime] | None:
    with app.app_context():
        row = db.session.execute(
            select(ScheduledTalk.room_id, ScheduledTalk.starts_at)
            .join(ScheduleVersion).join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
            .where(ScheduleVersion.is_draft.is_(True), Proposal.title == title)
        ).first()
        db.session.remove()
        return (row.room_id, row.starts_at.astimezone(UTC)) if row is not None else None


def _someone_else_edits_the_draft(app) -> None:
    """What every editor change does to the draft row: its lock version goes up."""
    with app.app_context():
        draft = db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.is_draft.is_(True)))
        db.session.execute(
            update(ScheduleVersion).where(ScheduleVersion.id == draft.id)
            .values(updated_at=utcnow(), lock_version=draft.lock_version + 1)
        )
        db.session.commit()
        db.session.remove()


def _whole_page_in_view(page) -> None:
    # Chromium's emulated drag does not scroll the page, and the list sits above the grid.
    page.set_viewport_size({"width": 1280, "height": page.evaluate("document.documentElement.scrollHeight")})


def test_an_organiser_places_a_talk_by_dragging_it_onto_a_free_cell_that_fits(live_server, browser):
    app, base_url = live_server
    with app.app_context():
        room_id = _make_conference()
        db.session.remove()
    context = browser.new_context(timezone_id="Europe/London", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill("organiser@example.com")
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    page.goto(f"{base_url}{EDITOR}")
    _whole_page_in_view(page)

    def cell(hour, minute=0):
        return page.locator(f'td.free-cell[data-room-id="{room_id}"][data-starts-at="{_utc(hour, minute).isoformat()}"]')

    def waiting(title):
        return page.locator("#not-in-draft li.unplaced-talk", has_text=title)

    status = page.locator("#draft-editor-status")
    # The keyboard way stays next to the drag.
    assert page.get_by_role("link", name=f"Place “{WORKSHOP}”").is_visible()

    # The hour-long workshop is not taken by the 30 minutes left at 10:30: the cell says why.
    waiting(WORKSHOP).drag_to(cell(10, 30))
    assert status.inner_text() == (
        f"“{WORKSHOP}” lasts 60 minutes and does not fit at Thames, 10:30 Europe/London: "
        "only 30 minutes are free there in one session block."
    )
    assert _placement(app, WORKSHOP) is None

    # The 30-minute talk fits there: the server places it and the page shows it in the grid.
    waiting(SHORT).drag_to(cell(10, 30))
    page.locator("#draft-grid td.talk-cell > strong", has_text=SHORT).wait_for()
    assert waiting(SHORT).count() == 0
    assert _placement(app, SHORT) == (room_id, _utc(10, 30))

    # The server's refusal is shown when it has the last word: here the draft changed meanwhile.
    _someone_else_edits_the_draft(app)
    waiting(WORKSHOP).drag_to(cell(9, 30))
    page.get_by_text("Someone changed the draft since you loaded this page, so nothing was changed.").wait_for()
    assert _placement(app, WORKSHOP) is None

    # Reloaded, the workshop goes into the 90 free minutes at 09:30.
    page.reload()
    _whole_page_in_view(page)
    waiting(WORKSHOP).drag_to(cell(9, 30))
    page.locator("#draft-grid td.talk-cell > strong", has_text=WORKSHOP).wait_for()
    assert _placement(app, WORKSHOP) == (room_id, _utc(9, 30))
    assert page.locator("#not-in-draft").count() == 0
    context.close()
