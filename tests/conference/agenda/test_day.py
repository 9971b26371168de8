"""The public agenda per day: viewer time zones, local days, filters, grid and list."""

from __future__ import annotations

import re

from conference.proposals.models import PresentationMode, ProposalState
from tests.conference.agenda.conftest import make_talk, make_user, place_again, utc
from tests.factories import ScheduleVersionFactory, SpeakerProfileFactory
from tests.statements import statements_for_page


def page(client, path="/c/summit/agenda/", **args) -> tuple[int, str]:
    response = client.get(path, query_string=args)
    return response.status_code, response.get_data(as_text=True)


def test_agenda_without_a_published_schedule_shows_the_empty_state(
    client, conference, places, draft, db
):
    make_talk(draft, places.thames, utc(2027, 3, 12, 14), title="Draft only talk")
    db.session.commit()

    status, html = page(client)

    assert status == 200
    assert "The schedule has not been published yet" in html
    assert "Draft only talk" not in html


def test_agenda_of_an_unknown_conference_is_not_found(client, conference):
    assert client.get("/c/nowhere/agenda/").status_code == 404


def test_agenda_shows_a_talk_in_new_york_and_kolkata_time_with_the_label(
    client, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Zones talk")
    db.session.commit()

    _, new_york = page(client, tz="America/New_York", view="list")
    _, kolkata = page(client, tz="Asia/Kolkata", view="list")

    assert "09:00–09:30" in new_york
    assert "Times in <strong data-agenda-zone>America/New_York (UTC-05:00)</strong>" in new_york
    assert "19:30–20:00" in kolkata
    assert "Times in <strong data-agenda-zone>Asia/Kolkata (UTC+05:30)</strong>" in kolkata


def test_agenda_defaults_to_the_browser_zone_cookie_for_anonymous_viewers(
    client, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    client.set_cookie("tz", "Asia/Kolkata", domain="conference.test")

    _, html = page(client, view="list")

    assert "19:30–20:00" in html
    assert "Asia/Kolkata (UTC+05:30)" in html


def test_agenda_shifts_new_york_times_by_an_hour_across_the_american_dst_change(
    client, places, published, db
):
    # 2027-03-14: New York moves to EDT; London stays on GMT until the 28th.
    make_talk(published, places.thames, utc(2027, 3, 13, 14), title="Before the change")
    make_talk(published, places.thames, utc(2027, 3, 15, 14), title="After the change")
    db.session.commit()

    _, london_before = page(client, "/c/summit/agenda/2027-03-13", tz="Europe/London", view="list")
    _, london_after = page(client, "/c/summit/agenda/2027-03-15", tz="Europe/London", view="list")
    _, new_york_before = page(
        client, "/c/summit/agenda/2027-03-13", tz="America/New_York", view="list"
    )
    _, new_york_after = page(
        client, "/c/summit/agenda/2027-03-15", tz="America/New_York", view="list"
    )

    assert "14:00–14:30" in london_before and "14:00–14:30" in london_after
    assert "09:00–09:30" in new_york_before and "America/New_York (UTC-05:00)" in new_york_before
    assert "10:00–10:30" in new_york_after and "America/New_York (UTC-04:00)" in new_york_after


def test_agenda_groups_talks_by_the_viewers_local_day_across_midnight(
    client, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 23, 30), title="Late in London")
    db.session.commit()

    _, utc_day = page(client, "/c/summit/agenda/2027-03-12", tz="UTC", view="list")
    _, kolkata_first = page(client, "/c/summit/agenda/2027-03-12", tz="Asia/Kolkata", view="list")
    _, kolkata_next = page(client, "/c/summit/agenda/2027-03-13", tz="Asia/Kolkata", view="list")
    _, kolkata_default = page(client, tz="Asia/Kolkata", view="list")

    assert "Late in London" in utc_day
    assert "Late in London" not in kolkata_first
    assert "Late in London" in kolkata_next and "05:00–05:30" in kolkata_next
    assert "2027-03-13" in kolkata_default and "2027-03-12" not in kolkata_default
    assert "Late in London" in kolkata_default


def test_agenda_never_shows_talks_that_are_only_in_the_draft(client, places, published, draft, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Published talk")
    make_talk(draft, places.thames, utc(2027, 3, 12, 12), title="Draft only talk")
    db.session.commit()

    _, html = page(client, view="list", tz="UTC")

    assert "Published talk" in html
    assert "Draft only talk" not in html


def test_agenda_shows_only_the_newest_published_version(client, conference, places, published, db):
    moved = make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Moved talk")
    dropped = make_talk(published, places.thames, utc(2027, 3, 12, 11), title="Dropped talk")
    newer = ScheduleVersionFactory(conference=conference, is_draft=False, number=2)
    place_again(newer, moved, utc(2027, 3, 12, 15))
    db.session.commit()

    _, html = page(client, view="list", tz="UTC")

    assert "15:00–15:30" in html and "Moved talk" in html
    assert "Dropped talk" not in html and dropped.proposal.title not in html


def test_agenda_hides_withdrawn_talks_of_the_published_version(client, places, published, db):
    make_talk(
        published,
        places.thames,
        utc(2027, 3, 12, 10),
        title="Withdrawn talk",
        state=ProposalState.WITHDRAWN,
    )
    db.session.commit()

    _, html = page(client, view="list", tz="UTC")

    assert "Withdrawn talk" not in html


def test_agenda_grid_has_rooms_as_columns_grouped_by_hub_with_online_last(
    client, places, published, db
):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="In Thames")
    make_talk(published, places.hudson, utc(2027, 3, 12, 10), minutes=60, title="In Hudson")
    make_talk(published, places.stream, utc(2027, 3, 12, 10, 30), title="On the stream")
    db.session.commit()

    _, html = page(client, tz="UTC")

    headers = re.findall(r'<th scope="colgroup" colspan="(\d)">([^<]+)</th>', html)
    assert headers == [("1", "London"), ("1", "New York"), ("1", "Online")]
    assert '<th scope="col">Thames</th>' in html and '<th scope="col">Stream 1</th>' in html
    assert 'rowspan="2"' in html  # the hour-long talk spans the 10:00 and 10:30 rows
    assert "In Thames" in html and "In Hudson" in html and "On the stream" in html


def test_agenda_view_toggle_keeps_the_filters_in_the_query_string(client, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), track=places.platform)
    db.session.commit()

    _, html = page(client, track=str(places.platform.id), tz="UTC")

    assert "view=list" in html
    assert f"track={places.platform.id}" in html
    toggle = re.search(r'<a href="([^"]*view=list[^"]*)"', html).group(1)
    assert "tz=UTC" in toggle and f"track={places.platform.id}" in toggle


def test_agenda_filters_by_track(client, places, published, db):
    make_talk(
        published, places.thames, utc(2027, 3, 12, 10), track=places.platform, title="Platform talk"
    )
    make_talk(published, places.thames, utc(2027, 3, 12, 11), track=places.data, title="Data talk")
    db.session.commit()

    _, html = page(client, track=str(places.data.id), view="list", tz="UTC")

    assert "Data talk" in html and "Platform talk" not in html


def test_agenda_filters_by_hub_including_online(client, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Thames talk")
    make_talk(published, places.hudson, utc(2027, 3, 12, 10), title="Hudson talk")
    make_talk(published, places.stream, utc(2027, 3, 12, 10), title="Stream talk")
    db.session.commit()
    titles = ("Thames talk", "Hudson talk", "Stream talk")

    for hub, expected in [
        (str(places.london.id), "Thames talk"),
        (str(places.new_york.id), "Hudson talk"),
        ("online", "Stream talk"),
    ]:
        _, html = page(client, hub=hub, view="list", tz="UTC")
        assert [title for title in titles if title in html] == [expected]


def test_agenda_filters_by_how_to_attend(client, conference, places, published, db):
    remote_speaker = make_user()
    SpeakerProfileFactory(
        conference=conference, user=remote_speaker, presentation_mode=PresentationMode.REMOTE
    )
    make_talk(published, places.thames, utc(2027, 3, 12, 9), title="Room talk")
    make_talk(published, places.stream, utc(2027, 3, 12, 10), title="Stream talk")
    make_talk(published, places.hudson, utc(2027, 3, 12, 11), title="Streamed room talk")
    make_talk(
        published,
        places.thames,
        utc(2027, 3, 12, 12),
        title="Remote speaker talk",
        speaker=remote_speaker,
    )
    db.session.commit()
    titles = ["Room talk", "Stream talk", "Streamed room talk", "Remote speaker talk"]

    # A remote speaker in a room without streaming is seen in the room only: in person.
    for mode, expected in [
        ("in_person", ["Room talk", "Remote speaker talk"]),
        ("remote", ["Stream talk"]),
        ("hybrid", ["Streamed room talk"]),
    ]:
        _, html = page(client, mode=mode, view="list", tz="UTC")
        assert [t for t in titles if f">{t}</a>" in html] == expected


def test_agenda_ignores_invalid_filter_values(client, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 10), title="Any talk")
    db.session.commit()

    status, html = page(client, track="abc", hub="mars", mode="teleport", view="3d", tz="UTC")

    assert status == 200
    assert "Any talk" in html


def test_agenda_ignores_an_invalid_time_zone_with_a_message(client, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    status, html = page(client, tz="Mars/Olympus_Mons", view="list")

    assert status == 200
    assert "is not a time zone we know" in html
    assert "UTC (UTC+00:00)" in html
    assert "tz=Mars" not in html


def test_agenda_with_an_impossible_day_is_not_found(client, published):
    assert client.get("/c/summit/agenda/2027-02-30").status_code == 404
    assert client.get("/c/summit/agenda/tomorrow").status_code == 404


def test_agenda_day_without_talks_says_so(client, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    status, html = page(client, "/c/summit/agenda/2027-03-20", tz="UTC")

    assert status == 200
    assert "No talks on this day in UTC" in html


def test_agenda_escapes_script_in_titles(client, places, published, db):
    make_talk(
        published,
        places.thames,
        utc(2027, 3, 12, 14),
        title="<script>alert(1)</script><img src=x onerror=alert(2)>",
    )
    db.session.commit()

    _, grid = page(client, tz="UTC")
    _, listing = page(client, tz="UTC", view="list")

    for html in (grid, listing):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_agenda_sends_vary_cookie(client, published):
    assert "Cookie" in client.get("/c/summit/agenda/").headers.get("Vary", "")


def count_queries(db, client, path) -> int:
    return statements_for_page(db.engine, client, path)


def test_agenda_query_count_does_not_grow_with_the_number_of_talks(
    app, client, places, published, db
):
    # The published version is read on every request here, so counts do not depend on timing.
    app.config["AGENDA_VERSION_CHECK_SECONDS"] = 0
    paths = [f"/c/summit/agenda/2027-03-12?tz=UTC&view={view}" for view in ("grid", "list")]
    make_talk(published, places.thames, utc(2027, 3, 12, 9), track=places.platform)
    db.session.commit()
    few = [count_queries(db, client, path) for path in paths]
    for hour in range(10, 16):
        make_talk(published, places.hudson, utc(2027, 3, 12, hour), track=places.data)
        make_talk(published, places.stream, utc(2027, 3, 12, hour), track=places.platform)
    db.session.commit()

    many = [count_queries(db, client, path) for path in paths]

    assert many == few


def test_days_in_far_years_are_not_found(client, places, published, db):
    """Zone arithmetic near year 1 or 9999 overflows: such days are no conference's."""
    make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    assert page(client, "/c/summit/agenda/9999-12-31", tz="America/Los_Angeles")[0] == 404
    assert page(client, "/c/summit/agenda/0001-01-01", tz="Asia/Tokyo")[0] == 404
    assert page(client, "/c/summit/agenda/2027-03-12", tz="Asia/Tokyo")[0] == 200
