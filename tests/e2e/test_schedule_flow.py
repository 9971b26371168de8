"""The schedule end to end in a real browser: build -> edit -> publish -> star -> feed -> move -> feed.

The solver runs where it runs in production: in a real ``huey_consumer`` process. The queue is
a SQLite file in ``tmp_path`` (the test process's ``huey`` gets that storage, the consumer
finds the same file through INSTANCE_PATH) and the consumer reads and writes the live server's
SQLite database through DATABASE_URL. Immediate mode would instead solve inside the POST
request, so the run page's progress polling and the "enqueue after commit" path would go
untested.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from huey.storage import SqliteStorage
from sqlalchemy import select

from conference.conferences.models import Role
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalState
from conference.schedule import operations as schedule_operations
from conference.schedule.models import (
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleVersion,
)
from conference.tasks import huey
from tests.conference.schedule.factories import AvailabilityWindowFactory, ScheduleSettingsFactory
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    RoomFactory,
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
SLUG = "hybrid"
KOLKATA = ZoneInfo("Asia/Kolkata")
TITLES = [
    "Zero-downtime schema migrations",
    "Remote pairing that works",
    "Queues at scale",
    "Observability on a budget",
    "Feature flags without tears",
]


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


def _make_conference() -> None:
    """London and New York hubs, an online stream, five accepted/confirmed talks, one block per hub."""
    conference = ConferenceFactory(slug=SLUG, name="Hybrid Summit", time_zone="Europe/London",
                                   starts_on=datetime(2027, 3, 24).date(), ends_on=datetime(2027, 3, 25).date())
    organiser = UserFactory(email="organiser@example.com", display_name="Olga Organiser", time_zone="Europe/London")
    attendee = UserFactory(email="asha@example.com", display_name="Asha Attendee", time_zone="Asia/Kolkata")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    RoleFactory(conference=conference, user=attendee, role=Role.ATTENDEE)
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    new_york = HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    thames = RoomFactory(conference=conference, hub=london, name="Thames", capacity=80)
    hudson = RoomFactory(conference=conference, hub=new_york, name="Hudson", capacity=80)
    RoomFactory(conference=conference, hub=None, name="Stream A", capacity=500)
    ScheduleSettingsFactory(conference_id=conference.id, slot_minutes=30, time_limit_seconds=3)
    talk_format = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    track = TrackFactory(conference=conference, name="Platform")
    db.session.flush()
    # 09:00-12:00 in London (GMT) and 10:00-13:00 in New York (EDT), each hub's room plus the stream.
    london_block = schedule_operations.add_block(conference, "London morning", london, _utc(24, 9), _utc(24, 12))
    new_york_block = schedule_operations.add_block(conference, "New York morning", new_york, _utc(24, 14), _utc(24, 17))
    db.session.execute(ScheduleBlockRoom.__table__.delete().where(
        ((ScheduleBlockRoom.block_id == london_block.id) & (ScheduleBlockRoom.room_id == hudson.id))
        | ((ScheduleBlockRoom.block_id == new_york_block.id) & (ScheduleBlockRoom.room_id == thames.id))
    ))
    for number, title in enumerate(TITLES):
        proposal = ProposalFactory(conference=conference, title=title, track=track, session_format=talk_format,
                                   state=ProposalState.CONFIRMED if number % 2 == 0 else ProposalState.ACCEPTED)
        speaker = UserFactory(display_name=f"Speaker {number}")
        ProposalSpeakerFactory(proposal=proposal, user=speaker)
        AvailabilityWindowFactory(conference_id=conference.id, user=speaker,
                                  starts_at=_utc(24, 0), ends_at=_utc(26, 0))
    db.session.commit()


def _log_in(browser, base_url, email, zone):
    context = browser.new_context(timezone_id=zone, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    return context, page


@pytest.fixture
def huey_consumer(live_server, tmp_path, monkeypatch):
    """A real ``huey_consumer`` process sharing a SQLite queue with the live server."""
    app, _ = live_server
    worker_instance = tmp_path / "worker"
    worker_instance.mkdir()
    monkeypatch.setattr(huey, "storage", SqliteStorage(name=huey.name, filename=str(worker_instance / "huey.db")))
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(INSTANCE_PATH=str(worker_instance), DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               MAIL_SERVER="127.0.0.1", MAIL_PORT="9")
    consumer_bin = Path(sys.executable).with_name("huey_consumer")
    log = (tmp_path / "consumer.log").open("w")
    process = subprocess.Popen(
        [str(consumer_bin), "conference.tasks.huey", "-w", "1", "-d", "0.1", "-m", "0.5"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
    )
    try:
        yield tmp_path / "consumer.log"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _published_talk(app, title: str, number: int) -> ScheduledTalk:
    with app.app_context():
        talk = db.session.scalar(
            select(ScheduledTalk).join(ScheduleVersion).join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
            .where(ScheduleVersion.number == number, ScheduleVersion.is_draft.is_(False), Proposal.title == title)
        )
        db.session.expunge_all()
        db.session.remove()
        return talk


def _free_start_in_same_room(app, title: str) -> datetime:
    """A slot start in the talk's own block and room that no other draft talk uses."""
    with app.app_context():
        draft_talks = list(db.session.scalars(
            select(ScheduledTalk).join(ScheduleVersion).where(ScheduleVersion.is_draft.is_(True))
        ))
        talk = next(t for t in draft_talks if db.session.get(Proposal, t.proposal_id).title == title)
        block = next(
            block for block in db.session.scalars(select(ScheduleBlock))
            if block.starts_at <= talk.starts_at and talk.ends_at <= block.ends_at
        )
        taken = {t.starts_at for t in draft_talks if t.room_id == talk.room_id}
        start = block.starts_at
        while start + timedelta(minutes=30) <= block.ends_at:
            if start not in taken:
                db.session.remove()
                return start.astimezone(UTC)
            start += timedelta(minutes=30)
        raise AssertionError("no free slot in the talk's room")


def _fetch_event(context, feed_url: str, title: str) -> icalendar.Event:
    response = context.request.get(feed_url)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.body())
    [event] = [event for event in calendar.walk("VEVENT") if str(event["SUMMARY"]) == title]
    return event


def test_build_publish_star_subscribe_and_move_in_real_browser(live_server, browser, huey_consumer):
    app, base_url = live_server
    with app.app_context():
        _make_conference()
        db.session.remove()
    title = TITLES[0]

    # The organiser builds the schedule; the consumer solves it while the page polls.
    organiser_context, organiser = _log_in(browser, base_url, "organiser@example.com", "Europe/London")
    organiser.goto(f"{base_url}/c/{SLUG}/manage/schedule/")
    organiser.get_by_role("button", name="Build schedule").click()
    organiser.wait_for_url(f"{base_url}/c/{SLUG}/manage/schedule/runs/*")
    try:
        organiser.get_by_role("heading", name="Result").wait_for(timeout=40_000)
    except Exception:
        raise AssertionError(f"the run did not finish; consumer log:\n{huey_consumer.read_text()}") from None
    assert "The draft now holds 5 talks" in organiser.content()

    # The draft editor shows the grid; publishing makes version 1.
    organiser.get_by_role("link", name="Open the draft editor").first.click()
    assert organiser.locator("table.schedule-grid").count() >= 1
    placed = organiser.locator("#draft-grid td.talk-cell > strong").all_inner_texts()
    assert sorted(placed) == sorted(TITLES)
    organiser.get_by_role("button", name="Publish this draft as a new version").click()
    organiser.get_by_text("Published version 1").wait_for()

    # An attendee in Kolkata reads the agenda in her zone.
    first = _published_talk(app, title, 1)
    attendee_context, attendee = _log_in(browser, base_url, "asha@example.com", "Asia/Kolkata")
    attendee.goto(f"{base_url}/c/{SLUG}/agenda/")
    assert "Asia/Kolkata (UTC+05:30)" in attendee.locator("[data-agenda-zone]").inner_text()
    attendee.get_by_role("link", name=title).first.click()
    attendee.wait_for_url(f"{base_url}/c/{SLUG}/agenda/talks/*")
    talk_url = attendee.url
    local = first.starts_at.astimezone(KOLKATA)
    details = attendee.locator("article dl").inner_text()
    assert f"{local:%a %d %b %Y, %H:%M}–{first.ends_at.astimezone(KOLKATA):%H:%M} (Asia/Kolkata (UTC+05:30))" in details

    # She stars it and fetches her personal feed.
    attendee.get_by_role("button", name=f"Star: {title}").click()
    attendee.get_by_role("button", name=f"Unstar: {title}").wait_for()
    attendee.goto(f"{base_url}/c/{SLUG}/calendar")
    # The private link is made only when she asks for it (a POST), never by looking.
    attendee.get_by_role("button", name="Get my calendar link").click()
    feed_url = attendee.get_by_label("Link to copy").input_value()
    assert "/feeds/" in feed_url and feed_url.endswith("/starred.ics")
    before = _fetch_event(attendee_context, feed_url, title)
    assert before.start.astimezone(UTC) == first.starts_at.astimezone(UTC)
    assert before.end.astimezone(UTC) == first.ends_at.astimezone(UTC)

    # The organiser moves that talk with the form fallback and publishes version 2.
    new_start = _free_start_in_same_room(app, title)
    assert new_start != first.starts_at.astimezone(UTC)
    organiser.goto(f"{base_url}/c/{SLUG}/manage/schedule/draft")
    organiser.get_by_role("link", name=f"Move “{title}”").click()
    organiser.get_by_label("Start time").select_option(value=new_start.isoformat())
    organiser.get_by_role("button", name="Move the talk").click()
    organiser.get_by_text(f"Moved “{title}”").wait_for()
    organiser.get_by_role("button", name="Publish this draft as a new version").click()
    organiser.get_by_text("Published version 2").wait_for()

    # Her feed now has the talk at its new time, with a higher SEQUENCE and the same UID.
    after = _fetch_event(attendee_context, feed_url, title)
    assert str(after["UID"]) == str(before["UID"])
    assert after.start.astimezone(UTC) == new_start
    assert after.end.astimezone(UTC) == new_start + timedelta(minutes=30)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])

    # And the agenda shows the new time in Kolkata.
    attendee.goto(talk_url)
    assert f"{new_start.astimezone(KOLKATA):%a %d %b %Y, %H:%M}" in attendee.locator("article dl").inner_text()
    for context in (organiser_context, attendee_context):
        context.close()
