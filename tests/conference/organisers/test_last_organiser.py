"""A conference keeps an active organiser: deactivated and erased organisers do not count; the
count after writing refuses when another removal got in first (SQLite takes no lock); and on
PostgreSQL two company log-ins taking back organiser roles at once wait for each other."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from conference.accounts.models import User
from conference.conferences.models import ConferenceRole, Role
from conference.organisers import operations
from conference.sso.models import GroupGrantedRole
from conference.sso.operations import apply_company_groups
from tests.conference.organisers.conftest import count, make_user
from tests.factories import RoleFactory
from tests.races import second_request

PEOPLE = "/c/devcon/manage/people"


def _organiser(db, conference, from_group: str | None = None, **user_fields) -> ConferenceRole:
    role = RoleFactory(conference=conference, user=make_user(**user_fields), role=Role.ORGANISER)
    db.session.flush()
    if from_group is not None:
        db.session.add(GroupGrantedRole(conference_role_id=role.id, group_name=from_group))
    db.session.commit()
    return role


def _organisers(db, conference) -> list[int]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            select(ConferenceRole.user_id).where(
                ConferenceRole.conference_id == conference.id, ConferenceRole.role == Role.ORGANISER
            )
        )
    )


@pytest.mark.parametrize("gone", ["deactivated", "erased"])
def test_the_last_active_organiser_cannot_remove_their_role(client, organiser, conference, db, gone):
    fields = {"is_active_account": False}
    if gone == "erased":
        fields["erased_at"] = datetime(2026, 1, 1, tzinfo=UTC)
    _organiser(db, conference, **fields)
    own_role = db.session.scalar(select(ConferenceRole.id).where(ConferenceRole.user_id == organiser.id))

    answer = client.post(f"{PEOPLE}/roles/{own_role}/remove")

    assert answer.status_code == 200
    assert "You are the last active organiser of this conference" in answer.get_data(as_text=True)
    assert organiser.id in _organisers(db, conference)


def test_a_deactivated_organiser_can_still_be_removed(client, organiser, conference, db):
    retired = _organiser(db, conference, is_active_account=False)

    answer = client.post(f"{PEOPLE}/roles/{retired.id}/remove")

    assert answer.status_code == 302
    assert _organisers(db, conference) == [organiser.id]


def test_a_company_log_in_keeps_the_last_active_organiser(db, conference):
    _organiser(db, conference, is_active_account=False)  # by hand, deactivated
    from_group = _organiser(db, conference, from_group="eng-organisers")
    user = db.session.get(User, from_group.user_id)

    changes = apply_company_groups(user, frozenset(), frozenset())  # no longer in the group
    db.session.commit()

    assert [change.role for change in changes.kept_last_organiser] == [Role.ORGANISER]
    assert changes.removed == []
    assert user.id in _organisers(db, conference)
    assert count(db, GroupGrantedRole) == 1  # still from the group: taken back once another organiser exists


def test_the_count_after_writing_refuses_and_restores_the_role(db, conference, monkeypatch):
    first = _organiser(db, conference, from_group="eng-organisers")
    second = _organiser(db, conference)
    # Another request deactivated the second organiser after this one's first count passed.
    real_count = operations.active_organiser_count
    monkeypatch.setattr(
        operations, "active_organiser_count",
        lambda conference_id, besides=None: 1 if besides is not None else real_count(conference_id),
    )
    db.session.get(User, second.user_id).is_active_account = False
    db.session.commit()

    with pytest.raises(operations.LastOrganiser):
        operations.revoke_role(first)
    db.session.commit()

    assert _organisers(db, conference) == sorted([first.user_id, second.user_id])
    assert db.session.scalar(select(GroupGrantedRole.group_name)) == "eng-organisers"


# PostgreSQL only: SQLite has one writer at a time, so the two log-ins need PostgreSQL's two open
# transactions to race.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_log_ins_taking_back_organiser_roles_at_once_leave_one_organiser(app, db, conference, database_url):
    first = _organiser(db, conference, from_group="eng-organisers")
    second = _organiser(db, conference, from_group="eng-organisers")
    second_user_id = second.user_id

    def second_log_in():
        return apply_company_groups(db.session.get(User, second_user_id), frozenset(), frozenset())

    # The rule went: the first person's log-in takes their role back, not committed yet.
    changes = apply_company_groups(db.session.get(User, first.user_id), frozenset(), frozenset())
    assert len(changes.removed) == 1
    second_changes = second_request(app, second_log_in, "the second log-in").waits_for(db, "the conference's lock")

    assert (len(second_changes.removed), len(second_changes.kept_last_organiser)) == (0, 1)
    assert _organisers(db, conference) == [second.user_id]
