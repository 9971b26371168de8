"""The attendance pages: a person registers, changes and cancels; organisers read the counts
and lists, export them, set the window, remove people and set hub seat limits."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from conference.attendance import queries
from conference.attendance.models import AttendanceRegistration, AttendanceWindow
from conference.conferences.models import Hub
from tests.conference.attendance.conftest import (
    AFTER,
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

MINE = "/c/summit/attendance"
MANAGE = "/c/summit/manage/attendance"


def _attend(conference, hub_name, *days, **needs) -> dict:
    return {
        "where": f"hub-{hub(conference, hub_name).id}",
        "days": [day.isoformat() for day in days],
        "dietary_needs": needs.get("dietary", ""),
        "accessibility_needs": needs.get("accessibility", ""),
    }


# --- the person's page ----------------------------------------------------------------------


def test_a_person_registers_in_person_and_sees_their_status(client, login, db, conference):
    ada = login(person(db, "Ada", time_zone="America/Los_Angeles"))
    response = client.post(MINE, data=_attend(conference, "London", WED, THU, dietary="Vegan"))
    assert response.status_code == 302
    page = client.get(MINE).get_data(as_text=True)
    assert "you have a seat at London on" in page
    assert "Wed 24 Mar 2027, Thu 25 Mar 2027" in page
    # The closing time is in the viewer's zone, labelled.
    assert "Wed 17 Mar 2027, 10:00" in page and "America/Los_Angeles" in page
    assert statuses(db, conference, ada) == {WED: "registered", THU: "registered"}


def test_the_page_shows_each_hub_day_in_its_own_calendar_and_its_start_in_the_viewers_zone(client, login, db, conference):
    login(person(db, "Ada", time_zone="America/Los_Angeles"))
    page = client.get(MINE).get_data(as_text=True)
    # Tokyo's Wednesday 09:00 is Tuesday 17:00 in Los Angeles.
    assert "09:00 <span class=\"tz-label\">Asia/Tokyo</span>\n                = Tue 23 Mar 2027, 17:00" in page


def test_a_waiting_person_sees_their_position_and_what_happens_next(client, login, db, conference):
    for name in ("Bob", "Cleo"):
        register(db, conference, person(db, name), in_person(conference, "London", WED))
    login(person(db, "Ada"))
    client.post(MINE, data=_attend(conference, "London", WED))
    page = client.get(MINE).get_data(as_text=True)
    assert "On the waiting list" in page and "Wed 24 Mar 2027: position 1" in page
    assert "goes to the first person waiting for that day automatically" in page


def test_bad_input_is_shown_on_the_form_and_saves_nothing(client, login, db, conference):
    login(person(db, "Ada"))
    cases = [
        ({"where": ""}, "Choose how you will attend"),
        (_attend(conference, "London"), "Choose at least one day to attend in person at London."),
        ({**_attend(conference, "London"), "days": ["2027-03-30"]}, "Choose among the conference"),
        ({**_attend(conference, "London"), "days": ["not-a-date"]}, "Choose among the conference"),
        ({"where": "hub-999999", "days": [WED.isoformat()]}, "one of this conference"),
        ({"where": "hub-1x", "days": [WED.isoformat()]}, "one of this conference"),
        ({"where": "remote"}, "Choose at least one day you will follow remotely."),
        ({"where": "remote", "days": ["2027-03-30"]}, "Choose among the conference"),
        ({**_attend(conference, "London", WED), "dietary_needs": "x" * 1001}, "Keep it under 1000"),
    ]
    for data, message in cases:
        response = client.post(MINE, data=data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert db.session.scalar(select(AttendanceRegistration)) is None


def test_changing_and_cancelling_through_the_page(client, login, db, conference):
    ada = login(person(db, "Ada"))
    client.post(MINE, data=_attend(conference, "London", WED))
    client.post(MINE, data={"where": "remote", "days": [THU.isoformat()]})
    assert "you follow remotely on\n      Thu 25 Mar 2027" in client.get(MINE).get_data(as_text=True)
    response = client.post(f"{MINE}/cancel")
    assert response.status_code == 302
    assert statuses(db, conference, ada) == {}
    assert "You have not said how you will attend yet." in client.get(MINE).get_data(as_text=True)


def test_a_cancellation_by_page_moves_the_next_person_up_and_emails_them(client, login, db, conference, now):
    ada = login(person(db, "Ada"))
    client.post(MINE, data=_attend(conference, "London", WED))
    register(db, conference, person(db, "Bob"), in_person(conference, "London", WED))
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    client.post(f"{MINE}/cancel")
    assert statuses(db, conference, ada) == {}
    assert statuses(db, conference, cleo) == {WED: "registered"}
    assert [message.recipient for message in outbox(db)] == ["cleo@example.com"]


def test_after_the_window_the_page_shows_the_status_but_no_form_and_posts_change_nothing(client, login, db, conference, now):
    ada = login(person(db, "Ada"))
    client.post(MINE, data=_attend(conference, "London", WED))
    now.set(AFTER)
    page = client.get(MINE).get_data(as_text=True)
    assert "Registration closed" in page and 'name="where"' not in page
    response = client.post(MINE, data={"where": "remote", "days": [WED.isoformat()]})
    assert response.status_code == 400 and "Registration has closed" in response.get_data(as_text=True)
    client.post(f"{MINE}/cancel")
    assert statuses(db, conference, ada) == {WED: "registered"}


def test_the_conference_page_says_how_the_viewer_attends(client, login, db, conference):
    login(person(db, "Ada"))
    assert "How will you attend?" in client.get("/c/summit/").get_data(as_text=True)
    client.post(MINE, data=_attend(conference, "London", WED, THU))
    page = client.get("/c/summit/").get_data(as_text=True)
    assert "You attend in person at London on Wed, Thu." in page


def test_needs_are_not_shown_to_other_attendees(client, login, db, conference):
    register(db, conference, person(db, "Bob"), in_person(conference, "London", WED, dietary="Nut allergy"))
    login(person(db, "Ada"))
    assert "Nut allergy" not in client.get(MINE).get_data(as_text=True)
    assert client.get(MANAGE).status_code == 403
    assert client.get(f"{MANAGE}.csv").status_code == 403


# --- organisers -----------------------------------------------------------------------------


def test_the_overview_counts_registered_limit_and_waiting_per_hub_day_and_remote(client, organiser, db, conference):
    for name in ("Ada", "Bob", "Cleo"):
        register(db, conference, person(db, name), in_person(conference, "London", WED))
    register(db, conference, person(db, "Dan"), remotely(WED))
    page = client.get(MANAGE).get_data(as_text=True)
    london_wed = page.split("People at London on Wed 24 Mar 2027")[0].rsplit("<tr>", 1)[1]
    assert [cell.strip() for cell in london_wed.split("<td>")[1:4]] == ["2</td>", "2</td>", "1</td>"]
    assert "1 person attends remotely" in page


def test_the_hub_day_list_shows_people_their_needs_and_the_queue(client, organiser, db, conference, now):
    register(db, conference, person(db, "Ada"), in_person(conference, "London", WED, dietary="Vegan"))
    register(db, conference, person(db, "Bob"), in_person(conference, "London", WED, accessibility="Wheelchair"))
    register(db, conference, person(db, "Cleo"), in_person(conference, "London", WED))
    page = client.get(f"{MANAGE}/hubs/{hub(conference, 'London').id}/{WED.isoformat()}").get_data(as_text=True)
    registered, waiting = page.split("<h2>Waiting list</h2>")
    assert "Ada" in registered and "Vegan" in registered and "Wheelchair" in registered
    assert "Cleo" in waiting and "Ada" not in waiting


def test_a_hub_day_outside_the_conference_or_of_another_conference_is_a_404(client, organiser, db, conference):
    from tests.factories import ConferenceFactory, HubFactory

    other = HubFactory(conference=ConferenceFactory(slug="other"))
    db.session.commit()
    london = hub(conference, "London").id
    assert client.get(f"{MANAGE}/hubs/{london}/2027-04-01").status_code == 404
    assert client.get(f"{MANAGE}/hubs/{london}/yesterday").status_code == 404
    assert client.get(f"{MANAGE}/hubs/{other.id}/{WED.isoformat()}").status_code == 404


def test_the_csv_lists_everyone_for_facilities_with_formula_cells_guarded(client, organiser, db, conference):
    register(db, conference, person(db, "Ada"), in_person(conference, "London", WED, THU, dietary="=HYPERLINK(\"x\")"))
    register(db, conference, person(db, "Bob"), in_person(conference, "London", WED, accessibility="+step-free"))
    register(db, conference, person(db, "Cleo"), in_person(conference, "London", WED))
    register(db, conference, person(db, "@Dan"), remotely(WED))
    response = client.get(f"{MANAGE}.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Name", "E-mail", "Attends", "Hub"]
    assert rows[0][9] == "Days followed remotely (conference dates, Europe/London)"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ada"] == [
        "Ada", "ada@example.com", "In person", "London", "Europe/London", "2027-03-24; 2027-03-25", "",
        "'=HYPERLINK(\"x\")", "", "",
    ]
    assert by_name["Bob"][8] == "'+step-free"
    assert by_name["Cleo"][5:7] == ["", "2027-03-24"]
    # A remote person's days are in their own column, never among the seats.
    assert by_name["'@Dan"][2:] == ["Remotely", "", "", "", "", "", "", "2027-03-24"]


def test_an_organiser_removes_someone_and_the_first_waiting_person_moves_up(client, organiser, db, conference):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))
    register(db, conference, person(db, "Bob"), in_person(conference, "London", WED))
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    registration = queries.registration_of(conference, ada)
    response = client.post(f"{MANAGE}/registrations/{registration.id}/remove?day={WED.isoformat()}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/hubs/{hub(conference, 'London').id}/{WED.isoformat()}")
    assert statuses(db, conference, ada) == {}
    assert statuses(db, conference, cleo) == {WED: "registered"}
    assert [message.recipient for message in outbox(db)] == ["cleo@example.com"]


def test_an_organiser_of_another_conference_cannot_remove_registrations_here(client, login, db, conference):
    from conference.conferences.models import Role
    from tests.factories import ConferenceFactory, RoleFactory

    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))
    stranger = person(db, "Stranger")
    RoleFactory(conference=ConferenceFactory(slug="other"), user=stranger, role=Role.ORGANISER)
    login(stranger)
    registration = queries.registration_of(conference, ada)
    assert client.post(f"{MANAGE}/registrations/{registration.id}/remove").status_code == 403
    assert client.post(f"/c/other/manage/attendance/registrations/{registration.id}/remove").status_code == 404
    assert statuses(db, conference, ada) == {WED: "registered"}


def test_the_window_is_entered_in_the_conference_zone(client, organiser, db, conference):
    response = client.post(f"{MANAGE}/settings", data={"opens_at": "2027-02-01T09:00", "closes_at": "2027-03-20T18:00"})
    assert response.status_code == 302
    db.session.expire_all()
    window = db.session.get(AttendanceWindow, conference.id)
    # London is on GMT on 1 February and still on GMT on 20 March (the clocks change on the 28th).
    assert window.opens_at.isoformat() == "2027-02-01T09:00:00+00:00"
    assert window.closes_at.isoformat() == "2027-03-20T18:00:00+00:00"


def test_a_window_time_the_clocks_show_twice_asks_which_one_is_meant(client, organiser, db, conference):
    data = {"opens_at": "2026-10-01T09:00", "closes_at": "2026-10-25T01:30"}
    response = client.post(f"{MANAGE}/settings", data=data)
    assert response.status_code == 400
    assert "happens twice in Europe/London" in response.get_data(as_text=True)
    response = client.post(f"{MANAGE}/settings", data={**data, "closes_occurrence": "second"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AttendanceWindow, conference.id).closes_at.isoformat() == "2026-10-25T01:30:00+00:00"


def test_a_window_that_closes_before_it_opens_or_in_a_clock_gap_is_refused(client, organiser, db, conference):
    before = db.session.get(AttendanceWindow, conference.id).closes_at
    for data, message in [
        ({"opens_at": "2027-03-01T09:00", "closes_at": "2027-02-01T09:00"}, "close after it opens"),
        ({"opens_at": "2027-03-01T09:00", "closes_at": "2027-03-28T01:30"}, "does not exist in Europe/London"),
        ({"opens_at": "", "closes_at": "2027-03-28T09:00"}, "Enter when registration opens"),
    ]:
        response = client.post(f"{MANAGE}/settings", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AttendanceWindow, conference.id).closes_at == before


# --- hub seat limits ------------------------------------------------------------------------


def test_raising_a_hubs_limit_on_its_form_seats_waiting_people(client, organiser, db, conference):
    for name in ("Ada", "Bob"):
        register(db, conference, person(db, name), in_person(conference, "London", WED))
    cleo = person(db, "Cleo")
    register(db, conference, cleo, in_person(conference, "London", WED))
    london = hub(conference, "London")
    data = {"name": "London", "time_zone": "Europe/London", "working_day_starts": "09:00",
            "working_day_ends": "17:30", "seat_limit": "3"}
    response = client.post(f"/c/summit/manage/hubs/{london.id}/edit", data=data)
    assert response.status_code == 302
    assert statuses(db, conference, cleo) == {WED: "registered"}
    assert [message.recipient for message in outbox(db)] == ["cleo@example.com"]
    assert "1 waiting person got a seat" in client.get("/c/summit/manage/hubs").get_data(as_text=True)


def test_a_new_hub_gets_its_limit_and_a_bad_limit_is_a_form_error(client, organiser, db, conference):
    data = {"name": "Berlin", "time_zone": "Europe/Berlin", "working_day_starts": "09:00",
            "working_day_ends": "17:30", "seat_limit": "-1"}
    response = client.post("/c/summit/manage/hubs/new", data=data)
    assert response.status_code == 200 and "Enter a number from 0 to 100,000" in response.get_data(as_text=True)
    client.post("/c/summit/manage/hubs/new", data={**data, "seat_limit": "25"})
    db.session.expire_all()
    assert db.session.scalar(select(Hub.seat_limit).where(Hub.name == "Berlin")) == 25


def test_a_hub_people_registered_at_is_not_deleted(client, organiser, db, conference):
    register(db, conference, person(db, "Ada"), in_person(conference, "Tokyo", WED))
    tokyo = hub(conference, "Tokyo")
    response = client.post(f"/c/summit/manage/hubs/{tokyo.id}/delete", follow_redirects=True)
    assert "1 person is registered to attend in person" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Hub, tokyo.id) is not None


def test_the_organisers_overview_shows_the_window_in_their_zone(client, login, db, conference):
    from conference.conferences.models import Role
    from tests.factories import RoleFactory

    user = person(db, "Olga", time_zone="Asia/Kolkata")
    RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    login(user)
    page = client.get(MANAGE).get_data(as_text=True)
    assert "closes Wed 17 Mar 2027, 22:30" in page and "Asia/Kolkata" in page


def test_day_states_of_a_registration_list_only_its_days(db, conference):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))
    states = queries.day_states(queries.registration_of(conference, ada))
    assert [(state.day, state.seated, state.position) for state in states] == [(WED, True, None)]


def test_anonymous_visitors_see_when_registration_closes_and_are_asked_to_log_in(client, db, conference):
    page = client.get("/c/summit/").get_data(as_text=True)
    assert "Registration is open until Wed 17 Mar 2027, 17:00" in page
    response = client.get(MINE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
