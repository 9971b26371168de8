from datetime import UTC, date, datetime, time
from html.parser import HTMLParser

from sqlalchemy import select

from conference.accounts.models import User
from conference.proposals.models import AvailabilityAnswer, AvailabilityWindow
from tests.conference.proposals.conftest import count, make_user
from tests.factories import ConferenceFactory, HubFactory, SpeakerProfileFactory

PAGE = "/c/devcon/speaker/availability"


def _day(index, day, *times, unavailable=False):
    """One day's fields as the page posts them; ``times`` are start, end, start, end..."""
    data = {f"days-{index}-day": day.isoformat()}
    for row, (start, end) in enumerate(zip(times[::2], times[1::2], strict=True)):
        data[f"days-{index}-start_{row}"] = start
        data[f"days-{index}-end_{row}"] = end
    if unavailable:
        data[f"days-{index}-unavailable"] = "y"
    return data


class _Inputs(HTMLParser):
    """The page's form inputs, in order, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.autofocus: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag != "input" or "name" not in attributes:
            return
        if "autofocus" in attributes:
            self.autofocus.append(attributes["name"])
        if attributes.get("type") == "checkbox" and "checked" not in attributes:
            return
        self.fields.append((attributes["name"], attributes.get("value") or ""))


def _inputs(page) -> _Inputs:
    parser = _Inputs()
    parser.feed(page)
    return parser


def _as_shown(page) -> dict[str, str]:
    """What saving the page unchanged posts."""
    return dict(_inputs(page).fields)


def _rows(page, index) -> list[tuple[str, str]]:
    """Day ``index``'s rows as shown: (from, to) texts, empty rows included."""
    fields = dict(_inputs(page).fields)
    rows, row = [], 0
    while f"days-{index}-start_{row}" in fields:
        rows.append((fields[f"days-{index}-start_{row}"], fields[f"days-{index}-end_{row}"]))
        row += 1
    return rows


def _day_row(page, heading):
    """The table row of the day headed ``heading``, e.g. "Saturday 13 March 2027"."""
    return next(row for row in page.split("<tr>") if heading in row)


def _windows(db):
    db.session.expire_all()
    return [
        (w.starts_at, w.ends_at)
        for w in db.session.scalars(
            select(AvailabilityWindow).order_by(AvailabilityWindow.starts_at)
        )
    ]


def _new_york_conference(db, login):
    conference = ConferenceFactory(
        slug="devcon",
        time_zone="Europe/London",
        starts_on=date(2027, 3, 12),
        ends_on=date(2027, 3, 14),
    )
    user = make_user(time_zone="America/New_York")
    db.session.commit()
    login(user)
    return conference


DAYS = (date(2027, 3, 12), date(2027, 3, 13), date(2027, 3, 14))


def _days(*days):
    """Fields for each (day, start, end, start, end...) given; a day alone is not available."""
    data = {}
    for index, (day, *times) in enumerate(days):
        data.update(_day(index, day, *times) if times else _day(index, day, unavailable=True))
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


def _move_to_london(db):
    user = db.session.scalar(select(User))
    user.time_zone = "Europe/London"
    db.session.commit()


def test_default_availability_is_hub_working_hours_in_speakers_zone(client, db, login, now):
    conference = ConferenceFactory(
        slug="devcon", starts_on=date(2027, 3, 24), ends_on=date(2027, 3, 25)
    )
    hub = HubFactory(
        conference=conference,
        time_zone="Europe/London",
        working_day_starts=time(9, 0),
        working_day_ends=time(17, 30),
    )
    user = make_user(time_zone="America/New_York")
    SpeakerProfileFactory(conference=conference, user=user, hub_id=hub.id)
    db.session.commit()
    login(user)
    page = client.get(PAGE).get_data(as_text=True)
    assert "America/New_York" in page
    assert "You have not saved your availability yet" in page
    # 24 March 2027: London is on GMT, New York on EDT: 09:00-17:30 London is 05:00-13:30 there.
    assert _rows(page, 0) == [("05:00", "13:30"), ("", "")]
    assert 'name="days-0-start_0" step="900" type="time" value="05:00"' in page
    assert count(db, AvailabilityWindow) == 0


def test_default_without_hub_is_nine_to_half_past_five(client, db, login, now):
    ConferenceFactory(slug="devcon", starts_on=date(2027, 3, 24), ends_on=date(2027, 3, 24))
    db.session.commit()
    login(make_user(time_zone="Asia/Tokyo"))
    page = client.get(PAGE).get_data(as_text=True)
    assert _rows(page, 0) == [("09:00", "17:30"), ("", "")]


def test_saving_converts_with_the_offset_of_each_day_across_dst(client, db, login, now):
    _new_york_conference(db, login)
    data = _days(
        (DAYS[0], "09:00", "12:00", "13:00", "17:00"), (DAYS[1],), (DAYS[2], "09:00", "24:00")
    )
    response = client.post(PAGE, data=data)
    assert response.status_code == 302
    assert _windows(db) == [
        (datetime(2027, 3, 12, 14, 0, tzinfo=UTC), datetime(2027, 3, 12, 17, 0, tzinfo=UTC)),
        (datetime(2027, 3, 12, 18, 0, tzinfo=UTC), datetime(2027, 3, 12, 22, 0, tzinfo=UTC)),
        # New York moved to daylight saving time on 14 March: 09:00 is now 13:00 UTC.
        (datetime(2027, 3, 14, 13, 0, tzinfo=UTC), datetime(2027, 3, 15, 4, 0, tzinfo=UTC)),
    ]
    page = client.get(PAGE).get_data(as_text=True)
    # A browser's time input cannot hold 24:00: the closing midnight shows as an end of 00:00.
    assert _rows(page, 2) == [("09:00", "00:00"), ("", "")]
    assert 'value="24:00"' not in page
    assert 'id="days-1-unavailable" name="days-1-unavailable" type="checkbox" value="y"' in page
    # Summary in the conference's zone (London still on GMT).
    assert "Fri 12 Mar 14:00 – 17:00" in page
    assert "Sun 14 Mar 13:00 – Mon 15 Mar 04:00" in page


def test_saving_again_replaces_all_windows(client, db, login, now):
    _new_york_conference(db, login)
    client.post(PAGE, data=_days(*[(day, "09:00", "17:00") for day in DAYS]))
    assert len(_windows(db)) == 3
    client.post(PAGE, data=_days((DAYS[0], "10:00", "11:00"), (DAYS[1],), (DAYS[2],)))
    assert _windows(db) == [
        (datetime(2027, 3, 12, 15, 0, tzinfo=UTC), datetime(2027, 3, 12, 16, 0, tzinfo=UTC))
    ]


def test_invalid_ranges_are_form_errors_and_nothing_is_saved(client, db, login, now):
    _new_york_conference(db, login)
    data = _days(
        (DAYS[0], "12:00", "10:00"),  # end before start
        (DAYS[1], "09:00", "12:00", "11:00", "14:00"),  # overlap
        (DAYS[2], "09:10", "25:00"),  # off the grid, outside the day
    )
    response = client.post(PAGE, data=data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The end must be after the start." in text
    assert "11:00–14:00 overlaps 09:00–12:00" in text
    assert "not on a quarter hour" in text
    assert 'value="25:00"' in text  # input kept
    assert count(db, AvailabilityWindow) == 0


def test_empty_day_needs_a_range_or_not_available(client, db, login, now):
    _new_york_conference(db, login)
    data = {}
    data.update(_day(0, DAYS[0], "", ""))
    data.update(_day(1, DAYS[1], unavailable=True))
    data.update(_day(2, DAYS[2], "09:00", ""))
    text = client.post(PAGE, data=data).get_data(as_text=True)
    assert "Give at least one time range" in text
    assert "Give both a start and an end time" in text
    assert count(db, AvailabilityWindow) == 0


def test_not_available_on_any_day_is_kept_as_an_answer_not_taken_for_silence(
    client, db, login, now
):
    _new_york_conference(db, login)
    response = client.post(PAGE, data=_days(*[(day,) for day in DAYS]), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not available on any conference day. Your talks cannot be scheduled" in page
    assert "You have not saved your availability yet" not in page
    for index in range(3):
        assert f'checked id="days-{index}-unavailable"' in page
        assert _rows(page, index) == [("", "")]  # no suggested hours come back
    assert count(db, AvailabilityWindow) == 0
    assert count(db, AvailabilityAnswer) == 1
    # Giving one range again makes it an ordinary answer.
    page = client.post(
        PAGE, data=_days((DAYS[0], "10:00", "11:00"), (DAYS[1],), (DAYS[2],)), follow_redirects=True
    ).get_data(as_text=True)
    assert "Your availability is saved." in page and "cannot be scheduled" not in page
    assert count(db, AvailabilityAnswer) == 1


def test_after_a_change_of_zone_windows_across_midnight_show_on_both_days_and_survive_a_resave(
    client, db, login, now
):
    _new_york_conference(db, login)
    client.post(
        PAGE,
        data=_days(
            (DAYS[0], "18:00", "23:00"), (DAYS[1], "18:00", "23:00"), (DAYS[2], "09:00", "12:00")
        ),
    )
    saved = _windows(db)
    _move_to_london(db)
    page = client.get(PAGE).get_data(as_text=True)
    # 18:00-23:00 in New York (EST) is 23:00-04:00 in London: the hours after midnight are not cut off.
    assert _rows(page, 0) == [("23:00", "00:00"), ("", "")]
    assert _rows(page, 1) == [("00:00", "04:00"), ("23:00", "00:00"), ("", "")]
    # New York moved to daylight saving time on 14 March: 09:00-12:00 there is 13:00-16:00 here.
    assert _rows(page, 2) == [("00:00", "04:00"), ("13:00", "16:00"), ("", "")]
    assert client.post(PAGE, data=_as_shown(page)).status_code == 302
    assert _covered(_windows(db)) == saved


def test_more_saved_ranges_in_a_day_than_before_are_all_shown_and_saved_as_they_were(
    client, db, login, now
):
    _new_york_conference(db, login)
    client.post(
        PAGE,
        data=_days(
            (DAYS[0], "08:00", "09:00", "18:00", "23:00"),
            (DAYS[1], "08:00", "09:00", "18:00", "23:00"),
            (DAYS[2],),
        ),
    )
    saved = _windows(db)
    _move_to_london(db)
    page = client.get(PAGE).get_data(as_text=True)
    # In London, 13 March holds 00:00-04:00 (from the 12th), 13:00-14:00 and 23:00-24:00:
    # three ranges, none joined to another, so the gaps between them stay gaps.
    assert _rows(page, 1) == [("00:00", "04:00"), ("13:00", "14:00"), ("23:00", "00:00"), ("", "")]
    assert "more than two" not in page and "joins" not in page
    assert client.post(PAGE, data=_as_shown(page)).status_code == 302
    assert _covered(_windows(db)) == saved


def test_a_day_takes_as_many_ranges_as_needed(client, db, login, now):
    _new_york_conference(db, login)
    four = ("08:00", "09:00", "10:00", "11:00", "13:00", "14:00", "16:00", "24:00")
    response = client.post(PAGE, data=_days((DAYS[0], *four), (DAYS[1],), (DAYS[2],)))
    assert response.status_code == 302
    assert [(starts.hour, ends.hour) for starts, ends in _windows(db)] == [
        (13, 14),
        (15, 16),
        (18, 19),
        (21, 5),
    ]
    page = client.get(PAGE).get_data(as_text=True)
    assert _rows(page, 0) == [
        ("08:00", "09:00"),
        ("10:00", "11:00"),
        ("13:00", "14:00"),
        ("16:00", "00:00"),
        ("", ""),
    ]


def test_an_end_of_midnight_is_the_midnight_that_closes_the_day(client, db, login, now):
    _new_york_conference(db, login)
    data = _days((DAYS[0], "22:00", "00:00"), (DAYS[1], "00:00", "00:00"), (DAYS[2],))
    assert client.post(PAGE, data=data).status_code == 302
    assert _windows(db) == [
        (datetime(2027, 3, 13, 3, 0, tzinfo=UTC), datetime(2027, 3, 13, 5, 0, tzinfo=UTC)),
        (datetime(2027, 3, 13, 5, 0, tzinfo=UTC), datetime(2027, 3, 14, 5, 0, tzinfo=UTC)),
    ]


def test_ranges_may_be_typed_in_any_order_and_empty_rows_are_left_out(client, db, login, now):
    _new_york_conference(db, login)
    data = _days((DAYS[0], "13:00", "14:00", "", "", "09:00", "10:00"), (DAYS[1],), (DAYS[2],))
    assert client.post(PAGE, data=data).status_code == 302
    assert _windows(db) == [
        (datetime(2027, 3, 12, 14, 0, tzinfo=UTC), datetime(2027, 3, 12, 15, 0, tzinfo=UTC)),
        (datetime(2027, 3, 12, 18, 0, tzinfo=UTC), datetime(2027, 3, 12, 19, 0, tzinfo=UTC)),
    ]


def test_rows_are_read_in_order_whatever_their_numbers(client, db, login, now):
    """A page posted with other row numbers (one from before rows were counted from 0) still saves."""
    _new_york_conference(db, login)
    data = _days((DAYS[0],), (DAYS[1],), (DAYS[2],))
    del data["days-0-unavailable"]
    data.update({"days-0-start_1": "09:00", "days-0-end_1": "10:00"})
    data.update({"days-0-start_5": "11:00", "days-0-end_5": "12:00"})
    assert client.post(PAGE, data=data).status_code == 302
    assert [(starts.hour, ends.hour) for starts, ends in _windows(db)] == [(14, 15), (16, 17)]


def test_overlapping_ranges_are_an_error_on_that_days_row_and_nothing_is_saved(
    client, db, login, now
):
    _new_york_conference(db, login)
    data = _days(
        (DAYS[0], "09:00", "10:00"),
        # 12:00-13:00 overlaps 09:00-17:00 although 10:00-11:00 comes between them.
        (DAYS[1], "09:00", "17:00", "10:00", "11:00", "12:00", "13:00"),
        (DAYS[2], "09:00", "10:00", "10:00", "11:00"),  # touching is fine
    )
    response = client.post(PAGE, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    saturday = _day_row(page, "Saturday 13 March 2027")
    assert "10:00–11:00 overlaps 09:00–17:00; join them into one range." in saturday
    assert "12:00–13:00 overlaps 09:00–17:00; join them into one range." in saturday
    assert 'aria-describedby="days-1-start_2-error" aria-invalid="true"' in saturday
    assert "overlaps" not in _day_row(page, "Sunday 14 March 2027")
    assert _rows(page, 1) == [("09:00", "17:00"), ("10:00", "11:00"), ("12:00", "13:00")]
    assert count(db, AvailabilityWindow) == 0 and count(db, AvailabilityAnswer) == 0


def _quarter_hours(count, start="08:00"):
    """``count`` quarter-hour ranges with quarter-hour gaps from ``start``: start, end, start..."""
    hours, minutes = map(int, start.split(":"))
    first = hours * 60 + minutes
    times = []
    for index in range(count):
        for minute in (first + 30 * index, first + 30 * index + 15):
            times.append(f"{minute // 60:02d}:{minute % 60:02d}")
    return times


def test_more_ranges_than_the_limit_is_an_error_not_a_cut(client, db, login, now):
    _new_york_conference(db, login)
    thirteen = _quarter_hours(13)
    response = client.post(PAGE, data=_days((DAYS[0], *thirteen), (DAYS[1],), (DAYS[2],)))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A day holds at most 12 ranges; join some of them into one." in _day_row(
        page, "Friday 12 March 2027"
    )
    assert len(_rows(page, 0)) == 13  # nothing typed is dropped
    assert count(db, AvailabilityWindow) == 0


def test_add_a_range_shows_one_more_empty_row_and_keeps_what_was_typed(client, db, login, now):
    _new_york_conference(db, login)
    data = _days(
        (DAYS[0], "09:00", "10:00", "11:00", "12:00"), (DAYS[1], "08:00", "25:00"), (DAYS[2],)
    )
    response = client.post(PAGE, data={**data, "add_range": "2027-03-12"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _rows(page, 0) == [("09:00", "10:00"), ("11:00", "12:00"), ("", "")]
    assert _inputs(page).autofocus == ["days-0-start_2"]
    # The rest as typed, unchecked: only saving checks it.
    assert _rows(page, 1) == [("08:00", "25:00")]
    assert 'checked id="days-2-unavailable"' in page
    assert "field-error" not in page
    assert count(db, AvailabilityWindow) == 0 and count(db, AvailabilityAnswer) == 0
    # The new row is an ordinary one: filled in and saved.
    shown = _as_shown(page)
    shown.update({"days-0-start_2": "13:00", "days-0-end_2": "14:00", "days-1-end_0": "10:00"})
    assert client.post(PAGE, data=shown).status_code == 302
    assert len(_windows(db)) == 4


def test_enter_in_a_time_field_saves_rather_than_adds_a_range(client, db, login, now):
    _new_york_conference(db, login)
    page = client.get(PAGE).get_data(as_text=True)
    form = page[page.rindex("<form", 0, page.index('name="days-0-day"')) :]
    # Browsers press a form's first submit button when Enter is pressed in one of its fields.
    first_button = form[form.index("<button") : form.index("</button>")]
    assert "Save availability" in first_button and "add_range" not in first_button
    assert form.count('name="add_range"') == 3


def test_add_a_range_stops_at_the_limit_with_a_reason(client, db, login, now):
    _new_york_conference(db, login)
    twelve = _quarter_hours(12)
    assert (
        client.post(PAGE, data=_days((DAYS[0], *twelve), (DAYS[1],), (DAYS[2],))).status_code == 302
    )
    page = client.get(PAGE).get_data(as_text=True)
    assert len(_rows(page, 0)) == 12  # no empty row, and no button for more
    assert 'name="add_range" value="2027-03-12"' not in page
    assert 'name="add_range" value="2027-03-13"' in page
    response = client.post(PAGE, data={**_as_shown(page), "add_range": "2027-03-12"})
    page = response.get_data(as_text=True)
    assert len(_rows(page, 0)) == 12
    assert "A day holds at most 12 ranges" in _day_row(page, "Friday 12 March 2027")


def test_a_day_over_the_limit_after_a_change_of_zone_still_saves_as_shown(client, db, login, now):
    _new_york_conference(db, login)
    # Twelve short ranges each evening in New York (EST, five hours behind London) ...
    evening = _quarter_hours(12, start="18:00")
    morning = _quarter_hours(3, start="08:00")
    client.post(PAGE, data=_days((DAYS[0], *evening), (DAYS[1], *morning), (DAYS[2],)))
    saved = _windows(db)
    _move_to_london(db)
    page = client.get(PAGE).get_data(as_text=True)
    # ... are ten after London's midnight on the 13th, with three more that afternoon.
    assert len(_rows(page, 1)) == 13
    assert 'name="add_range" value="2027-03-13"' not in page
    assert client.post(PAGE, data=_as_shown(page)).status_code == 302
    assert _covered(_windows(db)) == saved
