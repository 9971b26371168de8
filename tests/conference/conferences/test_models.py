from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from conference.conferences.models import Role
from tests.factories import ConferenceFactory, RoleFactory, UserFactory


def test_one_person_holds_different_roles_at_different_conferences(db):
    person = UserFactory()
    first, second = ConferenceFactory(), ConferenceFactory()
    RoleFactory(user=person, conference=first, role=Role.SPEAKER)
    RoleFactory(user=person, conference=second, role=Role.REVIEWER)
    db.session.commit()
    assert {(r.conference.slug, r.role) for r in person.roles} == {
        (first.slug, Role.SPEAKER), (second.slug, Role.REVIEWER)}


def test_duplicate_role_is_refused_by_database(db):
    person, conference = UserFactory(), ConferenceFactory()
    RoleFactory(user=person, conference=conference, role=Role.SPEAKER)
    db.session.flush()
    with pytest.raises(IntegrityError):
        RoleFactory(user=person, conference=conference, role=Role.SPEAKER)
    db.session.rollback()


def test_instants_round_trip_as_aware_utc(db):
    conference = ConferenceFactory(cfp_opens_at=datetime(2026, 11, 1, 9, 30, tzinfo=UTC))
    db.session.commit()
    db.session.expire_all()
    assert conference.cfp_opens_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert conference.cfp_opens_at.tzinfo is not None


def test_naive_instant_is_refused(db):
    conference = ConferenceFactory()
    conference.cfp_opens_at = datetime(2026, 11, 1, 9, 30)
    with pytest.raises(Exception, match="naive"):
        db.session.flush()
    db.session.rollback()
