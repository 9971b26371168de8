"""Someone changing their days while an organiser saves new conference dates: the person's new
day is never lost with a registration thought to have no day left, and the e-mail says what
happened to their registration."""

from __future__ import annotations

from datetime import date

import pytest

from conference.accounts.models import User
from conference.attendance import operations
from conference.conferences.models import Conference
from conference.organisers.operations import ConferenceDetails, update_conference_settings
from tests.conference.attendance.conftest import (
    FRI,
    THU,
    WED,
    in_person,
    outbox,
    person,
    register,
    statuses,
)
from tests.races import second_request

SAT = date(2027, 3, 27)


def _details(conference: Conference, starts_on: date, ends_on: date) -> ConferenceDetails:
    return ConferenceDetails(
        name=conference.name, description=conference.description, starts_on=starts_on, ends_on=ends_on,
        time_zone=conference.time_zone, cfp_opens_local=None, cfp_closes_local=None,
        anonymised_review=False, reviewers_per_proposal=2,
    )


# PostgreSQL only: SQLite has one writer at a time, so the two transactions never overlap.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_new_dates_wait_for_a_person_changing_their_days_and_keep_their_new_day(app, db, conference, database_url):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))
    conference_id, details = conference.id, _details(conference, THU, SAT)

    # Ada drops Wednesday and adds Thursday, not committed yet.
    operations.save_attendance(conference, ada, in_person(conference, "London", THU))
    # The organiser's new dates leave Wednesday out.
    second_request(
        app, lambda: update_conference_settings(db.session.get(Conference, conference_id), details)
    ).waits_for(db, "the first one's locks")

    assert statuses(db, conference, ada) == {THU: "registered"}
    # Her registration lost no day to the new dates, so nothing tells her it did.
    assert [message.recipient for message in outbox(db)] == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_person_changing_their_days_waits_for_new_dates_and_registers_again(app, db, conference, database_url):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))
    conference_id, ada_id = conference.id, ada.id
    choice = in_person(conference, "London", THU)

    # The new dates leave out Wednesday, Ada's only day, not committed yet.
    update_conference_settings(conference, _details(conference, THU, SAT))
    second_request(
        app, lambda: operations.save_attendance(
            db.session.get(Conference, conference_id), db.session.get(User, ada_id), choice
        ),
    ).waits_for(db, "the first one's locks")

    # The date change removed her registration and told her so; her save then registered her
    # anew for Thursday, which the new dates have.
    assert statuses(db, conference, ada) == {THU: "registered"}
    (message,) = outbox(db)
    assert message.recipient == "ada@example.com"
    assert "No day of your registration is left, so you are no longer registered." in message.body


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_day_chosen_while_new_dates_leave_it_out_is_refused_after_they_are_saved(app, db, conference, database_url):
    ada = person(db, "Ada")
    register(db, conference, ada, in_person(conference, "London", WED))
    conference_id, ada_id = conference.id, ada.id
    # Her page still offers Wednesday to Friday: she picks Thursday.
    choice = in_person(conference, "London", THU)

    # The new dates (Friday and Saturday) leave out Wednesday and Thursday, not committed yet.
    update_conference_settings(conference, _details(conference, FRI, SAT))
    with pytest.raises(operations.AttendanceProblem) as refusal:
        second_request(
            app, lambda: operations.save_attendance(
                db.session.get(Conference, conference_id), db.session.get(User, ada_id), choice
            ), "Ada's save",
        ).waits_for(db, "the new dates")

    # Her save read the dates that stand once they were saved, so Thursday was refused rather
    # than registered on a day the conference no longer has.
    assert str(refusal.value) == "Choose among the conference's days."
    assert statuses(db, conference, ada) == {}
