import pytest

from conference.conferences.models import Role
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    RoleFactory,
    RoomFactory,
    SessionFormatFactory,
    TrackFactory,
)

MANAGEMENT_PAGES = [
    "/c/devcon/manage/",
    "/c/devcon/manage/settings",
    "/c/devcon/manage/people",
    "/c/devcon/manage/hubs",
    "/c/devcon/manage/hubs/new",
    "/c/devcon/manage/rooms",
    "/c/devcon/manage/rooms/new",
    "/c/devcon/manage/tracks",
    "/c/devcon/manage/tracks/new",
    "/c/devcon/manage/formats",
    "/c/devcon/manage/formats/new",
]


def test_management_pages_anonymous_redirect_to_login(client, conference):
    for path in MANAGEMENT_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"], path


def test_management_pages_attendee_is_forbidden(client, conference, login, db):
    role = RoleFactory(conference=conference, role=Role.ATTENDEE)
    RoleFactory(conference=conference, user=role.user, role=Role.REVIEWER)
    login(role.user)
    for path in MANAGEMENT_PAGES:
        assert client.get(path).status_code == 403, path


def test_management_pages_organiser_of_another_conference_is_forbidden(client, conference, login):
    other = RoleFactory(conference=ConferenceFactory(slug="other"), role=Role.ORGANISER)
    login(other.user)
    for path in MANAGEMENT_PAGES:
        assert client.get(path).status_code == 403, path
    assert client.post("/c/devcon/manage/hubs/new", data={"name": "X"}).status_code == 403


def test_management_pages_organiser_sees_every_page_with_shared_navigation(client, organiser):
    for path in MANAGEMENT_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert 'aria-label="Manage ' in body, path
        assert 'aria-current="page"' in body, path


def test_unknown_conference_is_not_found(client, organiser):
    assert client.get("/c/nope/manage/").status_code == 404


@pytest.mark.parametrize(
    ("factory", "paths"),
    [
        (HubFactory, ["hubs/{id}/edit", "hubs/{id}/delete"]),
        (RoomFactory, ["rooms/{id}/edit", "rooms/{id}/delete"]),
        (TrackFactory, ["tracks/{id}/edit", "tracks/{id}/delete"]),
        (SessionFormatFactory, ["formats/{id}/edit", "formats/{id}/delete"]),
        (None, ["people/roles/{id}/remove"]),
    ],
)
def test_object_of_another_conference_is_not_found(client, organiser, db, factory, paths):
    other = ConferenceFactory(slug="other")
    foreign = factory(conference=other) if factory else RoleFactory(conference=other)
    db.session.commit()
    for path in paths:
        url = "/c/devcon/manage/" + path.format(id=foreign.id)
        if path.endswith("edit"):
            assert client.get(url).status_code == 404, url
        assert client.post(url, data={"name": "Taken over"}).status_code == 404, url
    db.session.expire_all()
    assert getattr(foreign, "name", "kept") != "Taken over"


def test_changes_require_post(client, organiser, conference, db):
    hub = HubFactory(conference=conference)
    db.session.commit()
    assert client.get(f"/c/devcon/manage/hubs/{hub.id}/delete").status_code == 405
