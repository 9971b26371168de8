"""Feedback times in the hour the clocks show twice carry their UTC offset.

Europe/London, Sunday 27 October 2024: at 02:00 BST (UTC+01:00) the clocks go back to 01:00
GMT (UTC+00:00), so 01:30 happens twice. America/New_York does the same on the first Sunday
of November (01:30 EDT, UTC-04:00, then 01:30 EST, UTC-05:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from conference.core.timezones import offset_changes
from conference.core.types import utcnow
from conference.feedback.queries import EDIT_DAYS_SETTING
from tests.conference.feedback.conftest import make_talk, make_user

LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def url(scheduled) -> str:
    return f"/c/summit/talks/{scheduled.proposal_id}/feedback"


def next_fall_back() -> tuple[str, date]:
    """The zone (London or New York) whose clocks go back next, at least two days from now and
    within the longest feedback period (a year), and that day."""
    start = datetime.combine(utcnow().date() + timedelta(days=2), time.min, UTC)
    found = []
    for zone_name in (LONDON, NEW_YORK):
        changes = offset_changes(zone_name, start, start + timedelta(days=360))
        changed_at = next(at for at, before, after in changes if after < before)
        found.append((changed_at, zone_name))
    changed_at, zone_name = min(found)
    return zone_name, changed_at.astimezone(ZoneInfo(zone_name)).date()


@pytest.mark.parametrize(
    ("zone_name", "closes", "day", "offsets"),
    [
        (LONDON, ((10, 27, 0, 30), (10, 27, 1, 30)), "Sun 27 Oct 2024", ("UTC+01:00", "UTC+00:00")),
        (NEW_YORK, ((11, 3, 5, 30), (11, 3, 6, 30)), "Sun 03 Nov 2024", ("UTC-04:00", "UTC-05:00")),
    ],
)
def test_closed_feedback_says_which_0130_it_closed_at(
    client, login, conference, places, published, db, zone_name, closes, day, offsets
):
    # Both 01:30s of the fall-back day (in UTC); the default feedback period is 14 days.
    talks = [
        make_talk(published, places.thames, datetime(2024, *at, tzinfo=UTC) - timedelta(days=14))
        for at in closes
    ]
    login(make_user(time_zone=zone_name))

    pages = [client.get(url(talk)).get_data(as_text=True) for talk in talks]

    for page, offset in zip(pages, offsets, strict=True):
        assert f"ended at {day}, 01:30 {offset} ({zone_name})" in page


def test_open_feedback_gives_the_close_time_in_the_repeated_hour_with_its_offset(
    client, login, conference, places, published, questions, db
):
    zone_name, fall_back = next_fall_back()
    # The second 01:30 (GMT or EST), as fold=1 picks it.
    local = datetime.combine(fall_back, time(1, 30, fold=1), ZoneInfo(zone_name))
    closes_at = local.astimezone(UTC)
    edit_days = (closes_at - utcnow()).days + 1
    conference.settings = {**(conference.settings or {}), EDIT_DAYS_SETTING: edit_days}
    talk = make_talk(published, places.hudson, closes_at - timedelta(days=edit_days))
    login(make_user(time_zone=zone_name))
    offset = "UTC+00:00" if zone_name == LONDON else "UTC-05:00"
    expected = f"{fall_back:%a %d %b %Y}, 01:30 {offset}"

    form = client.get(url(talk)).get_data(as_text=True)
    useful = questions[0]
    saved = client.post(
        url(talk), data={f"answer_{useful.id}": "4", "lock_version": "0"}, follow_redirects=True
    )
    talk_page = client.get(f"/c/summit/agenda/talks/{talk.proposal_id}").get_data(as_text=True)

    assert f"You can change your feedback until {expected}" in form
    assert f"You can change it until {expected} ({zone_name})" in saved.get_data(as_text=True)
    assert f"(until {expected}" in talk_page


def test_times_on_other_days_keep_their_plain_form(client, login, conference, places, published, db):
    talk = make_talk(published, places.thames, datetime(2024, 6, 2, 12, tzinfo=UTC))
    login(make_user(time_zone="Europe/London"))

    html = client.get(url(talk)).get_data(as_text=True)

    assert "ended at Sun 16 Jun 2024, 13:00 (Europe/London)" in html
    assert "Sun 02 Jun 2024, 12:30–13:00 <span" in html


def test_the_talks_own_time_on_the_fall_back_day_shows_its_offsets(
    client, login, conference, places, published, db
):
    # 01:00–01:30 GMT, the second time round: 00:00 BST would be the hour before.
    talk = make_talk(published, places.thames, datetime(2024, 10, 27, 1, 30, tzinfo=UTC))
    login(make_user(time_zone="Europe/London"))

    html = client.get(url(talk)).get_data(as_text=True)

    assert "Sun 27 Oct 2024, 01:00–01:30 UTC+00:00" in html


def test_the_reminder_e_mail_says_which_0100_the_talk_ran_at(db, conference, places, published):
    # 01:00–01:30 GMT, London's second 01:00 of the day; reminders go out up to 14 days later.
    from conference.feedback import operations
    from conference.mail.models import OutboxMessage
    from tests.conference.feedback.conftest import star

    talk = make_talk(published, places.thames, datetime(2024, 10, 27, 1, 30, tzinfo=UTC))
    star(make_user(time_zone=LONDON), talk.proposal)
    db.session.commit()

    operations.queue_conference_reminders(conference, now=datetime(2024, 10, 27, 2, tzinfo=UTC))
    (message,) = db.session.scalars(db.select(OutboxMessage))

    assert f"Sun 27 Oct 2024, 01:00–01:30 UTC+00:00 {LONDON}" in message.body
