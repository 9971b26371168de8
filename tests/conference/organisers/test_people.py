from sqlalchemy import select

from conference.conferences.models import ConferenceRole, Role
from tests.conference.organisers.conftest import count
from tests.factories import ConferenceFactory, RoleFactory, UserFactory


def _roles_of(db, user, conference):
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(ConferenceRole.role).where(
                ConferenceRole.user_id == user.id, ConferenceRole.conference_id == conference.id
            )
        )
    )


def test_people_lists_roles_and_filters_by_role(client, organiser, conference, db):
    speaker = RoleFactory(conference=conference, role=Role.SPEAKER, user__display_name="Sam Speaker")
    RoleFactory(conference=conference, user=speaker.user, role=Role.REVIEWER)
    RoleFactory(conference=conference, role=Role.ATTENDEE, user__display_name="Alex Attendee")
    RoleFactory(conference=ConferenceFactory(), role=Role.SPEAKER, user__display_name="Elsewhere Person")
    db.session.commit()
    body = client.get("/c/devcon/manage/people").get_data(as_text=True)
    assert "Sam Speaker" in body and "Alex Attendee" in body and organiser.display_name in body
    assert "Elsewhere Person" not in body
    assert 'scope="col"' in body
    filtered = client.get("/c/devcon/manage/people?role=speaker").get_data(as_text=True)
    assert "Sam Speaker" in filtered
    assert "Remove reviewer role from Sam Speaker" in filtered
    assert "Alex Attendee" not in filtered
    assert "Alex Attendee" in client.get("/c/devcon/manage/people?role=bogus").get_data(as_text=True)


def test_add_role_by_email_grants_role(client, organiser, conference, db):
    person = UserFactory(email="rita@example.com")
    db.session.commit()
    response = client.post("/c/devcon/manage/people", data={"email": "Rita@Example.com ", "role": "reviewer"})
    assert response.status_code == 302
    assert _roles_of(db, person, conference) == {Role.REVIEWER}


def test_add_role_unknown_email_is_form_error(client, organiser, db):
    response = client.post("/c/devcon/manage/people", data={"email": "ghost@example.com", "role": "speaker"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No account uses this e-mail address." in body
    assert 'value="ghost@example.com"' in body
    assert count(db, ConferenceRole) == 1


def test_add_role_twice_shows_friendly_message_without_duplicate(client, organiser, conference, db):
    person = UserFactory(email="rita@example.com")
    db.session.commit()
    data = {"email": "rita@example.com", "role": "reviewer"}
    client.post("/c/devcon/manage/people", data=data)
    response = client.post("/c/devcon/manage/people", data=data, follow_redirects=True)
    assert "is already a reviewer at this conference" in response.get_data(as_text=True)
    assert count(db, ConferenceRole, ConferenceRole.user_id == person.id) == 1


def test_remove_role_deletes_only_that_role(client, organiser, conference, db):
    reviewer = RoleFactory(conference=conference, role=Role.REVIEWER)
    RoleFactory(conference=conference, user=reviewer.user, role=Role.SPEAKER)
    db.session.commit()
    response = client.post(f"/c/devcon/manage/people/roles/{reviewer.id}/remove")
    assert response.status_code == 302
    assert _roles_of(db, reviewer.user, conference) == {Role.SPEAKER}


def test_remove_own_last_organiser_role_is_form_error(client, organiser, conference, db):
    own_role = db.session.scalar(select(ConferenceRole).where(ConferenceRole.user_id == organiser.id))
    response = client.post(f"/c/devcon/manage/people/roles/{own_role.id}/remove")
    assert response.status_code == 200
    assert "You are the last organiser of this conference" in response.get_data(as_text=True)
    assert _roles_of(db, organiser, conference) == {Role.ORGANISER}


def test_remove_own_organiser_role_with_another_organiser_leaves_management(client, organiser, conference, db):
    RoleFactory(conference=conference, role=Role.ORGANISER)
    db.session.commit()
    own_role = db.session.scalar(select(ConferenceRole).where(ConferenceRole.user_id == organiser.id))
    response = client.post(f"/c/devcon/manage/people/roles/{own_role.id}/remove")
    assert response.headers["Location"].endswith("/c/devcon/")
    assert client.get("/c/devcon/manage/").status_code == 403
