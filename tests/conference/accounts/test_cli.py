from sqlalchemy import select

from conference.accounts.models import User
from conference.conferences.models import ConferenceRole, Role
from tests.factories import ConferenceFactory


def test_create_organiser_creates_site_admin_and_conference_organiser(runner, db):
    ConferenceFactory(slug="summit")
    db.session.commit()
    result = runner.invoke(args=["create-organiser", "Boss@Example.com", "--conference", "summit",
                                 "--password", "long enough password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.is_site_admin
    assert user.check_password("long enough password")
    role = db.session.scalar(select(ConferenceRole).where(ConferenceRole.user_id == user.id))
    assert role.role is Role.ORGANISER


def test_create_organiser_rejects_invalid_time_zone(runner, db):
    result = runner.invoke(args=["create-organiser", "a@example.com", "--time-zone", "EST5",
                                 "--password", "long enough password"])
    assert result.exit_code != 0
    assert "IANA" in result.output


def test_create_organiser_unknown_conference_fails_without_half_write(runner, db):
    result = runner.invoke(args=["create-organiser", "a@example.com", "--conference", "nope",
                                 "--password", "long enough password"])
    assert result.exit_code != 0
    assert "No conference" in result.output
    db.session.rollback()
    assert db.session.scalar(select(User)) is None
