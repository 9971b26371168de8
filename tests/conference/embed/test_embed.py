"""The agenda embedded in other sites: what it shows, in whose time, and who may frame it.

The current instant is `utcnow` as `conference.embed.views` sees it; the `clock` fixture sets it.
"""

from __future__ import annotations

import re
import time as real_time
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from conference.config import embed_frame_ancestors
from conference.proposals.models import ProposalState
from tests.conference.agenda.conftest import make_talk, make_user, place_again, utc
from tests.factories import ScheduleVersionFactory

EMBED = "/c/summit/embed/agenda"


@pytest.fixture
def clock(monkeypatch):
    def set_to(instant: datetime) -> None:
        monkeypatch.setattr("conference.embed.views.utcnow", lambda: instant)

    return set_to


def talks(html: str) -> list[tuple[str, str]]:
    """(when, title) of each talk listed, in order, tags and spacing removed."""
    found = []
    for item in re.findall(r'<li class="embed-talk[^"]*">(.*?)</li>', html, re.S):
        when = re.search(r'<p class="embed-when">(.*?)</p>', item, re.S).group(1)
        title = re.search(r'class="embed-title">([^<]*)</a>', item).group(1)
        found.append((" ".join(re.sub(r"<[^>]+>", "", when).split()), title))
    return found


def zone_label(html: str) -> str:
    return re.search(r"<strong data-embed-zone>([^<]*)</strong>", html).group(1)


def get(client, **args):
    return client.get(EMBED, query_string=args)


def test_now_and_next_lists_running_talks_then_the_next_ones_in_the_conference_zone(
    client, db, places, published, draft, clock
):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Running in London")
    make_talk(published, places.stream, utc(2027, 3, 12, 10), title="Next online")
    make_talk(published, places.hudson, utc(2027, 3, 13, 15), title="Tomorrow in New York")
    make_talk(published, places.thames, utc(2027, 3, 12, 8), title="Already over")
    make_talk(published, places.thames, utc(2027, 3, 12, 11), title="Withdrawn", state=ProposalState.WITHDRAWN)
    make_talk(draft, places.thames, utc(2027, 3, 12, 12), title="Only in the draft")
    db.session.commit()
    clock(utc(2027, 3, 12, 9, 10))

    response = get(client)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert talks(html) == [
        ("Now 09:00–09:30 (ends in 20 min)", "Running in London"),
        ("10:00–10:30", "Next online"),
        ("Sat 13 Mar, 15:00–15:30", "Tomorrow in New York"),
    ]
    # No tz in the address and no browser zone yet: the conference's zone, labelled.
    assert zone_label(html) == "Europe/London (UTC+00:00)"
    assert 'data-embed-reader-zone="Europe/London"' in html
    assert 'data-embed-refresh="60"' in html
    assert '<base target="_blank">' in html
    assert "· Now and next</p>" in html

    clock(utc(2027, 3, 12, 8, 30))  # nothing runs yet
    assert "· Coming up</p>" in get(client).get_data(as_text=True)


def test_a_fixed_zone_and_a_limit(client, db, places, published, clock):
    for hour in (9, 10, 11):
        make_talk(published, places.thames, utc(2027, 3, 12, hour), title=f"At {hour}")
    db.session.commit()
    clock(utc(2027, 3, 12, 8))

    html = get(client, tz="Asia/Tokyo", limit="2").get_data(as_text=True)

    assert talks(html) == [("18:00–18:30", "At 9"), ("19:00–19:30", "At 10")]
    assert zone_label(html) == "Asia/Tokyo (UTC+09:00)"
    # The embedding page fixed the zone: the script leaves it alone.
    assert "data-embed-reader-zone" not in html


def test_the_readers_browser_zone_when_none_is_fixed_and_a_bad_one_is_ignored(client, db, places, published, clock):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Morning")
    db.session.commit()
    clock(utc(2027, 3, 12, 8))

    html = get(client, browser_tz="America/New_York").get_data(as_text=True)
    assert talks(html) == [("04:00–04:30", "Morning")]
    assert zone_label(html) == "America/New_York (UTC-05:00)"

    response = get(client, browser_tz="Nowhere/Special")
    assert response.status_code == 200
    assert zone_label(response.get_data(as_text=True)) == "Europe/London (UTC+00:00)"


def test_filters_by_track_hub_and_way_to_attend(client, db, places, published, clock):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="London platform", track=places.platform)
    make_talk(published, places.hudson, utc(2027, 3, 12, 9), title="New York data", track=places.data)
    make_talk(published, places.stream, utc(2027, 3, 12, 9), title="Online data", track=places.data)
    db.session.commit()
    clock(utc(2027, 3, 12, 8))

    def titles(**args):
        return [title for _when, title in talks(get(client, **args).get_data(as_text=True))]

    assert titles(track=str(places.data.id)) == ["New York data", "Online data"]
    assert titles(hub="online") == ["Online data"]
    assert titles(hub=str(places.london.id)) == ["London platform"]
    assert titles(mode="hybrid") == ["New York data"]
    html = get(client, track=str(places.platform.id), hub="online").get_data(as_text=True)
    assert "No more talks that match." in html


def test_one_day_defaults_to_the_next_day_with_talks_and_links_the_others(client, db, places, published, clock):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Friday")
    make_talk(published, places.thames, utc(2027, 3, 13, 9), title="Saturday")
    make_talk(published, places.thames, utc(2027, 3, 15, 9), title="Monday")
    db.session.commit()
    clock(utc(2027, 3, 12, 20))  # Friday's talks are over, but it is still Friday

    html = get(client, view="day", tz="Europe/London").get_data(as_text=True)
    assert talks(html) == [("09:00–09:30", "Friday")]
    assert "Friday 12 March 2027" in html
    assert "Previous day" not in html
    next_day = re.search(r'<a href="([^"]*)" target="_self">Next day</a>', html).group(1).replace("&amp;", "&")
    assert "day=2027-03-13" in next_day and "tz=Europe/London" in next_day and "view=day" in next_day

    clock(utc(2027, 3, 14, 10))  # Sunday has no talks: Monday's are shown
    html = get(client, view="day").get_data(as_text=True)
    assert talks(html) == [("09:00–09:30", "Monday")]

    html = get(client, view="day", day="2027-03-14").get_data(as_text=True)
    assert talks(html) == []
    assert "No talks on this day." in html
    assert 'target="_self">Previous day</a>' in html and 'target="_self">Next day</a>' in html


def test_a_day_when_the_clocks_change_shows_each_time_with_its_offset(client, db, places, published, clock):
    # New York springs forward on Sunday 14 March 2027 at 02:00 (UTC-5 -> UTC-4).
    make_talk(published, places.hudson, utc(2027, 3, 14, 6), title="Before")
    make_talk(published, places.hudson, utc(2027, 3, 14, 14), title="After")
    db.session.commit()
    clock(utc(2027, 3, 10, 12))

    html = get(client, view="day", day="2027-03-14", tz="America/New_York").get_data(as_text=True)

    assert talks(html) == [("01:00–01:30 UTC-05:00", "Before"), ("10:00–10:30 UTC-04:00", "After")]
    assert zone_label(html) == "America/New_York (UTC-05:00 until 02:00, then UTC-04:00)"


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ({"track": "999"}, "track"),
        ({"track": "²"}, "track"),
        ({"hub": "moon"}, "hub"),
        ({"mode": "telepathy"}, "mode"),
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"view": "grid"}, "view"),
        ({"view": "day", "day": "2027-02-30"}, "day"),
        ({"view": "day", "day": "0001-01-01"}, "day"),
        ({"limit": "0"}, "limit"),
        ({"limit": "21"}, "limit"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_a_wrong_address_is_a_400_that_names_the_parameter(client, places, published, args, parameter):
    response = get(client, **args)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"The address's <code>{parameter}</code> is wrong" in html
    assert "frame-ancestors 'self' *" in response.headers["Content-Security-Policy"]


def test_unknown_conference_is_a_404(client, db):
    assert client.get("/c/nowhere/embed/agenda").status_code == 404


def test_before_publication_and_after_the_last_talk(client, db, conference, places, clock):
    clock(utc(2027, 3, 12, 8))
    assert "The schedule has not been published yet." in get(client).get_data(as_text=True)

    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    make_talk(version, places.thames, utc(2027, 3, 12, 9), title="Only talk")
    db.session.commit()
    clock(utc(2027, 3, 16, 8))
    html = get(client).get_data(as_text=True)
    assert talks(html) == []
    assert "The conference is over." in html and 'href="/archive"' in html


def test_any_site_may_frame_it_by_default_and_other_pages_stay_unframeable(client, places, published):
    response = get(client)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' *" in policy and "frame-ancestors 'none'" not in policy
    assert "script-src 'self'" in policy  # the rest of the site's policy holds
    assert "X-Frame-Options" not in response.headers

    other = client.get("/c/summit/agenda/")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"


def test_only_the_sites_the_server_names_may_frame_it(app, client, places, published):
    app.config["EMBED_FRAME_ANCESTORS"] = "https://intranet.example.com https://*.wiki.example.com"
    policy = get(client).headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://intranet.example.com https://*.wiki.example.com;" in policy

    app.config["EMBED_FRAME_ANCESTORS"] = ""
    policy = get(client).headers["Content-Security-Policy"]
    assert "frame-ancestors 'self';" in policy


def test_frame_ancestors_setting_is_checked():
    assert embed_frame_ancestors(None) == "*"
    assert embed_frame_ancestors(" * ") == "*"
    assert embed_frame_ancestors("none") == ""
    assert embed_frame_ancestors("https://a.example.com/ http://b.example.com:8080") == (
        "https://a.example.com http://b.example.com:8080"
    )
    with pytest.raises(ValueError, match="'intranet' is not an origin"):
        embed_frame_ancestors("https://a.example.com intranet")
    with pytest.raises(ValueError, match="is not an origin"):
        embed_frame_ancestors("https://a.example.com; script-src *")


def test_the_same_page_for_everyone_kept_and_revalidated(client, db, places, published, clock):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Morning", speaker=make_user(display_name="Asha"))
    db.session.commit()
    clock(utc(2027, 3, 12, 8))

    anonymous = get(client)
    assert anonymous.status_code == 200
    assert "Cookie" not in anonymous.headers.get("Vary", "")
    assert anonymous.headers["Cache-Control"] == "no-cache"
    assert get(client, headers={}).get_data() == anonymous.get_data()
    repeat = client.get(EMBED, headers={"If-None-Match": anonymous.headers["ETag"]})
    assert repeat.status_code == 304

    viewer = make_user(display_name="Logged In Person")
    db.session.commit()
    client.post("/login", data={"email": viewer.email, "password": "correct horse battery"})
    logged_in = get(client)
    assert logged_in.get_data() == anonymous.get_data()
    assert "Logged In Person" not in logged_in.get_data(as_text=True)
    assert "<form" not in logged_in.get_data(as_text=True)


def test_a_new_version_shows_at_once(client, db, conference, places, published, clock):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Moving talk")
    db.session.commit()
    clock(utc(2027, 3, 12, 8))
    assert talks(get(client).get_data(as_text=True)) == [("09:00–09:30", "Moving talk")]

    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=2)
    place_again(version, talk, starts_at=utc(2027, 3, 12, 14))
    db.session.commit()

    assert talks(get(client).get_data(as_text=True)) == [("14:00–14:30", "Moving talk")]


def test_parameters_it_does_not_read_are_ignored_not_a_500(client, db, places, published, clock):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Friday")
    make_talk(published, places.thames, utc(2027, 3, 13, 9), title="Saturday")
    db.session.commit()
    clock(utc(2027, 3, 12, 8))

    plain = get(client, view="day")
    odd = get(client, view="day", slug="x", endpoint="y", _scheme="ftp", _external="1", junk="z")

    assert odd.status_code == 200
    assert odd.get_data() == plain.get_data()
    next_day = re.search(r'<a href="([^"]*)" target="_self">Next day</a>', odd.get_data(as_text=True)).group(1)
    assert next_day.startswith("/c/summit/embed/agenda?") and "junk" not in next_day and "slug" not in next_day


def test_a_day_page_without_a_day_moves_on_at_midnight(app, client, db, places, published, clock, monkeypatch):
    app.config["AGENDA_CACHE_SECONDS"] = 3600  # as with Redis: only midnight retires the page
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Friday")
    make_talk(published, places.thames, utc(2027, 3, 13, 9), title="Saturday")
    db.session.commit()

    # The page cache's clock moves with the test's (set before the cache is first used).
    started = utc(2027, 3, 12, 23, 59)
    now = [started]
    monkeypatch.setattr("conference.agenda.cache.utcnow", lambda: now[0])
    monkeypatch.setattr(
        "conference.agenda.cache.time",
        SimpleNamespace(monotonic=lambda: real_time.monotonic() + (now[0] - started).total_seconds()),
    )

    def at(instant):
        clock(instant)
        now[0] = instant

    at(started)
    assert talks(get(client, view="day").get_data(as_text=True)) == [("09:00–09:30", "Friday")]
    at(started + timedelta(seconds=30))
    assert talks(get(client, view="day").get_data(as_text=True)) == [("09:00–09:30", "Friday")]
    at(utc(2027, 3, 13, 0, 1))  # Saturday in London: the kept Friday page is stale now
    assert talks(get(client, view="day").get_data(as_text=True)) == [("09:00–09:30", "Saturday")]


def test_a_padded_browser_zone_is_kept_apart_from_the_plain_page(client, db, places, published, clock):
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Friday")
    db.session.commit()
    clock(utc(2027, 3, 12, 8))

    padded = get(client, view="day", browser_tz=" Asia/Tokyo")
    plain = get(client, view="day")

    assert zone_label(padded.get_data(as_text=True)).startswith("Asia/Tokyo")
    assert zone_label(plain.get_data(as_text=True)).startswith("Europe/London")
