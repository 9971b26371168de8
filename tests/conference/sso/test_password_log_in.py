"""Rights from company groups hold only for log-ins through the company: an account the company
made sets a password through a reset, leaves its groups at the provider, and logs in with the
password; the site admin right and the roles its groups gave are gone, with a message saying
so. Rights given by hand stay, and so do the last active organiser and the last site admin."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conference.accounts.models import User
from conference.conferences.models import ConferenceRole, Role
from conference.mail.models import OutboxMessage
from conference.sso.models import GroupGrantedRole, GroupGrantedSiteAdmin, GroupRoleRule
from tests.conference.sso.conftest import sso_login
from tests.factories import ConferenceFactory, RoleFactory, UserFactory

GRACE, LINUS = "grace@acme.example", "linus@acme.example"
PASSWORD = "a password of my own"
LINK = re.compile(r"https?://conference\.test(/password-reset/\S+)")
TAKEN_BACK = (
    "Roles from your company groups ({}) apply when you log in with your company account; log in "
    "that way to get them back."
)


@pytest.fixture
def admin_groups(app):
    app.config["OIDC_ADMIN_GROUPS"] = "platform-admins"


def _user(db, email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _roles(db, email: str, conference) -> dict[Role, bool]:
    """The person's roles at the conference, each with whether a group gave it."""
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(ConferenceRole.role, GroupGrantedRole.conference_role_id.is_not(None))
            .join(User, User.id == ConferenceRole.user_id)
            .outerjoin(GroupGrantedRole, GroupGrantedRole.conference_role_id == ConferenceRole.id)
            .where(User.email == email, ConferenceRole.conference_id == conference.id)
        ).all()
    )


def _rule(db, conference, group_name: str, role: Role) -> None:
    db.session.add(GroupRoleRule(conference_id=conference.id, group_name=group_name, role=role))
    db.session.commit()


def _set_password_by_reset(client, db, email: str) -> None:
    """What the person does after a company log-in: asks for a reset and sets a password."""
    client.post("/logout")
    assert client.post("/password-reset", data={"email": email}).status_code == 302
    db.session.expire_all()
    body = db.session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
    answer = client.post(LINK.search(body).group(1), data={"new_password": PASSWORD, "confirm_password": PASSWORD})
    assert answer.status_code == 302


def _password_log_in(client, email: str) -> str:
    """Log in with the password; the next page, with what was flashed."""
    answer = client.post("/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return " ".join(client.get("/account").get_data(as_text=True).split())


def test_a_password_log_in_after_leaving_the_admin_group_is_no_admin(client, db, directory, admin_groups):
    UserFactory(is_site_admin=True)  # by hand: linus is not the last admin
    db.session.commit()
    sso_login(client, "linus")
    assert _user(db, LINUS).is_site_admin
    _set_password_by_reset(client, db, LINUS)
    directory("linus", [])  # left the admin group for good

    page = _password_log_in(client, LINUS)

    linus = _user(db, LINUS)
    assert not linus.is_site_admin
    assert db.session.get(GroupGrantedSiteAdmin, linus.id) is None
    assert TAKEN_BACK.format("a site admin") in page
    assert client.get("/admin/people").status_code == 403


def test_a_password_log_in_after_leaving_the_group_drops_its_conference_roles_not_those_by_hand(
    client, db, directory
):
    conference = ConferenceFactory(name="Eng Summit")
    _rule(db, conference, "eng-summit-reviewers", Role.ORGANISER)
    _rule(db, conference, "everyone", Role.REVIEWER)
    RoleFactory(conference=conference, role=Role.ORGANISER)  # grace is not the last organiser
    grace = UserFactory(email=GRACE)
    RoleFactory(conference=conference, user=grace, role=Role.SPEAKER)  # by hand
    db.session.commit()
    sso_login(client, "grace")
    assert _roles(db, GRACE, conference) == {Role.ORGANISER: True, Role.REVIEWER: True, Role.SPEAKER: False}
    _set_password_by_reset(client, db, GRACE)
    directory("grace", [])

    page = _password_log_in(client, GRACE)

    assert _roles(db, GRACE, conference) == {Role.SPEAKER: False}
    assert TAKEN_BACK.format("an organiser at Eng Summit and a reviewer at Eng Summit") in page
    assert client.get(f"/c/{conference.slug}/manage/people").status_code == 403


def test_the_next_company_log_in_gives_the_rights_back(client, db, admin_groups):
    UserFactory(is_site_admin=True)
    conference = ConferenceFactory(name="Eng Summit")
    _rule(db, conference, "platform-admins", Role.REVIEWER)
    sso_login(client, "linus")
    _set_password_by_reset(client, db, LINUS)
    _password_log_in(client, LINUS)
    assert not _user(db, LINUS).is_site_admin and _roles(db, LINUS, conference) == {}

    client.post("/logout")
    sso_login(client, "linus")  # still in the group

    assert _user(db, LINUS).is_site_admin
    assert _roles(db, LINUS, conference) == {Role.REVIEWER: True}


def test_a_password_log_in_keeps_the_last_organiser_and_the_last_site_admin(client, db, admin_groups):
    conference = ConferenceFactory()
    _rule(db, conference, "platform-admins", Role.ORGANISER)
    retired = RoleFactory(conference=conference, role=Role.ORGANISER, user__is_active_account=False)
    UserFactory(is_site_admin=True, is_active_account=False)  # deactivated: counts as no other
    db.session.commit()
    sso_login(client, "linus")
    _set_password_by_reset(client, db, LINUS)

    page = _password_log_in(client, LINUS)

    linus = _user(db, LINUS)
    assert linus.is_site_admin and db.session.get(GroupGrantedSiteAdmin, linus.id) is not None
    assert _roles(db, LINUS, conference) == {Role.ORGANISER: True}
    assert "Roles from your company groups" not in page
    assert db.session.get(ConferenceRole, retired.id) is not None


def test_a_password_log_in_without_rights_from_groups_says_nothing_of_them(client, db):
    user = UserFactory(is_site_admin=True)
    RoleFactory(user=user, role=Role.ORGANISER)
    db.session.commit()

    answer = client.post("/login", data={"email": user.email, "password": "correct horse battery"})

    assert answer.status_code == 302
    assert "Roles from your company groups" not in client.get("/account").get_data(as_text=True)
    assert _user(db, user.email).is_site_admin
