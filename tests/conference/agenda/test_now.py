"""'Now and next': what runs at this minute and what starts within two hours, per viewer zone.

The current instant is `utcnow` as `conference.agenda.views` sees it; the `clock` fixture sets it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from conference.agenda.queries import wait_text
from conference.proposals.models import ProposalState
from tests.conference.agenda.conftest import make_talk, make_user, place_again, utc
from tests.factories import InterestMarkFactory, ScheduleVersionFactory
from tests.statements import statements_for_page

NOW = "/c/summit/agenda/now"


@pytest.fixture
def clock(monkeypatch):
    """Sets the instant the agenda takes as now."""

    def set_to(instant: datetime) -> None:
        monkeypatch.setattr("conference.agenda.views.utcnow", lambda: instant)

    return set_to


def page(client, **args) -> str:
    response = client.get(NOW, query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, name: str) -> str:
    """The HTML of the page's "now" or "next" section ("" when it has none)."""
    found = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    return found.group(0) if found else ""


def titles(html: str) -> list[str]:
    return re.findall(r'class="agenda-talk-title">([^<]*)</a>', html)


def test_now_shows_a_running_talk_with_the_minutes_left(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Running talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 10, 18) + timedelta(seconds=40))

    html = page(client, tz="Europe/London")

    now = section(html, "now")
    assert titles(now) == ["Running talk"]
    assert "10:00–10:30" in now
    assert "ends in 12 min" in now
    assert "Thames · London" in now
    assert "Times in <strong data-agenda-zone>Europe/London (UTC+00:00)</strong>" in html


def test_now_lists_next_only_talks_starting_within_two_hours(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Running talk")
    make_talk(published, places.hudson, utc(2027, 3, 12, 10, 45), title="In 30 minutes")
    make_talk(published, places.stream, utc(2027, 3, 12, 12, 15), title="In two hours")
    make_talk(published, places.thames, utc(2027, 3, 12, 13, 15), title="In three hours")
    make_talk(published, places.hudson, utc(2027, 3, 12, 9), title="Ended talk")
    make_talk(published, places.stream, utc(2027, 3, 12, 10), minutes=15, title="Just ended")
    db.session.commit()
    clock(utc(2027, 3, 12, 10, 15))

    html = page(client, tz="UTC")

    assert titles(section(html, "now")) == ["Running talk"]
    following = section(html, "next")
    assert "starting within the next 2 hours" in following
    assert titles(following) == ["In 30 minutes", "In two hours"]
    assert "starts in 30 min" in following and "starts in 2 h" in following
    for gone in ("In three hours", "Ended talk", "Just ended"):
        assert gone not in html


def test_now_orders_next_by_start(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 11), title="Later")
    make_talk(published, places.hudson, utc(2027, 3, 12, 10, 30), title="Sooner")
    db.session.commit()
    clock(utc(2027, 3, 12, 10, 20))

    html = page(client, tz="UTC")

    assert titles(section(html, "next")) == ["Sooner", "Later"]
    assert "starts in 10 min" in html and "starts in 40 min" in html


def test_now_hides_withdrawn_and_draft_only_talks(client, clock, conference, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Kept talk")
    make_talk(
        published,
        places.hudson,
        utc(2027, 3, 12, 10),
        title="Withdrawn talk",
        state=ProposalState.WITHDRAWN,
    )
    make_talk(
        published,
        places.stream,
        utc(2027, 3, 12, 10, 30),
        title="Withdrawn later",
        state=ProposalState.WITHDRAWN,
    )
    draft = ScheduleVersionFactory(conference=conference, is_draft=True, number=None)
    make_talk(draft, places.stream, utc(2027, 3, 12, 10), title="Draft only talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 10, 5))

    html = page(client, tz="UTC")

    assert titles(html) == ["Kept talk"]


def test_now_shows_only_the_newest_published_version(
    client, clock, conference, places, published, db
):
    moved = make_talk(published, places.thames, utc(2027, 3, 12, 8), title="Moved talk")
    newer = ScheduleVersionFactory(conference=conference, is_draft=False, number=2)
    place_again(newer, moved, starts_at=utc(2027, 3, 12, 10))
    db.session.commit()
    clock(utc(2027, 3, 12, 8, 10))

    html = page(client, tz="UTC")

    assert "Moved talk" not in section(html, "now")
    assert titles(section(html, "next")) == ["Moved talk"]


def test_now_groups_running_talks_by_hub_with_online_streams_last(
    client, clock, places, published, db
):
    make_talk(published, places.stream, utc(2027, 3, 12, 14), title="Stream talk")
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Thames talk")
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), title="Hudson talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    now = section(page(client, tz="UTC"), "now")

    headings = re.findall(r'<h3 class="now-hub">([^<]*)', now)
    assert [heading.strip() for heading in headings] == ["London", "New York", "Online streams"]
    assert titles(now) == ["Thames talk", "Hudson talk", "Stream talk"]
    # Each hub's own clock: 14:10 in London, 09:10 in New York.
    assert "local time 14:10" in now and "local time 09:10" in now


def test_now_gives_join_links_where_the_talk_page_does(app, client, clock, places, published, db):
    app.config["STREAM_BASE_URL"] = "https://stream.example/"
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Room only")
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), title="Streamed room")
    make_talk(published, places.stream, utc(2027, 3, 12, 14, 30), title="Online")
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    html = page(client, tz="UTC")

    links = re.findall(r'<a href="(https://stream\.example/[^"]*)" class="join-link"', html)
    assert links == [
        f"https://stream.example/room-{places.hudson.id}",
        f"https://stream.example/room-{places.stream.id}",
    ]
    assert "Room only" in html


def test_now_shows_speakers_track_and_mode(client, clock, places, published, db):
    speaker = make_user(display_name="Grace Hopper")
    make_talk(
        published,
        places.hudson,
        utc(2027, 3, 12, 14),
        title="Compilers",
        track=places.data,
        speaker=speaker,
    )
    db.session.commit()
    clock(utc(2027, 3, 12, 14))

    now = section(page(client, tz="UTC"), "now")

    assert "Grace Hopper" in now
    assert "Data" in now and "track-swatch" in now
    assert '<span class="badge mode-hybrid">Hybrid</span>' in now
    assert "ends in 30 min" in now  # a talk starting this minute runs now


def test_now_on_the_day_new_york_clocks_change_labels_both_offsets(
    client, clock, places, published, db
):
    # Sunday 14 March 2027: at 02:00 EST (UTC-5) New York's clocks go to 03:00 EDT (UTC-4).
    make_talk(published, places.hudson, utc(2027, 3, 14, 14), title="Sunday talk")
    make_talk(published, places.hudson, utc(2027, 3, 14, 15), title="Sunday later")
    db.session.commit()
    clock(utc(2027, 3, 14, 14, 5))

    html = page(client, tz="America/New_York")

    assert (
        "Times in <strong data-agenda-zone>"
        "America/New_York (UTC-05:00 until 02:00, then UTC-04:00)</strong>" in html
    )
    assert "10:00–10:30 UTC-04:00" in section(html, "now")
    assert "11:00–11:30 UTC-04:00" in section(html, "next")


def test_now_in_london_on_new_yorks_change_day_keeps_plain_times(
    client, clock, places, published, db
):
    make_talk(published, places.hudson, utc(2027, 3, 14, 14), title="Sunday talk")
    db.session.commit()
    clock(utc(2027, 3, 14, 14, 5))

    html = page(client, tz="Europe/London")

    assert "Europe/London (UTC+00:00)" in html
    assert "14:00–14:30" in html and "14:00–14:30 UTC" not in html
    # New York's own clock in its heading says which offset it reads.
    assert "local time 10:05 UTC-04:00" in html


def test_now_before_the_conference_says_when_it_starts(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Opening")
    make_talk(published, places.thames, utc(2027, 3, 13, 9), title="Second day")
    db.session.commit()
    clock(utc(2027, 3, 9, 9, 30))

    html = page(client, tz="Europe/London")

    assert (
        "The conference starts on <strong>Fri 12 Mar 2027, 09:00 Europe/London</strong>, "
        "in 3 days." in html
    )
    assert 'href="/c/summit/agenda/?tz=Europe/London">See the agenda</a>' in html
    assert section(html, "now") == "" and section(html, "next") == ""


def test_now_shortly_before_the_conference_lists_the_first_talks(
    client, clock, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Opening")
    db.session.commit()
    clock(utc(2027, 3, 12, 8, 35))

    html = page(client, tz="Asia/Kolkata")

    assert "The conference starts on <strong>Fri 12 Mar 2027, 14:30 Asia/Kolkata</strong>" in html
    assert "in 25 min" in html
    assert titles(section(html, "next")) == ["Opening"]
    assert "starts in 25 min" in html


def test_now_after_the_last_talk_says_the_conference_is_over(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Opening")
    make_talk(published, places.hudson, utc(2027, 3, 15, 20), title="Closing")
    db.session.commit()
    clock(utc(2027, 3, 15, 20, 30))

    html = page(client, tz="UTC")

    assert "The conference is over: its last talk ended on Mon 15 Mar 2027, 20:30." in html
    assert 'href="/c/summit/agenda/catch-up?tz=UTC"' in html
    assert 'href="/archive"' in html
    assert titles(html) == []


def test_now_between_sessions_says_nothing_runs_and_when_the_next_starts(
    client, clock, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 17), title="Evening talk")
    make_talk(published, places.hudson, utc(2027, 3, 13, 14), title="Next day talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 22))

    html = page(client, tz="Europe/London")

    now = section(html, "now")
    assert "Nothing is running right now." in now
    assert "The next talk starts on <strong>Sat 13 Mar 2027, 14:00</strong>, in 16 h." in now
    assert "Nothing starts within the next 2 hours." in section(html, "next")
    assert titles(html) == []


def test_now_with_talks_running_names_the_next_start_beyond_two_hours(
    client, clock, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 17), title="Evening talk")
    make_talk(published, places.hudson, utc(2027, 3, 12, 21), title="Late talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 17, 10))

    following = section(page(client, tz="UTC"), "next")

    assert "Nothing starts within the next 2 hours." in following
    assert (
        "The next talk starts on <strong>Fri 12 Mar 2027, 21:00</strong>, in 3 h 50 min."
        in following
    )


def test_now_filters_by_hub_including_online(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Thames talk")
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), title="Hudson talk")
    make_talk(published, places.stream, utc(2027, 3, 12, 14, 30), title="Stream talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    assert titles(page(client, tz="UTC", hub=str(places.london.id))) == ["Thames talk"]
    assert titles(page(client, tz="UTC", hub=str(places.new_york.id))) == ["Hudson talk"]
    assert titles(page(client, tz="UTC", hub="online")) == ["Stream talk"]


def test_now_filters_by_track_and_mode(client, clock, places, published, db):
    make_talk(
        published, places.thames, utc(2027, 3, 12, 14), title="Platform talk", track=places.platform
    )
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), title="Data talk", track=places.data)
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    assert titles(page(client, tz="UTC", track=str(places.data.id))) == ["Data talk"]
    assert titles(page(client, tz="UTC", mode="in_person")) == ["Platform talk"]


def test_now_with_a_filter_nothing_matches_says_so(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Thames talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    html = page(client, tz="UTC", hub="online")

    assert "Nothing is running right now that matches these filters." in html
    assert "No more talks match these filters." in html
    assert 'href="/c/summit/agenda/now?tz=UTC">Show every talk</a>' in html


def test_now_ignores_invalid_filter_values_and_zones(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Any talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    html = page(
        client, track="abc", hub="mars", mode="teleport", starred="maybe", tz="Mars/Olympus_Mons"
    )

    assert titles(html) == ["Any talk"]
    assert "is not a time zone we know" in html
    assert "UTC (UTC+00:00)" in html


def test_now_only_my_starred_talks_for_a_logged_in_viewer(
    client, clock, login, places, published, db
):
    user = make_user(time_zone="UTC")
    starred = make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Starred talk")
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), title="Other talk")
    InterestMarkFactory(user_id=user.id, proposal_id=starred.proposal_id)
    login(user)
    clock(utc(2027, 3, 12, 14, 10))

    everything = page(client)
    mine = page(client, starred="y")

    assert titles(everything) == ["Starred talk", "Other talk"]
    assert "Only my starred talks" in everything
    assert titles(mine) == ["Starred talk"]
    assert 'aria-label="Unstar: Starred talk"' in mine
    assert "data-star-form" in mine


def test_now_only_my_starred_talks_without_any_stars_says_nothing_matches(
    client, clock, login, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Unstarred talk")
    login(make_user(time_zone="UTC"))
    clock(utc(2027, 3, 12, 14, 10))

    html = page(client, starred="y")

    assert titles(html) == []
    assert "Nothing is running right now that matches these filters." in html


def test_now_ignores_only_starred_for_anonymous_viewers(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Some talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    html = page(client, tz="UTC", starred="y")

    assert titles(html) == ["Some talk"]
    assert "Only my starred talks" not in html
    assert "Log in to star" in html


def test_now_uses_the_logged_in_viewers_zone(client, clock, login, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Zones talk")
    login(make_user(time_zone="Asia/Kolkata"))
    clock(utc(2027, 3, 12, 14, 10))

    html = page(client)

    assert "19:30–20:00" in html
    assert "Asia/Kolkata (UTC+05:30)" in html


def test_now_without_a_published_schedule_says_so(client, clock, conference, places, draft, db):
    make_talk(draft, places.thames, utc(2027, 3, 12, 14), title="Draft only talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    html = page(client)

    assert "The schedule has not been published yet" in html
    assert "Draft only talk" not in html


def test_now_of_an_unknown_conference_is_not_found(client, conference):
    assert client.get("/c/nowhere/agenda/now").status_code == 404


def test_now_reloads_itself_without_inline_script(client, clock, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    response = client.get(NOW)
    html = response.get_data(as_text=True)

    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in html
    assert 'data-agenda-refresh="60"' in html
    assert "js/agenda.js" in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_agenda_nav_links_to_now_and_next_keeping_the_zone(client, places, published, db):
    html = client.get("/c/summit/agenda/", query_string={"tz": "Asia/Kolkata"}).get_data(
        as_text=True
    )

    assert '<a href="/c/summit/agenda/now?tz=Asia/Kolkata">Now and next</a>' in html


def test_now_marks_itself_current_in_the_nav(client, clock, published):
    clock(utc(2027, 3, 12, 14))

    html = page(client)

    assert '<a href="/c/summit/agenda/now" aria-current="page">Now and next</a>' in html


# --- Caching --------------------------------------------------------------------------------


def test_anonymous_now_is_never_served_from_an_earlier_minute(
    app, client, clock, places, published, db
):
    app.config["AGENDA_CACHE_SECONDS"] = 3600
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Running talk")
    db.session.commit()

    clock(utc(2027, 3, 12, 10, 18))
    first = page(client, tz="UTC")
    clock(utc(2027, 3, 12, 10, 18) + timedelta(seconds=59))
    same_minute = client.get(NOW, query_string={"tz": "UTC"})
    clock(utc(2027, 3, 12, 10, 19))
    next_minute = page(client, tz="UTC")
    clock(utc(2027, 3, 12, 10, 30))
    after_the_end = page(client, tz="UTC")

    assert "ends in 12 min" in first
    assert same_minute.get_data(as_text=True) == first
    assert "ends in 11 min" in next_minute
    assert "Running talk" not in after_the_end


def test_anonymous_now_revalidates_within_its_minute_only(
    app, client, clock, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Running talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 10, 18))

    first = client.get(NOW, query_string={"tz": "UTC"})
    again = client.get(
        NOW, query_string={"tz": "UTC"}, headers={"If-None-Match": first.headers["ETag"]}
    )
    clock(utc(2027, 3, 12, 10, 19))
    later = client.get(
        NOW, query_string={"tz": "UTC"}, headers={"If-None-Match": first.headers["ETag"]}
    )

    assert "no-cache" in first.headers["Cache-Control"]
    assert "Cookie" in first.headers["Vary"]
    assert again.status_code == 304
    assert later.status_code == 200 and "ends in 11 min" in later.get_data(as_text=True)


def test_anonymous_now_is_kept_no_later_than_the_end_of_its_minute(
    app, client, clock, monkeypatch, places, published, db
):
    app.config["AGENDA_CACHE_SECONDS"] = 3600
    app.config["AGENDA_VERSION_CHECK_SECONDS"] = 3600  # a kept page then runs no SQL at all
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Running talk")
    db.session.commit()
    moment = utc(2027, 3, 12, 10, 18)
    clock(moment)
    path = f"{NOW}?tz=UTC"

    # The cache reckons a copy's life by its own clock: once the minute is over, none is kept.
    monkeypatch.setattr("conference.agenda.cache.utcnow", lambda: moment + timedelta(minutes=1))
    page(client, tz="UTC")
    after_the_minute = statements_for_page(db.engine, client, path)
    monkeypatch.setattr("conference.agenda.cache.utcnow", lambda: moment + timedelta(seconds=59))
    page(client, tz="UTC")
    within_the_minute = statements_for_page(db.engine, client, path)

    assert after_the_minute > 0
    assert within_the_minute == 0


def test_logged_in_now_is_private(client, clock, login, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 10))
    login(make_user())
    clock(utc(2027, 3, 12, 10, 18))

    response = client.get(NOW)

    assert response.headers["Cache-Control"] == "private, no-store"


# --- Query counts ---------------------------------------------------------------------------


def test_now_query_count_does_not_grow_with_the_number_of_talks(
    app, client, clock, login, places, published, db
):
    app.config["AGENDA_VERSION_CHECK_SECONDS"] = 0
    anonymous = app.test_client()
    viewer = make_user(time_zone="UTC")
    login(viewer)
    paths = [f"{NOW}?tz=UTC", f"{NOW}?tz=UTC&hub={places.london.id}", f"{NOW}?starred=y"]
    # Every page has a talk running and one coming in both rounds: the same work, more talks.
    for starts_at in (utc(2027, 3, 12, 14), utc(2027, 3, 12, 15)):
        scheduled = make_talk(published, places.thames, starts_at, track=places.platform)
        InterestMarkFactory(user_id=viewer.id, proposal_id=scheduled.proposal_id)
    db.session.commit()
    clock(utc(2027, 3, 12, 14, 10))

    def counts() -> list[int]:
        return [
            statements_for_page(db.engine, browser, path)
            for browser in (anonymous, client)
            for path in paths
        ]

    few = counts()
    for minute in range(0, 60, 10):
        for room in (places.thames, places.hudson, places.stream):
            for hour, track in ((14, places.data), (15, places.platform)):
                scheduled = make_talk(
                    published, room, utc(2027, 3, 12, hour, minute), track=track, speaker=viewer
                )
                InterestMarkFactory(user_id=viewer.id, proposal_id=scheduled.proposal_id)
    db.session.commit()

    many = counts()

    assert many == few


# --- Wording ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "1 min"),
        (25, "25 min"),
        (60, "1 h"),
        (125, "2 h 5 min"),
        (47 * 60 + 59, "47 h 59 min"),
        (48 * 60, "2 days"),
        (71 * 60, "3 days"),
        (72 * 60 + 30, "3 days"),
    ],
)
def test_wait_text_rounds_up_to_the_minute_and_to_days_from_two_days(minutes, text):
    start = utc(2027, 3, 12, 9)
    assert wait_text(start, start + timedelta(minutes=minutes)) == text


def test_wait_text_counts_a_started_minute_as_a_whole_one():
    start = utc(2027, 3, 12, 9)
    assert wait_text(start, start + timedelta(seconds=1)) == "1 min"
