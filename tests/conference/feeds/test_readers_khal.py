"""Our feeds read by khal (Debian package ``khal``): golden local times across a DST change.

khal resolves TZID + VTIMEZONE with its own stack (pytz, python-dateutil, an older icalendar)
and prints wall-clock times in the zone its config names, so a wrong offset on either side of
the New York change (Sunday 14 March 2027, 02:00 EST -> 03:00 EDT) shows up as a wrong hour.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date

import pytest

from tests.conference.feeds.helpers import at, publish
from tests.conftest import IN_CI
from tests.factories import ConferenceFactory, HubFactory, ProposalFactory, RoomFactory

CONFIG = """[calendars]
[[feed]]
path = {calendar}
type = calendar
[locale]
local_timezone = {zone}
default_timezone = {zone}
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
[sqlite]
path = {database}
"""

# What khal prints (start, end, title) for the three talks, in each reader's zone.
GOLDEN = {
    "America/New_York": [
        "2027-03-13 09:00 2027-03-13 10:00 Before the change",
        "2027-03-14 01:30 2027-03-14 03:30 Across the change",  # one hour long: 01:30 EST -> 03:30 EDT
        "2027-03-14 09:00 2027-03-14 10:00 On the change day",
        "2027-03-15 09:00 2027-03-15 10:00 After the change",
    ],
    "Europe/London": [  # still GMT: the UK changes on 28 March
        "2027-03-13 14:00 2027-03-13 15:00 Before the change",
        "2027-03-14 06:30 2027-03-14 07:30 Across the change",
        "2027-03-14 13:00 2027-03-14 14:00 On the change day",
        "2027-03-15 13:00 2027-03-15 14:00 After the change",
    ],
    "Asia/Kolkata": [  # UTC+05:30 all year
        "2027-03-13 19:30 2027-03-13 20:30 Before the change",
        "2027-03-14 12:00 2027-03-14 13:00 Across the change",
        "2027-03-14 18:30 2027-03-14 19:30 On the change day",
        "2027-03-15 18:30 2027-03-15 19:30 After the change",
    ],
    "America/Los_Angeles": [  # changes the same night, three hours later
        "2027-03-13 06:00 2027-03-13 07:00 Before the change",
        "2027-03-13 22:30 2027-03-13 23:30 Across the change",
        "2027-03-14 06:00 2027-03-14 07:00 On the change day",
        "2027-03-15 06:00 2027-03-15 07:00 After the change",
    ],
}


@pytest.fixture
def khal():
    path = shutil.which("khal")
    if path is None:
        if IN_CI:
            pytest.fail("CI requires Debian's khal for the feed reader tests (apt-get install khal).")
        pytest.skip("khal is not installed; `make test` installs it (with chromium) when run as root.")
    return path


def _print_ics(khal: str, tmp_path, feed, zone: str) -> list[str]:
    folder = tmp_path / zone.replace("/", "_")
    (folder / "calendar").mkdir(parents=True)
    config = folder / "config"
    config.write_text(CONFIG.format(calendar=folder / "calendar", zone=zone, database=folder / "khal.db"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(folder), "XDG_DATA_HOME": str(folder)}
    result = subprocess.run(
        [khal, "-c", str(config), "printics", "--format", "{start} {end} {title}", str(feed)],
        capture_output=True, text=True, env=env, timeout=30, check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0] == f"{len(GOLDEN[zone])} events found in {feed}", result.stdout
    return sorted(lines[1:])


def test_khal_prints_the_right_local_times_across_the_new_york_dst_change(app, client, db, tmp_path, khal):
    conference = ConferenceFactory(
        time_zone="America/New_York", starts_on=date(2027, 3, 13), ends_on=date(2027, 3, 15)
    )
    hub = HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    room = RoomFactory(conference=conference, hub=hub, name="Hudson", has_streaming=False)
    placements = {
        ProposalFactory(conference=conference, title="Before the change"): (room, at(13, 14), at(13, 15)),
        ProposalFactory(conference=conference, title="Across the change"): (room, at(14, 6, 30), at(14, 7, 30)),
        ProposalFactory(conference=conference, title="On the change day"): (room, at(14, 13), at(14, 14)),
        ProposalFactory(conference=conference, title="After the change"): (room, at(15, 13), at(15, 14)),
    }
    db.session.commit()
    publish(conference, placements)
    response = client.get(f"/c/{conference.slug}/calendar.ics")
    assert response.status_code == 200
    assert b"DTSTART;TZID=America/New_York:20270313T090000\r\n" in response.data
    feed = tmp_path / "conference.ics"
    feed.write_bytes(response.data)
    for zone, expected in GOLDEN.items():
        assert _print_ics(khal, tmp_path, feed, zone) == sorted(expected), zone
