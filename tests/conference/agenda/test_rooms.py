"""Room schedules: each hub room's talks per day, in the hub's local time, printable as door signs."""

from __future__ import annotations

import re

from conference.proposals.models import PresentationMode, ProposalState
from tests.conference.agenda.conftest import make_talk, make_user, utc
from tests.factories import SpeakerProfileFactory

ROOMS = "/c/summit/agenda/rooms"


def _signs(html: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(heading, day line, [(time, title)]) of each sign, in page order."""
    found = []
    for section in re.findall(r'<section class="room-sign".*?</section>', html, re.S):
        heading = " ".join(re.sub(r"<[^>]+>", "", re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S).group(1)).split())
        day = " ".join(re.sub(r"<[^>]+>", "", re.search(r'<p class="room-sign-day">(.*?)</p>', section, re.S).group(1)).split())
        rows = re.findall(r'<td class="room-sign-time">([^<]*)</td>\s*<td><a [^>]*>([^<]*)</a>', section)
        found.append((heading, day, rows))
    return found


def test_each_hub_room_gets_a_sign_per_day_in_the_hubs_own_time(client, db, places, published):
    speaker = make_user(display_name="Ravi Remote")
    SpeakerProfileFactory(conference=places.conference, user=speaker, presentation_mode=PresentationMode.REMOTE)
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Morning in London", speaker=speaker,
              track=places.platform)
    make_talk(published, places.thames, utc(2027, 3, 13, 9), title="Saturday in London")
    # 02:00 UTC on the 13th is still the 12th in New York (UTC-5 until 14 March 2027).
    make_talk(published, places.hudson, utc(2027, 3, 13, 2), title="Late in New York")
    make_talk(published, places.stream, utc(2027, 3, 12, 12), title="Only online")
    make_talk(published, places.thames, utc(2027, 3, 12, 11), title="Withdrawn one", state=ProposalState.WITHDRAWN)
    db.session.commit()

    response = client.get(ROOMS, query_string={"tz": "Asia/Tokyo"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert _signs(html) == [
        ("Thames · London", "Friday 12 March 2027 · Times in Europe/London (UTC+00:00)",
         [("09:00–09:30", "Morning in London")]),
        ("Thames · London", "Saturday 13 March 2027 · Times in Europe/London (UTC+00:00)",
         [("09:00–09:30", "Saturday in London")]),
        ("Hudson · New York", "Friday 12 March 2027 · Times in America/New_York (UTC-05:00)",
         [("21:00–21:30", "Late in New York")]),
    ]
    assert "Ravi Remote (remote)" in html and "Platform" in html
    assert "Only online" not in html and "Withdrawn one" not in html


def test_signs_are_ordered_by_hub_name_then_room(client, db, places, published):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="In London")
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), title="In New York")
    db.session.commit()
    headings = [heading for heading, _day, _rows in _signs(client.get(ROOMS).get_data(as_text=True))]
    assert headings == ["Thames · London", "Hudson · New York"]


def test_one_hub_and_one_of_its_days(client, db, places, published):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Friday London")
    make_talk(published, places.thames, utc(2027, 3, 13, 9), title="Saturday London")
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), title="Friday New York")
    db.session.commit()

    html = client.get(ROOMS, query_string={"hub": places.london.id}).get_data(as_text=True)
    assert [rows[0][1] for _h, _d, rows in _signs(html)] == ["Friday London", "Saturday London"]
    assert re.search(r'<option value="2027-03-13">Sat 13 Mar 2027</option>', html)

    html = client.get(ROOMS, query_string={"hub": places.london.id, "day": "2027-03-13"}).get_data(as_text=True)
    assert [rows[0][1] for _h, _d, rows in _signs(html)] == ["Saturday London"]


def test_a_day_when_the_clocks_change_at_the_hub_labels_each_time_with_its_offset(client, db, places, published):
    # New York springs forward on Sunday 14 March 2027 at 02:00 (UTC-5 -> UTC-4).
    make_talk(published, places.hudson, utc(2027, 3, 14, 6), title="Before the change")
    make_talk(published, places.hudson, utc(2027, 3, 14, 14), title="After the change")
    db.session.commit()

    [(heading, day, rows)] = _signs(client.get(ROOMS, query_string={"hub": places.new_york.id}).get_data(as_text=True))

    assert day == "Sunday 14 March 2027 · Times in America/New_York (UTC-05:00 until 02:00, then UTC-04:00)"
    assert rows == [("01:00–01:30 UTC-05:00", "Before the change"), ("10:00–10:30 UTC-04:00", "After the change")]


def test_bad_filters_say_so_and_show_everything(client, db, places, published, conference):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Friday London")
    db.session.commit()
    response = client.get(ROOMS, query_string={"hub": "999999", "day": "13/03/2027"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That hub is not one of this conference&#39;s; showing every hub." in html
    assert "“13/03/2027” is not a day (YYYY-MM-DD); showing every day." in html
    assert [rows[0][1] for _h, _d, rows in _signs(html)] == ["Friday London"]


def test_before_publication_there_is_nothing_to_show(client, places, conference):
    html = client.get(ROOMS).get_data(as_text=True)
    assert "The schedule has not been published yet." in html
    assert '<section class="room-sign"' not in html
