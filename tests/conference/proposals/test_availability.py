from datetime import UTC, date, datetime, time

from sqlalchemy import select

from conference.accounts.models import User
from conference.proposals.models import AvailabilityAnswer, AvailabilityWindow
from tests.conference.proposals.conftest import count, make_user
from tests.factories import ConferenceFactory, HubFactory, SpeakerProfileFactory


def _day(index, day, start_1="", end_1="", start_2="", end_2="", unavailable=False):
    data = {
        f"days-{index}-day": day.isoformat(),
        f"days-{index}-start_1": start_1, f"days-{index}-end_1": end_1,
        f"days-{index}-start_2": start_2, f"days-{index}-end_2": end_2,
    }
    if unavailable:
        data[f"days-{index}-unavailable"] = "y"
    return data


def _windows(db):
    db.session.expire_all()
    return [(w.starts_at, w.ends_at) for w in
            db.session.scalars(select(AvailabilityWindow).order_by(AvailabilityWindow.starts_at))]


def _new_york_conference(db, login):
    conference = ConferenceFactory(
        slug="devcon", time_zone="Europe/London",
        starts_on=date(2027, 3, 12), ends_on=date(2027, 3, 14),
    )
    user = make_user(time_zone="America/New_York")
    db.session.commit()
    login(user)
    return conference


def test_default_availability_is_hub_working_hours_in_speakers_zone(client, db, login, now):
    conference = ConferenceFactory(slug="devcon", starts_on=date(2027, 3, 24), ends_on=date(2027, 3, 25))
    hub = HubFactory(conference=conference, time_zone="Europe/London",
                     working_day_starts=time(9, 0), working_day_ends=time(17, 30))
    user = make_user(time_zone="America/New_York")
    SpeakerProfileFactory(conference=conference, user=user, hub_id=hub.id)
    db.session.commit()
    login(user)
    page = client.get("/c/devcon/speaker/availability").get_data(as_text=True)
    assert "America/New_York" in page
    assert "You have not saved your availability yet" in page
    # 24 March 2027: London is on GMT, New York on EDT: 09:00-17:30 London is 05:00-13:30 there.
    assert 'name="days-0-start_1" step="900" type="time" value="05:00"' in page
    assert 'name="days-0-end_1" step="900" type="time" value="13:30"' in page
    assert count(db, AvailabilityWindow) == 0


def test_default_without_hub_is_nine_to_half_past_five(client, db, login, now):
    ConferenceFactory(slug="devcon", starts_on=date(2027, 3, 24), ends_on=date(2027, 3, 24))
    db.session.commit()
    login(make_user(time_zone="Asia/Tokyo"))
    page = client.get("/c/devcon/speaker/availability").get_data(as_text=True)
    assert 'value="09:00"' in page and 'value="17:30"' in page


def test_saving_converts_with_the_offset_of_each_day_across_dst(client, db, login, now):
    _new_york_conference(db, login)
    data = {}
    data.update(_day(0, date(2027, 3, 12), "09:00", "12:00", "13:00", "17:00"))
    data.update(_day(1, date(2027, 3, 13), unavailable=True))
    data.update(_day(2, date(2027, 3, 14), "09:00", "24:00"))
    response = client.post("/c/devcon/speaker/availability", data=data)
    assert response.status_code == 302
    assert _windows(db) == [
        (datetime(2027, 3, 12, 14, 0, tzinfo=UTC), datetime(2027, 3, 12, 17, 0, tzinfo=UTC)),
        (datetime(2027, 3, 12, 18, 0, tzinfo=UTC), datetime(2027, 3, 12, 22, 0, tzinfo=UTC)),
        # New York moved to daylight saving time on 14 March: 09:00 is now 13:00 UTC.
        (datetime(2027, 3, 14, 13, 0, tzinfo=UTC), datetime(2027, 3, 15, 4, 0, tzinfo=UTC)),
    ]
    page = client.get("/c/devcon/speaker/availability").get_data(as_text=True)
    assert 'name="days-2-start_1" step="900" type="time" value="09:00"' in page
    assert 'name="days-2-end_1" step="900" type="time" value="24:00"' in page
    assert 'id="days-1-unavailable" name="days-1-unavailable" type="checkbox" value="y"' in page
    # Summary in the conference's zone (London still on GMT).
    assert "Fri 12 Mar 14:00 – 17:00" in page
    assert "Sun 14 Mar 13:00 – Mon 15 Mar 04:00" in page


def test_saving_again_replaces_all_windows(client, db, login, now):
    _new_york_conference(db, login)
    days = [date(2027, 3, 12), date(2027, 3, 13), date(2027, 3, 14)]
    first = {}
    for index, day in enumerate(days):
        first.update(_day(index, day, "09:00", "17:00"))
    client.post("/c/devcon/speaker/availability", data=first)
    assert len(_windows(db)) == 3
    second = {}
    for index, day in enumerate(days):
        second.update(_day(index, day, "10:00", "11:00") if index == 0 else _day(index, day, unavailable=True))
    client.post("/c/devcon/speaker/availability", data=second)
    assert _windows(db) == [
        (datetime(2027, 3, 12, 15, 0, tzinfo=UTC), datetime(2027, 3, 12, 16, 0, tzinfo=UTC))
    ]


def test_invalid_ranges_are_form_errors_and_nothing_is_saved(client, db, login, now):
    _new_york_conference(db, login)
    data = {}
    data.update(_day(0, date(2027, 3, 12), "12:00", "10:00"))  # end before start
    data.update(_day(1, date(2027, 3, 13), "09:00", "12:00", "11:00", "14:00"))  # overlap
    data.update(_day(2, date(2027, 3, 14), "09:10", "25:00"))  # off the grid, outside the day
    response = client.post("/c/devcon/speaker/availability", data=data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The end must be after the start." in text
    assert "The two ranges overlap" in text
    assert "not on a quarter hour" in text
    assert 'value="25:00"' in text  # input kept
    assert count(db, AvailabilityWindow) == 0


def test_empty_day_needs_a_range_or_not_available(client, db, login, now):
    _new_york_conference(db, login)
    data = {}
    data.update(_day(0, date(2027, 3, 12)))
    data.update(_day(1, date(2027, 3, 13), unavailable=True))
    data.update(_day(2, date(2027, 3, 14), "09:00", ""))
    text = client.post("/c/devcon/speaker/availability", data=data).get_data(as_text=True)
    assert "Give at least one time range" in text
    assert "Give both a start and an end time" in text
    assert count(db, AvailabilityWindow) == 0


def _days(*days):
    data = {}
    for index, (day, *ranges) in enumerate(days):
        data.update(_day(index, day, *ranges) if ranges else _day(index, day, unavailable=True))
    return data


def _covered(windows):
    """The windows with touching ones joined: what a speaker can do, however it was split."""
    joined = []
    for starts_at, ends_at in sorted(windows):
        if joined and starts_at <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], ends_at))
        else:
            joined.append((starts_at, ends_at))
    return joined


def test_not_available_on_any_day_is_kept_as_an_answer_not_taken_for_silence(client, db, login, now):
    _new_york_conference(db, login)
    days = (date(2027, 3, 12), date(2027, 3, 13), date(2027, 3, 14))
    response = client.post("/c/devcon/speaker/availability", data=_days(*[(day,) for day in days]),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not available on any conference day. Your talks cannot be scheduled" in page
    assert "You have not saved your availability yet" not in page
    for index in range(3):
        assert f'checked id="days-{index}-unavailable"' in page
    assert 'value="09:00"' not in page  # no suggested hours come back
    assert count(db, AvailabilityWindow) == 0
    assert count(db, AvailabilityAnswer) == 1
    # Giving one range again makes it an ordinary answer.
    page = client.post("/c/devcon/speaker/availability",
                       data=_days((days[0], "10:00", "11:00"), (days[1],), (days[2],)),
                       follow_redirects=True).get_data(as_text=True)
    assert "Your availability is saved." in page and "cannot be scheduled" not in page
    assert count(db, AvailabilityAnswer) == 1


def test_after_a_change_of_zone_windows_across_midnight_show_on_both_days_and_survive_a_resave(
    client, db, login, now
):
    _new_york_conference(db, login)
    days = (date(2027, 3, 12), date(2027, 3, 13), date(2027, 3, 14))
    client.post("/c/devcon/speaker/availability",
                data=_days((days[0], "18:00", "23:00"), (days[1], "18:00", "23:00"), (days[2], "09:00", "12:00")))
    saved = _windows(db)
    user = db.session.scalar(select(User))
    user.time_zone = "Europe/London"
    db.session.commit()
    page = client.get("/c/devcon/speaker/availability").get_data(as_text=True)
    # 18:00-23:00 in New York (EST) is 23:00-04:00 in London: the hours after midnight are not cut off.
    assert 'name="days-0-start_1" step="900" type="time" value="23:00"' in page
    assert 'name="days-1-start_1" step="900" type="time" value="00:00"' in page
    assert 'name="days-1-end_1" step="900" type="time" value="04:00"' in page
    assert 'name="days-1-start_2" step="900" type="time" value="23:00"' in page
    assert 'name="days-2-start_1" step="900" type="time" value="00:00"' in page
    assert 'name="days-2-end_1" step="900" type="time" value="04:00"' in page
    assert 'name="days-2-start_2" step="900" type="time" value="13:00"' in page
    assert "more than two" not in page
    client.post("/c/devcon/speaker/availability",
                data=_days((days[0], "23:00", "24:00"), (days[1], "00:00", "04:00", "23:00", "24:00"),
                           (days[2], "00:00", "04:00", "13:00", "16:00")))
    assert _covered(_windows(db)) == saved


def test_more_saved_ranges_than_the_form_holds_are_named_before_they_are_joined(client, db, login, now):
    _new_york_conference(db, login)
    days = (date(2027, 3, 12), date(2027, 3, 13), date(2027, 3, 14))
    client.post("/c/devcon/speaker/availability",
                data=_days((days[0], "08:00", "09:00", "18:00", "23:00"),
                           (days[1], "08:00", "09:00", "18:00", "23:00"), (days[2],)))
    user = db.session.scalar(select(User))
    user.time_zone = "Europe/London"
    db.session.commit()
    page = client.get("/c/devcon/speaker/availability").get_data(as_text=True)
    # In London, 13 March holds 00:00-04:00 (from the 12th), 13:00-14:00 and 23:00-24:00.
    assert "more than two" in page and "Saturday 13 March (00:00–04:00, 13:00–14:00, 23:00–24:00)" in page
    assert 'name="days-1-start_1" step="900" type="time" value="00:00"' in page
    assert 'name="days-1-end_1" step="900" type="time" value="14:00"' in page
    assert 'name="days-1-start_2" step="900" type="time" value="23:00"' in page
