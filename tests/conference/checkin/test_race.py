"""Two desks at once: checking the same person in ends with one check-in, and of two walk-ins
seated anyway for the last seat only one gets it; a desk seating a walk-in while someone
registers online for the last seat also ends with one seat taken."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

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


def _second_desk(app, db, hub_id, user_id, host_id, seat_anyway, outcome: list):
    """A thread doing what a second desk's request does, in its own database session."""

    def run():
        try:
            with app.app_context():
                operations.check_in(
                    db.session.get(Hub, hub_id), WED, user_id, db.session.get(User, host_id), seat_anyway=seat_anyway
                )
                db.session.commit()
                outcome.append("checked in")
        except operations.CheckInProblem as problem:
            outcome.append(str(problem))
        except BaseException as error:  # reported below, not lost in the thread
            outcome.append(error)

    return threading.Thread(target=run)


# PostgreSQL only: SQLite has one writer at a time, so the two desks need PostgreSQL's two open
# transactions to race.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_desks_checking_the_same_person_in_at_once_make_one_check_in(app, db, conference, database_url):
    ada, olga, pete = person(db, "Ada"), person(db, "Olga"), person(db, "Pete")
    attend(db, conference, ada, "London", seated=[WED])
    london = hub(conference, "London")
    outcome: list = []
    thread = _second_desk(app, db, london.id, ada.id, pete.id, False, outcome)

    # Olga's desk has inserted the check-in but not committed yet.
    operations.check_in(london, WED, ada.id, olga)
    thread.start()
    try:
        thread.join(timeout=1.0)
        assert thread.is_alive(), "Pete's desk should wait for Olga's insert to commit"
    finally:
        db.session.commit()
    thread.join(timeout=15)

    assert not thread.is_alive()
    assert outcome == ["Ada was already checked in at 09:30 Europe/London by Olga; nothing changed."]
    assert [(row.user_id, row.checked_in_by_id) for row in check_ins(db)] == [(ada.id, olga.id)]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_desks_seating_walk_ins_in_the_last_seat_seat_only_one(app, db, conference, database_url):
    for name in ("Bob", "Cleo"):
        attend(db, conference, person(db, name), "London", seated=[WED])  # two of three seats
    theo, wes, olga, pete = person(db, "Theo"), person(db, "Wes"), person(db, "Olga"), person(db, "Pete")
    attend(db, conference, theo, "London", seated=[THU])
    attend(db, conference, wes, "London", waiting=[WED])
    london = hub(conference, "London")
    outcome: list = []
    thread = _second_desk(app, db, london.id, wes.id, pete.id, True, outcome)

    operations.check_in(london, WED, theo.id, olga, seat_anyway=True)  # holds the hub's lock
    thread.start()
    try:
        thread.join(timeout=1.0)
        assert thread.is_alive(), "Pete's desk should wait for the hub's lock"
    finally:
        db.session.commit()
    thread.join(timeout=15)

    assert not thread.is_alive()
    assert outcome == [
        "London is full on Wed 24 Mar 2027: all 3 seats are taken, so Wes cannot be seated anyway "
        "and was not checked in."
    ]
    assert [row.user_id for row in check_ins(db)] == [theo.id]
    # Attendance has the one seat too: Theo seated, Wes still waiting, the limit kept.
    assert seat_statuses(db, conference, theo) == {WED: "registered", THU: "registered"}
    assert seat_statuses(db, conference, wes) == {WED: "waiting"}
    assert seat_counts(london.id, WED) == (3, 1)


def _in_its_own_session(app, work, outcome: list) -> threading.Thread:
    """A thread doing what a second request does, in its own database session."""

    def run():
        try:
            with app.app_context():
                from conference.extensions import db

                work()
                db.session.commit()
                outcome.append("done")
        except (operations.CheckInProblem, attendance.AttendanceProblem) as problem:
            outcome.append(str(problem))
        except BaseException as error:  # reported below, not lost in the thread
            outcome.append(error)

    return threading.Thread(target=run)


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


def _seat_at_the_desk(hub_id: int, user_id: int, host_id: int):
    from conference.extensions import db

    operations.check_in(db.session.get(Hub, hub_id), WED, user_id, db.session.get(User, host_id), seat_anyway=True)


def _race(db, first, second_thread):
    first()  # holds the hub's lock, not committed yet
    second_thread.start()
    try:
        second_thread.join(timeout=1.0)
        assert second_thread.is_alive(), "the second request should wait for the hub's lock"
    finally:
        db.session.commit()
    second_thread.join(timeout=15)
    assert not second_thread.is_alive()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_desk_seat_first_puts_an_online_registration_for_the_last_seat_on_the_waiting_list(
    app, db, conference, database_url, last_seat
):
    theo, nina, olga = last_seat
    london = hub(conference, "London")
    outcome: list = []
    online = _in_its_own_session(app, lambda: _register_online(conference.id, london.id, nina.id), outcome)

    _race(db, lambda: _seat_at_the_desk(london.id, theo.id, olga.id), online)

    assert outcome == ["done"]
    assert seat_statuses(db, conference, theo) == {WED: "registered", THU: "registered"}
    assert seat_statuses(db, conference, nina) == {WED: "waiting"}
    assert seat_counts(london.id, WED) == (3, 1)
    assert [(row.user_id, row.seated_at_desk) for row in check_ins(db)] == [(theo.id, True)]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_online_registration_first_leaves_the_desk_no_seat_to_give(app, db, conference, database_url, last_seat):
    theo, nina, olga = last_seat
    london = hub(conference, "London")
    outcome: list = []
    desk = _in_its_own_session(app, lambda: _seat_at_the_desk(london.id, theo.id, olga.id), outcome)

    _race(db, lambda: _register_online(conference.id, london.id, nina.id), desk)

    assert outcome == [
        "London is full on Wed 24 Mar 2027: all 3 seats are taken, so Theo cannot be seated anyway "
        "and was not checked in."
    ]
    assert seat_statuses(db, conference, nina) == {WED: "registered"}
    assert seat_statuses(db, conference, theo) == {THU: "registered"}
    assert seat_counts(london.id, WED) == (3, 0)
    assert check_ins(db) == []
