"""A seat given at the desk is an attendance seat: attendance counts it, a new registration
cannot take it, nobody is e-mailed for it, and undoing the check-in gives it back there."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from conference.attendance import operations as attendance
from conference.attendance import queries as attendance_queries
from conference.attendance.models import AttendanceDay, AttendanceMode, AttendanceWindow
from conference.mail.models import OutboxMessage
from tests.conference.checkin.conftest import (
    FRI,
    THU,
    WED,
    WEDNESDAY_MORNING,
    attend,
    check_in_url,
    check_ins,
    hub,
    person,
    seat_statuses,
    undo_url,
)


def _outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage)))


def _seat_anyway(client, conference, someone) -> str:
    response = client.post(check_in_url(conference, "London", WED, someone), data={"seat_anyway": "y"},
                           follow_redirects=True)
    return response.get_data(as_text=True)


def _undo(client, conference, someone) -> str:
    return client.post(undo_url(conference, "London", WED, someone), follow_redirects=True).get_data(as_text=True)


@pytest.fixture
def walk_ins(db, conference):
    """London (three seats) on Wednesday: Ada seated; Wes waiting for it; Theo seated on Thursday only."""
    ada, wes, theo = person(db, "Ada"), person(db, "Wes"), person(db, "Theo")
    attend(db, conference, ada, "London", seated=[WED])
    attend(db, conference, wes, "London", waiting=[WED])
    attend(db, conference, theo, "London", seated=[THU])
    return ada, wes, theo


def test_desk_seats_count_in_attendances_counts_and_lists_and_e_mail_nobody(client, db, conference, organiser, walk_ins):
    _, wes, theo = walk_ins
    london = hub(conference, "London")

    _seat_anyway(client, conference, wes)
    _seat_anyway(client, conference, theo)

    assert seat_statuses(db, conference, wes) == {WED: "registered"}
    assert seat_statuses(db, conference, theo) == {WED: "registered", THU: "registered"}
    assert attendance_queries.seat_counts(london.id, WED) == (3, 0)
    assert attendance_queries.hub_day_counts(conference)[(london.id, WED)] == attendance_queries.HubDayCount(3, 0)
    people = " ".join(
        client.get(f"/c/summit/manage/attendance/hubs/{london.id}/{WED.isoformat()}").get_data(as_text=True).split()
    )
    assert "3 registered, limit 3, 0 waiting." in people
    assert "Nobody is waiting." in people
    # Standing at the desk, they hear it there: no seat e-mail.
    assert _outbox(db) == []


def test_a_desk_seat_keeps_a_seat_day_requested_at_and_marks_when_it_was_given(db, conference, organiser, client, walk_ins):
    _, wes, theo = walk_ins

    _seat_anyway(client, conference, wes)
    _seat_anyway(client, conference, theo)

    db.session.expire_all()
    days = {row.registration.user_id: row for row in db.session.scalars(select(AttendanceDay).where(AttendanceDay.day == WED))}
    # Wes keeps when he asked for the day (his place, should the seat be given back); Theo's day is new.
    assert days[wes.id].requested_at == datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
    assert days[wes.id].seated_at == WEDNESDAY_MORNING
    assert (days[theo.id].requested_at, days[theo.id].seated_at) == (WEDNESDAY_MORNING, WEDNESDAY_MORNING)


def test_a_day_full_with_desk_seats_puts_a_new_registration_on_the_waiting_list(db, conference, organiser, client, walk_ins):
    _, wes, theo = walk_ins
    db.session.add(AttendanceWindow(conference_id=conference.id, opens_at=datetime(2027, 2, 1, tzinfo=UTC),
                                    closes_at=datetime(2027, 3, 27, tzinfo=UTC)))
    db.session.commit()
    _seat_anyway(client, conference, wes)
    _seat_anyway(client, conference, theo)  # the third of three seats
    nina = person(db, "Nina")

    attendance.save_attendance(
        conference, nina,
        attendance.AttendanceChoice(mode=AttendanceMode.IN_PERSON, hub_id=hub(conference, "London").id,
                                    days=frozenset({WED, FRI})),
        now=datetime(2027, 3, 24, 10, 0, tzinfo=UTC),
    )
    db.session.commit()

    assert seat_statuses(db, conference, nina) == {WED: "waiting", FRI: "registered"}


def test_undo_gives_a_day_added_at_the_desk_back_and_the_seat_counts_fall(client, db, conference, organiser, walk_ins):
    _, _, theo = walk_ins
    london = hub(conference, "London")
    _seat_anyway(client, conference, theo)

    page = _undo(client, conference, theo)

    assert ("Theo&#39;s check-in is undone. The seat given at the desk is free again. The day added at the desk "
            "is removed from Theo&#39;s registration. Wed 24 Mar 2027 has begun at London, so nobody on its "
            "waiting list moves up into it: seat whoever comes with “Seat anyway and check in”.") in page
    assert seat_statuses(db, conference, theo) == {THU: "registered"}
    assert attendance_queries.seat_counts(london.id, WED) == (1, 1)
    assert check_ins(db) == []


def test_undo_puts_a_waiting_person_back_in_their_place_and_nobody_moves_up_once_the_day_has_begun(
    client, db, conference, organiser, walk_ins
):
    _, wes, _ = walk_ins
    vic = person(db, "Vic")
    attend(db, conference, vic, "London", waiting=[WED])  # behind Wes
    london = hub(conference, "London")
    _seat_anyway(client, conference, vic)  # the desk passes over Wes: Vic came
    assert seat_statuses(db, conference, vic) == {WED: "registered"}

    page = _undo(client, conference, vic)

    assert ("Vic&#39;s check-in is undone. The seat given at the desk is free again. Vic is back on the waiting "
            "list for this day. Wed 24 Mar 2027 has begun at London, so nobody on its waiting list moves up") in page
    assert '<dd id="count-seated">1</dd>' in page
    assert '<dd class="checkin-note" id="count-waiting">2 on the waiting list</dd>' in page
    assert seat_statuses(db, conference, vic) == {WED: "waiting"}
    assert seat_statuses(db, conference, wes) == {WED: "waiting"}
    assert [row.registration.user_id for row in attendance_queries.waiting_list(london.id, WED)] == [wes.id, vic.id]
    assert attendance_queries.seat_counts(london.id, WED) == (1, 2)
    assert _outbox(db) == []


def test_undo_of_a_desk_seat_nobody_waits_for_says_so(client, db, conference, organiser):
    theo = person(db, "Theo")
    attend(db, conference, theo, "London", seated=[THU])
    _seat_anyway(client, conference, theo)

    page = _undo(client, conference, theo)

    assert "is removed from Theo&#39;s registration. Nobody is waiting for it." in page
    assert seat_statuses(db, conference, theo) == {THU: "registered"}


def test_undo_after_the_registration_was_removed_takes_the_check_in_back_only(client, db, conference, organiser, walk_ins):
    _, _, theo = walk_ins
    _seat_anyway(client, conference, theo)
    registration = attendance_queries.registration_of(conference, theo)
    attendance.remove_registration(registration, now=datetime(2027, 3, 24, 10, 0, tzinfo=UTC))
    db.session.commit()

    page = _undo(client, conference, theo)

    assert ("Theo&#39;s check-in is undone. Theo&#39;s registration no longer holds the seat given at the desk "
            "(it changed since), so no seat was given back.") in page
    assert check_ins(db) == []
    assert seat_statuses(db, conference, theo) == {}


def test_a_walk_in_refused_for_a_full_day_keeps_their_registration_as_it_was(client, db, conference, organiser, walk_ins):
    _, wes, theo = walk_ins
    hub(conference, "London").seat_limit = 1  # Ada has the only seat
    db.session.commit()

    page = _seat_anyway(client, conference, wes)

    assert "London is full on Wed 24 Mar 2027: its one seat is taken, so Wes cannot be seated anyway" in page
    assert seat_statuses(db, conference, wes) == {WED: "waiting"}
    assert check_ins(db) == []
