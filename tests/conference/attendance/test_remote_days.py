"""Remote attendees choose the conference days they follow: no seat, no waiting list, counted per
day for the organisers next to the hubs, listed and exported."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from conference.attendance import queries
from conference.attendance.models import AttendanceDay, AttendanceMode, AttendanceRegistration
from tests.conference.attendance.conftest import (
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

MINE = "/c/summit/attendance"
MANAGE = "/c/summit/manage/attendance"


def _row_after(page: str, marker: str) -> list[str]:
    """The cells of the first table row whose header cell is ``marker``."""
    row = page.split(f'<th scope="row">{marker}</th>', 1)[1].split("</tr>", 1)[0]
    return [cell.split("</td>", 1)[0].strip() for cell in row.split("<td>")[1:]]


# --- the rules ------------------------------------------------------------------------------


def test_remote_days_take_no_seat_even_when_every_hub_seat_is_taken(db, conference):
    for name in ("Ada", "Bob"):
        register(db, conference, person(db, name), in_person(conference, "London", WED))
    followers = [person(db, f"Follower {number}") for number in range(4)]
    for follower in followers:
        register(db, conference, follower, remotely(WED))
    assert all(statuses(db, conference, follower) == {WED: "registered"} for follower in followers)
    assert queries.remote_day_counts(conference) == {WED: 4}
    assert queries.seat_counts(hub(conference, "London").id, WED) == (2, 0)


def test_changing_remote_days_keeps_the_days_kept_and_forgets_the_others(db, conference, now):
    ada = person(db, "Ada")
    register(db, conference, ada, remotely(WED, THU))
    first_request = db.session.scalar(select(AttendanceDay.requested_at).where(AttendanceDay.day == WED))
    now.set(now.instant + timedelta(hours=2))

    register(db, conference, ada, remotely(WED, FRI))

    assert statuses(db, conference, ada) == {WED: "registered", FRI: "registered"}
    kept = db.session.scalar(select(AttendanceDay).where(AttendanceDay.day == WED))
    assert kept.requested_at == first_request and kept.seated_at is None
    assert queries.remote_day_counts(conference) == {WED: 1, FRI: 1}


def test_moving_from_remote_to_a_hub_turns_the_days_into_seat_requests(db, conference):
    for name in ("Bob", "Cleo"):
        register(db, conference, person(db, name), in_person(conference, "London", WED))
    ada = person(db, "Ada")
    register(db, conference, ada, remotely(WED, THU))

    register(db, conference, ada, in_person(conference, "London", WED, THU))

    assert statuses(db, conference, ada) == {WED: "waiting", THU: "registered"}
    assert queries.remote_day_counts(conference) == {}
    assert outbox(db) == []


# --- the person's page ----------------------------------------------------------------------


def test_a_person_registers_remotely_on_chosen_days_and_sees_them_ticked(client, login, db, conference):
    ada = login(person(db, "Ada"))
    response = client.post(MINE, data={"where": "remote", "days": [WED.isoformat(), FRI.isoformat()]})
    assert response.status_code == 302
    assert statuses(db, conference, ada) == {WED: "registered", FRI: "registered"}
    page = client.get(MINE).get_data(as_text=True)
    assert "you follow remotely on\n      Wed 24 Mar 2027, Fri 26 Mar 2027" in page
    ticked = set(re.findall(r'<input checked id="days-\d" name="days" type="checkbox" value="([\d-]+)">', page))
    assert ticked == {"2027-03-24", "2027-03-26"}
    assert "no seat limit and no waiting list" in page


def test_someone_registered_remotely_before_days_existed_is_asked_to_choose_them(client, login, db, conference):
    ada = login(person(db, "Ada"))
    db.session.add(AttendanceRegistration(conference_id=conference.id, user_id=ada.id, mode=AttendanceMode.REMOTE))
    db.session.commit()
    page = client.get(MINE).get_data(as_text=True)
    assert "you have not said which days you will" in page
    response = client.post(MINE, data={"where": "remote"})
    assert response.status_code == 400
    assert "Choose at least one day you will follow remotely." in response.get_data(as_text=True)
    client.post(MINE, data={"where": "remote", "days": [THU.isoformat()]})
    assert statuses(db, conference, ada) == {THU: "registered"}


# --- the organisers' pages ------------------------------------------------------------------


def test_the_overview_counts_remote_people_per_day_next_to_the_hubs(client, organiser, db, conference):
    for name in ("Ada", "Bob", "Cleo"):
        register(db, conference, person(db, name), in_person(conference, "London", WED))
    register(db, conference, person(db, "Dan"), in_person(conference, "Tokyo", WED, THU))
    register(db, conference, person(db, "Eve"), remotely(WED, THU))
    register(db, conference, person(db, "Finn"), remotely(WED))
    legacy = person(db, "Gus")
    db.session.add(AttendanceRegistration(conference_id=conference.id, user_id=legacy.id, mode=AttendanceMode.REMOTE))
    db.session.commit()

    page = client.get(MANAGE).get_data(as_text=True)

    each_day, remote = page.split('id="days-heading"')[1], page.split('id="remote-heading"')[1]
    # In person: London 2 seated + 1 waiting, Tokyo 1; remotely Eve and Finn.
    assert _row_after(each_day, "Wed 24 Mar 2027") == ["3", "1", "2"]
    assert _row_after(each_day, "Thu 25 Mar 2027") == ["1", "0", "1"]
    assert _row_after(each_day, "Fri 26 Mar 2027") == ["0", "0", "0"]
    assert "3 people attend remotely" in remote
    assert "1 of them registered before remote days could be chosen" in remote
    assert _row_after(remote, "Wed 24 Mar 2027") == ["2"]
    assert _row_after(remote, "Thu 25 Mar 2027") == ["1"]


def test_the_remote_list_shows_the_days_each_person_follows(client, organiser, db, conference):
    register(db, conference, person(db, "Eve"), remotely(WED, FRI, dietary="Vegan"))
    legacy = person(db, "Gus")
    db.session.add(AttendanceRegistration(conference_id=conference.id, user_id=legacy.id, mode=AttendanceMode.REMOTE))
    db.session.commit()
    page = client.get(f"{MANAGE}/remote").get_data(as_text=True)
    assert "Days (Europe/London)" in page
    eve = page.split("<th scope=\"row\">Eve</th>")[1].split("</tr>")[0]
    assert "Wed 24 Mar 2027, Fri 26 Mar 2027" in eve and "Vegan" in eve
    assert "Not chosen yet" in page.split("<th scope=\"row\">Gus</th>")[1].split("</tr>")[0]


def test_the_overview_reads_its_counts_in_a_fixed_number_of_queries(client, organiser, db, conference, app):
    from sqlalchemy import event

    def queries_for_overview() -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(MANAGE).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    register(db, conference, person(db, "Ada"), remotely(WED))
    few = queries_for_overview()
    for number in range(6):
        register(db, conference, person(db, f"Follower {number}"), remotely(WED, THU, FRI))
        register(db, conference, person(db, f"Guest {number}"), in_person(conference, "Tokyo", WED, THU))
    assert queries_for_overview() == few
