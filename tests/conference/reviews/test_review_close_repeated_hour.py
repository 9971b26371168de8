"""A review close time in the hour the clocks go back happens twice; saving keeps the one meant."""

import re
from datetime import UTC, datetime

import pytest

# 02:30 on 31 Oct 2027 happens twice in Berlin: first at UTC+02:00, then again at UTC+01:00.
FIRST = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
SECOND = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
SETTINGS = "/c/devcon/manage/rubric/settings"


@pytest.fixture
def berlin(conference, db):
    conference.time_zone = "Europe/Berlin"
    db.session.commit()
    return conference


def _form_as_shown(client) -> dict:
    """What the browser sends back when the organiser presses save without changing anything."""
    page = client.get("/c/devcon/manage/rubric").get_data(as_text=True)
    data = {"reviewers_per_proposal": "2", "anonymised_review": "y"}
    data["review_closes_at"] = re.search(r'name="review_closes_at"[^>]*value="([^"]*)"', page).group(1)
    checked = re.search(r'<input checked[^>]*name="review_closes_occurrence"[^>]*value="([^"]*)"', page)
    if checked:
        data["review_closes_occurrence"] = checked.group(1)
    return data


def _closes_at(db, conference):
    db.session.expire_all()
    return conference.review_closes_at


@pytest.mark.parametrize("stored", [SECOND, FIRST], ids=["second", "first"])
def test_saving_review_settings_unchanged_keeps_a_repeated_close_time(client, organiser, berlin, db, stored):
    berlin.review_closes_at = stored
    db.session.commit()
    form = _form_as_shown(client)
    assert form["review_closes_at"] == "2027-10-31T02:30"
    assert client.post(SETTINGS, data=form).status_code == 302
    assert _closes_at(db, berlin) == stored
    assert client.post(SETTINGS, data=_form_as_shown(client)).status_code == 302
    assert _closes_at(db, berlin) == stored


def test_rubric_page_shows_both_occurrences_of_a_repeated_close_time(client, organiser, berlin, db):
    berlin.review_closes_at = SECOND
    db.session.commit()
    page = client.get("/c/devcon/manage/rubric").get_data(as_text=True)
    assert "02:30 happens twice in Europe/Berlin" in page
    assert "02:30 UTC+02:00 (the first, before the clocks go back)" in page
    assert "02:30 UTC+01:00 (the second, after the clocks go back)" in page
    # The offset once: the time's own on a day the clocks change, not again after it.
    assert 'Reviews close Sun 31 Oct 2027, 02:30 UTC+01:00 <span class="tz-label">(Europe/Berlin)</span>' in page
    assert "UTC+01:00 UTC+01:00" not in page


def test_rubric_page_gives_an_ordinary_close_time_its_offset(client, organiser, berlin, db):
    berlin.review_closes_at = datetime(2027, 11, 5, 11, 0, tzinfo=UTC)
    db.session.commit()
    page = client.get("/c/devcon/manage/rubric").get_data(as_text=True)
    assert 'Reviews close Fri 05 Nov 2027, 12:00 UTC+01:00 <span class="tz-label">(Europe/Berlin)</span>' in page


def test_organiser_chooses_either_occurrence_of_a_repeated_close_time(client, organiser, berlin, db):
    data = {"review_closes_at": "2027-10-31T02:30", "reviewers_per_proposal": "2"}
    asked = client.post(SETTINGS, data=data)
    assert asked.status_code == 400
    body = asked.get_data(as_text=True)
    assert "02:30 on 31 Oct 2027 happens twice in Europe/Berlin: the clocks go back then." in body
    assert 'name="review_closes_occurrence"' in body
    assert _closes_at(db, berlin) is None
    for occurrence, instant in (("second", SECOND), ("first", FIRST)):
        response = client.post(SETTINGS, data=dict(data, review_closes_occurrence=occurrence))
        assert response.status_code == 302
        assert _closes_at(db, berlin) == instant


def test_occurrence_choice_is_ignored_for_a_time_that_happens_once(client, organiser, berlin, db):
    data = {"review_closes_at": "2027-10-31T12:00", "reviewers_per_proposal": "2",
            "review_closes_occurrence": "second"}
    assert client.post(SETTINGS, data=data).status_code == 302
    assert _closes_at(db, berlin) == datetime(2027, 10, 31, 11, 0, tzinfo=UTC)
    page = client.get("/c/devcon/manage/rubric").get_data(as_text=True)
    assert 'name="review_closes_occurrence"' not in page
