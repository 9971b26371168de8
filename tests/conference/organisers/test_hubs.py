from datetime import time

from sqlalchemy import select

from conference.accounts.models import User
from conference.conferences.models import Hub
from tests.conference.organisers.conftest import count
from tests.factories import ConferenceFactory, HubFactory, RoomFactory, UserFactory

NEW_HUB = {
    "name": "Bengaluru",
    "time_zone": "Asia/Kolkata",
    "working_day_starts": "09:30",
    "working_day_ends": "18:00",
}


def test_create_hub_and_list_it_with_zone_and_local_time(client, organiser, conference, db):
    response = client.post("/c/devcon/manage/hubs/new", data=NEW_HUB)
    assert response.status_code == 302
    hub = db.session.scalars(select(Hub)).one()
    assert (hub.name, hub.time_zone, hub.conference_id) == ("Bengaluru", "Asia/Kolkata", conference.id)
    assert (hub.working_day_starts, hub.working_day_ends) == (time(9, 30), time(18, 0))
    body = client.get("/c/devcon/manage/hubs").get_data(as_text=True)
    assert "09:30–18:00" in body
    assert '<span class="tz-label">Asia/Kolkata</span>' in body
    assert "Local time now" in body


def test_edit_hub_saves_changes(client, organiser, conference, db):
    hub = HubFactory(conference=conference, name="London")
    db.session.commit()
    assert 'value="London"' in client.get(f"/c/devcon/manage/hubs/{hub.id}/edit").get_data(as_text=True)
    data = dict(NEW_HUB, name="London HQ", time_zone="Europe/London")
    assert client.post(f"/c/devcon/manage/hubs/{hub.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (hub.name, hub.working_day_starts) == ("London HQ", time(9, 30))


def test_create_hub_duplicate_name_is_form_error_and_double_submit_creates_one(client, organiser, db):
    assert client.post("/c/devcon/manage/hubs/new", data=NEW_HUB).status_code == 302
    response = client.post("/c/devcon/manage/hubs/new", data=dict(NEW_HUB, name="bengaluru"))
    assert response.status_code == 200
    assert "already has a hub called “bengaluru”" in response.get_data(as_text=True)
    assert count(db, Hub) == 1


def test_same_hub_name_is_allowed_at_another_conference(client, organiser, db):
    HubFactory(conference=ConferenceFactory(), name="Bengaluru")
    db.session.commit()
    assert client.post("/c/devcon/manage/hubs/new", data=NEW_HUB).status_code == 302
    assert count(db, Hub) == 2


def test_edit_hub_to_name_of_another_hub_is_form_error(client, organiser, conference, db):
    HubFactory(conference=conference, name="Bengaluru")
    hub = HubFactory(conference=conference, name="London")
    db.session.commit()
    response = client.post(f"/c/devcon/manage/hubs/{hub.id}/edit", data=NEW_HUB)
    assert "already has a hub called" in response.get_data(as_text=True)
    db.session.expire_all()
    assert hub.name == "London"


def test_create_hub_bad_zone_and_end_before_start_are_form_errors(client, organiser, db):
    data = dict(NEW_HUB, time_zone="IST", working_day_ends="09:00")
    body = client.post("/c/devcon/manage/hubs/new", data=data).get_data(as_text=True)
    assert "is not a time zone name we know" in body
    assert "The working day must end after it starts." in body
    assert 'value="Bengaluru"' in body
    assert count(db, Hub) == 0


def test_delete_hub_without_rooms_deletes_it_and_clears_home_hub(client, organiser, conference, db):
    hub = HubFactory(conference=conference)
    person = UserFactory(home_hub=hub)
    db.session.commit()
    response = client.post(f"/c/devcon/manage/hubs/{hub.id}/delete", follow_redirects=True)
    assert "is deleted" in response.get_data(as_text=True)
    assert count(db, Hub) == 0
    assert db.session.get(User, person.id).home_hub_id is None


def test_delete_hub_with_rooms_is_refused_with_message(client, organiser, conference, db):
    hub = HubFactory(conference=conference, name="London")
    RoomFactory(conference=conference, hub=hub)
    db.session.commit()
    response = client.post(f"/c/devcon/manage/hubs/{hub.id}/delete", follow_redirects=True)
    assert "Hub “London” still has 1 room. Move or delete them first" in response.get_data(as_text=True)
    assert count(db, Hub) == 1
