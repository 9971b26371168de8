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


WIDE_SLUG = "widecon"
WIDE_EDITOR = f"/c/{WIDE_SLUG}/manage/schedule/draft"
ROOMS = {"Bengaluru": ["Cubbon", "Lalbagh", "Ulsoor"], "London": ["Kew", "Shard", "Thames"],
         "New York": ["Brooklyn", "Hudson"], None: ["Online Stream 1", "Online Stream 2"]}
LONG_TITLES = ["Scaling code review turnaround across three hubs", "Hands-on: blameless postmortems",
               "Forecasting demand with sparse data: lessons from production",
               "Sustainable pace after a big launch, step by step", "Zero-downtime schema migrations at scale"]


def _make_wide_conference() -> int:
    """The demo's shape: ten rooms and streams in three hubs and online, long titles, one pinned
    talk, and one talk not in the draft; returns the id of the last room, the one furthest right."""
    conference = ConferenceFactory(slug=WIDE_SLUG, name="Wide Conf", time_zone="Europe/London")
    organiser = UserFactory(email="organiser@example.com", time_zone="Europe/London")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    ScheduleSettingsFactory(conference_id=conference.id, slot_minutes=30, time_limit_seconds=3)
    rooms = []
    for hub_name, names in ROOMS.items():
        hub = HubFactory(conference=conference, name=hub_name) if hub_name else None
        rooms += [RoomFactory(conference=conference, hub=hub, name=name, capacity=2000 if hub is None else 80)
                  for name in names]
    track = TrackFactory(conference=conference, name="Developer Experience")
    half_hour = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    db.session.flush()
    block = schedule_operations.add_block(conference, "Morning", None, _utc(9), _utc(12))
    draft = ScheduleVersionFactory(conference=conference, is_draft=True)
    # Talks at 09:00 in the first three and the last rooms but one; the first is pinned.
    for index, (title, room) in enumerate(zip(LONG_TITLES + [SHORT], rooms[:3] + rooms[-3:-1] + [None], strict=True)):
        proposal = ProposalFactory(conference=conference, title=title, track=track, session_format=half_hour,
                                   state=ProposalState.ACCEPTED)
        ProposalSpeakerFactory(proposal=proposal, user=UserFactory(display_name="Lakshmi Menon"))
        if room is not None:
            ScheduledTalkFactory(version=draft, proposal=proposal, room=room, block=block, starts_at=_utc(9),
                                 ends_at=_utc(9, 30), pinned=index == 0)
    db.session.commit()
    return rooms[-1].id


BROKEN_WORDS = """(selector) => {
  // Words (between spaces and dashes) whose characters lie on more than one line.
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s\\-–]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) { broken.push(match[0]); }
      }
    }
  }
  return broken;
}"""

OVERFLOWING_ACTIONS = """() => [...document.querySelectorAll('#draft-grid td.talk-cell')].flatMap(cell => {
  const box = cell.getBoundingClientRect();
  return [...cell.querySelectorAll('.talk-actions a, .talk-actions button')]
    .filter(action => {
      const r = action.getBoundingClientRect();
      return r.left < box.left - .5 || r.right > box.right + .5 || r.top < box.top - .5 || r.bottom > box.bottom + .5;
    })
    .map(action => action.childNodes[0].textContent.trim() + ' in ' + cell.querySelector('strong').innerText);
})"""


def test_a_grid_of_ten_rooms_keeps_readable_columns_and_scrolls_in_its_own_region(live_server, browser):
    app, base_url = live_server
    with app.app_context():
        last_room_id = _make_wide_conference()
        db.session.remove()
    context = browser.new_context(timezone_id="Europe/London", locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill("organiser@example.com")
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    page.goto(f"{base_url}{WIDE_EDITOR}")
    region = page.locator(".schedule-scroll")

    # The page itself never scrolls sideways: the grid does, inside its region.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    # Room columns keep a sensible width instead of being squeezed into the page's.
    narrowest = page.evaluate("""() => {
        const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
        const rooms = [...document.querySelectorAll('.schedule-grid thead th[scope=col]')].slice(1);
        return Math.min(...rooms.map(th => th.getBoundingClientRect().width)) / rem;
    }""")
    assert narrowest >= 8, f"the narrowest room column is {narrowest:.1f} rem wide"
    # Room names and titles wrap between words, never inside one ("Cubbo n").
    assert page.evaluate(BROKEN_WORDS, ".schedule-grid thead th") == []
    assert page.evaluate(BROKEN_WORDS, "#draft-grid td.talk-cell > strong") == []
    # Move, Pin (Unpin) and Unschedule fit inside every talk's cell.
    assert page.locator("#draft-grid td.talk-cell .talk-actions").count() == len(LONG_TITLES)
    assert page.get_by_role("button", name=f"Unpin “{LONG_TITLES[0]}”").is_visible()
    assert page.evaluate(OVERFLOWING_ACTIONS) == []

    # In a low window the region scrolls down too, and the room row stays at its top.
    page.set_viewport_size({"width": 1280, "height": 400})
    assert region.evaluate("r => r.scrollHeight > r.clientHeight")
    region.evaluate("r => { r.scrollTop = r.scrollHeight; }")
    header_top, region_top = region.evaluate(
        "r => [r.querySelector('thead th[scope=col]').getBoundingClientRect().top, r.getBoundingClientRect().top]")
    assert abs(header_top - region_top) <= 2, (header_top, region_top)

    # A talk dragged onto a cell in the last column, out of view until the region scrolls, is placed.
    page.reload()
    _whole_page_in_view(page)
    target = page.locator(f'td.free-cell[data-room-id="{last_room_id}"][data-starts-at="{_utc(10).isoformat()}"]')
    assert region.evaluate("(r, cell) => cell.getBoundingClientRect().left > r.getBoundingClientRect().right",
                           target.element_handle())
    page.locator("#not-in-draft li.unplaced-talk", has_text=SHORT).drag_to(target)
    page.locator("#draft-grid td.talk-cell > strong", has_text=SHORT).wait_for()
    assert _placement(app, SHORT) == (last_room_id, _utc(10))
    context.close()
