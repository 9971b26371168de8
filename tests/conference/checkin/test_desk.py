"""The desk: who is seated, searching them, checking in and undoing it in one click, and
walk-ins seated anyway within the hub's seat limit."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from conference.checkin.models import CheckIn
from conference.conferences.models import Role
from tests.conference.checkin.conftest import (
    FRI,
    THU,
    WED,
    WEDNESDAY_MORNING,
    attend,
    check_in_url,
    check_ins,
    desk_url,
    hub,
    person,
    seat_statuses,
    undo_url,
)
from tests.factories import ConferenceFactory, HubFactory, RoleFactory


def _count(page: str, name: str) -> int:
    found = re.search(rf'<dd id="count-{name}">(\d+)</dd>', page)
    assert found, f"no {name} count on the page"
    return int(found.group(1))


def _rows(page: str) -> list[str]:
    """The names in the desk's tables, in order."""
    return re.findall(r'<th scope="row">([^<]+)</th>', page)


def test_the_desk_lists_the_days_seated_people_by_name_with_the_counts(client, db, conference, organiser):
    for name in ("Cleo", "Ada", "Bob"):
        attend(db, conference, person(db, name), "London", seated=[WED])
    attend(db, conference, person(db, "Wes Waiting"), "London", waiting=[WED])
    attend(db, conference, person(db, "Theo Thursday"), "London", seated=[THU])
    attend(db, conference, person(db, "Tomo"), "Tokyo", seated=[WED])
    attend(db, conference, person(db, "Remy Remote"), None)

    page = client.get(desk_url(conference, "London", WED)).get_data(as_text=True)

    assert _rows(page) == ["Ada", "Bob", "Cleo"]
    assert (_count(page, "seated"), _count(page, "checked-in"), _count(page, "not-arrived")) == (3, 0, 3)
    assert "Europe/London" in page


def test_search_ignores_case_and_accents_and_finds_e_mail_addresses(client, db, conference, organiser):
    attend(db, conference, person(db, "José García"), "London", seated=[WED])
    attend(db, conference, person(db, "Ana Lima", email="ana.lima@example.com"), "London", seated=[WED])
    attend(db, conference, person(db, "Bob Stone"), "London", seated=[WED])

    by_name = client.get(desk_url(conference, "London", WED) + "?q=  GARCIA ").get_data(as_text=True)
    by_mail = client.get(desk_url(conference, "London", WED) + "?q=ANA.LIMA@").get_data(as_text=True)
    nobody = client.get(desk_url(conference, "London", WED) + "?q=zzz").get_data(as_text=True)

    assert _rows(by_name) == ["José García"]
    assert _rows(by_mail) == ["Ana Lima"]
    assert "Nobody seated here on Wed 24 Mar 2027 has a name or e-mail containing “zzz”" in nobody


def test_checking_in_records_who_and_when_and_shows_the_time_in_the_hubs_zone(client, db, conference, organiser):
    tomo = person(db, "Tomo")
    attend(db, conference, tomo, "Tokyo", seated=[WED])

    response = client.post(check_in_url(conference, "Tokyo", WED, tomo) + "?q=tom")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{desk_url(conference, 'Tokyo', WED)}?q=tom#person-{tomo.id}")
    [made] = check_ins(db)
    assert (made.user_id, made.checked_in_by_id, made.seated_at_desk) == (tomo.id, organiser.id, False)
    assert made.checked_in_at == WEDNESDAY_MORNING
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tomo is checked in (18:30 Asia/Tokyo)." in page
    assert "Checked in at 18:30 Asia/Tokyo by Olga Organiser" in page
    assert (_count(page, "checked-in"), _count(page, "not-arrived")) == (1, 0)


def test_a_second_check_in_of_the_same_person_changes_nothing_and_says_who_was_first(client, db, conference, organiser):
    ada = person(db, "Ada")
    attend(db, conference, ada, "London", seated=[WED])
    client.post(check_in_url(conference, "London", WED, ada))

    again = client.post(check_in_url(conference, "London", WED, ada), follow_redirects=True)

    assert "Ada was already checked in at 09:30 Europe/London by Olga Organiser; nothing changed." in again.get_data(as_text=True)
    assert len(check_ins(db)) == 1


def test_undo_takes_the_check_in_back(client, db, conference, organiser):
    ada = person(db, "Ada")
    attend(db, conference, ada, "London", seated=[WED])
    client.post(check_in_url(conference, "London", WED, ada))

    response = client.post(undo_url(conference, "London", WED, ada), follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Ada&#39;s check-in is undone." in page
    assert check_ins(db) == []
    assert (_count(page, "checked-in"), _count(page, "not-arrived")) == (0, 1)
    again = client.post(undo_url(conference, "London", WED, ada), follow_redirects=True)
    assert "Ada is not checked in at London on Wed 24 Mar 2027; nothing changed." in again.get_data(as_text=True)


def test_the_list_narrows_to_who_arrived_or_not(client, db, conference, organiser):
    ada, bob = person(db, "Ada"), person(db, "Bob")
    for someone in (ada, bob):
        attend(db, conference, someone, "London", seated=[WED])
    client.post(check_in_url(conference, "London", WED, ada))

    arrived = client.get(desk_url(conference, "London", WED) + "?show=arrived").get_data(as_text=True)
    missing = client.get(desk_url(conference, "London", WED) + "?show=not_arrived").get_data(as_text=True)

    assert _rows(arrived) == ["Ada"]
    assert _rows(missing) == ["Bob"]


def test_a_walk_in_without_a_seat_is_shown_with_their_status_and_needs_seat_anyway(client, db, conference, organiser):
    wes = person(db, "Wes Waiting")
    attend(db, conference, wes, "London", seated=[FRI], waiting=[WED])

    page = client.get(desk_url(conference, "London", WED) + "?q=wes").get_data(as_text=True)
    assert "Waiting for a seat this day (number 1 in line)" in page
    assert "Seat on Fri 26 Mar 2027" in page
    assert "Seat anyway and check in" in page

    plain = client.post(check_in_url(conference, "London", WED, wes), follow_redirects=True).get_data(as_text=True)
    assert "Wes Waiting is on the waiting list for this day at London, so they were not checked in." in plain
    assert check_ins(db) == []

    seated = client.post(check_in_url(conference, "London", WED, wes), data={"seat_anyway": "y"}, follow_redirects=True)
    page = seated.get_data(as_text=True)
    assert "Wes Waiting is seated anyway and is checked in (09:30 Europe/London)." in page
    [made] = check_ins(db)
    assert made.seated_at_desk
    # The seat is attendance's: Wes's day is seated and off the waiting list.
    assert seat_statuses(db, conference, wes) == {WED: "registered", FRI: "registered"}
    assert (_count(page, "seated"), _count(page, "checked-in"), _count(page, "not-arrived")) == (1, 1, 0)
    assert "1 seated at the desk" in page


def test_seat_anyway_respects_the_hubs_seat_limit_for_the_day(client, db, conference, organiser):
    for name in ("Ada", "Bob"):
        attend(db, conference, person(db, name), "London", seated=[WED])  # two of three seats
    theo, wes = person(db, "Theo"), person(db, "Wes")
    attend(db, conference, theo, "London", seated=[THU])
    attend(db, conference, wes, "London", waiting=[WED])

    client.post(check_in_url(conference, "London", WED, theo), data={"seat_anyway": "y"})  # the last seat
    refused = client.post(check_in_url(conference, "London", WED, wes), data={"seat_anyway": "y"}, follow_redirects=True)

    assert ("London is full on Wed 24 Mar 2027: all 3 seats are taken, so Wes cannot be seated anyway "
            "and was not checked in.") in refused.get_data(as_text=True)
    assert [row.user_id for row in check_ins(db)] == [theo.id]
    page = client.get(desk_url(conference, "London", WED) + "?q=wes").get_data(as_text=True)
    assert "London is full on Wed 24 Mar 2027: nobody can be seated anyway until a seat is free." in page

    # Undoing the desk seat frees it for the next walk-in.
    undone = client.post(undo_url(conference, "London", WED, theo), follow_redirects=True).get_data(as_text=True)
    assert ("Theo&#39;s check-in is undone. The seat given at the desk is free again. The day added at the desk "
            "is removed from Theo&#39;s registration.") in undone
    assert seat_statuses(db, conference, theo) == {THU: "registered"}
    client.post(check_in_url(conference, "London", WED, wes), data={"seat_anyway": "y"})
    assert [row.user_id for row in check_ins(db)] == [wes.id]
    assert seat_statuses(db, conference, wes) == {WED: "registered"}


def test_seat_anyway_at_a_hub_without_limit_always_seats(client, db, conference, organiser):
    theo = person(db, "Theo")
    attend(db, conference, theo, "Tokyo", seated=[THU])

    client.post(check_in_url(conference, "Tokyo", WED, theo), data={"seat_anyway": "y"})

    assert [(row.user_id, row.seated_at_desk) for row in check_ins(db)] == [(theo.id, True)]
    assert seat_statuses(db, conference, theo) == {WED: "registered", THU: "registered"}


def test_people_not_registered_at_the_hub_cannot_be_checked_in(client, db, conference, organiser):
    remote, tokyo, stranger = person(db, "Remy"), person(db, "Tomo"), person(db, "Stranger")
    attend(db, conference, remote, None)
    attend(db, conference, tokyo, "Tokyo", seated=[WED])

    for someone in (remote, tokyo, stranger):
        page = client.post(
            check_in_url(conference, "London", WED, someone), data={"seat_anyway": "y"}, follow_redirects=True
        ).get_data(as_text=True)
        assert "That person is not registered to attend in person at London; nothing changed." in page
    assert check_ins(db) == []


def test_a_day_that_has_not_begun_at_the_hub_cannot_check_anyone_in(client, db, conference, organiser):
    ada = person(db, "Ada")
    attend(db, conference, ada, "London", seated=[THU])

    page = client.get(desk_url(conference, "London", THU)).get_data(as_text=True)
    assert "check-in for Thu 25 Mar 2027 opens on the day" in page
    assert "Opens on the day" in page
    response = client.post(check_in_url(conference, "London", THU, ada), follow_redirects=True)

    assert ("It is still Wed 24 Mar 2027 at London (Europe/London): people can be checked in for "
            "Thu 25 Mar 2027 from that day on. Nothing changed.") in response.get_data(as_text=True)
    assert check_ins(db) == []


def test_the_desk_is_for_organisers_only(client, db, conference, login):
    url = desk_url(conference, "London", WED)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    speaker = person(db, "Sam Speaker")
    RoleFactory(conference=conference, user=speaker, role=Role.SPEAKER)
    db.session.commit()
    login(speaker)
    ada = person(db, "Ada")
    attend(db, conference, ada, "London", seated=[WED])

    assert client.get(url).status_code == 403
    assert client.post(check_in_url(conference, "London", WED, ada)).status_code == 403
    assert client.get(url + "/badges").status_code == 403
    assert client.get(url + "/check-ins.csv").status_code == 403
    assert check_ins(db) == []


def test_another_conferences_hub_or_a_day_outside_the_conference_is_not_found(client, db, conference, organiser):
    elsewhere = ConferenceFactory(slug="elsewhere")
    their_hub = HubFactory(conference=elsewhere, name="Paris", time_zone="Europe/Paris")
    db.session.commit()

    assert client.get(f"/c/summit/manage/check-in/{their_hub.id}/{WED.isoformat()}").status_code == 404
    assert client.get(f"/c/summit/manage/check-in/{hub(conference, 'London').id}/2027-03-27").status_code == 404
    assert client.get(f"/c/summit/manage/check-in/{hub(conference, 'London').id}/not-a-day").status_code == 404


def test_the_desk_makes_the_same_number_of_queries_for_many_people(client, db, conference, organiser, app):
    from conference.extensions import db as database
    from tests.statements import statements_for_page

    def seat(count: int, start: int) -> None:
        for number in range(start, start + count):
            someone = person(db, f"Person {number:03d}")
            attend(db, conference, someone, "London", seated=[WED])
            db.session.add(CheckIn(hub_id=hub(conference, "London").id, day=WED, user_id=someone.id,
                                   checked_in_at=datetime(2027, 3, 24, 9, 0, tzinfo=UTC), checked_in_by_id=organiser.id))
            db.session.commit()

    seat(2, 0)
    few = statements_for_page(database.engine, client, desk_url(conference, "London", WED))
    seat(8, 2)
    many = statements_for_page(database.engine, client, desk_url(conference, "London", WED))

    assert many == few


def test_the_check_in_page_lists_each_hub_with_today_there_and_links_to_its_days(client, db, now, conference, organiser):
    now.set(datetime(2027, 3, 24, 20, 0, tzinfo=UTC))  # Wednesday evening in London, Thursday in Tokyo

    page = client.get("/c/summit/manage/check-in").get_data(as_text=True)

    london, tokyo = hub(conference, "London"), hub(conference, "Tokyo")
    assert re.search(r"London<br><small><span class=\"tz-label\">Europe/London</span></small></th>\s*<td>\s*Wed 24 Mar 2027", page)
    assert re.search(r"Tokyo<br><small><span class=\"tz-label\">Asia/Tokyo</span></small></th>\s*<td>\s*Thu 25 Mar 2027", page)
    assert f'href="/c/summit/manage/check-in/{london.id}">Today\'s desk at London' in page
    assert f'href="/c/summit/manage/check-in/{tokyo.id}/2027-03-25" aria-current="date"' in page


def test_the_manage_navigation_and_the_attendance_page_link_to_the_desks(client, db, conference, organiser):
    attendance = client.get("/c/summit/manage/attendance").get_data(as_text=True)
    desk = client.get(desk_url(conference, "London", WED)).get_data(as_text=True)

    assert 'href="/c/summit/manage/check-in">check-in desks and name badges</a>' in attendance
    assert 'href="/c/summit/manage/check-in" aria-current="page">Check-in and badges</a>' in desk


def test_a_check_in_without_the_forms_token_is_refused(app, client, db, conference, organiser):
    ada = person(db, "Ada")
    attend(db, conference, ada, "London", seated=[WED])
    app.config["WTF_CSRF_ENABLED"] = True

    check_in = client.post(check_in_url(conference, "London", WED, ada))
    undo = client.post(undo_url(conference, "London", WED, ada))

    assert (check_in.status_code, undo.status_code) == (400, 400)
    assert "The CSRF token is missing." in check_in.get_data(as_text=True)
    assert check_ins(db) == []


def test_undoing_for_an_account_unknown_at_the_hub_does_not_name_it(client, db, conference, organiser):
    stranger = person(db, "Secret Stranger")
    elsewhere = ConferenceFactory(slug="other")
    attend(db, elsewhere, stranger, None)  # registered at another conference only
    tokyo_only = person(db, "Tomo")
    attend(db, conference, tokyo_only, "Tokyo", seated=[WED])

    for someone in (stranger, tokyo_only):
        page = client.post(undo_url(conference, "London", WED, someone), follow_redirects=True).get_data(as_text=True)
        assert "That person is not checked in at London on Wed 24 Mar 2027; nothing changed." in page
        assert someone.display_name not in page
    missing = client.post(
        f"{desk_url(conference, 'London', WED)}/people/999999/undo", follow_redirects=True
    ).get_data(as_text=True)
    assert "That person is not checked in at London on Wed 24 Mar 2027; nothing changed." in missing


def test_undoing_names_someone_the_desk_knows_who_is_not_checked_in_that_day(client, db, conference, organiser):
    ada = person(db, "Ada")
    attend(db, conference, ada, "London", seated=[WED])
    page = client.post(undo_url(conference, "London", WED, ada), follow_redirects=True).get_data(as_text=True)
    assert "Ada is not checked in at London on Wed 24 Mar 2027; nothing changed." in page
    # Bob was checked in on Thursday and his registration went since: the desk knew him.
    bob = person(db, "Bob")
    db.session.add(CheckIn(
        hub_id=hub(conference, "London").id, day=THU, user_id=bob.id, checked_in_at=WEDNESDAY_MORNING,
    ))
    db.session.commit()
    page = client.post(undo_url(conference, "London", WED, bob), follow_redirects=True).get_data(as_text=True)
    assert "Bob is not checked in at London on Wed 24 Mar 2027; nothing changed." in page


def test_checking_in_an_account_unknown_at_the_hub_does_not_name_it(client, db, conference, organiser):
    stranger = person(db, "Secret Stranger")
    page = client.post(check_in_url(conference, "London", WED, stranger), follow_redirects=True).get_data(as_text=True)
    assert "That person is not registered to attend in person at London; nothing changed." in page
    assert "Secret Stranger" not in page
    assert check_ins(db) == []
