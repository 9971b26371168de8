"""Browsing accepted talks: only public ones, filters, search and harmless markup."""

from __future__ import annotations

import pytest

from conference.proposals.models import AudienceLevel, ProposalState
from tests.conference.interest.conftest import make_user
from tests.factories import (
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    SessionFormatFactory,
    TrackFactory,
)
from tests.statements import recorded_statements

PUBLIC = {ProposalState.ACCEPTED, ProposalState.CONFIRMED}


def test_browse_requires_login(client, talks):
    response = client.get("/c/devcon/talks/")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_browse_lists_only_accepted_and_confirmed_talks(client, talks, attendee):
    page = client.get("/c/devcon/talks/").get_data(as_text=True)

    for state, proposal in talks.items():
        assert (proposal.title in page) is (state in PUBLIC), state


def test_browse_shows_speakers_track_format_and_level(client, talks, attendee):
    page = client.get("/c/devcon/talks/").get_data(as_text=True)

    assert "Speaker of accepted" in page
    assert "Speaker of submitted" not in page
    assert "Platform" in page
    assert "Talk · 30 min" in page
    assert "Intermediate" in page


def test_talk_page_is_visible_only_for_accepted_or_confirmed_talks(client, talks, attendee):
    statuses = {state: client.get(f"/c/devcon/talks/{proposal.id}").status_code
                for state, proposal in talks.items()}

    assert statuses == {state: 200 if state in PUBLIC else 404 for state in ProposalState}


def test_talk_page_of_another_conference_is_not_found(client, talks, attendee, db):
    other = ProposalFactory(conference=ConferenceFactory(), state=ProposalState.ACCEPTED)
    db.session.commit()

    assert client.get(f"/c/devcon/talks/{other.id}").status_code == 404
    assert client.get("/c/devcon/talks/999999").status_code == 404
    assert client.get(f"/c/no-such-conference/talks/{other.id}").status_code == 404


def test_talk_page_renders_the_abstract_as_markdown(client, talks, attendee, db):
    talks[ProposalState.ACCEPTED].abstract = "We cover **three** things."
    db.session.commit()

    page = client.get(f"/c/devcon/talks/{talks[ProposalState.ACCEPTED].id}").get_data(as_text=True)

    assert "<strong>three</strong>" in page


def test_script_in_titles_and_abstracts_is_harmless(client, conference, attendee, db):
    proposal = ProposalFactory(
        conference=conference, state=ProposalState.ACCEPTED,
        title='<script>alert("t")</script><img src=x onerror=alert(1)>',
        abstract='<script>alert("a")</script> [click](javascript:alert(1))',
    )
    ProposalSpeakerFactory(proposal=proposal, user=make_user(display_name="<b>Mallory</b>"))
    db.session.commit()

    for url in ("/c/devcon/talks/", f"/c/devcon/talks/{proposal.id}", "/c/devcon/talks/?q=script"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        assert "<b>Mallory</b>" not in page, url
        assert 'href="javascript:' not in page, url


@pytest.fixture
def catalogue(db, conference):
    """Accepted talks that differ in track, format, level and wording."""
    platform = TrackFactory(conference=conference, name="Platform")
    security = TrackFactory(conference=conference, name="Security")
    talk = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    workshop = SessionFormatFactory(conference=conference, name="Workshop", duration_minutes=90)
    specs = {
        "Kubernetes upgrades": (platform, talk, AudienceLevel.ADVANCED, "Clusters at scale."),
        "Passkeys for everyone": (security, talk, AudienceLevel.BEGINNER, "No more SMS codes."),
        "Threat modelling lab": (security, workshop, AudienceLevel.INTERMEDIATE,
                                 "Bring a laptop and a KUBERNETES cluster."),
        "100% uptime_ myths": (platform, workshop, AudienceLevel.BEGINNER, "Reliability."),
        "1000 uptime myths": (platform, talk, AudienceLevel.BEGINNER, "Percent free."),
        "uptimeX myths": (platform, talk, AudienceLevel.BEGINNER, "Underscore free."),
    }
    for title, (track, session_format, level, abstract) in specs.items():
        proposal = ProposalFactory(
            conference=conference, title=title, track=track, session_format=session_format,
            audience_level=level, abstract=abstract, state=ProposalState.ACCEPTED,
        )
        ProposalSpeakerFactory(proposal=proposal, user=make_user())
    ProposalFactory(conference=conference, title="Kubernetes draft", track=platform,
                    session_format=talk, state=ProposalState.SUBMITTED)
    db.session.commit()
    return {"platform": platform, "security": security, "talk": talk, "workshop": workshop}


def titles_on(client, query: str) -> set[str]:
    page = client.get(f"/c/devcon/talks/?{query}").get_data(as_text=True)
    all_titles = {"Kubernetes upgrades", "Passkeys for everyone", "Threat modelling lab",
                  "100% uptime_ myths", "1000 uptime myths", "uptimeX myths", "Kubernetes draft"}
    return {title for title in all_titles if f">{title}</a>" in page}


def test_browse_filters_by_track(client, catalogue, attendee):
    assert titles_on(client, f"track={catalogue['security'].id}") == {
        "Passkeys for everyone", "Threat modelling lab"}


def test_browse_filters_by_format_and_level_together(client, catalogue, attendee):
    query = f"session_format={catalogue['workshop'].id}&level=beginner"

    assert titles_on(client, query) == {"100% uptime_ myths"}


def test_search_matches_title_or_abstract_ignoring_case(client, catalogue, attendee):
    assert titles_on(client, "q=kubernetes") == {"Kubernetes upgrades", "Threat modelling lab"}


def test_search_treats_percent_and_underscore_literally(client, catalogue, attendee):
    assert titles_on(client, "q=100%25") == {"100% uptime_ myths"}
    assert titles_on(client, "q=uptime_") == {"100% uptime_ myths"}
    assert titles_on(client, "q=%25") == {"100% uptime_ myths"}


def test_search_with_a_backslash_finds_nothing_rather_than_failing(client, catalogue, attendee):
    response = client.get("/c/devcon/talks/?q=%5C")

    assert response.status_code == 200
    assert "No accepted talks match" in response.get_data(as_text=True)


def test_invalid_filters_are_form_errors_not_failures(client, catalogue, attendee):
    for query in ["track=abc", "track=999999", "level=expert", "session_format=-1",
                  "q=" + "x" * 300]:
        response = client.get(f"/c/devcon/talks/?{query}")

        assert response.status_code == 200, query
        assert "field-error" in response.get_data(as_text=True), query
        assert len(titles_on(client, query)) == 6, query


def test_filter_form_keeps_the_chosen_values(client, catalogue, attendee):
    page = client.get(f"/c/devcon/talks/?q=myths&track={catalogue['platform'].id}").get_data(
        as_text=True)

    assert 'value="myths"' in page
    assert f'<option selected value="{catalogue["platform"].id}">' in page


def test_nul_byte_in_search_is_a_bad_request(client, catalogue, attendee):
    assert client.get("/c/devcon/talks/?q=a%00b").status_code == 400


def test_browse_query_count_does_not_grow_with_talks(client, catalogue, attendee, db, app):

    def queries_for_page() -> int:
        with recorded_statements(db.engine) as statements:
            assert client.get("/c/devcon/talks/").status_code == 200
        return len(statements)

    before = queries_for_page()
    for number in range(5):
        proposal = ProposalFactory(conference=catalogue["platform"].conference,
                                   track=catalogue["platform"], session_format=catalogue["talk"],
                                   title=f"Extra {number}", state=ProposalState.CONFIRMED)
        ProposalSpeakerFactory(proposal=proposal, user=make_user())
    db.session.commit()

    assert queries_for_page() == before


def test_browse_without_filters_shows_no_form_errors(client, login, db):
    from tests.factories import ConferenceFactory

    conference = ConferenceFactory()
    login()
    body = client.get(f"/c/{conference.slug}/talks/").get_data(as_text=True)
    assert "Not a valid choice" not in body


def test_search_ignores_case_beyond_ascii(client, conference, attendee, db):
    for title, abstract in [
        ("Überblick: Observability", "Metriken und Traces."),
        ("Résumé of the year", "ÉLAN and ÇA."),
        ("Plain ASCII talk", "Nothing special."),
    ]:
        proposal = ProposalFactory(
            conference=conference, title=title, abstract=abstract, state=ProposalState.ACCEPTED
        )
        ProposalSpeakerFactory(proposal=proposal, user=make_user())
    db.session.commit()

    def found(query: str) -> set[str]:
        page = client.get(f"/c/devcon/talks/?q={query}").get_data(as_text=True)
        return {t for t in ("Überblick: Observability", "Résumé of the year") if t in page}

    assert found("überblick") == {"Überblick: Observability"}
    assert found("ÜBERBLICK") == {"Überblick: Observability"}
    assert found("élan") == {"Résumé of the year"}
    assert found("RÉSUMÉ") == {"Résumé of the year"}
