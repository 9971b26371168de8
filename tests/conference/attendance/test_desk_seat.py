"""Seats given at a hub's check-in desk: a waiting day or a day not asked for gets a seat within
the limit, with no e-mail; giving it back restores the day and lets the waiting list move up by
the usual rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conference.attendance import operations, queries
from tests.conference.attendance.conftest import (
    DURING,
    FRI,
    THU,
    WED,
    hub,
    in_person,
    outbox,
    person,
    register,
    remotely,
    statuses,
)

AT_THE_DESK = datetime(2027, 3, 24, 9, 30, tzinfo=UTC)  # Wednesday morning in London


def _fill_london_wednesday(db, conference):
    """Ada and Bob take London's two Wednesday seats; Wes then waits for one."""
    ada, bob, wes = person(db, "Ada"), person(db, "Bob"), person(db, "Wes")
    for someone in (ada, bob, wes):
        register(db, conference, someone, in_person(conference, "London", WED))
    return ada, bob, wes


def test_the_desk_seats_a_waiting_day_and_takes_it_off_the_waiting_list_without_e_mail(db, conference):
    _, bob, wes = _fill_london_wednesday(db, conference)
    london = hub(conference, "London")
    # Bob gives up his seat on the day: nobody moves up once the day has begun, so one is free.
    operations.remove_registration(queries.registration_of(conference, bob), now=AT_THE_DESK)
    db.session.commit()
    assert queries.seat_counts(london.id, WED) == (1, 1)

    seat = operations.seat_at_desk(london, WED, wes, now=AT_THE_DESK)
    db.session.commit()

    assert seat.seated_now and seat.day.seated_at == AT_THE_DESK
    assert statuses(db, conference, wes) == {WED: "registered"}
    assert queries.seat_counts(london.id, WED) == (2, 0)
    assert queries.waiting_list(london.id, WED) == []
    assert outbox(db) == []


def test_the_desk_adds_a_day_the_person_had_not_asked_for(db, conference):
    theo = person(db, "Theo")
    register(db, conference, theo, in_person(conference, "London", THU))

    seat = operations.seat_at_desk(hub(conference, "London"), WED, theo, now=AT_THE_DESK)
    db.session.commit()

    assert (seat.day.requested_at, seat.day.seated_at) == (AT_THE_DESK, AT_THE_DESK)
    assert statuses(db, conference, theo) == {WED: "registered", THU: "registered"}
    assert queries.hub_day_counts(conference)[(hub(conference, "London").id, WED)] == queries.HubDayCount(1, 0)


def test_the_desk_cannot_seat_anyone_on_a_full_day_and_changes_nothing(db, conference):
    _, _, wes = _fill_london_wednesday(db, conference)

    with pytest.raises(operations.HubDayFull, match="London is full on Wed 24 Mar 2027: all 2 seats are taken."):
        operations.seat_at_desk(hub(conference, "London"), WED, wes, now=AT_THE_DESK)
    db.session.rollback()

    assert statuses(db, conference, wes) == {WED: "waiting"}


def test_someone_already_seated_is_not_seated_twice(db, conference):
    ada, _, _ = _fill_london_wednesday(db, conference)

    seat = operations.seat_at_desk(hub(conference, "London"), WED, ada, now=AT_THE_DESK)

    assert not seat.seated_now
    assert queries.seat_counts(hub(conference, "London").id, WED) == (2, 1)


@pytest.mark.parametrize("registered_as", ["remote", "tokyo", "nobody"])
def test_only_people_registered_in_person_at_the_hub_are_seated_there(db, conference, registered_as):
    someone = person(db, "Sam")
    if registered_as == "remote":
        register(db, conference, someone, remotely(WED))
    elif registered_as == "tokyo":
        register(db, conference, someone, in_person(conference, "Tokyo", WED))

    with pytest.raises(operations.AttendanceProblem, match="Sam is not registered to attend in person at London."):
        operations.seat_at_desk(hub(conference, "London"), WED, someone, now=AT_THE_DESK)


def test_giving_a_desk_seat_back_on_the_day_restores_the_waiting_place_and_moves_nobody_up(db, conference):
    ada, bob, wes = _fill_london_wednesday(db, conference)
    vic = person(db, "Vic")
    register(db, conference, vic, in_person(conference, "London", WED))  # behind Wes
    london = hub(conference, "London")
    operations.cancel_attendance(conference, ada)  # Wes moves up; Vic is first in line
    db.session.commit()
    sent = len(outbox(db))
    # On the day Bob does not come and gives up his seat (nobody moves up once the day has begun),
    # so the desk seats Vic.
    operations.remove_registration(queries.registration_of(conference, bob), now=AT_THE_DESK)
    operations.seat_at_desk(london, WED, vic, now=AT_THE_DESK)
    db.session.commit()
    assert queries.seat_counts(london.id, WED) == (2, 0)

    given_back = operations.give_back_desk_seat(london, WED, vic, AT_THE_DESK, now=AT_THE_DESK)
    db.session.commit()

    assert given_back == operations.DeskSeatReturn(
        freed=True, back_on_waiting_list=True, promoted=0, day_has_begun=True, still_waiting=1
    )
    assert statuses(db, conference, vic) == {WED: "waiting"}
    assert queries.day_states(queries.registration_of(conference, vic))[0].position == 1
    assert len(outbox(db)) == sent


def test_a_desk_seat_given_back_before_the_day_goes_to_the_first_waiting_by_the_usual_rules(db, conference):
    _, _, wes = _fill_london_wednesday(db, conference)
    theo = person(db, "Theo")
    register(db, conference, theo, in_person(conference, "London", THU))
    london = hub(conference, "London")
    london.seat_limit = 3
    db.session.commit()
    operations.seat_at_desk(london, WED, theo, now=DURING)  # the third seat, passing over Wes
    db.session.commit()

    given_back = operations.give_back_desk_seat(london, WED, theo, DURING, now=DURING)
    db.session.commit()

    assert (given_back.freed, given_back.back_on_waiting_list, given_back.promoted) == (True, False, 1)
    assert statuses(db, conference, theo) == {THU: "registered"}
    assert statuses(db, conference, wes) == {WED: "registered"}
    [message] = outbox(db)
    assert message.recipient == "wes@example.com"


def test_a_seat_that_changed_since_the_desk_gave_it_is_not_given_back(db, conference):
    theo = person(db, "Theo")
    register(db, conference, theo, in_person(conference, "London", THU))
    london = hub(conference, "London")
    operations.seat_at_desk(london, WED, theo, now=AT_THE_DESK)
    db.session.commit()
    # Theo then chose his days again: Wednesday is a seat of his registration now.
    register(db, conference, theo, in_person(conference, "London", THU, FRI))
    register(db, conference, theo, in_person(conference, "London", WED, THU, FRI))

    given_back = operations.give_back_desk_seat(london, WED, theo, AT_THE_DESK, now=AT_THE_DESK)

    assert not given_back.freed
    assert statuses(db, conference, theo) == {WED: "registered", THU: "registered", FRI: "registered"}
