"""The e-mail about days removed by new conference dates is an e-mail template: its built-in
wording reads as the fixed text did, organisers' own wording is used for a real date change, a
wording that does not render still lets people hear which days they lost, and organisers find it
on the e-mail templates page with its placeholders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conference.attendance.date_change import (
    DATE_CHANGE_KIND,
    DateChangeNotice,
    DroppedDay,
    date_change_email,
)
from conference.attendance.queries import attendance_window
from conference.mail.operations import save_template
from conference.organisers.operations import ConferenceDetails, update_conference_settings
from tests.conference.attendance.conftest import (
    AFTER,
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
)

SAT = date(2027, 3, 27)
BEFORE_OPENING = datetime(2027, 1, 1, tzinfo=UTC)
LINK = "http://conference.test/c/summit/attendance"
SUBJECT = "Engineering Summit has new dates: days of your registration are removed"
RUNS = (
    "The dates of Engineering Summit changed: it now runs from Thu 25 Mar 2027 to Sat 27 Mar 2027 "
    "(dates in Europe/London; each hub keeps them in its own calendar).\n\n"
)


def _move_dates(db, conference, starts_on: date, ends_on: date) -> int:
    details = ConferenceDetails(
        name=conference.name, description=conference.description, starts_on=starts_on, ends_on=ends_on,
        time_zone=conference.time_zone, cfp_opens_local=None, cfp_closes_local=None,
        anonymised_review=False, reviewers_per_proposal=2,
    )
    told = update_conference_settings(conference, details)
    db.session.commit()
    return told


# --- the built-in wording -------------------------------------------------------------------

# (attendee, their zone, hub name or None, dropped days (day, seated), kept days, now, body)
BUILT_IN_CASES = {
    "one remote day": (
        "Cleo", "Asia/Kolkata", None, [(WED, True)], [FRI], DURING,
        "Hello Cleo,\n\n" + RUNS
        + "This day of your registration is no longer part of the conference and was removed:\n"
        "  - Wed 24 Mar 2027, following remotely (Europe/London date; "
        "for you Wed 24 Mar 2027, 05:30 to Thu 25 Mar 2027, 05:30 Asia/Kolkata)\n\n"
        "You still follow remotely on Fri 26 Mar 2027 (Europe/London dates).\n\n"
        "You can choose days of the new dates or change your registration until Wed 17 Mar 2027, 22:30 "
        f"(Asia/Kolkata): {LINK}\n",
    ),
    "several remote days": (
        "Dan", "Europe/London", None, [(WED, True), (FRI, True)], [], AFTER,
        "Hello Dan,\n\n" + RUNS
        + "These days of your registration are no longer part of the conference and were removed:\n"
        "  - Wed 24 Mar 2027, following remotely (Europe/London date)\n"
        "  - Fri 26 Mar 2027, following remotely (Europe/London date)\n\n"
        "No day of your registration is left, so you are no longer registered.\n\n"
        "Registration is not open at the moment, so only the organisers can change your registration; "
        f"your registration page: {LINK}\n",
    ),
    "one hub day": (
        "Bob", "Asia/Tokyo", "Tokyo", [(WED, True)], [], DURING,
        "Hello Bob,\n\n" + RUNS
        + "This day of your registration is no longer part of the conference and was removed:\n"
        "  - Wed 24 Mar 2027 at Tokyo, your seat (09:00–17:30 Asia/Tokyo)\n\n"
        "No day of your registration is left, so you are no longer registered.\n\n"
        f"You can register again for the new dates until Thu 18 Mar 2027, 02:00 (Asia/Tokyo): {LINK}\n",
    ),
    "several hub days": (
        "Ada", "America/Los_Angeles", "London", [(WED, True), (FRI, False)], [THU], BEFORE_OPENING,
        "Hello Ada,\n\n" + RUNS
        + "These days of your registration are no longer part of the conference and were removed:\n"
        "  - Wed 24 Mar 2027 at London, your seat (09:00–17:30 Europe/London; "
        "for you Wed 24 Mar 2027, 02:00–10:30 America/Los_Angeles)\n"
        "  - Fri 26 Mar 2027 at London, your place on the waiting list (09:00–17:30 Europe/London; "
        "for you Fri 26 Mar 2027, 02:00–10:30 America/Los_Angeles)\n\n"
        "You still attend in person at London on Thu 25 Mar 2027 (Europe/London dates); your seats and "
        "waiting places there are unchanged.\n\n"
        "Registration opens Mon 01 Feb 2027, 01:00 (America/Los_Angeles); from then on you can choose days "
        f"of the new dates or change your registration here: {LINK}\n",
    ),
}


@pytest.mark.parametrize("case", BUILT_IN_CASES)
def test_the_built_in_wording_reads_as_the_fixed_text_did(db, conference, case):
    attendee, zone_name, hub_name, dropped, kept, now, expected = BUILT_IN_CASES[case]
    conference.starts_on, conference.ends_on = THU, SAT
    notice = DateChangeNotice(
        attendee=attendee, zone_name=zone_name, hub=hub(conference, hub_name) if hub_name else None,
        dropped=[DroppedDay(day, seated) for day, seated in dropped], kept=kept,
    )
    subject, body = date_change_email(conference, notice, attendance_window(conference), now, LINK)
    assert subject == SUBJECT
    assert body == expected


def test_the_built_in_wording_names_the_one_day_of_a_one_day_conference(db, conference):
    conference.starts_on, conference.ends_on = THU, THU
    notice = DateChangeNotice("Bob", "Asia/Tokyo", hub(conference, "Tokyo"), [DroppedDay(WED, True)], [])
    _subject, body = date_change_email(conference, notice, None, DURING, LINK)
    assert "The dates of Engineering Summit changed: it now runs on Thu 25 Mar 2027 (dates in" in body


# --- organisers' wording --------------------------------------------------------------------


def test_an_organisers_wording_is_used_when_new_dates_remove_days(db, conference):
    save_template(
        conference.id, DATE_CHANGE_KIND, "{{ conference }} moved to {{ new_dates }}",
        "Dear {{ attendee }}, {{ removed_count }} of your days went ({{ time_zone }}):\n{{ removed_days }}\n"
        "{{ what_is_left }}\nChange it here: {{ link }}\n",
    )
    db.session.commit()
    register(db, conference, person(db, "Ada"), in_person(conference, "London", WED, THU, FRI))
    register(db, conference, person(db, "Bob"), remotely(WED, THU))

    assert _move_dates(db, conference, THU, SAT) == 2

    mails = {message.recipient: message for message in outbox(db)}
    assert mails["ada@example.com"].subject == (
        "Engineering Summit moved to from Thu 25 Mar 2027 to Sat 27 Mar 2027"
    )
    assert mails["ada@example.com"].body == (
        "Dear Ada, 1 of your days went (Europe/London):\n"
        "  - Wed 24 Mar 2027 at London, your seat (09:00–17:30 Europe/London)\n"
        "You still attend in person at London on Thu 25 Mar 2027, Fri 26 Mar 2027 (Europe/London dates); "
        "your seats and waiting places there are unchanged.\n"
        f"Change it here: {LINK}\n"
    )
    assert mails["bob@example.com"].body.startswith(
        "Dear Bob, 1 of your days went (Europe/London):\n  - Wed 24 Mar 2027, following remotely"
    )


def test_a_wording_that_does_not_render_still_tells_people_which_days_they_lost(db, conference, caplog):
    save_template(conference.id, DATE_CHANGE_KIND, "New dates {{ nonsense }}", "{{ removed_days.nope }}")
    db.session.commit()
    register(db, conference, person(db, "Ada"), remotely(WED, THU))

    assert _move_dates(db, conference, THU, SAT) == 1

    (message,) = outbox(db)
    assert message.subject == SUBJECT
    assert "This day of your registration is no longer part of the conference and was removed:\n" \
        "  - Wed 24 Mar 2027, following remotely (Europe/London date)\n" in message.body
    assert "date change template of summit does not render" in caplog.text


def test_the_templates_page_lists_the_e_mail(client, organiser, conference):
    listing = client.get("/c/summit/manage/emails").get_data(as_text=True)
    assert "Days removed by new conference dates" in listing
    assert f"/c/summit/manage/emails/{DATE_CHANGE_KIND}" in listing


def test_the_edit_page_shows_the_placeholders_and_a_preview(client, organiser, conference):
    response = client.get(f"/c/summit/manage/emails/{DATE_CHANGE_KIND}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("attendee", "conference", "new_dates", "time_zone", "removed_days", "removed_count",
                 "what_is_left", "what_to_do", "link"):
        assert f"<code>{{{{ {name} }}}}</code>" in page
    assert "Preview with sample values" in page
