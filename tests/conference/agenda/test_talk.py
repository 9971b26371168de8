"""The public talk page: details, times at each hub, join links and who may see it."""

from __future__ import annotations

import icalendar

from conference.feeds.links import join_url
from conference.feeds.operations import record_published_version
from conference.proposals.models import PresentationMode
from tests.conference.agenda.conftest import make_talk, make_user, utc
from tests.factories import ConferenceFactory, ScheduleVersionFactory, SpeakerProfileFactory


def talk_page(client, scheduled, **args):
    return client.get(f"/c/summit/agenda/talks/{scheduled.proposal_id}", query_string=args)


def test_talk_page_shows_the_details_and_needs_no_login(client, conference, places, published, db):
    speaker = make_user(display_name="Ada Lovelace")
    SpeakerProfileFactory(conference=conference, user=speaker, bio="Writes **engines**.")
    scheduled = make_talk(
        published,
        places.thames,
        utc(2027, 3, 12, 14),
        track=places.platform,
        speaker=speaker,
        title="Analytical engines",
        abstract="About *engines*.",
        session_format=places.talk_format,
    )
    db.session.commit()

    response = talk_page(client, scheduled, tz="Asia/Kolkata")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Analytical engines" in html and "<em>engines</em>" in html
    assert "Ada Lovelace" in html and "<strong>engines</strong>" in html
    assert "Platform" in html and "Talk · 30 min" in html
    assert "Thames · London" in html
    assert "Fri 12 Mar 2027, 19:30–20:00 (Asia/Kolkata (UTC+05:30))" in html


def test_talk_page_shows_the_local_time_at_each_hub_with_zone_names(client, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    html = talk_page(client, scheduled).get_data(as_text=True)

    assert "Bengaluru 19:30 IST <small>(Asia/Kolkata (UTC+05:30))</small>" in html
    assert "London 14:00 GMT <small>(Europe/London (UTC+00:00))</small>" in html
    assert "New York 09:00 EST <small>(America/New_York (UTC-05:00))</small>" in html


def test_talk_page_hub_times_follow_new_yorks_dst_change(client, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 15, 14))
    db.session.commit()

    html = talk_page(client, scheduled).get_data(as_text=True)

    assert "London 14:00 GMT" in html
    assert "New York 10:00 EDT <small>(America/New_York (UTC-04:00))</small>" in html


def test_talk_page_has_a_join_link_for_an_online_stream(client, places, published, db, app):
    scheduled = make_talk(published, places.stream, utc(2027, 3, 12, 14))
    db.session.commit()

    html = talk_page(client, scheduled).get_data(as_text=True)

    assert f'href="https://stream.example.invalid/room-{places.stream.id}"' in html
    assert "Remote" in html


def test_talk_page_has_a_join_link_for_a_hybrid_talk(client, places, published, db, app):
    app.config["STREAM_BASE_URL"] = "https://live.example.com/rooms"
    scheduled = make_talk(published, places.hudson, utc(2027, 3, 12, 14))
    db.session.commit()

    html = talk_page(client, scheduled).get_data(as_text=True)

    assert f'href="https://live.example.com/rooms/room-{places.hudson.id}"' in html
    assert "Hybrid" in html


def test_remote_speaker_in_a_room_without_streaming_gives_no_join_link_on_page_or_feed(
    client, conference, places, published, db
):
    speaker = make_user(display_name="Grace Far")
    SpeakerProfileFactory(
        conference=conference, user=speaker, presentation_mode=PresentationMode.REMOTE
    )
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=speaker)
    db.session.commit()
    record_published_version(published)
    db.session.commit()

    html = talk_page(client, scheduled).get_data(as_text=True)
    feed = icalendar.Calendar.from_ical(client.get("/c/summit/calendar.ics").data)
    (event,) = feed.walk("VEVENT")

    assert "Join the stream" not in html and "stream.example.invalid" not in html
    assert "In person" in html and "Presents remotely." in html
    assert "CONFERENCE" not in event and "Join online" not in str(event["DESCRIPTION"])


def test_talk_page_and_feed_give_the_same_join_link(client, places, published, db, app):
    app.config["STREAM_BASE_URL"] = "https://live.example.com/rooms/"
    streamed = make_talk(published, places.hudson, utc(2027, 3, 12, 14))
    online = make_talk(published, places.stream, utc(2027, 3, 12, 16))
    db.session.commit()
    record_published_version(published)
    db.session.commit()
    feed = icalendar.Calendar.from_ical(client.get("/c/summit/calendar.ics").data)
    links_in_feed = {
        str(event["URL"]).rsplit("/", 1)[1]: str(event["CONFERENCE"])
        for event in feed.walk("VEVENT")
    }

    for scheduled in (streamed, online):
        html = talk_page(client, scheduled).get_data(as_text=True)
        link = links_in_feed[str(scheduled.proposal_id)]
        assert link == join_url(scheduled.room)
        assert f'href="{link}"' in html


def test_talk_page_has_no_join_link_for_an_in_person_talk(client, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    html = talk_page(client, scheduled).get_data(as_text=True)

    assert "Join the stream" not in html and "stream.example.invalid" not in html
    assert "In person" in html


def test_talk_page_of_a_draft_only_talk_is_not_found(client, places, published, draft, db):
    scheduled = make_talk(draft, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    assert talk_page(client, scheduled).status_code == 404


def test_talk_page_before_publication_is_not_found(client, places, draft, db):
    scheduled = make_talk(draft, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    assert talk_page(client, scheduled).status_code == 404


def test_talk_page_of_another_conferences_talk_is_not_found(client, places, published, db):
    other = ConferenceFactory(slug="other")
    other_version = ScheduleVersionFactory(conference=other, is_draft=False, number=1)
    from tests.factories import RoomFactory

    scheduled = make_talk(other_version, RoomFactory(conference=other), utc(2027, 3, 12, 14))
    db.session.commit()

    assert talk_page(client, scheduled).status_code == 404
    assert client.get(f"/c/other/agenda/talks/{scheduled.proposal_id}").status_code == 200


def test_talk_page_makes_script_in_title_abstract_and_bio_harmless(
    client, conference, places, published, db
):
    speaker = make_user(display_name="<b>Mallory</b>")
    SpeakerProfileFactory(
        conference=conference, user=speaker, bio="<script>alert(3)</script>[x](javascript:alert(4))"
    )
    scheduled = make_talk(
        published,
        places.thames,
        utc(2027, 3, 12, 14),
        speaker=speaker,
        title="<script>alert(1)</script>",
        abstract="<img src=x onerror=alert(2)> [y](javascript:alert(5))",
    )
    db.session.commit()

    html = talk_page(client, scheduled).get_data(as_text=True)

    assert "<script>alert" not in html
    assert "onerror=" not in html.replace("&lt;img src=x onerror=alert(2)&gt;", "")
    assert 'href="javascript:' not in html
    assert "<b>Mallory</b>" not in html


def test_talk_page_ignores_an_invalid_time_zone_with_a_message(client, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    response = talk_page(client, scheduled, tz="BST")

    assert response.status_code == 200
    assert "is not a time zone we know" in response.get_data(as_text=True)


def test_every_agenda_page_has_the_subscribe_box_with_webcal_and_https_links(
    client, places, published, db
):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    for path in ("/c/summit/agenda/", f"/c/summit/agenda/talks/{scheduled.proposal_id}"):
        html = client.get(path).get_data(as_text=True)
        assert "Subscribe" in html
        assert 'href="webcal://conference.test/c/summit/calendar.ics"' in html
        assert 'href="http://conference.test/c/summit/calendar.ics"' in html
        assert f"/c/summit/tracks/{places.platform.id}/calendar.ics" in html
        assert f"/c/summit/hubs/{places.london.id}/calendar.ics" in html
        assert "/c/summit/hubs/online/calendar.ics" in html
        assert "starred.ics" not in html  # anonymous viewers have no personal feed
