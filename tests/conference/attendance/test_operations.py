"""Registration rules, waiting lists and automatic promotion, at the operations level."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from conference.attendance import operations, queries
from conference.attendance.models import AttendanceDay, AttendanceRegistration
from conference.conferences.models import ConferenceRole, Role
from tests.conference.attendance.conftest import (
    AFTER,
    CLOSES,
    FRI,
    OPENS,
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


def _fill_london_wednesday(db, conference):
    """Ada and Bob take London's two Wednesday seats."""
    ada, bob = person(db, "Ada"), person(db, "Bob")
    register(db, conference, ada, in_person(conference, "London", WED))
    register(db, conference, bob, in_person(conference, "London", WED))
    return ada, bob


# --- registering ----------------------------------------------------------------------------


def test_registering_in_person_takes_a_seat_on_each_chosen_day_and_makes_an_attendee(db, conference):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED, THU, dietary="Vegan"))
    assert statuses(db, conference, ada) == {WED: "registered", THU: "registered"}
    registration = queries.registration_of(conference, ada)
    assert registration.hub.name == "London" and registration.dietary_needs == "Vegan"
    roles = set(db.session.scalars(select(ConferenceRole.role).where(ConferenceRole.user_id == ada.id)))
    assert roles == {Role.ATTENDEE}


def test_registering_remotely_records_the_days_followed_and_keeps_no_seat(db, conference):
    ada = person(db, "Ada")
    register(db, conference, ada, remotely(WED, FRI))
    assert statuses(db, conference, ada) == {WED: "registered", FRI: "registered"}
    assert queries.remote_count(conference) == 1
    assert queries.remote_day_counts(conference) == {WED: 1, FRI: 1}
    assert queries.hub_day_counts(conference) == {}
    assert queries.seat_counts(hub(conference, "London").id, WED) == (0, 0)


def test_a_full_hub_day_puts_the_next_request_on_its_waiting_list_but_other_days_still_seat(db, conference):
    _fill_london_wednesday(db, conference)
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED, THU))
    assert statuses(db, conference, cleo) == {WED: "waiting", THU: "registered"}
    assert queries.seat_counts(hub(conference, "London").id, WED) == (2, 1)


def test_a_hub_without_a_limit_never_has_a_waiting_list(db, conference):
    people = [person(db, f"Person {n}") for n in range(5)]
    for someone in people:
        register(db, conference, someone, in_person(conference, "Tokyo", WED))
    assert all(statuses(db, conference, someone) == {WED: "registered"} for someone in people)


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (lambda c: in_person(c, "London"), "at least one day"),
        (lambda c: in_person(c, "London", date(2027, 3, 27)), "conference's days"),
        (lambda c: operations.AttendanceChoice(operations.AttendanceMode.IN_PERSON, None, frozenset({WED})),
         "hubs"),
        (lambda c: remotely(), "at least one day you will follow remotely"),
        (lambda c: remotely(WED, date(2027, 3, 27)), "conference's days"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_saved(db, conference, choice, message):
    ada = person(db, "Ada")
    with pytest.raises(operations.AttendanceProblem, match=message):
        operations.save_attendance(conference, ada, choice(conference))
    db.session.rollback()
    assert db.session.scalar(select(AttendanceRegistration)) is None


def test_a_hub_of_another_conference_is_refused(db, conference):
    from tests.factories import ConferenceFactory, HubFactory

    other_hub = HubFactory(conference=ConferenceFactory(slug="other"), name="Paris")
    db.session.commit()
    ada = person(db, "Ada")
    choice = operations.AttendanceChoice(operations.AttendanceMode.IN_PERSON, other_hub.id, frozenset({WED}))
    with pytest.raises(operations.AttendanceProblem, match="this conference's hubs"):
        operations.save_attendance(conference, ada, choice)


# --- the window -----------------------------------------------------------------------------


@pytest.mark.parametrize("instant", [OPENS - timedelta(minutes=1), CLOSES, AFTER])
def test_outside_the_window_nobody_registers_changes_or_cancels(db, conference, now, instant):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))
    now.set(instant)
    with pytest.raises(operations.AttendanceProblem, match="nothing was changed"):
        operations.save_attendance(conference, ada, remotely(WED))
    with pytest.raises(operations.AttendanceProblem, match="nothing was changed"):
        operations.cancel_attendance(conference, ada)
    with pytest.raises(operations.AttendanceProblem, match="nothing was changed"):
        operations.save_attendance(conference, person(db, "Bob"), remotely(WED))
    db.session.rollback()
    assert statuses(db, conference, ada) == {WED: "registered"}


def test_a_window_must_close_after_it_opens(db, conference):
    with pytest.raises(operations.AttendanceProblem, match="close after it opens"):
        operations.save_window(conference, CLOSES, OPENS)


# --- waiting lists and promotion ------------------------------------------------------------


def test_cancelling_gives_the_seat_to_the_first_waiting_person_and_emails_them_once(db, conference, now):
    ada, _bob = _fill_london_wednesday(db, conference)
    cleo, dan = person(db, "Cleo"), person(db, "Dan")
    register(db, conference, cleo, in_person(conference, "London", WED))
    now.set(now.instant + timedelta(minutes=5))
    register(db, conference, dan, in_person(conference, "London", WED))
    assert outbox(db) == []

    operations.cancel_attendance(conference, ada)
    db.session.commit()

    assert statuses(db, conference, ada) == {}
    assert statuses(db, conference, cleo) == {WED: "registered"}
    assert statuses(db, conference, dan) == {WED: "waiting"}
    messages = outbox(db)
    assert [message.recipient for message in messages] == ["cleo@example.com"]
    assert "London" in messages[0].subject
    assert "Wed 24 Mar 2027" in messages[0].body and "/c/summit/attendance" in messages[0].body

    # Dan moves up from position 2 to 1; Cleo's e-mail is not sent again by later changes.
    registration = queries.registration_of(conference, dan)
    assert [state.position for state in queries.day_states(registration)] == [1]
    register(db, conference, cleo, in_person(conference, "London", WED, dietary="Halal"))
    assert len(outbox(db)) == 1


def test_the_waiting_list_is_first_come_first_served(db, conference, now):
    _fill_london_wednesday(db, conference)
    names = ["Cleo", "Dan", "Eve"]
    waiting = []
    for offset, name in enumerate(names):
        now.set(now.instant + timedelta(minutes=offset))
        someone = person(db, name)
        register(db, conference, someone, in_person(conference, "London", WED))
        waiting.append(someone)
    london = hub(conference, "London")
    assert [row.registration.user.display_name for row in queries.waiting_list(london.id, WED)] == names
    positions = [queries.day_states(queries.registration_of(conference, someone))[0].position for someone in waiting]
    assert positions == [1, 2, 3]


def test_changing_only_the_needs_keeps_the_place_in_the_queue(db, conference, now):
    _fill_london_wednesday(db, conference)
    cleo, dan = person(db, "Cleo"), person(db, "Dan")
    register(db, conference, cleo, in_person(conference, "London", WED))
    now.set(now.instant + timedelta(minutes=5))
    register(db, conference, dan, in_person(conference, "London", WED))
    now.set(now.instant + timedelta(minutes=5))
    register(db, conference, cleo, in_person(conference, "London", WED, accessibility="Step-free"))
    positions = queries.day_states(queries.registration_of(conference, cleo))
    assert [state.position for state in positions] == [1]


def test_dropping_a_day_frees_its_seat_for_the_waiting_list(db, conference):
    ada, _bob = _fill_london_wednesday(db, conference)
    register(db, conference, ada, in_person(conference, "London", WED, THU))
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    register(db, conference, ada, in_person(conference, "London", THU))
    assert statuses(db, conference, ada) == {THU: "registered"}
    assert statuses(db, conference, cleo) == {WED: "registered"}


def test_moving_to_another_hub_frees_the_old_seats_and_requests_new_ones(db, conference):
    ada, _bob = _fill_london_wednesday(db, conference)
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    register(db, conference, ada, in_person(conference, "Tokyo", WED, FRI))
    assert statuses(db, conference, ada) == {WED: "registered", FRI: "registered"}
    assert queries.registration_of(conference, ada).hub.name == "Tokyo"
    assert statuses(db, conference, cleo) == {WED: "registered"}


def test_switching_to_remote_frees_the_seat(db, conference):
    ada, _bob = _fill_london_wednesday(db, conference)
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    register(db, conference, ada, remotely(WED))
    assert statuses(db, conference, ada) == {WED: "registered"}  # followed online now
    registration = queries.registration_of(conference, ada)
    assert registration.hub is None and not registration.is_in_person
    assert statuses(db, conference, cleo) == {WED: "registered"}
    assert queries.seat_counts(hub(conference, "London").id, WED) == (2, 0)


def test_cancelling_without_a_registration_is_refused(db, conference):
    with pytest.raises(operations.AttendanceProblem, match="nothing to cancel"):
        operations.cancel_attendance(conference, person(db, "Ada"))


# --- organisers -----------------------------------------------------------------------------


def test_raising_the_limit_seats_waiting_people_in_order_and_emails_each_once(db, conference, now):
    _fill_london_wednesday(db, conference)
    waiting = []
    for offset, name in enumerate(["Cleo", "Dan", "Eve"]):
        now.set(now.instant + timedelta(minutes=offset))
        someone = person(db, name)
        register(db, conference, someone, in_person(conference, "London", WED, THU))
        waiting.append(someone)
    # Thursday had room for two of them.
    assert [statuses(db, conference, someone)[THU] for someone in waiting] == ["registered", "registered", "waiting"]

    change = operations.change_seat_limit(hub(conference, "London"), 4)
    db.session.commit()

    assert change.promoted == 3  # Cleo and Dan on Wednesday, Eve on Thursday
    assert [statuses(db, conference, someone) for someone in waiting] == [
        {WED: "registered", THU: "registered"},
        {WED: "registered", THU: "registered"},
        {WED: "waiting", THU: "registered"},
    ]
    assert sorted(message.recipient for message in outbox(db)) == [
        "cleo@example.com", "dan@example.com", "eve@example.com",
    ]
    # Saving the same limit again promotes and e-mails nobody.
    assert operations.change_seat_limit(hub(conference, "London"), 4).promoted == 0
    db.session.commit()
    assert len(outbox(db)) == 3


def test_lowering_the_limit_takes_no_seat_and_reports_the_days_over_it(db, conference):
    ada, bob = _fill_london_wednesday(db, conference)
    change = operations.change_seat_limit(hub(conference, "London"), 1)
    db.session.commit()
    assert change.days_over_limit == [WED]
    assert statuses(db, conference, ada) == {WED: "registered"}
    assert statuses(db, conference, bob) == {WED: "registered"}
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    assert statuses(db, conference, cleo) == {WED: "waiting"}
    # One cancellation still leaves the day at its new limit: Cleo keeps waiting.
    operations.cancel_attendance(conference, ada)
    db.session.commit()
    assert statuses(db, conference, cleo) == {WED: "waiting"}


def test_removing_no_limit_seats_everyone_waiting(db, conference):
    _fill_london_wednesday(db, conference)
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    operations.change_seat_limit(hub(conference, "London"), None)
    db.session.commit()
    assert statuses(db, conference, cleo) == {WED: "registered"}


def test_an_organiser_removes_a_registration_after_the_window_and_the_next_moves_up(db, conference, now):
    ada, _bob = _fill_london_wednesday(db, conference)
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    now.set(AFTER)
    registration = queries.registration_of(conference, ada)
    assert operations.remove_registration(registration) == 1
    db.session.commit()
    assert db.session.scalar(select(AttendanceDay).where(AttendanceDay.registration_id == registration.id)) is None
    assert statuses(db, conference, cleo) == {WED: "registered"}
    assert [message.recipient for message in outbox(db)] == ["cleo@example.com"]


def test_a_broken_organiser_template_still_tells_people_they_have_a_seat(db, conference):
    from conference.mail.operations import save_template

    save_template(conference.id, operations.SEAT_KIND, "Seat {{ nonsense }}", "Body {{ nonsense }}")
    ada, _bob = _fill_london_wednesday(db, conference)
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    operations.cancel_attendance(conference, ada)
    db.session.commit()
    (message,) = outbox(db)
    assert message.recipient == "cleo@example.com" and "London" in message.subject


def test_an_organisers_wording_is_used_for_the_seat_email(db, conference):
    from conference.mail.operations import save_template

    save_template(conference.id, operations.SEAT_KIND, "Seat at {{ hub }}", "{{ attendee }}: {{ days }}")
    ada, _bob = _fill_london_wednesday(db, conference)
    register(db, conference, person(db, "Cleo"), in_person(conference, "London", WED))
    operations.cancel_attendance(conference, ada)
    db.session.commit()
    (message,) = outbox(db)
    assert (message.subject, message.body) == ("Seat at London", "Cleo: Wed 24 Mar 2027")


# --- days in the hub's own calendar ---------------------------------------------------------


def test_a_hub_day_starts_on_its_own_local_date_whatever_the_conference_zone(db, conference):
    """Tokyo's Wednesday starts at 09:00 there, which is still Tuesday in London and Los Angeles."""
    tokyo = hub(conference, "Tokyo")
    starts = queries.hub_day_starts_at(tokyo, WED)
    assert starts.isoformat() == "2027-03-24T00:00:00+00:00"
    from conference.core.timezones import to_zone

    assert to_zone(starts, "America/Los_Angeles").date() == date(2027, 3, 23)
