"""A speaker's availability page in a real browser: time inputs, "Add a range", Enter to save."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from conference.extensions import db
from conference.proposals.models import AvailabilityWindow
from tests.conference.proposals.test_availability import _covered
from tests.factories import DEFAULT_PASSWORD, ConferenceFactory, UserFactory

pytestmark = pytest.mark.browser


def _utc(day, hour):
    return datetime(2027, 3, day, hour, tzinfo=UTC)


def test_a_third_range_is_added_and_saved_with_enter_keeping_a_range_across_midnight(
    live_server, browser
):
    app, base_url = live_server
    with app.app_context():
        conference = ConferenceFactory(slug="summit")  # 24-26 March 2027
        speaker = UserFactory(email="kenji@example.com", time_zone="Asia/Tokyo")
        db.session.flush()
        db.session.add_all(
            [
                # 09:00-18:00 in Tokyo on the 24th.
                AvailabilityWindow(
                    conference_id=conference.id, user=speaker, starts_at=_utc(24, 0), ends_at=_utc(24, 9)
                ),
                # 22:00 on the 24th to 02:00 on the 25th in Tokyo: across the speaker's midnight.
                AvailabilityWindow(
                    conference_id=conference.id, user=speaker, starts_at=_utc(24, 13), ends_at=_utc(24, 17)
                ),
            ]
        )
        db.session.commit()
        conference_id, speaker_id = conference.id, speaker.id
        db.session.remove()

    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill("kenji@example.com")
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    page.goto(f"{base_url}/c/summit/speaker/availability")

    first_day = [
        (page.locator(f'input[name="days-0-start_{row}"]').input_value(),
         page.locator(f'input[name="days-0-end_{row}"]').input_value())
        for row in range(3)
    ]
    page.get_by_role("button", name="Add a range on Wednesday 24 March").click()
    page.wait_for_load_state()
    added_start = page.locator('input[name="days-0-start_3"]')
    focused = added_start.evaluate("element => element === document.activeElement")
    added_start.fill("19:00")
    page.locator('input[name="days-0-end_3"]').fill("20:00")
    page.locator('input[name="days-0-end_3"]').press("Enter")
    page.wait_for_load_state()
    saved_message = page.content()
    context.close()

    # The browser held the range ending at the speaker's midnight (a time input cannot hold 24:00).
    assert first_day == [("09:00", "18:00"), ("22:00", "00:00"), ("", "")]
    assert focused
    assert "saved" in saved_message.lower()
    with app.app_context():
        windows = db.session.scalars(
            select(AvailabilityWindow).where(
                AvailabilityWindow.conference_id == conference_id,
                AvailabilityWindow.user_id == speaker_id,
            )
        ).all()
        saved = _covered((window.starts_at, window.ends_at) for window in windows)
    # 19:00-20:00 in Tokyo is 10:00-11:00 UTC; the range across midnight kept both of its ends.
    assert saved == [(_utc(24, 0), _utc(24, 9)), (_utc(24, 10), _utc(24, 11)), (_utc(24, 13), _utc(24, 17))]
