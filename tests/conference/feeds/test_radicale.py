"""Our feeds read by an independent CalDAV server: Radicale on 127.0.0.1.

Radicale accepts a whole calendar PUT into a collection only when every component parses and
every UID is unique; its time-range queries then use its own reading of TZID + VTIMEZONE, so a
talk is found exactly at its UTC instant (including across the New York DST change).
"""

from __future__ import annotations

import base64
import http.client
import importlib.util
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conference.feeds.helpers import at, make_world, publish
from tests.conference.mail.conftest import free_port
from tests.conftest import IN_CI
from tests.factories import ConferenceFactory, HubFactory, ProposalFactory, RoomFactory

AUTH = "Basic " + base64.b64encode(b"tester:unused").decode()
UID_LINE = re.compile(r"^UID:(.+?)\r?$", re.MULTILINE)


class Radicale:
    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, body: bytes | None = None, **headers) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers={"Authorization": AUTH, **headers})
            response = connection.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            connection.close()

    def put_calendar(self, body: bytes) -> tuple[int, str]:
        """PUT a whole feed as a new calendar collection; returns (status, collection path)."""
        path = f"/tester/{uuid.uuid4().hex}/"
        status, _ = self.request("PUT", path, body, **{"Content-Type": "text/calendar; charset=utf-8"})
        return status, path

    def uids_between(self, path: str, start: datetime, end: datetime) -> set[str]:
        """UIDs of the events Radicale finds overlapping [start, end) (a CalDAV time-range query)."""
        query = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>""".encode()
        status, text = self.request("REPORT", path, query, Depth="1",
                                    **{"Content-Type": "application/xml; charset=utf-8"})
        assert status == 207, text
        return set(UID_LINE.findall(text))


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    if importlib.util.find_spec("radicale") is None:
        if IN_CI:
            pytest.fail("CI requires Radicale (the `test` extra) for the feed reader tests.")
        pytest.skip("Radicale is not installed; `pip install -e '.[test]'` installs it.")
    port = free_port()
    storage = tmp_path_factory.mktemp("radicale")
    log = (storage / "radicale.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "-C", "/dev/null", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(storage / "collections"), "--auth-type", "none",
         "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=log,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                log.close()
                pytest.fail(f"Radicale did not start: {(storage / 'radicale.log').read_text()}")
            time.sleep(0.1)
    try:
        yield Radicale(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _feed(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return response.data


def _uid_of(body: bytes, title: str) -> str:
    import icalendar

    [event] = [e for e in icalendar.Calendar.from_ical(body).walk("VEVENT") if str(e["SUMMARY"]) == title]
    return str(event["UID"])


def test_radicale_rejects_duplicate_uids_and_broken_components(radicale):
    """The reader is strict enough to be worth asking (guards the tests below)."""
    event = ("BEGIN:VEVENT\r\nUID:same@example.test\r\nDTSTAMP:20270101T000000Z\r\n"
             "DTSTART:20270324T090000Z\r\nDTEND:20270324T093000Z\r\nSUMMARY:{}\r\nEND:VEVENT\r\n")
    calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}END:VCALENDAR\r\n"
    assert radicale.put_calendar(calendar.format(event.format("One")).encode())[0] == 201
    assert radicale.put_calendar(calendar.format(event.format("One") + event.format("Two")).encode())[0] == 400
    broken = event.format("One").replace("DTSTART:20270324T090000Z", "DTSTART:not-a-date")
    assert radicale.put_calendar(calendar.format(broken).encode())[0] == 400


def test_conference_feed_is_accepted_by_radicale_and_found_at_its_instants(app, client, db, radicale):
    world = make_world()
    publish(world.conference, world.placements)
    body = _feed(client, f"/c/{world.conference.slug}/calendar.ics")
    status, path = radicale.put_calendar(body)
    assert status == 201
    status, stored = radicale.request("GET", path)
    assert status == 200
    assert len(set(UID_LINE.findall(stored))) == 3
    for proposal, (_room, starts_at, ends_at) in world.placements.items():
        uid = _uid_of(body, proposal.title)
        # Found in its first minute and last minute, not in the minute before or after.
        assert uid in radicale.uids_between(path, starts_at, starts_at + timedelta(minutes=1))
        assert uid in radicale.uids_between(path, ends_at - timedelta(minutes=1), ends_at)
        assert uid not in radicale.uids_between(path, starts_at - timedelta(minutes=1), starts_at)
        assert uid not in radicale.uids_between(path, ends_at, ends_at + timedelta(minutes=1))


def test_feed_with_a_cancelled_talk_is_accepted_by_radicale(app, client, db, radicale):
    world = make_world()
    publish(world.conference, world.placements)
    moved = dict(world.placements)
    moved.pop(world.talks[1])
    moved[world.talks[0]] = (world.london_room, at(24, 11), at(24, 11, 30))
    publish(world.conference, moved)
    body = _feed(client, f"/c/{world.conference.slug}/calendar.ics")
    assert b"STATUS:CANCELLED" in body
    status, path = radicale.put_calendar(body)
    assert status == 201
    status, stored = radicale.request("GET", path)
    assert len(set(UID_LINE.findall(stored))) == 3
    assert "STATUS:CANCELLED" in stored
    moved_uid = _uid_of(body, world.talks[0].title)
    assert radicale.uids_between(path, at(24, 11), at(24, 11, 1)) == {moved_uid}
    assert moved_uid not in radicale.uids_between(path, at(24, 9), at(24, 9, 30))


def test_personal_feed_is_accepted_by_radicale(app, client, db, radicale, login):
    from conference.feeds.operations import feed_token_for
    from conference.interest.operations import mark_interest

    world = make_world()
    publish(world.conference, world.placements)
    attendee = login()
    mark_interest(attendee, world.talks[2])
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    body = _feed(client, f"/c/{world.conference.slug}/feeds/{token}/starred.ics")
    status, path = radicale.put_calendar(body)
    assert status == 201
    _room, starts_at, _ends_at = world.placements[world.talks[2]]
    assert radicale.uids_between(path, starts_at, starts_at + timedelta(minutes=1)) == {
        _uid_of(body, world.talks[2].title)
    }


def test_new_york_dst_change_is_read_by_radicale_at_the_right_instants(app, client, db, radicale):
    conference = ConferenceFactory(
        time_zone="America/New_York", starts_on=date(2027, 3, 13), ends_on=date(2027, 3, 15)
    )
    hub = HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    room = RoomFactory(conference=conference, hub=hub, name="Hudson", has_streaming=False)
    before = ProposalFactory(conference=conference, title="Before the change")
    after = ProposalFactory(conference=conference, title="After the change")
    placements = {
        before: (room, at(13, 14), at(13, 15)),  # 09:00 EST (UTC-5)
        after: (room, at(15, 13), at(15, 14)),  # 09:00 EDT (UTC-4)
    }
    db.session.commit()
    publish(conference, placements)
    body = _feed(client, f"/c/{conference.slug}/calendar.ics")
    status, path = radicale.put_calendar(body)
    assert status == 201
    for proposal, (_room, starts_at, _ends_at) in placements.items():
        uid = _uid_of(body, proposal.title)
        assert radicale.uids_between(path, starts_at, starts_at + timedelta(minutes=1)) == {uid}
        # An hour off either way (the classic DST bug) finds nothing at the start instant.
        assert uid not in radicale.uids_between(path, starts_at - timedelta(hours=1), starts_at)
    assert radicale.uids_between(path, datetime(2027, 3, 13, tzinfo=UTC), datetime(2027, 3, 16, tzinfo=UTC)) == {
        _uid_of(body, before.title), _uid_of(body, after.title)
    }
