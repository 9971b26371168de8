"""Public speaker pages: who speaks in the published schedule, their talks and their times."""

from __future__ import annotations

import re

from sqlalchemy import event

from conference.materials.models import MaterialKind
from conference.materials.operations import add_link
from conference.proposals.models import (
    InvitationState,
    PresentationMode,
    ProposalState,
    SpeakerRole,
)
from tests.conference.agenda.conftest import make_talk, make_user, place_again, utc
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    ScheduleVersionFactory,
    SpeakerProfileFactory,
)

SPEAKERS = "/c/summit/agenda/speakers"


def speaker_url(user) -> str:
    return f"{SPEAKERS}/{user.id}"


def listed_names(html: str) -> list[str]:
    """The speakers' names in the order the list shows them."""
    return re.findall(r'<h3><a href="/c/summit/agenda/speakers/\d+[^"]*">([^<]*)</a></h3>', html)


def zone_label(html: str) -> str:
    return re.search(r"<strong data-agenda-zone>([^<]*)</strong>", html).group(1)


def add_co_speaker(scheduled, user, state=InvitationState.ACCEPTED):
    return ProposalSpeakerFactory(
        proposal=scheduled.proposal, user=user, role=SpeakerRole.CO_SPEAKER, invitation_state=state
    )


# --- The list ---------------------------------------------------------------------------------


def test_speaker_list_shows_everyone_by_name_with_hub_mode_bio_excerpt_and_talks(
    client, conference, places, published, db
):
    grace = make_user(display_name="Grace Hopper")
    ada = make_user(display_name="ada Lovelace")
    SpeakerProfileFactory(
        conference=conference,
        user=grace,
        hub=places.new_york,
        presentation_mode=PresentationMode.REMOTE,
        bio="Invented the **compiler**. " + "Long story. " * 40,
    )
    SpeakerProfileFactory(conference=conference, user=ada, hub=places.london, bio="")
    first = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=grace, title="Compilers")
    make_talk(published, places.hudson, utc(2027, 3, 13, 15), speaker=grace, title="Nanoseconds")
    make_talk(published, places.stream, utc(2027, 3, 12, 9), speaker=ada, title="Engines")
    db.session.commit()

    html = client.get(SPEAKERS).get_data(as_text=True)

    assert listed_names(html) == ["ada Lovelace", "Grace Hopper"]
    grace_card = html[html.index("Grace Hopper") :]
    assert 'New York · <span class="badge mode-remote">Remote</span>' in grace_card
    assert "Invented the compiler. Long story." in grace_card
    assert "<strong>compiler</strong>" not in html  # an excerpt is plain text
    assert "Long story. " * 40 not in html  # and short
    assert f'href="/c/summit/agenda/talks/{first.proposal_id}">Compilers</a>' in grace_card
    assert "Fri 12 Mar, 14:00–14:30" in grace_card and "Sat 13 Mar, 15:00–15:30" in grace_card
    assert grace_card.index("Compilers") < grace_card.index("Nanoseconds")
    assert 'London · <span class="badge mode-in_person">In person</span>' in html
    assert "2 speakers" in html


def test_speaker_list_counts_accepted_co_speakers_but_not_declined_or_invited_ones(
    client, places, published, db
):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=make_user(display_name="Main Speaker"))
    add_co_speaker(talk, make_user(display_name="Accepted Partner"))
    add_co_speaker(talk, make_user(display_name="Declined Partner"), InvitationState.DECLINED)
    add_co_speaker(talk, make_user(display_name="Invited Partner"), InvitationState.INVITED)
    ProposalSpeakerFactory(
        proposal=talk.proposal,
        user=None,
        invited_email="not-yet-registered@example.com",
        role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.INVITED,
    )
    db.session.commit()

    html = client.get(SPEAKERS).get_data(as_text=True)

    assert listed_names(html) == ["Accepted Partner", "Main Speaker"]
    assert "Declined Partner" not in html and "Invited Partner" not in html
    assert "example.com" not in html


def test_speaker_list_leaves_out_talks_that_are_not_public_in_the_latest_published_version(
    client, conference, places, published, draft, db
):
    kept = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=make_user(display_name="Kept Speaker"))
    withdrawn = make_talk(
        published, places.thames, utc(2027, 3, 12, 15), speaker=make_user(display_name="Withdrew Later"),
        title="Withdrawn talk",
    )
    declined = make_talk(
        published, places.thames, utc(2027, 3, 12, 16), speaker=make_user(display_name="Declined Later"),
        title="Declined talk",
    )
    dropped = make_talk(
        published, places.thames, utc(2027, 3, 12, 17), speaker=make_user(display_name="Dropped Speaker"),
        title="Dropped talk",
    )
    make_talk(draft, places.thames, utc(2027, 3, 12, 18), speaker=make_user(display_name="Draft Only"))
    # A submitted and a rejected proposal by people with profiles: never speakers.
    for name, state in (("Still Submitted", ProposalState.SUBMITTED), ("Was Rejected", ProposalState.REJECTED)):
        person = make_user(display_name=name)
        SpeakerProfileFactory(conference=conference, user=person)
        ProposalSpeakerFactory(proposal=ProposalFactory(conference=conference, state=state), user=person)
    withdrawn.proposal.state = ProposalState.WITHDRAWN
    declined.proposal.state = ProposalState.DECLINED
    # Version 2 keeps every talk but the dropped one.
    second = ScheduleVersionFactory(conference=conference, is_draft=False, number=2)
    for talk in (kept, withdrawn, declined):
        place_again(second, talk)
    db.session.commit()

    html = client.get(SPEAKERS).get_data(as_text=True)

    assert listed_names(html) == ["Kept Speaker"]
    for absent in ("Withdr", "Declined", "Dropped", "Draft Only", "Still Submitted", "Was Rejected"):
        assert absent not in html
    assert dropped.proposal.title not in html


def test_speaker_list_before_publication_says_so(client, conference, draft, places, db):
    make_talk(draft, places.thames, utc(2027, 3, 12, 14), speaker=make_user(display_name="Draft Speaker"))
    db.session.commit()

    response = client.get(SPEAKERS)

    assert response.status_code == 200
    assert "The schedule has not been published yet." in response.get_data(as_text=True)
    assert "Draft Speaker" not in response.get_data(as_text=True)


def test_speaker_list_of_an_unknown_conference_is_404(client, db):
    assert client.get("/c/nowhere/agenda/speakers").status_code == 404


def _three_speakers(conference, places, published):
    people = {}
    for name, hub in (("Lena London", places.london), ("Nia York", places.new_york), ("Rae Remote", None)):
        person = make_user(display_name=name)
        SpeakerProfileFactory(
            conference=conference,
            user=person,
            hub=hub,
            presentation_mode=PresentationMode.REMOTE if hub is None else PresentationMode.IN_PERSON,
        )
        make_talk(published, places.stream, utc(2027, 3, 12, 9 + len(people)), speaker=person)
        people[name] = person
    return people


def test_speaker_list_filters_by_home_hub(client, conference, places, published, db):
    _three_speakers(conference, places, published)
    db.session.commit()

    london = client.get(SPEAKERS, query_string={"home_hub": places.london.id}).get_data(as_text=True)
    no_hub = client.get(SPEAKERS, query_string={"home_hub": "none"}).get_data(as_text=True)

    assert listed_names(london) == ["Lena London"]
    assert "1 of 3 speakers" in london
    assert f'<option selected value="{places.london.id}">London</option>' in london
    assert listed_names(no_hub) == ["Rae Remote"]


def test_speaker_list_searches_names_ignoring_case_and_spaces(client, conference, places, published, db):
    _three_speakers(conference, places, published)
    db.session.commit()

    found = client.get(SPEAKERS, query_string={"q": "  nia   YORK "}).get_data(as_text=True)
    nobody = client.get(SPEAKERS, query_string={"q": "Zed"}).get_data(as_text=True)

    assert listed_names(found) == ["Nia York"]
    assert listed_names(nobody) == []
    assert "No speakers match these filters." in nobody


def test_speaker_list_ignores_a_hub_of_another_conference_or_nonsense(
    client, conference, places, published, db
):
    _three_speakers(conference, places, published)
    elsewhere = HubFactory(conference=ConferenceFactory(), name="Elsewhere")
    db.session.commit()

    for value in (elsewhere.id, "online", "x" * 500):
        response = client.get(SPEAKERS, query_string={"home_hub": value})
        assert response.status_code == 200
        assert len(listed_names(response.get_data(as_text=True))) == 3


def test_speaker_list_links_and_zone_form_keep_the_chosen_zone(client, conference, places, published, db):
    person = make_user(display_name="Zoe Zone")
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=person)
    db.session.commit()

    html = client.get(SPEAKERS, query_string={"tz": "Asia/Kolkata", "q": "zoe", "home_hub": ""}).get_data(
        as_text=True
    )

    assert f'href="/c/summit/agenda/speakers/{person.id}?tz=Asia/Kolkata"' in html
    assert f'href="/c/summit/agenda/talks/{talk.proposal_id}?tz=Asia/Kolkata"' in html
    assert '<input type="hidden" name="q" value="zoe">' in html  # the zone form keeps the search


# --- Times and zone labels ------------------------------------------------------------------------


def test_speaker_list_times_are_in_the_viewers_zone_and_labelled(client, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=make_user(display_name="Ada"))
    db.session.commit()

    html = client.get(SPEAKERS, query_string={"tz": "Asia/Kolkata"}).get_data(as_text=True)

    assert zone_label(html) == "Asia/Kolkata (UTC+05:30)"
    assert "Fri 12 Mar, 19:30–20:00" in html


def test_speaker_list_gives_each_time_its_offset_across_a_daylight_saving_change(
    client, places, published, db
):
    # New York moves to daylight saving time on Sunday 14 March 2027.
    speaker = make_user(display_name="Ada")
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), speaker=speaker, title="Before")
    make_talk(published, places.hudson, utc(2027, 3, 15, 14), speaker=speaker, title="After")
    db.session.commit()

    html = client.get(SPEAKERS, query_string={"tz": "America/New_York"}).get_data(as_text=True)

    assert zone_label(html) == "America/New_York"
    assert "Fri 12 Mar, 09:00–09:30 UTC-05:00" in html
    assert "Mon 15 Mar, 10:00–10:30 UTC-04:00" in html


def test_speaker_page_on_the_day_the_clocks_go_back_labels_both_offsets(
    client, places, published, db
):
    # Sydney, Sunday 4 April 2027: at 03:00 AEDT the clocks go back to 02:00 AEST.
    speaker = make_user(display_name="Ada")
    make_talk(published, places.thames, utc(2027, 4, 3, 15, 30), speaker=speaker)
    db.session.commit()

    html = client.get(speaker_url(speaker), query_string={"tz": "Australia/Sydney"}).get_data(
        as_text=True
    )

    assert zone_label(html) == "Australia/Sydney (UTC+11:00 until 03:00, then UTC+10:00)"
    assert "Sun 04 Apr 2027, 02:30 UTC+11:00–02:00 UTC+10:00" in html


# --- One speaker ------------------------------------------------------------------------------


def test_speaker_page_shows_name_bio_hub_zone_talks_and_feed_but_never_the_email(
    client, conference, places, published, db
):
    ada = make_user(display_name="Ada Lovelace", email="ada.private@example.com")
    SpeakerProfileFactory(
        conference=conference,
        user=ada,
        hub=places.london,
        bio="Writes **engines**.\n\n# Big heading\n\n<script>alert(1)</script>",
    )
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=ada, title="Engines")
    add_co_speaker(talk, make_user(display_name="Charles Babbage"))
    db.session.commit()

    response = client.get(speaker_url(ada))
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<h1>Ada Lovelace</h1>" in html
    assert "<strong>engines</strong>" in html and "<h3>Big heading</h3>" in html
    assert "<script>alert" not in html
    assert "<dt>Home hub</dt><dd>London</dd>" in html
    assert '<span class="tz-label">Europe/London</span>' in html
    assert f'href="/c/summit/agenda/talks/{talk.proposal_id}">Engines</a>' in html
    assert "Fri 12 Mar 2027, 14:00–14:30" in html
    assert "Charles Babbage" in html
    assert f'href="webcal://conference.test/c/summit/speakers/{ada.id}/calendar.ics"' in html
    assert f'href="http://conference.test/c/summit/speakers/{ada.id}/calendar.ics"' in html
    assert "ada.private" not in html and "@" not in html.split("<main", 1)[1]


def test_speaker_page_shows_times_at_the_speakers_hub_where_they_differ(
    client, conference, places, published, db
):
    speaker = make_user(display_name="Priya")
    SpeakerProfileFactory(conference=conference, user=speaker, hub=places.bengaluru)
    make_talk(published, places.thames, utc(2027, 3, 12, 20), speaker=speaker)
    db.session.commit()

    in_london = client.get(speaker_url(speaker), query_string={"tz": "Europe/London"}).get_data(
        as_text=True
    )
    in_kolkata = client.get(speaker_url(speaker), query_string={"tz": "Asia/Kolkata"}).get_data(
        as_text=True
    )

    assert "Fri 12 Mar 2027, 20:00–20:30" in in_london
    # Past midnight at the hub: the hub's own date.
    assert "<dt>In Bengaluru</dt>" in in_london
    assert "Sat 13 Mar 2027, 01:30–02:00 <small>(Asia/Kolkata (UTC+05:30))</small>" in in_london
    assert "<dt>In Bengaluru</dt>" not in in_kolkata
    assert "Sat 13 Mar 2027, 01:30–02:00" in in_kolkata


def test_speaker_page_hub_times_follow_the_hubs_daylight_saving_change(
    client, conference, places, published, db
):
    speaker = make_user(display_name="Nia")
    SpeakerProfileFactory(conference=conference, user=speaker, hub=places.new_york)
    make_talk(published, places.hudson, utc(2027, 3, 12, 14), speaker=speaker, title="Before")
    make_talk(published, places.hudson, utc(2027, 3, 15, 14), speaker=speaker, title="After")
    db.session.commit()

    html = client.get(speaker_url(speaker), query_string={"tz": "Europe/London"}).get_data(as_text=True)

    assert zone_label(html) == "Europe/London (UTC+00:00)"
    assert "Fri 12 Mar 2027, 09:00–09:30 <small>(America/New_York (UTC-05:00))</small>" in html
    assert "Mon 15 Mar 2027, 10:00–10:30 <small>(America/New_York (UTC-04:00))</small>" in html


def test_speaker_page_links_the_talks_recordings_and_slides_of_the_materials_area(
    client, conference, places, published, db
):
    speaker = make_user(display_name="Ada")
    SpeakerProfileFactory(conference=conference, user=speaker, recording_consent=True)
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=speaker)
    add_link(talk.proposal, MaterialKind.RECORDING, "https://video.example.com/watch/7", speaker, "Watch it")
    db.session.commit()

    html = client.get(speaker_url(speaker)).get_data(as_text=True)

    assert '<a href="https://video.example.com/watch/7" rel="noopener noreferrer nofollow">Watch it</a>' in html
    assert "Remove" not in html


def test_speaker_page_is_404_for_anyone_who_does_not_speak_in_the_published_version(
    client, conference, places, published, draft, db
):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    declined = make_user(display_name="Declined Partner")
    invited = make_user(display_name="Invited Partner")
    add_co_speaker(talk, declined, InvitationState.DECLINED)
    add_co_speaker(talk, invited, InvitationState.INVITED)
    submitter, rejected, draft_only, withdrew = (make_user() for _ in range(4))
    SpeakerProfileFactory(conference=conference, user=submitter, bio="Submitted only.")
    ProposalSpeakerFactory(
        proposal=ProposalFactory(conference=conference, state=ProposalState.SUBMITTED), user=submitter
    )
    ProposalSpeakerFactory(
        proposal=ProposalFactory(conference=conference, state=ProposalState.REJECTED), user=rejected
    )
    make_talk(draft, places.thames, utc(2027, 3, 12, 15), speaker=draft_only)
    gone = make_talk(published, places.thames, utc(2027, 3, 12, 16), speaker=withdrew)
    gone.proposal.state = ProposalState.WITHDRAWN
    attendee = make_user()
    db.session.commit()

    for person in (declined, invited, submitter, rejected, draft_only, withdrew, attendee):
        assert client.get(speaker_url(person)).status_code == 404, person.display_name
    assert client.get(f"{SPEAKERS}/987654321").status_code == 404
    assert client.get(f"{SPEAKERS}/not-a-number").status_code == 404


def test_speaker_page_is_404_for_a_speaker_of_another_conference(client, conference, places, published, db):
    other = ConferenceFactory(slug="elsewhere")
    other_version = ScheduleVersionFactory(conference=other, is_draft=False, number=1)
    room = RoomFactory(conference=other, hub=None, name="Other stream")
    elsewhere = make_user(display_name="Only Elsewhere")
    make_talk(other_version, room, utc(2027, 3, 12, 14), speaker=elsewhere)
    db.session.commit()

    assert client.get(speaker_url(elsewhere)).status_code == 404
    assert client.get(f"/c/elsewhere/agenda/speakers/{elsewhere.id}").status_code == 200


def test_speaker_page_does_not_show_a_profile_hub_of_another_conference(
    client, conference, places, published, db
):
    speaker = make_user(display_name="Ada")
    foreign = HubFactory(conference=ConferenceFactory(), name="Foreign Hub", time_zone="Asia/Tokyo")
    SpeakerProfileFactory(conference=conference, user=speaker, hub=foreign)
    make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=speaker)
    db.session.commit()

    html = client.get(speaker_url(speaker)).get_data(as_text=True)

    assert "Foreign Hub" not in html
    assert "<dt>Home hub</dt><dd>—</dd>" in html
    assert '<span class="tz-label">Asia/Tokyo</span>' not in html


# --- Links from the agenda ------------------------------------------------------------------------


def test_talk_page_and_agenda_link_speaker_names_to_their_pages(client, places, published, db):
    ada = make_user(display_name="Ada Lovelace")
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=ada)
    db.session.commit()
    link = f'<a href="/c/summit/agenda/speakers/{ada.id}?tz=Asia/Kolkata">Ada Lovelace</a>'

    talk_page = client.get(
        f"/c/summit/agenda/talks/{talk.proposal_id}", query_string={"tz": "Asia/Kolkata"}
    ).get_data(as_text=True)
    day_page = client.get(
        "/c/summit/agenda/2027-03-12", query_string={"tz": "Asia/Kolkata", "view": "list", "hub": places.london.id}
    ).get_data(as_text=True)

    assert talk_page.count(link) == 2  # under the title and in the speakers section
    assert link in day_page  # the day's filters stay behind
    assert '<a href="/c/summit/agenda/speakers?tz=Asia/Kolkata">Speakers</a>' in day_page


def test_subnav_marks_the_speaker_pages_as_current(client, places, published, db):
    ada = make_user(display_name="Ada Lovelace")
    make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=ada)
    db.session.commit()

    for path in (SPEAKERS, speaker_url(ada)):
        html = client.get(path).get_data(as_text=True)
        assert '<a href="/c/summit/agenda/speakers" aria-current="page">Speakers</a>' in html


# --- The page cache -----------------------------------------------------------------------------


def _statements_of(db, request):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = request()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return response, statements


def test_cached_speaker_pages_show_a_rename_and_a_new_bio_at_once(
    app, conference, places, published, db
):
    app.config["AGENDA_VERSION_CHECK_SECONDS"] = 60
    ada = make_user(display_name="Ada Lovelace")
    profile = SpeakerProfileFactory(conference=conference, user=ada, bio="Old bio.")
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=ada)
    db.session.commit()
    browser = app.test_client()
    pages = (SPEAKERS, speaker_url(ada), f"/c/summit/agenda/talks/{talk.proposal_id}")
    for path in pages:
        assert "Ada Lovelace" in browser.get(path).get_data(as_text=True)
    # Served from the cache: no SQL at all.
    again, statements = _statements_of(db, lambda: browser.get(speaker_url(ada)))
    assert statements == [] and "Old bio." in again.get_data(as_text=True)

    ada.display_name = "Augusta King"
    profile.bio = "New bio."
    db.session.commit()

    for path in pages:
        html = browser.get(path).get_data(as_text=True)
        assert "Augusta King" in html and "Ada Lovelace" not in html, path
    assert "New bio." in browser.get(SPEAKERS).get_data(as_text=True)
    assert "New bio." in browser.get(speaker_url(ada)).get_data(as_text=True)


def test_cached_speaker_list_follows_a_co_speaker_declining(app, places, published, db):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=make_user(display_name="Main"))
    partner = add_co_speaker(talk, make_user(display_name="Partner"))
    db.session.commit()
    browser = app.test_client()
    assert "Partner" in browser.get(SPEAKERS).get_data(as_text=True)

    partner.invitation_state = InvitationState.DECLINED
    db.session.commit()

    assert "Partner" not in browser.get(SPEAKERS).get_data(as_text=True)
    assert browser.get(f"{SPEAKERS}/{partner.user_id}").status_code == 404


def test_logged_in_speaker_pages_are_private(client, login, places, published, db):
    ada = make_user(display_name="Ada Lovelace")
    make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=ada)
    login(make_user())

    for path in (SPEAKERS, speaker_url(ada)):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"



def _add_speaker_with_talk(conference, places, published, co_speaker=None):
    """A speaker with a profile at a hub of their own, a talk (with ``co_speaker``) and a recording."""
    person = make_user()
    SpeakerProfileFactory(
        conference=conference, user=person, hub=HubFactory(conference=conference), bio="A *bio*."
    )
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 10), speaker=person)
    if co_speaker is not None:
        add_co_speaker(talk, co_speaker)
    add_link(talk.proposal, MaterialKind.RECORDING, "https://video.example.com/1", person)
    return person


def test_speaker_pages_run_as_many_queries_for_twenty_speakers_as_for_one(
    app, conference, places, published, db
):
    first = _add_speaker_with_talk(conference, places, published)
    db.session.commit()
    app.config["AGENDA_CACHE_SECONDS"] = 0  # every request renders

    def counts() -> tuple[int, int]:
        browser = app.test_client()
        listed, list_statements = _statements_of(db, lambda: browser.get(SPEAKERS))
        page, page_statements = _statements_of(db, lambda: browser.get(speaker_url(first)))
        assert listed.status_code == page.status_code == 200
        return len(list_statements), len(page_statements)

    one = counts()
    # The first speaker co-presents every new talk, so their own page grows too.
    for _ in range(20):
        _add_speaker_with_talk(conference, places, published, co_speaker=first)
    db.session.commit()

    assert counts() == one


def test_speaker_and_talk_pages_hide_recordings_a_speaker_did_not_consent_to(
    client, conference, places, published, db
):
    ada = make_user(display_name="Ada")
    grace = make_user(display_name="Grace")
    SpeakerProfileFactory(conference=conference, user=ada, recording_consent=True)
    SpeakerProfileFactory(conference=conference, user=grace, recording_consent=False)
    shared = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=ada, title="Shared")
    add_co_speaker(shared, grace)
    own = make_talk(published, places.hudson, utc(2027, 3, 12, 16), speaker=ada, title="Ada alone")
    add_link(shared.proposal, MaterialKind.RECORDING, "https://video.example.com/shared", ada)
    add_link(shared.proposal, MaterialKind.LINK, "https://code.example.com/shared", ada, "Code")
    add_link(own.proposal, MaterialKind.RECORDING, "https://video.example.com/own", ada)
    db.session.commit()

    talk_page = client.get(f"/c/summit/agenda/talks/{shared.proposal_id}").get_data(as_text=True)
    for html in (
        client.get(speaker_url(ada)).get_data(as_text=True),
        client.get(speaker_url(grace)).get_data(as_text=True),
        talk_page,
    ):
        # Grace said no: the talk they share is never shown with its recording, anywhere.
        assert "https://video.example.com/shared" not in html
        assert "https://code.example.com/shared" in html  # other materials stay
    ada_page = client.get(speaker_url(ada)).get_data(as_text=True)
    assert "https://video.example.com/own" in ada_page


def test_a_speaker_withdrawing_consent_hides_the_recording_from_cached_pages_at_once(
    client, conference, places, published, db
):
    ada = make_user(display_name="Ada")
    profile = SpeakerProfileFactory(conference=conference, user=ada, recording_consent=True)
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), speaker=ada)
    add_link(talk.proposal, MaterialKind.RECORDING, "https://video.example.com/ada", ada)
    db.session.commit()
    pages = (speaker_url(ada), f"/c/summit/agenda/talks/{talk.proposal_id}")
    for path in pages:
        assert "https://video.example.com/ada" in client.get(path).get_data(as_text=True)

    profile.recording_consent = False
    db.session.commit()

    for path in pages:
        assert "https://video.example.com/ada" not in client.get(path).get_data(as_text=True)
