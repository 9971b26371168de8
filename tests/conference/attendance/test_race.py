"""Two people taking the last seat at once: one gets it, the other goes on the waiting list."""

from __future__ import annotations

import pytest

from conference.accounts.models import User
from conference.attendance import operations
from conference.conferences.models import Conference
from tests.conference.attendance.conftest import WED, in_person, person, register, statuses
from tests.races import second_request


# PostgreSQL only: SQLite has one writer at a time (the hub lock's UPDATE takes it before the
# count), so the race needs PostgreSQL's two open transactions.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_requests_for_the_last_seat_seat_one_and_queue_the_other(app, db, conference, database_url):
    ada, bob, cleo = person(db, "Ada"), person(db, "Bob"), person(db, "Cleo")
    register(db, conference, ada, in_person(conference, "London", WED))  # one of two seats left
    choice = in_person(conference, "London", WED)
    conference_id, cleo_id = conference.id, cleo.id

    def cleos_request():
        operations.save_attendance(
            db.session.get(Conference, conference_id), db.session.get(User, cleo_id), choice
        )

    # Bob's request counts the free seat and takes it, but has not committed yet.
    operations.save_attendance(conference, bob, choice)
    second_request(app, cleos_request, "Cleo's request").waits_for(db, "the hub's lock")

    assert statuses(db, conference, bob) == {WED: "registered"}
    assert statuses(db, conference, cleo) == {WED: "waiting"}
