"""Two desks at once: checking the same person in ends with one check-in, and of two walk-ins
seated anyway for the last seat only one gets it; a desk seating a walk-in while someone
registers online for the last seat also ends with one seat taken."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest

from conference.accounts.models import User
from conference.attendance import operations as attendance
from conference.attendance.models import AttendanceMode, AttendanceWindow
from conference.attendance.queries import seat_counts
from conference.checkin import operations
from conference.conferences.models import Conference, Hub
from tests.conference.checkin.conftest import (
    THU,
    WED,
    WEDNESDAY_MORNING,
    attend,
    check_ins,
    hub,
    person,
    seat_statuses,
)
from tests.races import second_request


def _check_in_at_the_desk(hub_id: int, user_id: int, host_id: int, seat_anyway: bool = False):
    """What a desk's request does, looking its rows up by id in the running request's session."""
    from conference.extensions import db

    operations.check_in(
        db.session.get(Hub, hub_id), WED, user_id, db.session.get(User, host_id), seat_anyway=seat_anyway
    )


# PostgreSQL only: SQLite has one writer at a time, so the two desks need PostgreSQL's two open
# transactions to race.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_desks_checking_the_same_person_in_at_once_make_one_check_in(app, db, conference, database_url):
    ada, olga, pete = person(db, "Ada"), person(db, "Olga"), person(db, "Pete")
    attend(db, conference, ada, "London", seated=[WED])
    london = hub(conference, "London")
    petes_desk = second_request(app, partial(_check_in_at_the_desk, london.id, ada.id, pete.id), "Pete's desk")

    # Olga's desk has inserted the check-in but not committed yet.
    operations.check_in(london, WED, ada.id, olga)
    with pytest.raises(operations.CheckInProblem) as refusal:
        petes_desk.waits_for(db, "Olga's insert to commit")

    assert str(refusal.value) == "Ada was already checked in at 09:30 Europe/London by Olga; nothing changed."
    assert [(row.user_id, row.checked_in_by_id) for row in check_ins(db)] == [(ada.id, olga.id)]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_desks_seating_walk_ins_in_the_last_seat_seat_only_one(app, db, conference, database_url):
    for name in ("Bob", "Cleo"):
        attend(db, conference, person(db, name), "London", seated=[WED])  # two of three seats
    theo, wes, olga, pete = person(db, "Theo"), person(db, "Wes"), person(db, "Olga"), person(db, "Pete")
    attend(db, conference, theo, "London", seated=[THU])
    attend(db, conference, wes, "London", waiting=[WED])
    london = hub(conference, "London")
    petes_desk = second_request(
        app, partial(_check_in_at_the_desk, london.id, wes.id, pete.id, seat_anyway=True), "Pete's desk"
    )

    operations.check_in(london, WED, theo.id, olga, seat_anyway=True)  # holds the hub's lock
    with pytest.raises(operations.CheckInProblem) as refusal:
        petes_desk.waits_for(db, "the hub's lock")

    assert str(refusal.value) == (
        "London is full on Wed 24 Mar 2027: all 3 seats are taken, so Wes cannot be seated anyway "
        "and was not checked in."
    )
    assert [row.user_id for row in check_ins(db)] == [theo.id]
    # Attendance has the one seat too: Theo seated, Wes still waiting, the limit kept.
    assert seat_statuses(db, conference, theo) == {WED: "registered", THU: "registered"}
    assert seat_statuses(db, conference, wes) == {WED: "waiting"}
    assert seat_counts(london.id, WED) == (3, 1)


@pytest.fixture
def last_seat(db, conference):
    """London on Wednesday with one of its three seats left; registration still open that day;
    Theo, seated on Thursday only, comes to the desk; Nina registers online."""
    for name in ("Bob", "Cleo"):
        attend(db, conference, person(db, name), "London", seated=[WED])
    db.session.add(AttendanceWindow(conference_id=conference.id, opens_at=datetime(2027, 2, 1, tzinfo=UTC),
                                    closes_at=datetime(2027, 3, 27, tzinfo=UTC)))
    db.session.commit()
    theo, nina, olga = person(db, "Theo"), person(db, "Nina"), person(db, "Olga")
    attend(db, conference, theo, "London", seated=[THU])
    return theo, nina, olga


def _register_online(conference_id: int, hub_id: int, user_id: int):
    from conference.extensions import db

    attendance.save_attendance(
        db.session.get(Conference, conference_id), db.session.get(User, user_id),
        attendance.AttendanceChoice(mode=AttendanceMode.IN_PERSON, hub_id=hub_id, days=frozenset({WED})),
        now=WEDNESDAY_MORNING,
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_desk_seat_first_puts_an_online_registration_for_the_last_seat_on_the_waiting_list(
    app, db, conference, database_url, last_seat
):
    theo, nina, olga = last_seat
    london = hub(conference, "London")
    online = second_request(app, partial(_register_online, conference.id, london.id, nina.id))

    # The desk seats Theo: holds the hub's lock, not committed yet.
    _check_in_at_the_desk(london.id, theo.id, olga.id, seat_anyway=True)
    online.waits_for(db, "the hub's lock")  # raises if Nina's registration was refused

    assert seat_statuses(db, conference, theo) == {WED: "registered", THU: "registered"}
    assert seat_statuses(db, conference, nina) == {WED: "waiting"}
    assert seat_counts(london.id, WED) == (3, 1)
    assert [(row.user_id, row.seated_at_desk) for row in check_ins(db)] == [(theo.id, True)]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_online_registration_first_leaves_the_desk_no_seat_to_give(app, db, conference, database_url, last_seat):
    theo, nina, olga = last_seat
    london = hub(conference, "London")
    desk = second_request(app, partial(_check_in_at_the_desk, london.id, theo.id, olga.id, seat_anyway=True))

    _register_online(conference.id, london.id, nina.id)  # holds the hub's lock, not committed yet
    with pytest.raises(operations.CheckInProblem) as refusal:
        desk.waits_for(db, "the hub's lock")

    assert str(refusal.value) == (
        "London is full on Wed 24 Mar 2027: all 3 seats are taken, so Theo cannot be seated anyway "
        "and was not checked in."
    )
    assert seat_statuses(db, conference, nina) == {WED: "registered"}
    assert seat_statuses(db, conference, theo) == {THU: "registered"}
    assert seat_counts(london.id, WED) == (3, 0)
    assert check_ins(db) == []
