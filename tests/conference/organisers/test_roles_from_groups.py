"""The People page and roles a company group gave: which ones it shows as from a group, adding
such a role by hand (it becomes given by hand) and removing one (its group mark goes with it)."""

from __future__ import annotations

import html

from sqlalchemy import select

from conference.conferences.models import ConferenceRole, Role
from conference.sso.models import GroupGrantedRole
from tests.conference.organisers.conftest import count
from tests.factories import RoleFactory, UserFactory
from tests.statements import statements_for_page

PEOPLE = "/c/devcon/manage/people"


def from_group(conference_role: ConferenceRole, group_name: str) -> ConferenceRole:
    """Mark ``conference_role`` as given by the company group ``group_name`` (as a log-in does)."""
    from conference.extensions import db

    db.session.add(GroupGrantedRole(conference_role_id=conference_role.id, group_name=group_name))
    db.session.commit()
    return conference_role


def _marks(db) -> dict[int, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(GroupGrantedRole.conference_role_id, GroupGrantedRole.group_name)).all())


def _row(page: str, name: str) -> str:
    start = page.index(f'<th scope="row">{name}</th>')
    return page[start:page.index("</tr>", start)]


def test_people_page_names_the_group_a_role_came_from(client, organiser, conference, db):
    reviewer = from_group(
        RoleFactory(conference=conference, role=Role.REVIEWER, user__display_name="Grace Group"), "eng-reviewers"
    )
    RoleFactory(conference=conference, user=reviewer.user, role=Role.SPEAKER)  # by hand
    RoleFactory(conference=conference, role=Role.REVIEWER, user__display_name="Hand Given")
    db.session.commit()

    page = html.unescape(client.get(PEOPLE).get_data(as_text=True))

    items = {item.split("</span>", 1)[0]: item for item in _row(page, "Grace Group").split('<span class="badge">')[1:]}
    assert "from group “eng-reviewers”" in items["Reviewer"]
    assert "from group" not in items["Speaker"]
    assert "from group" not in _row(page, "Hand Given")


def test_people_page_query_count_does_not_grow_with_roles_from_groups(client, organiser, conference, db):
    def add_people(first: int, last: int) -> None:
        for number in range(first, last):
            role = RoleFactory(conference=conference, role=Role.REVIEWER, user__display_name=f"Person {number:02d}")
            RoleFactory(conference=conference, user=role.user, role=Role.ATTENDEE)
            from_group(role, f"group-{number}")

    add_people(0, 2)
    few = statements_for_page(db.engine, client, PEOPLE)
    add_people(2, 12)
    assert statements_for_page(db.engine, client, PEOPLE) == few
    assert html.unescape(client.get(PEOPLE).get_data(as_text=True)).count("from group “group-") == 12


def test_adding_a_role_held_from_a_group_makes_it_given_by_hand(client, organiser, conference, db):
    person = UserFactory(email="grace@example.com", display_name="Grace Hopper")
    group_role = from_group(RoleFactory(conference=conference, user=person, role=Role.REVIEWER), "eng-reviewers")
    other = from_group(RoleFactory(conference=conference, user=person, role=Role.SPEAKER), "speakers")

    answer = client.post(PEOPLE, data={"email": "grace@example.com", "role": "reviewer"}, follow_redirects=True)

    assert html.unescape(answer.get_data(as_text=True)).count(
        "Grace Hopper already had the reviewer role from the company group “eng-reviewers”; it is now "
        "given by hand and stays when they leave the group."
    ) == 1
    assert _marks(db) == {other.id: "speakers"}  # only that role's mark went
    assert count(db, ConferenceRole, ConferenceRole.user_id == person.id) == 2
    assert db.session.get(ConferenceRole, group_role.id) is not None  # the same role, kept

    # Once given by hand, adding it again changes nothing.
    again = client.post(PEOPLE, data={"email": "grace@example.com", "role": "reviewer"}, follow_redirects=True)
    assert "Grace Hopper is already a reviewer at this conference; nothing changed." in again.get_data(as_text=True)
    assert _marks(db) == {other.id: "speakers"}


def test_removing_a_role_from_a_group_removes_its_mark_and_says_it_may_come_back(
    client, organiser, conference, db
):
    person = UserFactory(display_name="Grace Hopper")
    group_role = from_group(RoleFactory(conference=conference, user=person, role=Role.REVIEWER), "eng-reviewers")
    hand_role = RoleFactory(conference=conference, user=person, role=Role.SPEAKER)
    db.session.commit()
    group_role_id, hand_role_id = group_role.id, hand_role.id

    answer = client.post(f"{PEOPLE}/roles/{group_role_id}/remove", follow_redirects=True)

    page = html.unescape(answer.get_data(as_text=True))
    assert "Grace Hopper is no longer a reviewer. It came from the company group “eng-reviewers”" in page
    assert _marks(db) == {}
    assert db.session.get(ConferenceRole, group_role_id) is None

    answer = client.post(f"{PEOPLE}/roles/{hand_role_id}/remove", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "Grace Hopper is no longer a speaker." in page and "It came from the company group" not in page


def test_a_new_role_does_not_inherit_the_mark_of_a_removed_one(client, organiser, conference, db):
    person = UserFactory(email="grace@example.com")
    group_role = from_group(RoleFactory(conference=conference, user=person, role=Role.REVIEWER), "eng-reviewers")
    client.post(f"{PEOPLE}/roles/{group_role.id}/remove")

    answer = client.post(PEOPLE, data={"email": "grace@example.com", "role": "reviewer"}, follow_redirects=True)

    assert "is now a reviewer." in answer.get_data(as_text=True)
    assert _marks(db) == {}
    assert "from group" not in client.get(PEOPLE).get_data(as_text=True)


def test_a_role_taken_back_by_a_log_in_at_the_same_moment_is_given_anew_by_hand(
    client, organiser, conference, db, monkeypatch
):
    from conference.organisers import operations

    person = UserFactory(email="grace@example.com", display_name="Grace Hopper")
    from_group(RoleFactory(conference=conference, user=person, role=Role.REVIEWER), "eng-reviewers")
    real_forget = operations.forget_group_mark

    def log_in_takes_it_back_first(conference_role_id: int) -> bool:
        # What the person's log-in, having left the group, does between the page's read and write.
        db.session.execute(
            ConferenceRole.__table__.delete().where(ConferenceRole.id == conference_role_id)
        )
        return real_forget(conference_role_id)

    monkeypatch.setattr(operations, "forget_group_mark", log_in_takes_it_back_first)
    answer = client.post(PEOPLE, data={"email": "grace@example.com", "role": "reviewer"}, follow_redirects=True)

    assert "Grace Hopper is now a reviewer." in answer.get_data(as_text=True)
    db.session.expire_all()
    roles = db.session.scalars(select(ConferenceRole.role).where(ConferenceRole.user_id == person.id)).all()
    assert roles == [Role.REVIEWER]
    assert _marks(db) == {}  # given anew, by hand
