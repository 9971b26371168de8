"""Rights a company group gave, as the site admins see and change them: the account pages name
the group, ``flask create-organiser`` makes a group's rights given by hand, erasing forgets the
groups and deactivating keeps them for a later log-in to take back."""

from __future__ import annotations

import html

from sqlalchemy import select

from conference.accounts.models import User
from conference.conferences.models import ConferenceRole, Role
from conference.sso.models import GroupGrantedRole, GroupGrantedSiteAdmin
from tests.conference.admin.conftest import count, make_user, reload
from tests.factories import ConferenceFactory, RoleFactory
from tests.statements import statements_for_page


def _admin_from_group(db, user: User, group_name: str = "platform-admins") -> User:
    user.is_site_admin = True
    db.session.flush()
    db.session.add(GroupGrantedSiteAdmin(user_id=user.id, group_name=group_name))
    db.session.commit()
    return user


def _role_from_group(db, conference, user: User, role: Role, group_name: str) -> ConferenceRole:
    conference_role = RoleFactory(conference=conference, user=user, role=role)
    db.session.flush()
    db.session.add(GroupGrantedRole(conference_role_id=conference_role.id, group_name=group_name))
    db.session.commit()
    return conference_role


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _site_admin_cell(page: str, name: str) -> str:
    start = page.index(f">{name}</a></th>")
    return page[start:page.index("</tr>", start)].split("<td>")[3].split("</td>")[0]


def test_the_account_page_names_the_group_that_made_someone_a_site_admin(admin_client, db, site_admin):
    linus = _admin_from_group(db, make_user(display_name="Linus T", email="linus@example.com"))

    page = _text(admin_client.get(f"/admin/people/{linus.id}"))

    assert "<dt>Site admin</dt><dd>Yes, from group “platform-admins”" in page
    assert "<code>flask create-organiser linus@example.com</code> makes it given by hand" in page
    own = _text(admin_client.get(f"/admin/people/{site_admin.id}"))  # made an admin by hand
    assert "<dt>Site admin</dt><dd>Yes</dd>" in own and "create-organiser" not in own


def test_the_people_list_names_the_groups_of_admin_rights_and_roles(admin_client, db, site_admin):
    summit = ConferenceFactory(name="Spring Summit")
    linus = _admin_from_group(db, make_user(display_name="Linus T"))
    _role_from_group(db, summit, linus, Role.REVIEWER, "eng-reviewers")
    RoleFactory(conference=summit, user=linus, role=Role.SPEAKER)
    db.session.commit()

    page = _text(admin_client.get("/admin/people"))

    assert _site_admin_cell(page, "Linus T") == "Yes, from group “platform-admins”"
    assert _site_admin_cell(page, "Ada Admin") == "Yes"
    row = page[page.index(">Linus T</a></th>"):]
    row = row[:row.index("</tr>")]
    assert ">Reviewer</span> <small>from group “eng-reviewers”</small>" in row
    assert ">Speaker</span> <small>" not in row
    person_page = _text(admin_client.get(f"/admin/people/{linus.id}"))
    assert ">Reviewer</span> <small>from group “eng-reviewers”</small>" in person_page


def test_people_list_queries_do_not_grow_with_rights_from_groups(admin_client, db):
    conference = ConferenceFactory()

    def add(first: int, last: int) -> None:
        for number in range(first, last):
            person = _admin_from_group(db, make_user(display_name=f"Admin {number:02d}"), f"admins-{number}")
            _role_from_group(db, conference, person, Role.REVIEWER, f"reviewers-{number}")

    add(0, 2)
    few = statements_for_page(db.engine, admin_client, "/admin/people")
    add(2, 12)
    assert statements_for_page(db.engine, admin_client, "/admin/people") == few


# --- flask create-organiser ------------------------------------------------------------------


def test_create_organiser_makes_a_group_admin_right_and_organiser_role_given_by_hand(runner, db):
    summit = ConferenceFactory(slug="summit", name="Spring Summit")
    linus = _admin_from_group(db, make_user(email="linus@example.com"))
    organiser_role = _role_from_group(db, summit, linus, Role.ORGANISER, "summit-organisers")
    reviewer_role = _role_from_group(db, summit, linus, Role.REVIEWER, "eng-reviewers")

    result = runner.invoke(args=["create-organiser", "linus@example.com", "--conference", "summit"])

    assert result.exit_code == 0, result.output
    assert ("linus@example.com was a site admin from the company group 'platform-admins'; the right is now "
            "given by hand and stays when they leave the group.") in result.output
    assert ("linus@example.com was an organiser of Spring Summit from the company group 'summit-organisers'; "
            "the role is now given by hand and stays when they leave the group.") in result.output
    assert reload(db, linus).is_site_admin
    assert count(db, GroupGrantedSiteAdmin) == 0
    # The organiser role is the same row, no longer marked; the other role keeps its group.
    assert db.session.scalars(select(GroupGrantedRole.conference_role_id)).all() == [reviewer_role.id]
    assert count(db, ConferenceRole, ConferenceRole.user_id == linus.id, ConferenceRole.role == Role.ORGANISER) == 1
    assert db.session.get(ConferenceRole, organiser_role.id) is not None


def test_create_organiser_says_nothing_of_groups_for_rights_given_by_hand(runner, db):
    summit = ConferenceFactory(slug="summit")
    person = make_user(email="boss@example.com", is_site_admin=True)
    RoleFactory(conference=summit, user=person, role=Role.ORGANISER)
    db.session.commit()

    result = runner.invoke(args=["create-organiser", "boss@example.com", "--conference", "summit"])

    assert result.exit_code == 0, result.output
    assert "company group" not in result.output
    assert count(db, ConferenceRole, ConferenceRole.user_id == person.id) == 1


# --- erasing and deactivating ----------------------------------------------------------------


def test_erasing_forgets_which_rights_came_from_groups_and_keeps_the_roles(admin_client, db, site_admin):
    summit = ConferenceFactory()
    leaver = _admin_from_group(db, make_user(email="leaver@example.com"))
    role = _role_from_group(db, summit, leaver, Role.REVIEWER, "eng-reviewers")
    stays = _role_from_group(db, summit, make_user(), Role.REVIEWER, "eng-reviewers")  # someone else's

    answer = admin_client.post(f"/admin/people/{leaver.id}/erase", data={"confirm_email": "leaver@example.com"})

    assert answer.status_code == 302
    stored = reload(db, leaver)
    assert stored.is_erased and not stored.is_site_admin
    assert count(db, GroupGrantedSiteAdmin) == 0
    assert db.session.scalars(select(GroupGrantedRole.conference_role_id)).all() == [stays.id]
    assert db.session.get(ConferenceRole, role.id) is not None  # roles stay, as the page says
    assert "Company groups" in _text(admin_client.get(f"/admin/people/{stays.user_id}/erase"))


def test_erasing_from_the_command_line_forgets_the_groups_too(runner, db):
    make_user(is_site_admin=True)
    leaver = _admin_from_group(db, make_user(email="leaver@example.com"))
    _role_from_group(db, ConferenceFactory(), leaver, Role.SPEAKER, "speakers")

    result = runner.invoke(args=["erase-user", "--yes", "leaver@example.com"])

    assert result.exit_code == 0, result.output
    assert count(db, GroupGrantedSiteAdmin) == 0 and count(db, GroupGrantedRole) == 0


def test_deactivating_keeps_the_group_marks_for_the_next_log_in_to_take_back(admin_client, db, site_admin):
    leaver = _admin_from_group(db, make_user(display_name="Leaver"))
    role = _role_from_group(db, ConferenceFactory(), leaver, Role.REVIEWER, "eng-reviewers")

    assert admin_client.post(f"/admin/people/{leaver.id}/deactivate", data={"reason": ""}).status_code == 302

    # Both still count as from their groups: were they marked as given by hand instead, a
    # reactivated account would keep them after leaving the groups.
    assert not reload(db, leaver).is_active_account
    assert db.session.get(GroupGrantedSiteAdmin, leaver.id).group_name == "platform-admins"
    assert db.session.get(GroupGrantedRole, role.id).group_name == "eng-reviewers"


def test_create_organiser_for_a_new_account_gives_both_rights_by_hand(runner, db):
    ConferenceFactory(slug="summit", name="Spring Summit")
    db.session.commit()

    result = runner.invoke(args=["create-organiser", "new@example.com", "--conference", "summit",
                                 "--password", "long enough password"])

    assert result.exit_code == 0, result.output
    assert "company group" not in result.output
    assert "new@example.com organises Spring Summit." in result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.is_site_admin
    assert count(db, ConferenceRole, ConferenceRole.user_id == user.id, ConferenceRole.role == Role.ORGANISER) == 1
    assert count(db, GroupGrantedSiteAdmin) == 0 and count(db, GroupGrantedRole) == 0
