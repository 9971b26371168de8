"""A person who leaves (deactivated or erased by a site admin) gives up their seats: the first
person waiting gets each, and is told; erasure also removes the needs they wrote."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conference.admin import operations as admin
from conference.attendance.models import AttendanceRegistration
from tests.conference.attendance.conftest import (
    WED,
    in_person,
    outbox,
    person,
    register,
    statuses,
)


@pytest.mark.parametrize("leaving", ["deactivate", "erase"])
def test_the_seat_of_someone_who_leaves_goes_to_the_first_waiting(db, conference, now, leaving):
    ada, bob, cleo = person(db, "Ada"), person(db, "Bob"), person(db, "Cleo")
    register(db, conference, ada, in_person(conference, "London", WED, dietary="Vegan, no nuts"))
    register(db, conference, bob, in_person(conference, "London", WED))
    register(db, conference, cleo, in_person(conference, "London", WED))
    assert statuses(db, conference, cleo) == {WED: "waiting"}

    if leaving == "deactivate":
        done = admin.deactivate_account(ada, None)
        assert done.withdrawn_registrations == 1
    else:
        admin.erase_account(ada, None)
    db.session.commit()

    assert statuses(db, conference, cleo) == {WED: "registered"}
    assert [message.recipient for message in outbox(db)] == ["cleo@example.com"]
    assert db.session.scalar(
        select(func.count()).select_from(AttendanceRegistration).where(AttendanceRegistration.user_id == ada.id)
    ) == 0
