"""A call-for-proposals time in the hour the clocks go back happens twice; saving keeps the one meant."""

import re
from datetime import UTC, datetime

import pytest

from tests.conference.organisers.conftest import make_user

# 02:30 on 31 Oct 2027 happens twice in Berlin: first at UTC+02:00, then again at UTC+01:00.
FIRST = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
SECOND = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
OPENS = datetime(2027, 9, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin, summer time
SETTINGS = "/c/devcon/manage/settings"
NEW_CONFERENCE = {
    "name": "DevCon Berlin",
    "slug": "devcon-berlin",
    "starts_on": "2027-11-15",
    "ends_on": "2027-11-16",
    "time_zone": "Europe/Berlin",
    "cfp_opens_at": "2027-09-01T09:00",
    "cfp_closes_at": "2027-10-31T02:30",
    "reviewers_per_proposal": "3",
}


@pytest.fixture
def berlin(conference, db):
    conference.time_zone = "Europe/Berlin"
    conference.cfp_opens_at = OPENS
    db.session.commit()
    return conference


def _field_value(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)


def _checked(page: str, name: str) -> str | None:
    checked = re.search(rf'<input checked[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return checked.group(1) if checked else None


def _form_as_shown(client) -> dict:
    """What the browser sends back when the organiser presses save without changing anything."""
    page = client.get(SETTINGS).get_data(as_text=True)
    data = {
        name: _field_value(page, name)
        for name in ("name", "starts_on", "ends_on", "time_zone", "cfp_opens_at", "cfp_closes_at",
                     "reviewers_per_proposal")
    }
    for name in ("cfp_opens_occurrence", "cfp_closes_occurrence"):
        if _checked(page, name):
            data[name] = _checked(page, name)
    return data


def _call(db, conference):
    db.session.expire_all()
    return conference.cfp_opens_at, conference.cfp_closes_at


@pytest.mark.parametrize("stored", [SECOND, FIRST], ids=["second", "first"])
def test_saving_settings_unchanged_keeps_a_repeated_cfp_close_time(client, organiser, berlin, db, stored):
    berlin.cfp_closes_at = stored
    db.session.commit()
    form = _form_as_shown(client)
    assert form["cfp_closes_at"] == "2027-10-31T02:30"
    assert client.post(SETTINGS, data=form).status_code == 302
    assert _call(db, berlin) == (OPENS, stored)
    assert client.post(SETTINGS, data=_form_as_shown(client)).status_code == 302
    assert _call(db, berlin) == (OPENS, stored)


def test_saving_settings_unchanged_keeps_a_repeated_cfp_open_time(client, organiser, berlin, db):
    berlin.cfp_opens_at, berlin.cfp_closes_at = SECOND, datetime(2027, 11, 5, 12, 0, tzinfo=UTC)
    db.session.commit()
    assert client.post(SETTINGS, data=_form_as_shown(client)).status_code == 302
    assert _call(db, berlin)[0] == SECOND


def test_settings_page_shows_both_occurrences_of_a_repeated_cfp_close_time(client, organiser, berlin, db):
    berlin.cfp_closes_at = SECOND
    db.session.commit()
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "02:30 happens twice in Europe/Berlin" in page
    assert "02:30 UTC+02:00 (the first, before the clocks go back)" in page
    assert "02:30 UTC+01:00 (the second, after the clocks go back)" in page
    assert _checked(page, "cfp_closes_occurrence") == "second"
    assert "closes Sun 31 Oct 2027, 02:30 UTC+01:00 <span class=\"tz-label\">(Europe/Berlin)</span>" in page
    assert "UTC+01:00 UTC+01:00" not in page  # the offset once, not again after the time
    # A time that happens once asks nothing.
    assert 'name="cfp_opens_occurrence"' not in page


def test_organiser_chooses_either_occurrence_of_a_repeated_cfp_close_time(client, organiser, berlin, db):
    data = _form_as_shown(client)
    data["cfp_closes_at"] = "2027-10-31T02:30"
    asked = client.post(SETTINGS, data=data)
    body = asked.get_data(as_text=True)
    assert "02:30 on 31 Oct 2027 happens twice in Europe/Berlin: the clocks go back then." in body
    assert 'name="cfp_closes_occurrence"' in body
    assert _call(db, berlin)[1] == datetime(2027, 1, 31, 23, 59, tzinfo=UTC)
    for occurrence, instant in (("second", SECOND), ("first", FIRST)):
        response = client.post(SETTINGS, data=dict(data, cfp_closes_occurrence=occurrence))
        assert response.status_code == 302
        assert _call(db, berlin)[1] == instant


def test_call_closing_in_the_first_and_opening_in_the_second_occurrence_is_refused(
    client, organiser, berlin, db
):
    # 02:45 the first time (00:45 UTC) comes before 02:30 the second time (01:30 UTC).
    data = dict(_form_as_shown(client), cfp_opens_at="2027-10-31T02:30", cfp_opens_occurrence="second",
                cfp_closes_at="2027-10-31T02:45", cfp_closes_occurrence="first")
    body = client.post(SETTINGS, data=data).get_data(as_text=True)
    assert "The call for proposals must close after it opens." in body
    assert _call(db, berlin)[0] == OPENS


def test_creating_a_conference_asks_which_repeated_cfp_close_time_is_meant(client, login, db):
    from sqlalchemy import select

    from conference.conferences.models import Conference

    login(make_user(is_site_admin=True))
    asked = client.post("/conferences/new", data=NEW_CONFERENCE).get_data(as_text=True)
    assert "02:30 on 31 Oct 2027 happens twice in Europe/Berlin" in asked
    assert "02:30 UTC+01:00 (the second, after the clocks go back)" in asked
    response = client.post("/conferences/new", data=dict(NEW_CONFERENCE, cfp_closes_occurrence="second"))
    assert response.status_code == 302
    created = db.session.scalar(select(Conference).where(Conference.slug == "devcon-berlin"))
    assert created.cfp_closes_at == SECOND
