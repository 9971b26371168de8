"""Organisers remove the registration window after a confirmation: registration is then closed
(the app's rule for no window), registrations stay, and a new window opens it again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference.activity.models import ActivityEntry
from conference.attendance import operations, queries
from conference.attendance.models import AttendanceWindow
from tests.conference.attendance.conftest import (
    WED,
    in_person,
    person,
    register,
    remotely,
    statuses,
)

MINE = "/c/summit/attendance"
MANAGE = "/c/summit/manage/attendance"
REMOVE = f"{MANAGE}/settings/remove"


def _window(db, conference):
    db.session.expire_all()
    return db.session.get(AttendanceWindow, conference.id)


def test_without_a_window_nobody_registers_changes_or_cancels_and_registrations_stay(db, conference):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))

    assert operations.remove_window(conference) is True
    db.session.commit()

    assert _window(db, conference) is None
    # Ada is registered: for her registration is closed, as the organisers' pages say.
    with pytest.raises(operations.AttendanceProblem, match="^Registration has closed, so nothing was changed"):
        operations.save_attendance(conference, ada, remotely(WED))
    with pytest.raises(operations.AttendanceProblem, match="^Registration has closed, so nothing was changed"):
        operations.cancel_attendance(conference, ada)
    # Someone who never registered has not seen it open.
    with pytest.raises(operations.AttendanceProblem, match="not open yet"):
        operations.save_attendance(conference, person(db, "Bob"), remotely(WED))
    db.session.rollback()
    assert statuses(db, conference, ada) == {WED: "registered"}
    assert operations.remove_window(conference) is False  # nothing left to remove


def test_the_confirmation_page_says_what_removing_the_window_does(client, organiser, db, conference):
    for name in ("Ada", "Bob"):
        register(db, conference, person(db, name), in_person(conference, "London", WED))
    page = client.get(REMOVE).get_data(as_text=True)
    assert "Without a window, registration is closed." in page
    assert "The 2 registrations already made\n      stay as they are" in page
    assert "closes Wed 17 Mar 2027, 17:00" in page and "Europe/London" in page
    assert _window(db, conference) is not None  # looking changes nothing
    assert f'href="{REMOVE}"' in client.get(MANAGE).get_data(as_text=True)
    assert f'href="{REMOVE}"' in client.get(f"{MANAGE}/settings").get_data(as_text=True)


def test_an_organiser_removes_the_window_and_every_page_says_registration_is_closed(
    client, auth, login, organiser, db, conference
):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))

    response = client.post(REMOVE)

    assert response.status_code == 302 and response.headers["Location"].endswith(MANAGE)
    assert _window(db, conference) is None
    overview = client.get(MANAGE).get_data(as_text=True)
    assert "The registration window is removed, so registration is closed" in overview
    assert "Not set, so registration is closed" in overview
    assert f'href="{REMOVE}"' not in overview
    assert statuses(db, conference, ada) == {WED: "registered"}
    # Window changes are not in the activity log, so neither is its removal.
    assert db.session.scalar(select(ActivityEntry)) is None

    auth.logout()
    login(ada)
    mine = client.get(MINE).get_data(as_text=True)
    assert "Registration is closed at the moment, so what you see above stands." in mine
    assert "not open yet" not in mine
    assert 'name="where"' not in mine
    assert "you have a seat at London" in mine
    page = client.get("/c/summit/").get_data(as_text=True)
    assert "Registration is open until" not in page
    # The conference page still shows her own seat, and that registration is closed.
    assert "You attend in person at London on Wed." in page
    assert "Registration is closed at the moment." in page

    cancelled = client.post(f"{MINE}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "Registration has closed, so nothing was changed." in cancelled
    assert statuses(db, conference, ada) == {WED: "registered"}


def test_removing_a_window_that_is_already_gone_changes_nothing_and_says_so(client, organiser, db, conference):
    operations.remove_window(conference)
    db.session.commit()
    assert "nothing to remove" in client.get(REMOVE).get_data(as_text=True)
    response = client.post(REMOVE, follow_redirects=True)
    assert "There was no registration window to remove; nothing changed." in response.get_data(as_text=True)


def test_a_new_window_opens_registration_again(client, organiser, db, conference):
    client.post(REMOVE)
    response = client.post(f"{MANAGE}/settings", data={"opens_at": "2027-02-01T09:00", "closes_at": "2027-03-20T18:00"})
    assert response.status_code == 302
    register(db, conference, person(db, "Ada"), remotely(WED))
    assert queries.remote_count(conference) == 1


def test_only_organisers_remove_the_window(client, login, db, conference):
    login(person(db, "Ada"))
    assert client.get(REMOVE).status_code == 403
    assert client.post(REMOVE).status_code == 403
    assert _window(db, conference) is not None


def test_without_a_window_a_waiting_or_remote_person_still_sees_their_status_on_the_conference_page(
    client, auth, login, db, conference
):
    ada, bob, cleo = person(db, "Ada"), person(db, "Bob"), person(db, "Cleo")
    register(db, conference, ada, in_person(conference, "London", WED))
    register(db, conference, bob, in_person(conference, "London", WED))
    register(db, conference, cleo, in_person(conference, "London", WED))  # London has two seats
    dan = person(db, "Dan")
    register(db, conference, dan, remotely(WED))
    operations.remove_window(conference)
    db.session.commit()

    login(cleo)
    page = client.get("/c/summit/").get_data(as_text=True)
    assert "You are on the waiting list at London for Wed 24 Mar 2027 (position 1)." in page
    assert "Registration is closed at the moment." in page
    auth.logout()
    login(dan)
    page = client.get("/c/summit/").get_data(as_text=True)
    assert "You attend remotely." in page and "Registration is closed at the moment." in page


def test_without_a_window_people_not_registered_see_no_attendance_section_and_not_open_yet(
    client, login, db, conference
):
    operations.remove_window(conference)
    db.session.commit()
    assert 'id="attendance-heading"' not in client.get("/c/summit/").get_data(as_text=True)  # logged out
    login(person(db, "Eve"))
    assert 'id="attendance-heading"' not in client.get("/c/summit/").get_data(as_text=True)
    mine = client.get(MINE).get_data(as_text=True)
    assert "Registration is not open yet: the organisers have not set its dates." in mine
    cancelled = client.post(f"{MINE}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "Registration is not open yet, so nothing was changed." in cancelled
