"""New conference dates drop the registered days they leave out, in person and remote alike, and
each person affected gets one e-mail through the outbox: the days they lost in their own time
zone, the new dates, what is left and a link to change their registration."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conference.attendance import operations
from conference.attendance.operations import DATE_CHANGE_KEY_PREFIX, SEAT_KEY_PREFIX
from conference.mail.sender import send_pending
from conference.organisers.operations import ConferenceDetails, update_conference_settings
from tests.conference.attendance.conftest import (
    AFTER,
    FRI,
    THU,
    WED,
    in_person,
    outbox,
    person,
    register,
    remotely,
    statuses,
)
from tests.conference.mail.conftest import smtp_port, smtp_server  # noqa: F401 - fixtures

SAT = date(2027, 3, 27)


def _move_dates(db, conference, starts_on: date, ends_on: date) -> int:
    details = ConferenceDetails(
        name=conference.name, description=conference.description, starts_on=starts_on, ends_on=ends_on,
        time_zone=conference.time_zone, cfp_opens_local=None, cfp_closes_local=None,
        anonymised_review=False, reviewers_per_proposal=2,
    )
    told = update_conference_settings(conference, details)
    db.session.commit()
    return told


def _mail_to(db, email: str):
    (message,) = [message for message in outbox(db) if message.recipient == email]
    return message


def test_each_person_who_lost_days_is_e_mailed_once_with_the_days_in_their_own_zone(db, conference):
    ada = person(db, "Ada", time_zone="America/Los_Angeles")
    bob = person(db, "Bob", time_zone="Asia/Tokyo")
    cleo = person(db, "Cleo", time_zone="Asia/Kolkata")
    dan = person(db, "Dan")
    register(db, conference, ada, in_person(conference, "London", WED, THU))
    register(db, conference, bob, in_person(conference, "Tokyo", WED))
    register(db, conference, cleo, remotely(WED, FRI))
    register(db, conference, dan, in_person(conference, "London", THU))

    told = _move_dates(db, conference, THU, SAT)

    assert told == 3
    assert sorted(message.recipient for message in outbox(db)) == [
        "ada@example.com", "bob@example.com", "cleo@example.com",
    ]
    assert statuses(db, conference, ada) == {THU: "registered"}
    assert statuses(db, conference, bob) == {}  # no day left: no registration
    assert statuses(db, conference, cleo) == {FRI: "registered"}
    assert statuses(db, conference, dan) == {THU: "registered"}

    ada_mail = _mail_to(db, "ada@example.com")
    assert ada_mail.subject == "Engineering Summit has new dates: days of your registration are removed"
    assert ada_mail.dedupe_key.startswith(DATE_CHANGE_KEY_PREFIX)
    # London keeps GMT until 28 March; Los Angeles is on PDT (UTC-7) by then.
    assert (
        "  - Wed 24 Mar 2027 at London, your seat (09:00–17:30 Europe/London; "
        "for you Wed 24 Mar 2027, 02:00–10:30 America/Los_Angeles)"
    ) in ada_mail.body
    assert "it now runs from Thu 25 Mar 2027 to Sat 27 Mar 2027 (dates in Europe/London" in ada_mail.body
    assert "You still attend in person at London on Thu 25 Mar 2027 (Europe/London dates)" in ada_mail.body
    assert "until Wed 17 Mar 2027, 10:00 (America/Los_Angeles): http://conference.test/c/summit/attendance" in (
        ada_mail.body
    )

    bob_mail = _mail_to(db, "bob@example.com").body
    # Bob's hub is in his own zone: its hours need no second reading.
    assert "  - Wed 24 Mar 2027 at Tokyo, your seat (09:00–17:30 Asia/Tokyo)\n" in bob_mail
    assert "No day of your registration is left, so you are no longer registered." in bob_mail
    assert "You can register again for the new dates until Thu 18 Mar 2027, 02:00 (Asia/Tokyo)" in bob_mail

    cleo_mail = _mail_to(db, "cleo@example.com").body
    assert (
        "  - Wed 24 Mar 2027, following remotely (Europe/London date; "
        "for you Wed 24 Mar 2027, 05:30 to Thu 25 Mar 2027, 05:30 Asia/Kolkata)"
    ) in cleo_mail
    assert "You still follow remotely on Fri 26 Mar 2027 (Europe/London dates)." in cleo_mail


def test_saving_the_same_dates_again_e_mails_nobody_again(db, conference):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED, THU))
    assert _move_dates(db, conference, THU, SAT) == 1
    assert _move_dates(db, conference, THU, SAT) == 0
    assert len(outbox(db)) == 1


def test_a_second_change_that_drops_new_days_is_a_new_e_mail(db, conference):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED, THU))
    _move_dates(db, conference, THU, SAT)
    register(db, conference, ada, in_person(conference, "London", THU, SAT))
    _move_dates(db, conference, WED, THU)
    messages = outbox(db)
    assert [message.recipient for message in messages] == ["ada@example.com", "ada@example.com"]
    assert "Sat 27 Mar 2027 at London, your seat" in messages[1].body
    assert "it now runs from Wed 24 Mar 2027 to Thu 25 Mar 2027" in messages[1].body


def test_a_waiting_place_on_a_gone_day_is_named_and_nobody_moves_up_on_the_days_kept(db, conference):
    ada, bob, cleo = person(db, "Ada"), person(db, "Bob"), person(db, "Cleo")
    for someone in (ada, bob, cleo):
        register(db, conference, someone, in_person(conference, "London", WED, THU))
    assert statuses(db, conference, cleo) == {WED: "waiting", THU: "waiting"}

    _move_dates(db, conference, THU, SAT)

    # Wednesday's seats went with Wednesday; Thursday is as full as before.
    assert statuses(db, conference, ada) == {THU: "registered"}
    assert statuses(db, conference, cleo) == {THU: "waiting"}
    messages = outbox(db)
    assert not [message for message in messages if message.dedupe_key.startswith(SEAT_KEY_PREFIX)]
    cleo_mail = _mail_to(db, "cleo@example.com").body
    assert "Wed 24 Mar 2027 at London, your place on the waiting list (09:00–17:30 Europe/London)" in cleo_mail


def test_a_seat_freed_by_a_cancellation_after_new_dates_still_goes_to_the_first_waiting(db, conference):
    ada, bob, cleo = person(db, "Ada"), person(db, "Bob"), person(db, "Cleo")
    for someone in (ada, bob, cleo):
        register(db, conference, someone, in_person(conference, "London", WED, THU))
    _move_dates(db, conference, THU, SAT)

    operations.cancel_attendance(conference, ada)
    db.session.commit()

    assert statuses(db, conference, cleo) == {THU: "registered"}
    seat_mails = [message for message in outbox(db) if message.dedupe_key.startswith(SEAT_KEY_PREFIX)]
    assert [message.recipient for message in seat_mails] == ["cleo@example.com"]


def test_after_registration_closed_the_e_mail_says_only_organisers_can_change_it(db, conference, now):
    ada = person(db, "Ada")
    register(db, conference, ada, remotely(WED, THU))
    now.set(AFTER)
    _move_dates(db, conference, THU, SAT)
    body = _mail_to(db, "ada@example.com").body
    assert "Registration is not open at the moment, so only the organisers can change your registration" in body
    assert "  - Wed 24 Mar 2027, following remotely (Europe/London date)\n" in body


def test_before_registration_opens_the_e_mail_says_when_it_does(db, conference):
    ada = person(db, "Ada", time_zone="America/New_York")
    register(db, conference, ada, remotely(WED, THU))
    operations.save_window(conference, datetime(2027, 3, 10, 14, 0, tzinfo=UTC), datetime(2027, 3, 20, 14, 0, tzinfo=UTC))
    db.session.commit()
    _move_dates(db, conference, THU, SAT)
    body = _mail_to(db, "ada@example.com").body
    # New York is on EDT (UTC-4) from 14 March, on EST (UTC-5) before.
    assert "Registration opens Wed 10 Mar 2027, 09:00 (America/New_York); from then on you can choose days" in body


def test_the_organiser_is_told_how_many_people_were_e_mailed_and_the_mail_goes_out(
    client, organiser, db, conference, smtp_server,  # noqa: F811 - the fixture imported above
):
    register(db, conference, person(db, "Ada"), in_person(conference, "London", WED, THU))
    register(db, conference, person(db, "Bob"), remotely(WED))
    register(db, conference, person(db, "Dan"), remotely(THU))
    data = {
        "name": conference.name, "description": conference.description, "starts_on": "2027-03-25",
        "ends_on": "2027-03-27", "time_zone": "Europe/London", "reviewers_per_proposal": "2",
    }

    response = client.post("/c/summit/manage/settings", data=data, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 people were e-mailed the days they lost" in page
    assert send_pending()["sent"] == 2
    received = {item.envelope_to[0]: item.message for item in smtp_server.received}
    assert set(received) == {"ada@example.com", "bob@example.com"}
    assert "Wed 24 Mar 2027, following remotely" in received["bob@example.com"].get_content()
    assert "You can register again for the new dates until Wed 17 Mar 2027, 17:00 (Europe/London): " \
        "http://conference.test/c/summit/attendance" in received["bob@example.com"].get_content()
