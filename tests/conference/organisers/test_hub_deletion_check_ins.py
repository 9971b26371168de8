"""A hub whose desk checked people in is not deleted: its check-ins, facilities' record of who
arrived, would go with it, so organisers undo them first (as they remove registrations first)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conference.checkin.models import CheckIn
from conference.conferences.models import Hub
from tests.conference.organisers.conftest import count
from tests.factories import HubFactory, UserFactory

WED = date(2027, 3, 24)


def _check_in(db, hub, *people) -> None:
    for someone in people:
        db.session.add(CheckIn(
            hub_id=hub.id, day=WED, user_id=someone.id, checked_in_at=datetime(2027, 3, 24, 9, 30, tzinfo=UTC),
        ))
    db.session.commit()


def test_a_hub_with_check_ins_is_not_deleted_and_the_message_counts_them(client, organiser, conference, db):
    hub = HubFactory(conference=conference, name="London")
    db.session.commit()
    _check_in(db, hub, UserFactory(), UserFactory())

    response = client.post(f"/c/devcon/manage/hubs/{hub.id}/delete", follow_redirects=True)

    assert (
        "2 check-ins are recorded at the desk of hub “London”, and deleting the hub would delete them. "
        "Undo them at its check-in desk first; nothing was deleted."
    ) in response.get_data(as_text=True)
    assert count(db, Hub, Hub.id == hub.id) == 1
    assert count(db, CheckIn) == 2


def test_one_check_in_is_counted_in_the_singular_and_a_hub_without_any_is_deleted(client, organiser, conference, db):
    london, paris = HubFactory(conference=conference, name="London"), HubFactory(conference=conference, name="Paris")
    db.session.commit()
    _check_in(db, london, UserFactory())

    refused = client.post(f"/c/devcon/manage/hubs/{london.id}/delete", follow_redirects=True)
    assert "1 check-in is recorded at the desk of hub “London”" in refused.get_data(as_text=True)
    deleted = client.post(f"/c/devcon/manage/hubs/{paris.id}/delete", follow_redirects=True)
    assert "Hub “Paris” is deleted." in deleted.get_data(as_text=True)
    assert count(db, Hub) == 1 and count(db, CheckIn) == 1
