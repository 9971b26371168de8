"""Edges found in review: seats freed once a day has begun go to nobody, a second promotion into
a reused row id (SQLite) is still e-mailed, and new conference dates drop the days they leave out."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conference.admin import operations as admin
from conference.attendance import operations
from conference.organisers.operations import ConferenceDetails, update_conference_settings
from tests.conference.attendance.conftest import (
    THU,
    WED,
    in_person,
    outbox,
    person,
    register,
    statuses,
)


def test_a_seat_freed_after_the_day_has_begun_is_given_to_nobody(db, conference, now):
    ada, bob, cleo = person(db, "Ada"), person(db, "Bob"), person(db, "Cleo")
    for someone in (ada, bob, cleo):
        register(db, conference, someone, in_person(conference, "London", WED))
    now.set(datetime(2027, 9, 1, 12, 0, tzinfo=UTC))  # half a year after the conference

    admin.deactivate_account(ada, None)
    db.session.commit()

    assert statuses(db, conference, cleo) == {WED: "waiting"}
    assert outbox(db) == []


def test_every_promotion_is_e_mailed_even_into_a_reused_row_id(db, conference):
    ada, bob, cleo = person(db, "Ada"), person(db, "Bob"), person(db, "Cleo")
    for someone in (ada, bob, cleo):
        register(db, conference, someone, in_person(conference, "London", WED))
    operations.cancel_attendance(conference, bob)  # Cleo moves up
    db.session.commit()
    operations.cancel_attendance(conference, cleo)
    db.session.commit()
    dan, eve = person(db, "Dan"), person(db, "Eve")
    register(db, conference, dan, in_person(conference, "London", WED))
    register(db, conference, eve, in_person(conference, "London", WED))  # waits (SQLite may reuse Cleo's row id)

    operations.cancel_attendance(conference, dan)
    db.session.commit()

    assert statuses(db, conference, eve) == {WED: "registered"}
    assert sorted(message.recipient for message in outbox(db)) == ["cleo@example.com", "eve@example.com"]


def test_new_dates_drop_the_days_they_leave_out(db, conference):
    ada, bob = person(db, "Ada"), person(db, "Bob")
    register(db, conference, ada, in_person(conference, "London", WED, THU))
    register(db, conference, bob, in_person(conference, "Tokyo", WED))
    details = ConferenceDetails(
        name=conference.name, description=conference.description, starts_on=THU, ends_on=date(2027, 3, 27),
        time_zone=conference.time_zone, cfp_opens_local=None, cfp_closes_local=None,
        anonymised_review=False, reviewers_per_proposal=2,
    )

    changed = update_conference_settings(conference, details)
    db.session.commit()

    assert changed == 2
    assert statuses(db, conference, ada) == {THU: "registered"}
    assert statuses(db, conference, bob) == {}  # no day left: no registration
