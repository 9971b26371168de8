from datetime import UTC, date, datetime

from sqlalchemy import select

from conference.conferences.models import Conference, ConferenceRole, Role
from tests.conference.organisers.conftest import count, make_user
from tests.factories import ConferenceFactory

NEW_CONFERENCE = {
    "name": "DevCon 2027",
    "slug": "devcon-2027",
    "description": "Our yearly engineering conference.",
    "starts_on": "2027-05-10",
    "ends_on": "2027-05-12",
    "time_zone": "Europe/London",
    "cfp_opens_at": "2027-03-28T09:00",
    "cfp_closes_at": "2027-04-20T17:00",
    "anonymised_review": "y",
    "reviewers_per_proposal": "4",
}


def _create(client, **changes):
    data = dict(NEW_CONFERENCE, **changes)
    return client.post("/conferences/new", data={k: v for k, v in data.items() if v is not None})


def _site_admin(login):
    return login(make_user(is_site_admin=True))


def test_create_conference_stores_settings_and_makes_creator_organiser(client, login, db):
    admin = _site_admin(login)
    response = _create(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/devcon-2027/manage/")
    conference = db.session.scalar(select(Conference).where(Conference.slug == "devcon-2027"))
    assert conference.name == "DevCon 2027"
    assert (conference.starts_on, conference.ends_on) == (date(2027, 5, 10), date(2027, 5, 12))
    assert conference.setting("anonymised_review") is True
    assert conference.setting("reviewers_per_proposal") == 4
    roles = db.session.scalars(select(ConferenceRole).where(ConferenceRole.conference_id == conference.id))
    assert [(role.user_id, role.role) for role in roles] == [(admin.id, Role.ORGANISER)]
    assert client.get("/c/devcon-2027/manage/").status_code == 200


def test_create_conference_cfp_open_on_dst_day_is_stored_as_utc(client, login, db):
    _site_admin(login)
    _create(client)
    conference = db.session.scalar(select(Conference).where(Conference.slug == "devcon-2027"))
    # British Summer Time starts on 2027-03-28: 09:00 in London that morning is 08:00 UTC.
    assert conference.cfp_opens_at == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert conference.cfp_closes_at == datetime(2027, 4, 20, 16, 0, tzinfo=UTC)
    _create(client, slug="indiacon", time_zone="Asia/Kolkata", cfp_opens_at="2027-03-01T09:30")
    conference = db.session.scalar(select(Conference).where(Conference.slug == "indiacon"))
    assert conference.cfp_opens_at == datetime(2027, 3, 1, 4, 0, tzinfo=UTC)


def test_create_conference_non_admin_is_forbidden_and_anonymous_redirected(client, login, db):
    assert "/login" in client.get("/conferences/new").headers["Location"]
    assert "/login" in _create(client).headers["Location"]
    login(make_user())
    assert client.get("/conferences/new").status_code == 403
    assert _create(client).status_code == 403
    assert count(db, Conference) == 0


def test_create_conference_form_labels_cfp_fields_with_zone(client, login):
    _site_admin(login)
    body = client.get("/conferences/new").get_data(as_text=True)
    assert "Call for proposals opens (conference time zone)" in body
    body = _create(client, name="").get_data(as_text=True)
    assert "Call for proposals opens (Europe/London)" in body


def test_create_conference_invalid_slug_is_form_error_with_input_kept(client, login, db):
    _site_admin(login)
    for slug in ("DevCon", "dev con", "dev_con", "-devcon", "devcon-"):
        response = _create(client, slug=slug)
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Use lowercase letters, digits and single hyphens only." in body
        assert 'value="DevCon 2027"' in body
    assert count(db, Conference) == 0


def test_create_conference_duplicate_slug_is_form_error(client, login, db):
    ConferenceFactory(slug="devcon-2027")
    _site_admin(login)
    response = _create(client)
    assert response.status_code == 200
    assert "is already used by another conference" in response.get_data(as_text=True)
    assert count(db, Conference) == 1


def test_create_conference_double_submit_creates_one(client, login, db):
    _site_admin(login)
    assert _create(client).status_code == 302
    assert _create(client).status_code == 200
    assert count(db, Conference) == 1
    assert count(db, ConferenceRole) == 1


def test_create_conference_end_before_start_or_over_fourteen_days_is_form_error(client, login, db):
    _site_admin(login)
    body = _create(client, ends_on="2027-05-09").get_data(as_text=True)
    assert "The last day cannot be before the first day." in body
    assert "at most 14 days" in _create(client, ends_on="2027-05-24").get_data(as_text=True)
    assert count(db, Conference) == 0
    assert _create(client, ends_on="2027-05-23").status_code == 302


def test_create_conference_cfp_close_before_open_is_form_error(client, login, db):
    _site_admin(login)
    body = _create(client, cfp_closes_at="2027-03-28T08:00").get_data(as_text=True)
    assert "The call for proposals must close after it opens." in body
    assert 'value="2027-03-28T08:00"' in body
    body = _create(client, cfp_closes_at="").get_data(as_text=True)
    assert "or neither" in body
    assert count(db, Conference) == 0


def test_create_conference_bad_zone_and_reviewer_count_are_form_errors(client, login, db):
    _site_admin(login)
    body = _create(client, time_zone="BST", reviewers_per_proposal="11").get_data(as_text=True)
    assert "is not a time zone name we know" in body
    assert "Enter a number from 1 to 10." in body
    assert count(db, Conference) == 0


def test_settings_shows_cfp_in_conference_zone_and_saves_changes(client, organiser, conference, db):
    body = client.get("/c/devcon/manage/settings").get_data(as_text=True)
    # The factory's close is 2027-01-31 23:59 UTC, which is GMT in London.
    assert 'value="2027-01-31T23:59"' in body
    assert "Call for proposals opens (Europe/London)" in body
    data = dict(NEW_CONFERENCE, name="DevCon Renamed", time_zone="America/New_York")
    data.pop("anonymised_review")
    data.pop("slug")
    response = client.post("/c/devcon/manage/settings", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert conference.name == "DevCon Renamed"
    assert conference.slug == "devcon"
    assert conference.time_zone == "America/New_York"
    # 09:00 in New York on 2027-03-28 is daylight time (UTC-4).
    assert conference.cfp_opens_at == datetime(2027, 3, 28, 13, 0, tzinfo=UTC)
    assert conference.setting("anonymised_review") is False
    assert conference.setting("reviewers_per_proposal") == 4


def test_call_closing_in_a_mistyped_year_is_a_form_error(client, organiser, conference, db):
    data = dict(NEW_CONFERENCE, time_zone="America/New_York", cfp_closes_at="9999-12-31T23:30")
    data.pop("slug")
    response = client.post("/c/devcon/manage/settings", data=data)
    assert response.status_code == 200
    assert "Enter a date in the years 2000 to 2999." in response.get_data(as_text=True)
    db.session.expire_all()
    assert conference.cfp_closes_at.year == 2027


def test_settings_invalid_input_rerenders_and_changes_nothing(client, organiser, conference, db):
    data = dict(NEW_CONFERENCE, ends_on="2027-05-01", slug="hijack")
    response = client.post("/c/devcon/manage/settings", data=data)
    assert response.status_code == 200
    assert "The last day cannot be before the first day." in response.get_data(as_text=True)
    db.session.expire_all()
    assert conference.name != "DevCon 2027"
    assert conference.slug == "devcon"


def test_create_conference_cfp_time_in_a_daylight_saving_gap_is_form_error(client, login, db):
    _site_admin(login)
    # London's clocks jump from 01:00 to 02:00 on 28 March 2027: 01:30 never happens.
    body = _create(client, cfp_opens_at="2027-03-28T01:30").get_data(as_text=True)
    assert "01:30 on 28 Mar 2027 does not exist in Europe/London" in body
    assert 'value="2027-03-28T01:30"' in body
    assert count(db, Conference) == 0


def test_create_conference_with_a_mistyped_year_is_form_error(client, login, db):
    _site_admin(login)
    for day in ("0001-05-10", "9500-05-10"):
        body = _create(client, starts_on=day, ends_on=day).get_data(as_text=True)
        assert "Enter a day in the years 2000 to 2999." in body
    assert count(db, Conference) == 0
