"""Agenda pages on days when the clocks change: every time shown says which offset it is in.

Sydney, Sunday 4 April 2027: at 03:00 AEDT (UTC+11) the clocks go back to 02:00 AEST (UTC+10),
so 02:30 happens twice. Sunday 3 October 2027: at 02:00 AEST they go forward to 03:00 AEDT,
so no 02:xx exists that day.
"""

from __future__ import annotations

import re

from tests.conference.agenda.conftest import make_talk, make_user, utc
from tests.factories import InterestMarkFactory

SYDNEY = "Australia/Sydney"
FALL_BACK_DAY = "/c/summit/agenda/2027-04-04"
SPRING_FORWARD_DAY = "/c/summit/agenda/2027-10-03"


def grid_rows(html: str) -> list[tuple[str, list[str]]]:
    """(row heading, titles of the talks starting in that row) for each grid row, top to bottom."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        (heading, re.findall(r'class="agenda-talk-title">([^<]*)</a>', cells))
        for heading, cells in re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', body, re.S)
    ]


def zone_label(html: str) -> str:
    return re.search(r"<strong data-agenda-zone>([^<]*)</strong>", html).group(1)


def test_grid_keeps_both_0230s_of_the_fall_back_day_apart_in_order(client, places, published, db):
    make_talk(published, places.thames, utc(2027, 4, 3, 15, 30), title="First 02:30 (AEDT)")
    make_talk(published, places.hudson, utc(2027, 4, 3, 16, 30), title="Second 02:30 (AEST)")
    db.session.commit()

    html = client.get(FALL_BACK_DAY, query_string={"tz": SYDNEY, "view": "grid"}).get_data(
        as_text=True
    )

    # 15:30, 16:00 and 16:30 UTC: the first talk ends at 03:00 AEDT, which is 02:00 AEST.
    assert grid_rows(html) == [
        ("02:30 UTC+11:00", ["First 02:30 (AEDT)"]),
        ("02:00 UTC+10:00", []),
        ("02:30 UTC+10:00", ["Second 02:30 (AEST)"]),
    ]


def test_grid_of_the_spring_forward_day_has_no_rows_in_the_skipped_hour(
    client, places, published, db
):
    # 01:30 AEST for an hour ends at 03:30 AEDT; the other talk starts at 03:00 AEDT.
    make_talk(published, places.thames, utc(2027, 10, 2, 15, 30), minutes=60, title="Across")
    make_talk(published, places.hudson, utc(2027, 10, 2, 16), title="Just after")
    db.session.commit()

    html = client.get(SPRING_FORWARD_DAY, query_string={"tz": SYDNEY, "view": "grid"}).get_data(
        as_text=True
    )

    assert grid_rows(html) == [
        ("01:30 UTC+10:00", ["Across"]),
        ("03:00 UTC+11:00", ["Just after"]),
    ]
    assert zone_label(html) == "Australia/Sydney (UTC+10:00 until 02:00, then UTC+11:00)"
    assert "01:30 UTC+10:00–03:30 UTC+11:00" in html


def test_day_page_of_the_fall_back_day_labels_both_offsets_and_each_time(
    client, places, published, db
):
    make_talk(published, places.thames, utc(2027, 4, 3, 14), title="Before the change")
    make_talk(published, places.thames, utc(2027, 4, 3, 23), title="After the change")
    db.session.commit()

    html = client.get(FALL_BACK_DAY, query_string={"tz": SYDNEY, "view": "list"}).get_data(
        as_text=True
    )

    assert zone_label(html) == "Australia/Sydney (UTC+11:00 until 03:00, then UTC+10:00)"
    assert "01:00–01:30 UTC+11:00" in html
    assert "09:00–09:30 UTC+10:00" in html


def test_day_page_without_a_change_keeps_one_label_and_plain_times(client, places, published, db):
    make_talk(published, places.thames, utc(2027, 4, 4, 23), title="Monday talk")
    db.session.commit()

    html = client.get(
        "/c/summit/agenda/2027-04-05", query_string={"tz": SYDNEY, "view": "list"}
    ).get_data(as_text=True)

    assert zone_label(html) == "Australia/Sydney (UTC+10:00)"
    assert "09:00–09:30" in html and "09:00–09:30 UTC" not in html


def test_my_agenda_labels_each_day_with_its_own_offsets(client, login, places, published, db):
    user = make_user(time_zone=SYDNEY)
    starred = [
        make_talk(published, places.thames, utc(2027, 4, 2, 23), title="Saturday talk"),
        make_talk(published, places.thames, utc(2027, 4, 3, 15, 30), title="First 02:30"),
        make_talk(published, places.hudson, utc(2027, 4, 3, 16, 30), title="Second 02:30"),
        make_talk(published, places.thames, utc(2027, 4, 4, 23), title="Monday talk"),
    ]
    for scheduled in starred:
        InterestMarkFactory(user_id=user.id, proposal_id=scheduled.proposal_id)
    login(user)

    html = client.get("/c/summit/agenda/mine").get_data(as_text=True)

    # No single offset is right for the whole page: the zone at the top, offsets per day.
    assert zone_label(html) == "Australia/Sydney"
    saturday, sunday, monday = (
        html.index("Saturday 03 April 2027"),
        html.index("Sunday 04 April 2027"),
        html.index("Monday 05 April 2027"),
    )
    assert saturday < html.index("Australia/Sydney (UTC+11:00)") < sunday
    assert sunday < html.index("Australia/Sydney (UTC+11:00 until 03:00, then UTC+10:00)") < monday
    assert monday < html.index("Australia/Sydney (UTC+10:00)")
    assert saturday < html.index("10:00–10:30") < sunday
    assert sunday < html.index("02:30 UTC+11:00–02:00 UTC+10:00") < monday
    assert sunday < html.index("02:30–03:00 UTC+10:00") < monday
    assert monday < html.index("09:00–09:30")
    # Days without a change keep plain times under their one label.
    assert "10:00–10:30 UTC" not in html and "09:00–09:30 UTC" not in html
