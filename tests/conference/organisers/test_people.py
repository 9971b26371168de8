import re

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
    # The button says "Remove"; the rest of its name is for screen readers.
    assert re.search(r"Remove<span class=\"visually-hidden\"> reviewer role from Sam Speaker</span>", filtered)
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
    assert "You are the last active organiser of this conference" in response.get_data(as_text=True)
    assert _roles_of(db, organiser, conference) == {Role.ORGANISER}


def test_remove_own_organiser_role_with_another_organiser_leaves_management(client, organiser, conference, db):
    RoleFactory(conference=conference, role=Role.ORGANISER)
    db.session.commit()
    own_role = db.session.scalar(select(ConferenceRole).where(ConferenceRole.user_id == organiser.id))
    response = client.post(f"/c/devcon/manage/people/roles/{own_role.id}/remove")
    assert response.headers["Location"].endswith("/c/devcon/")
    assert client.get("/c/devcon/manage/").status_code == 403


def test_people_search_matches_name_or_email_ignoring_case_and_accents(client, organiser, conference, db):
    RoleFactory(conference=conference, role=Role.SPEAKER, user__display_name="Valentina García",
                user__email="v.garcia@example.com")
    RoleFactory(conference=conference, role=Role.ATTENDEE, user__display_name="Grace Hopper",
                user__email="grace@navy.example")
    db.session.commit()
    body = client.get("/c/devcon/manage/people?q=GARCIA").get_data(as_text=True)
    assert "Valentina García" in body and "Grace Hopper" not in body
    assert "1 person matching “GARCIA”." in body
    body = client.get("/c/devcon/manage/people?q=navy.example").get_data(as_text=True)
    assert "Grace Hopper" in body and "Valentina García" not in body
    # Search and role filter together; nobody left gets a sentence, not an empty table.
    body = client.get("/c/devcon/manage/people?q=grace&role=speaker").get_data(as_text=True)
    assert "Grace Hopper" not in body
    assert "Nobody with the speaker role has a name or e-mail containing “grace”." in body
    # LIKE wildcards are plain characters.
    assert "Grace Hopper" not in client.get("/c/devcon/manage/people?q=%25").get_data(as_text=True)
    assert "Grace Hopper" not in client.get("/c/devcon/manage/people?q=gr_ce").get_data(as_text=True)


def test_people_search_follows_renames_and_folds_like_the_page(client, organiser, conference, db):
    role = RoleFactory(conference=conference, role=Role.ATTENDEE, user__display_name="Jo Weiss",
                       user__email="jo@example.com")
    db.session.commit()
    role.user.display_name = "Johanna Weiß"
    db.session.commit()
    assert "Johanna Weiß" in client.get("/c/devcon/manage/people?q=WEISS").get_data(as_text=True)
    assert "Johanna Weiß" not in client.get("/c/devcon/manage/people?q=jo+weiss").get_data(as_text=True)
    # Spaces in the search collapse as in the names.
    assert "Johanna Weiß" in client.get("/c/devcon/manage/people?q=johanna++weiss").get_data(as_text=True)


def test_people_are_sorted_by_name_ignoring_case_and_accents(client, organiser, conference, db):
    for name in ("zoë Adams", "Émile Zola", "eve Brown", "Ana Silva"):
        RoleFactory(conference=conference, role=Role.ATTENDEE, user__display_name=name)
    db.session.commit()
    body = client.get("/c/devcon/manage/people?role=attendee").get_data(as_text=True)
    positions = [body.index(name) for name in ("Ana Silva", "Émile Zola", "eve Brown", "zoë Adams")]
    assert positions == sorted(positions)


def test_people_are_listed_fifty_a_page_in_name_order(client, organiser, conference, db):
    for n in range(60):
        RoleFactory(conference=conference, role=Role.ATTENDEE, user__display_name=f"Attendee {n:02d}")
    db.session.commit()
    first = client.get("/c/devcon/manage/people?role=attendee").get_data(as_text=True)
    assert "1–50 of 60 people." in first and "Page 1 of 2" in first
    assert "Attendee 49" in first and "Attendee 50" not in first
    assert 'href="/c/devcon/manage/people?role=attendee&amp;page=2" rel="next"' in first
    second = client.get("/c/devcon/manage/people?role=attendee&page=2").get_data(as_text=True)
    assert "51–60 of 60 people." in second and "Attendee 50" in second and "Attendee 49" not in second
    # Past the end: the last page; nonsense: the first.
    assert "51–60 of 60 people." in client.get("/c/devcon/manage/people?role=attendee&page=9").get_data(as_text=True)
    for nonsense in ("x", "²", "-1"):
        assert "1–50 of 60 people." in client.get(f"/c/devcon/manage/people?role=attendee&page={nonsense}").get_data(as_text=True)


def test_removing_a_role_returns_to_the_same_filtered_page(client, organiser, conference, db):
    for n in range(55):
        RoleFactory(conference=conference, role=Role.ATTENDEE, user__display_name=f"Attendee {n:02d}")
    last = RoleFactory(conference=conference, role=Role.REVIEWER, user__display_name="Attendee 99")
    RoleFactory(conference=conference, user=last.user, role=Role.ATTENDEE)
    db.session.commit()
    page = client.get("/c/devcon/manage/people?role=attendee&page=2").get_data(as_text=True)
    action = f"/c/devcon/manage/people/roles/{last.id}/remove?role=attendee&amp;page=2"
    assert action in page
    response = client.post(action.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/devcon/manage/people?role=attendee&page=2")
    assert _roles_of(db, last.user, conference) == {Role.ATTENDEE}


def test_a_name_that_folds_past_the_key_column_is_saved_and_found(client, organiser, conference, db):
    # U+FDFA folds to 18 characters: 120 of them would be 2160, past the 480-character key.
    role = RoleFactory(conference=conference, role=Role.ATTENDEE, user__display_name="\ufdfa" * 120)
    db.session.commit()
    assert len(role.user.name_key) == 480
    page = client.get("/c/devcon/manage/people", query_string={"q": "\ufdfa"})
    assert page.status_code == 200
    assert "1 person matching" in page.get_data(as_text=True)
