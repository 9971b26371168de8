from sqlalchemy import select

from conference.conferences.models import Room
from conference.schedule.models import ScheduleBlockRoom
from tests.conference.organisers.conftest import count
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    RoomFactory,
    ScheduleBlockFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
)


def _room_data(hub_id="", **changes):
    data = {"name": "Ada Lovelace", "hub": str(hub_id), "capacity": "120", "has_streaming": "y"}
    data.update(changes)
    return data


def test_create_room_at_hub(client, organiser, conference, db):
    hub = HubFactory(conference=conference, name="London")
    db.session.commit()
    form = client.get("/c/devcon/manage/rooms/new").get_data(as_text=True)
    assert "Online stream (no hub)" in form and "London (Europe/London)" in form
    assert client.post("/c/devcon/manage/rooms/new", data=_room_data(hub.id)).status_code == 302
    room = db.session.scalars(select(Room)).one()
    assert (room.hub_id, room.capacity, room.has_streaming, room.has_recording) == (hub.id, 120, True, False)


def test_a_new_room_is_open_in_every_existing_block(client, organiser, conference, db):
    blocks = [ScheduleBlockFactory(conference=conference, name=name) for name in ("Morning", "Afternoon")]
    other_block = ScheduleBlockFactory(conference=ConferenceFactory(slug="other"))
    db.session.commit()
    assert client.post("/c/devcon/manage/rooms/new", data=_room_data(name="Stream A")).status_code == 302
    room = db.session.scalars(select(Room)).one()
    opened = set(db.session.scalars(select(ScheduleBlockRoom.block_id).where(ScheduleBlockRoom.room_id == room.id)))
    assert opened == {block.id for block in blocks} and other_block.id not in opened


def test_create_online_stream_without_hub(client, organiser, conference, db):
    response = client.post("/c/devcon/manage/rooms/new", data=_room_data(name="Stream A"))
    assert response.status_code == 302
    room = db.session.scalars(select(Room)).one()
    assert room.is_online and room.conference_id == conference.id
    body = client.get("/c/devcon/manage/rooms").get_data(as_text=True)
    assert "Online streams (no hub)" in body and "Stream A" in body


def test_edit_room_moves_it_online(client, organiser, conference, db):
    room = RoomFactory(conference=conference, name="Turing")
    db.session.commit()
    page = client.get(f"/c/devcon/manage/rooms/{room.id}/edit").get_data(as_text=True)
    assert 'value="Turing"' in page
    response = client.post(f"/c/devcon/manage/rooms/{room.id}/edit", data=_room_data(name="Turing", capacity="40"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (room.hub_id, room.capacity) == (None, 40)


def test_delete_room(client, organiser, conference, db):
    room = RoomFactory(conference=conference)
    db.session.commit()
    assert client.post(f"/c/devcon/manage/rooms/{room.id}/delete").status_code == 302
    assert count(db, Room) == 0


def test_delete_room_used_by_the_draft_is_refused_with_advice(client, organiser, conference, db):
    room = RoomFactory(conference=conference, name="Main hall")
    draft = ScheduleVersionFactory(conference=conference, is_draft=True)
    ScheduledTalkFactory.create_batch(2, version=draft, room=room)
    db.session.commit()
    response = client.post(f"/c/devcon/manage/rooms/{room.id}/delete", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The room “Main hall” is used by 2 talks of the draft schedule, so it cannot be deleted" in page
    assert "Move those talks to another room in the schedule editor first." in page
    assert count(db, Room) == 1


def test_delete_room_of_a_published_version_is_refused_with_advice(client, organiser, conference, db):
    room = RoomFactory(conference=conference, name="Main hall")
    for number in (1, 2):
        ScheduledTalkFactory(version=ScheduleVersionFactory(conference=conference, is_draft=False, number=number),
                             room=room)
    db.session.commit()
    page = client.post(f"/c/devcon/manage/rooms/{room.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "is used by published versions 1, 2, so it cannot be deleted; nothing was deleted." in page
    assert "rename the room if it changed" in page
    assert count(db, Room) == 1


def test_create_room_duplicate_name_is_form_error(client, organiser, conference, db):
    RoomFactory(conference=conference, name="Ada Lovelace", hub=None)
    db.session.commit()
    response = client.post("/c/devcon/manage/rooms/new", data=_room_data())
    assert "already has a room called “Ada Lovelace”" in response.get_data(as_text=True)
    assert count(db, Room) == 1


def test_create_room_capacity_out_of_range_is_form_error(client, organiser, db):
    for capacity in ("0", "10001", "lots"):
        response = client.post("/c/devcon/manage/rooms/new", data=_room_data(capacity=capacity))
        assert response.status_code == 200
        assert "Enter a number from 1 to 10000." in response.get_data(as_text=True) or "Not a valid integer" in response.get_data(as_text=True)
    assert client.post("/c/devcon/manage/rooms/new", data=_room_data(capacity="10000")).status_code == 302
    assert count(db, Room) == 1


def test_create_room_at_hub_of_another_conference_is_refused(client, organiser, db):
    foreign_hub = HubFactory(conference=ConferenceFactory())
    db.session.commit()
    response = client.post("/c/devcon/manage/rooms/new", data=_room_data(foreign_hub.id))
    assert response.status_code == 200
    assert count(db, Room) == 0
