from conference.conferences.models import Role
from tests.conference.organisers.conftest import make_user
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
    role = RoleFactory(conference=conference, user=make_user(), role=Role.ATTENDEE)
    RoleFactory(conference=conference, user=role.user, role=Role.REVIEWER)
    login(role.user)
    for path in MANAGEMENT_PAGES:
        assert client.get(path).status_code == 403, path


def test_management_pages_organiser_of_another_conference_is_forbidden(client, conference, login):
    other = RoleFactory(
        conference=ConferenceFactory(slug="other"), user=make_user(), role=Role.ORGANISER
    )
    login(other.user)
    for path in MANAGEMENT_PAGES:
        assert client.get(path).status_code == 403, path
    assert client.post("/c/devcon/manage/hubs/new", data={"name": "X"}).status_code == 403


def test_management_pages_organiser_sees_every_page_with_shared_navigation(
    client, organiser, conference, db
):
    for path in MANAGEMENT_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert 'aria-label="Manage ' in body, path
        assert 'aria-current="page"' in body, path
    assert client.get("/c/nope/manage/").status_code == 404
    hub = HubFactory(conference=conference)
    db.session.commit()
    # Changes are POST-only.
    assert client.get(f"/c/devcon/manage/hubs/{hub.id}/delete").status_code == 405


def test_object_of_another_conference_is_not_found(client, organiser, db):
    other = ConferenceFactory(slug="other")
    foreign = {
        "hubs": HubFactory(conference=other),
        "rooms": RoomFactory(conference=other),
        "tracks": TrackFactory(conference=other),
        "formats": SessionFormatFactory(conference=other),
    }
    foreign_role = RoleFactory(conference=other, role=Role.ORGANISER)
    db.session.commit()
    for kind, thing in foreign.items():
        edit_url = f"/c/devcon/manage/{kind}/{thing.id}/edit"
        assert client.get(edit_url).status_code == 404, edit_url
        assert client.post(edit_url, data={"name": "Taken over"}).status_code == 404, edit_url
        assert client.post(f"/c/devcon/manage/{kind}/{thing.id}/delete").status_code == 404, kind
    remove_url = f"/c/devcon/manage/people/roles/{foreign_role.id}/remove"
    assert client.post(remove_url).status_code == 404
    db.session.expire_all()
    assert all(thing.name != "Taken over" for thing in foreign.values())
    assert db.session.get(type(foreign_role), foreign_role.id) is not None


def test_management_navigation_groups_every_page_under_a_label_and_marks_the_current_one(
    client, organiser, conference, db
):
    body = client.get("/c/devcon/manage/rooms").get_data(as_text=True)
    nav = body.split('aria-label="Manage ', 1)[1].split("</nav>", 1)[0]
    groups = {}
    for part in nav.split('<div class="manage-nav-group">')[1:]:
        label = part.split("</p>", 1)[0].rsplit(">", 1)[1]
        groups[label] = [link.split("</a>", 1)[0].rsplit(">", 1)[1] for link in part.split("<a ")[1:]]
    links = [link for group in groups.values() for link in group]
    current = [part.split("</a>", 1)[0] for part in nav.split('aria-current="page">')[1:]]

    assert list(groups) == [
        "Conference", "Call and review", "Programme", "Schedule", "Mail and insights"
    ]
    assert "Rooms and streams" in groups["Conference"]
    assert "Draft schedule" in groups["Schedule"]
    assert "Ranking &amp; decisions" in groups["Call and review"]
    assert "Proposal questions" in groups["Call and review"]
    assert "Proposal tags" in groups["Call and review"]
    assert "API tokens" in groups["Conference"]
    assert "Activity" in groups["Mail and insights"]
    assert "Attendance" in groups["Conference"]
    assert "Audience questions" in groups["Programme"]
    assert len(links) == len(set(links)) == 31
    assert current == ["Rooms and streams"]
