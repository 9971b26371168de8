"""Roles from the company's groups: the organisers' rules page, and what each log-in through a
real OpenID Connect provider gives and takes back (never what was given by hand, never the last
organiser or the last site admin)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conference.accounts.models import User
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.extensions import db as _db
from conference.sso.models import GroupGrantedRole, GroupGrantedSiteAdmin, GroupRoleRule
from conference.sso.operations import groups_from_claims
from tests.conference.sso.conftest import sso_login
from tests.factories import ConferenceFactory, RoleFactory, UserFactory

GRACE = "grace@acme.example"


def _roles(db, email: str, conference) -> dict[Role, bool]:
    """The person's roles at the conference, each with whether a group gave it."""
    rows = db.session.execute(
        select(ConferenceRole.role, GroupGrantedRole.conference_role_id.is_not(None))
        .join(User, User.id == ConferenceRole.user_id)
        .outerjoin(GroupGrantedRole, GroupGrantedRole.conference_role_id == ConferenceRole.id)
        .where(User.email == email, ConferenceRole.conference_id == conference.id)
    ).all()
    return dict(rows)


def _rule(conference, group_name: str, role: Role) -> GroupRoleRule:
    rule = GroupRoleRule(conference_id=conference.id, group_name=group_name, role=role)
    _db.session.add(rule)
    _db.session.commit()
    return rule


def _user(db, email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _next_log_in(client, login: str):
    client.post("/logout")
    return sso_login(client, login)


def _page(client) -> str:
    """The next page, with what was flashed."""
    return client.get("/").get_data(as_text=True)


# --- the groups claim ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "groups"),
    [
        ({"groups": ["a", " b ", ""]}, frozenset({"a", "b"})),
        ({"groups": "a"}, frozenset({"a"})),
        ({}, frozenset()),  # a person in no group: providers often leave the claim out
        ({"groups": []}, frozenset()),
        ({"_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {}}}, None),  # too many to list
        ({"groups": {"a": 1}}, None),
        ({"groups": ["a", 7]}, None),
    ],
)
def test_the_groups_claim_is_read_or_said_to_be_unknown(claims, groups):
    assert groups_from_claims(claims, "groups") == groups


# --- rules given at log-in -------------------------------------------------------------------


def test_a_rule_gives_its_role_at_the_first_log_in(client, db):
    conference = ConferenceFactory(name="Eng Summit")
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    _rule(conference, "somebody-else", Role.ORGANISER)

    sso_login(client, "grace")

    assert _roles(db, GRACE, conference) == {Role.REVIEWER: True}
    assert "From your company groups: you are now a reviewer at Eng Summit." in client.get("/account").get_data(
        as_text=True
    )


def test_leaving_the_group_takes_the_role_back_at_the_next_log_in(client, db, directory):
    conference = ConferenceFactory(name="Eng Summit")
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    _rule(conference, "speakers", Role.SPEAKER)
    sso_login(client, "grace")
    assert _roles(db, GRACE, conference) == {Role.REVIEWER: True}

    directory("grace", ["speakers"])
    _next_log_in(client, "grace")

    assert _roles(db, GRACE, conference) == {Role.SPEAKER: True}
    assert ("From your company groups: you are now a speaker at Eng Summit; you are no longer a "
            "reviewer at Eng Summit.") in _page(client)
    assert db.session.scalar(select(func.count()).select_from(GroupGrantedRole)) == 1

    directory("grace", [])
    _next_log_in(client, "grace")
    assert _roles(db, GRACE, conference) == {}


def test_groups_the_provider_does_not_list_change_nothing(client, db, directory):
    conference = ConferenceFactory()
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    sso_login(client, "grace")

    directory("grace", {"eng-summit-reviewers": True})  # not a list of names: misconfigured
    _next_log_in(client, "grace")

    assert _roles(db, GRACE, conference) == {Role.REVIEWER: True}


def test_group_names_match_exactly(client, db):
    conference = ConferenceFactory()
    _rule(conference, "Eng-Summit-Reviewers", Role.REVIEWER)
    sso_login(client, "grace")
    assert _roles(db, GRACE, conference) == {}


def test_a_role_given_by_hand_is_never_taken_back(client, db, directory):
    conference = ConferenceFactory()
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    grace = UserFactory(email=GRACE)
    RoleFactory(conference=conference, user=grace, role=Role.REVIEWER)
    RoleFactory(conference=conference, user=grace, role=Role.ATTENDEE)
    db.session.commit()

    sso_login(client, "grace")  # in the group: the role is there already, given by hand
    assert _roles(db, GRACE, conference) == {Role.REVIEWER: False, Role.ATTENDEE: False}

    directory("grace", [])
    _next_log_in(client, "grace")

    assert _roles(db, GRACE, conference) == {Role.REVIEWER: False, Role.ATTENDEE: False}
    assert "From your company groups" not in _page(client)


def test_a_role_another_rule_still_gives_stays(client, db, directory):
    conference = ConferenceFactory()
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    _rule(conference, "everyone", Role.REVIEWER)
    sso_login(client, "grace")

    directory("grace", ["everyone"])
    _next_log_in(client, "grace")

    assert _roles(db, GRACE, conference) == {Role.REVIEWER: True}


def test_a_removed_rule_takes_its_roles_back_at_the_next_log_in(client, db):
    conference = ConferenceFactory()
    rule = _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    other = ConferenceFactory()
    _rule(other, "everyone", Role.ATTENDEE)
    sso_login(client, "grace")
    db.session.delete(rule)
    db.session.commit()

    _next_log_in(client, "grace")

    assert _roles(db, GRACE, conference) == {}
    assert _roles(db, GRACE, other) == {Role.ATTENDEE: True}


def test_the_last_organiser_keeps_the_role_no_group_gives_any_more(client, db, directory):
    conference = ConferenceFactory()
    _rule(conference, "eng-summit-reviewers", Role.ORGANISER)
    sso_login(client, "grace")
    assert _roles(db, GRACE, conference) == {Role.ORGANISER: True}

    directory("grace", [])
    _next_log_in(client, "grace")
    assert _roles(db, GRACE, conference) == {Role.ORGANISER: True}

    RoleFactory(conference=conference, role=Role.ORGANISER)  # another organiser, by hand
    db.session.commit()
    _next_log_in(client, "grace")
    assert _roles(db, GRACE, conference) == {}


# --- site admins from groups -----------------------------------------------------------------


@pytest.fixture
def admin_groups(app):
    app.config["OIDC_ADMIN_GROUPS"] = " platform-admins , conference-admins"


def test_an_admin_group_makes_a_site_admin_and_leaving_it_ends_that(client, db, directory, admin_groups):
    UserFactory(is_site_admin=True)  # an admin by hand, so grace is not the last
    db.session.commit()

    sso_login(client, "linus")
    linus = _user(db, "linus@acme.example")
    assert linus.is_site_admin
    assert db.session.get(GroupGrantedSiteAdmin, linus.id) is not None
    assert client.get("/admin/people").status_code == 200

    directory("linus", ["conference-admins"])  # moved to the other admin group: stays
    _next_log_in(client, "linus")
    assert _user(db, "linus@acme.example").is_site_admin

    directory("linus", ["everyone"])
    _next_log_in(client, "linus")

    linus = _user(db, "linus@acme.example")
    assert not linus.is_site_admin
    assert db.session.get(GroupGrantedSiteAdmin, linus.id) is None
    assert "you are no longer a site admin" in _page(client)
    assert client.get("/admin/people").status_code == 403


def test_the_last_site_admin_keeps_the_right(client, db, directory, admin_groups):
    sso_login(client, "linus")  # the only admin
    directory("linus", [])
    _next_log_in(client, "linus")

    linus = _user(db, "linus@acme.example")
    assert linus.is_site_admin
    # Still from the groups: taken back at a later log-in once another admin exists.
    assert db.session.get(GroupGrantedSiteAdmin, linus.id) is not None

    UserFactory(is_site_admin=True)
    db.session.commit()
    _next_log_in(client, "linus")
    assert not _user(db, "linus@acme.example").is_site_admin


def test_a_deactivated_admin_does_not_count_as_another(client, db, directory, admin_groups):
    UserFactory(is_site_admin=True, is_active_account=False)
    db.session.commit()
    sso_login(client, "linus")
    directory("linus", [])
    _next_log_in(client, "linus")
    assert _user(db, "linus@acme.example").is_site_admin


def test_an_admin_made_by_hand_stays_one(client, db, directory, admin_groups):
    UserFactory(email="linus@acme.example", is_site_admin=True)
    UserFactory(is_site_admin=True)
    db.session.commit()

    sso_login(client, "linus")  # in the admin group: nothing to give
    directory("linus", [])
    _next_log_in(client, "linus")

    linus = _user(db, "linus@acme.example")
    assert linus.is_site_admin and db.session.get(GroupGrantedSiteAdmin, linus.id) is None


def test_without_admin_groups_nobody_becomes_an_admin(client, db):
    sso_login(client, "linus")
    assert not _user(db, "linus@acme.example").is_site_admin


# --- the organisers' page --------------------------------------------------------------------


@pytest.fixture
def organiser_client(app, db):
    conference = ConferenceFactory(slug="summit", name="Eng Summit")
    organiser = UserFactory()
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": organiser.email, "password": "correct horse battery"})
    return client


RULES = "/c/summit/manage/people/groups"


def _rules(db) -> list[tuple[str, Role]]:
    return list(db.session.execute(select(GroupRoleRule.group_name, GroupRoleRule.role).order_by(GroupRoleRule.id)))


def test_the_people_page_leads_to_the_rules(organiser_client):
    page = organiser_client.get("/c/summit/manage/people").get_data(as_text=True)
    assert f'href="{RULES}"' in page and "Roles from company groups" in page


def test_organisers_add_and_remove_rules(organiser_client, db):
    page = organiser_client.get(RULES).get_data(as_text=True)
    assert "No rules yet" in page
    assert "Changes apply at each person's next log-in with Acme SSO" in page

    answer = organiser_client.post(RULES, data={"group_name": "  eng-summit-reviewers ", "role": "reviewer"})

    assert answer.status_code == 302
    assert _rules(db) == [("eng-summit-reviewers", Role.REVIEWER)]
    page = organiser_client.get(RULES).get_data(as_text=True)
    assert "Members of “eng-summit-reviewers” get the reviewer role from their next log-in with Acme SSO." in page
    assert "<code>eng-summit-reviewers</code>" in page

    rule_id = db.session.scalar(select(GroupRoleRule.id))
    answer = organiser_client.post(f"{RULES}/{rule_id}/remove")
    assert answer.status_code == 302
    assert _rules(db) == []
    assert "lose it at their next log-in with Acme SSO" in organiser_client.get(RULES).get_data(as_text=True)


def test_a_duplicate_rule_is_refused(organiser_client, db):
    organiser_client.post(RULES, data={"group_name": "reviewers", "role": "reviewer"})
    answer = organiser_client.post(RULES, data={"group_name": " reviewers", "role": "reviewer"})
    assert answer.status_code == 200
    assert "Members of “reviewers” already get the reviewer role here; nothing changed." in answer.get_data(
        as_text=True
    )
    organiser_client.post(RULES, data={"group_name": "reviewers", "role": "organiser"})  # another role: fine
    assert _rules(db) == [("reviewers", Role.REVIEWER), ("reviewers", Role.ORGANISER)]


@pytest.mark.parametrize(
    ("group_name", "role", "message"),
    [
        ("   ", "reviewer", "Enter the group&#39;s name as the sign-in service sends it."),
        ("g" * 201, "reviewer", "A group name has at most 200 characters."),
        ("two\nlines", "reviewer", "A group name is one line of text"),
        ("reviewers", "keynote", "Not a valid choice"),
    ],
)
def test_a_bad_rule_is_explained_and_not_saved(organiser_client, db, group_name, role, message):
    answer = organiser_client.post(RULES, data={"group_name": group_name, "role": role})
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)
    assert _rules(db) == []


def test_the_page_counts_the_roles_held_from_groups(organiser_client, client, db):
    organiser_client.post(RULES, data={"group_name": "eng-summit-reviewers", "role": "reviewer"})
    assert "Held from company groups now" not in organiser_client.get(RULES).get_data(as_text=True)
    sso_login(client, "grace")
    page = " ".join(organiser_client.get(RULES).get_data(as_text=True).split())
    assert "Held from company groups now: 1 reviewer." in page


def test_only_organisers_reach_the_rules(app, organiser_client, client, db):
    other = ConferenceFactory(slug="other")
    rule = _rule(other, "x", Role.REVIEWER)
    sso_login(client, "grace")  # an account without a role at the summit

    assert client.get(RULES).status_code == 403
    assert client.post(RULES, data={"group_name": "x", "role": "organiser"}).status_code == 403
    # A rule of another conference is not found from this one.
    assert organiser_client.post(f"{RULES}/{rule.id}/remove").status_code == 404
    assert _rules(db) == [("x", Role.REVIEWER)]


def test_without_a_provider_there_is_no_rules_page(app, organiser_client):
    app.config["OIDC_ISSUER"] = None
    assert organiser_client.get(RULES).status_code == 404
    assert "Roles from company groups" not in organiser_client.get("/c/summit/manage/people").get_data(as_text=True)


# --- rights given by hand after a group gave them ----------------------------------------------


def _marks(db) -> dict[Role, str]:
    """Grace's roles that came from a group, with the group the pages name."""
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(ConferenceRole.role, GroupGrantedRole.group_name)
            .join(GroupGrantedRole, GroupGrantedRole.conference_role_id == ConferenceRole.id)
            .join(User, User.id == ConferenceRole.user_id)
            .where(User.email == GRACE)
        ).all()
    )


def _summit(db) -> Conference:
    return db.session.scalar(select(Conference).where(Conference.slug == "summit"))


def test_the_mark_names_a_group_that_gives_the_role_now(client, db, directory):
    conference = ConferenceFactory()
    _rule(conference, "everyone", Role.REVIEWER)
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    sso_login(client, "grace")  # in both: the first by name
    assert _marks(db) == {Role.REVIEWER: "eng-summit-reviewers"}

    directory("grace", ["everyone", "zz-late"])
    _next_log_in(client, "grace")
    assert _marks(db) == {Role.REVIEWER: "everyone"}

    directory("grace", ["eng-summit-reviewers", "everyone"])
    _next_log_in(client, "grace")
    assert _marks(db) == {Role.REVIEWER: "everyone"}  # still given by it: no change


def test_the_people_page_shows_roles_from_groups(organiser_client, client, db):
    conference = _summit(db)
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    sso_login(client, "grace")

    page = organiser_client.get("/c/summit/manage/people").get_data(as_text=True)

    row = page[page.index('<th scope="row">Grace Hopper</th>'):]
    row = row[:row.index("</tr>")]
    assert "Reviewer</span> <small>from group “eng-summit-reviewers”</small>" in row


def test_a_role_added_by_hand_after_a_group_gave_it_stays_when_they_leave_the_group(
    organiser_client, client, db, directory
):
    conference = _summit(db)
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    _rule(conference, "everyone", Role.ATTENDEE)
    sso_login(client, "grace")
    assert _roles(db, GRACE, conference) == {Role.REVIEWER: True, Role.ATTENDEE: True}

    answer = organiser_client.post("/c/summit/manage/people", data={"email": GRACE, "role": "reviewer"},
                                   follow_redirects=True)
    assert ("Grace Hopper already had the reviewer role from the company group “eng-summit-reviewers”; it is "
            "now given by hand and stays when they leave the group.") in answer.get_data(as_text=True)
    assert _roles(db, GRACE, conference) == {Role.REVIEWER: False, Role.ATTENDEE: True}

    directory("grace", [])
    _next_log_in(client, "grace")

    assert _roles(db, GRACE, conference) == {Role.REVIEWER: False}
    assert "you are no longer an attendee" in _page(client)


def test_a_role_from_a_group_removed_by_hand_leaves_no_mark_and_comes_back_from_the_group(
    organiser_client, client, db
):
    conference = _summit(db)
    _rule(conference, "eng-summit-reviewers", Role.REVIEWER)
    sso_login(client, "grace")
    role_id = db.session.scalar(select(GroupGrantedRole.conference_role_id))

    answer = organiser_client.post(f"/c/summit/manage/people/roles/{role_id}/remove", follow_redirects=True)

    assert ("Grace Hopper is no longer a reviewer. It came from the company group “eng-summit-reviewers”: while "
            "they are in that group and its rule stays, their next company log-in gives it back") in answer.get_data(
        as_text=True
    )
    assert _roles(db, GRACE, conference) == {}
    assert db.session.scalar(select(func.count()).select_from(GroupGrantedRole)) == 0

    _next_log_in(client, "grace")  # still in the group
    assert _roles(db, GRACE, conference) == {Role.REVIEWER: True}


def test_create_organiser_makes_a_group_admin_one_by_hand(client, db, directory, admin_groups, runner):
    UserFactory(is_site_admin=True)
    db.session.commit()
    sso_login(client, "linus")
    linus = _user(db, "linus@acme.example")
    assert db.session.get(GroupGrantedSiteAdmin, linus.id).group_name == "platform-admins"

    result = runner.invoke(args=["create-organiser", "linus@acme.example"])
    assert result.exit_code == 0, result.output
    assert "from the company group 'platform-admins'; the right is now given by hand" in result.output

    directory("linus", [])
    _next_log_in(client, "linus")

    linus = _user(db, "linus@acme.example")
    assert linus.is_site_admin and db.session.get(GroupGrantedSiteAdmin, linus.id) is None
    assert "From your company groups" not in _page(client)


def test_a_reactivated_account_loses_at_its_next_log_in_what_its_groups_no_longer_give(
    client, db, directory, admin_groups, runner
):
    UserFactory(is_site_admin=True)
    conference = ConferenceFactory()
    _rule(conference, "platform-admins", Role.ORGANISER)
    RoleFactory(conference=conference, role=Role.ORGANISER)  # not the last organiser
    db.session.commit()
    sso_login(client, "linus")
    client.post("/logout")
    assert runner.invoke(args=["deactivate-user", "linus@acme.example"]).exit_code == 0
    directory("linus", [])  # left the company's groups meanwhile
    assert runner.invoke(args=["reactivate-user", "linus@acme.example"]).exit_code == 0

    sso_login(client, "linus")

    linus = _user(db, "linus@acme.example")
    assert not linus.is_site_admin
    assert _roles(db, "linus@acme.example", conference) == {}
    assert "you are no longer an organiser" in _page(client)
