""""Today" at a hub is the date its own clocks show, also across a change of the clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conference.checkin import queries
from conference.conferences.models import Role
from tests.conference.checkin.conftest import attend, check_in_url, check_ins, person
from tests.factories import ConferenceFactory, HubFactory, RoleFactory

# UK clocks go forward at 01:00 UTC on Sunday 28 March 2027 (GMT -> BST).
SAT, SUN, MON = date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)


@pytest.fixture
def spring_conference(db, now):
    conference = ConferenceFactory(slug="spring", starts_on=SAT, ends_on=MON, time_zone="Europe/London")
    HubFactory(conference=conference, name="London", time_zone="Europe/London")
    HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    db.session.commit()
    return conference


@pytest.fixture
def spring_organiser(login, db, spring_conference):
    user = person(db, "Olga Organiser")
    RoleFactory(conference=spring_conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    return login(user)


def _hub(conference, name):
    return next(item for item in conference.hubs if item.name == name)


@pytest.mark.parametrize(
    ("instant", "london", "new_york"),
    [
        # 23:30 UTC on Saturday: still Saturday in London (GMT), the afternoon in New York.
        (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), SAT, SAT),
        # 23:30 UTC on Sunday: 00:30 on Monday in London (BST, one hour ahead), Sunday in New York.
        (datetime(2027, 3, 28, 23, 30, tzinfo=UTC), MON, SUN),
        # 00:30 UTC on Sunday: 00:30 GMT, before the change, so Sunday in London.
        (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), SUN, SAT),
    ],
)
def test_today_at_a_hub_is_its_own_date_across_the_clock_change(spring_conference, instant, london, new_york):
    assert queries.hub_today(_hub(spring_conference, "London"), instant) == london
    assert queries.hub_today(_hub(spring_conference, "New York"), instant) == new_york


def test_a_hubs_desk_link_opens_today_there(client, now, spring_conference, spring_organiser):
    now.set(datetime(2027, 3, 28, 23, 30, tzinfo=UTC))
    london, new_york = _hub(spring_conference, "London"), _hub(spring_conference, "New York")

    to_london = client.get(f"/c/spring/manage/check-in/{london.id}")
    to_new_york = client.get(f"/c/spring/manage/check-in/{new_york.id}")

    assert to_london.headers["Location"].endswith(f"/c/spring/manage/check-in/{london.id}/2027-03-29")
    assert to_new_york.headers["Location"].endswith(f"/c/spring/manage/check-in/{new_york.id}/2027-03-28")


def test_a_hub_whose_today_is_no_conference_day_asks_for_a_day(client, now, spring_conference, spring_organiser):
    now.set(datetime(2027, 3, 30, 3, 0, tzinfo=UTC))  # Tuesday in London, still Monday in New York
    london, new_york = _hub(spring_conference, "London"), _hub(spring_conference, "New York")

    response = client.get(f"/c/spring/manage/check-in/{london.id}", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Today at London (Europe/London) is Tue 30 Mar 2027, not one of the conference&#39;s days" in page
    assert response.request.path == "/c/spring/manage/check-in"
    assert client.get(f"/c/spring/manage/check-in/{new_york.id}").headers["Location"].endswith("/2027-03-29")


def test_check_in_opens_on_the_hubs_own_date(client, db, now, spring_conference, spring_organiser):
    ada, bea = person(db, "Ada"), person(db, "Bea")
    attend(db, spring_conference, ada, "London", seated=[MON])
    attend(db, spring_conference, bea, "New York", seated=[MON])
    now.set(datetime(2027, 3, 28, 23, 30, tzinfo=UTC))  # Monday in London, Sunday in New York

    client.post(check_in_url(spring_conference, "London", MON, ada))
    refused = client.post(check_in_url(spring_conference, "New York", MON, bea), follow_redirects=True)

    assert "It is still Sun 28 Mar 2027 at New York (America/New_York)" in refused.get_data(as_text=True)
    assert [row.user_id for row in check_ins(db)] == [ada.id]


def test_a_check_in_on_the_day_the_clocks_change_shows_its_offset(client, db, now, spring_conference, spring_organiser):
    ada = person(db, "Ada")
    attend(db, spring_conference, ada, "London", seated=[SUN])
    now.set(datetime(2027, 3, 28, 8, 30, tzinfo=UTC))  # 09:30 BST

    page = client.post(check_in_url(spring_conference, "London", SUN, ada), follow_redirects=True).get_data(as_text=True)

    assert "Ada is checked in (09:30 UTC+01:00 Europe/London)." in page
    assert "Checked in at 09:30 UTC+01:00 Europe/London by Olga Organiser" in page
