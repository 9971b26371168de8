"""The organisers' insights page: who may see it, and the charts for a hand-worked conference."""

import re

import pytest
from sqlalchemy import select

from conference.conferences.models import Role, Room
from conference.extensions import db as _db
from conference.feedback.models import FeedbackQuestion
from conference.proposals.models import ProposalState
from conference.schedule.versions import latest_published
from tests.conference.insights.conftest import add_feedback, make_user, utc
from tests.factories import ConferenceFactory, ProposalFactory, RoleFactory, ScheduledTalkFactory
from tests.statements import statements_for_page

URL = "/c/insight-summit/manage/insights"


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_insights_page_shows_to_the_conference_organiser(client, login, summit):
    login(summit.organiser)

    html = page(client)

    assert "<h1>Insights</h1>" in html
    assert 'href="/c/insight-summit/manage/insights" aria-current="page">Insights</a>' in html


def test_insights_page_sends_anonymous_visitors_to_log_in(client, summit):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("person", ["reviewer", "attendee", "other_organiser"])
def test_insights_page_is_forbidden_to_anyone_but_this_conferences_organisers(
    client, login, summit, person
):
    login(getattr(summit, person))

    assert client.get(URL).status_code == 403


def test_insights_page_of_an_unknown_conference_is_not_found(client, login, summit):
    login(summit.organiser)

    assert client.get("/c/no-such-summit/manage/insights").status_code == 404


def test_insights_proposal_chart_stacks_each_track_by_state_without_drafts(client, login, summit):
    login(summit.organiser)

    html = page(client)

    assert 'data-track="Platform" data-state="accepted" data-count="2"' in html
    assert 'data-track="Platform" data-state="rejected" data-count="1"' in html
    assert 'data-track="Data" data-state="accepted" data-count="1"' in html
    assert 'data-track="Data" data-state="submitted" data-count="1"' in html
    assert 'data-state="draft"' not in html
    assert "Draft talk" not in html


def test_insights_review_histogram_bins_each_proposals_mean_score(client, login, summit):
    login(summit.organiser)

    html = page(client)

    # A: (100 + 75) / 2 = 87.5; C: 0; E: 50 (scores 1-5 put on 0-100).
    bins = dict(re.findall(r'data-bin="([^"]+)" data-count="(\d+)"', html))
    assert bins["80–90"] == "1"
    assert bins["0–10"] == "1"
    assert bins["50–60"] == "1"
    assert sum(int(count) for label, count in bins.items() if "–" in label) == 3
    assert "3 proposals have at least one scored review" in html


def test_insights_criterion_histogram_counts_each_score_given(client, login, summit):
    login(summit.organiser)

    html = page(client)

    assert "Relevance (4 scores, 1–5)" in html
    section = html[html.index("Scores given per criterion") :]
    bins = re.findall(r'data-bin="(\d)" data-count="(\d+)"', section)
    assert bins == [("1", "1"), ("2", "0"), ("3", "1"), ("4", "1"), ("5", "1")]


def test_insights_feedback_chart_shows_mean_rating_and_responses_best_first(client, login, summit):
    login(summit.organiser)

    html = page(client)

    assert 'data-talk="Alpha talk" data-mean="4.50"' in html
    assert 'data-talk="Delta talk" data-mean="2.00"' in html
    assert html.index('data-talk="Alpha talk"') < html.index('data-talk="Delta talk"')
    assert "4.50 from 2" in html
    assert "2.00 from 1" in html
    # The table has one column per rating question; the text question is not averaged.
    assert '<th scope="col">How useful was it?</th>' in html
    assert "Anything else?" not in html


def test_insights_heatmap_follows_new_york_into_daylight_saving_time(client, login, summit):
    login(summit.organiser)

    html = page(client)

    cells = dict(re.findall(r'data-cell="([^"]+): ([^":]+)"', html))
    # 13:00-14:00 UTC is 08:00 EST on Saturday (outside) but 09:00 EDT on Sunday (inside).
    assert cells["New York hub (America/New_York), Sat 13 Mar"] == "0%"
    assert cells["New York hub (America/New_York), Sun 14 Mar"] == "100%"
    assert cells["New York hub (America/New_York), All days"] == "50%"
    assert cells["London hub (Europe/London), Sat 13 Mar"] == "100%"
    assert cells["London hub (Europe/London), All days"] == "100%"
    assert cells["London hub (Europe/London), Fri 12 Mar"] == "no talks"


def test_insights_heatmap_adds_remote_speakers_and_attendees_zones(client, login, summit):
    login(summit.organiser)

    html = page(client)

    cells = dict(re.findall(r'data-cell="([^"]+): ([^":]+)"', html))
    # 13:00 UTC is 05:00/06:00 in Los Angeles and 22:00 in Tokyo: outside 09:00-17:30.
    assert cells["Remote: America/Los_Angeles (1 person), All days"] == "0%"
    assert cells["Remote: Asia/Tokyo (1 person), All days"] == "0%"
    # Europe/London is already the London hub's row.
    assert "Remote: Europe/London" not in html
    assert "60 of 120 min" in html


def test_insights_page_has_no_inline_styles_or_scripts_and_labels_every_chart(
    client, login, summit
):
    login(summit.organiser)

    html = page(client)

    assert "style=" not in html
    assert "<script>" not in html
    assert not re.search(r"\son[a-z]+=", html)
    charts = re.findall(r"<svg [^>]*>", html)
    assert len(charts) == 5  # proposals, mean scores, one criterion, feedback, coverage
    for tag in charts:
        assert 'role="img"' in tag and "aria-labelledby=" in tag
    assert html.count("<table") == 5
    assert html.count("<desc ") == 5


def test_insights_page_of_a_new_conference_explains_each_empty_chart(client, login, db):
    conference = ConferenceFactory(slug="empty-summit")
    organiser = make_user()
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    login(organiser)

    response = client.get("/c/empty-summit/manage/insights")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No proposals have been submitted yet." in html
    assert "No proposal has a scored review yet." in html
    assert "No attendee has given feedback on a talk yet." in html
    assert "No schedule has been published yet" in html
    assert "<svg" not in html


def count_queries(client, url: str) -> int:
    return statements_for_page(_db.engine, client, url)


def test_insights_page_queries_do_not_grow_with_talks_and_feedback(client, login, db, summit):
    login(summit.organiser)
    before = count_queries(client, URL)
    conference = summit.conference
    version = latest_published(conference.id)
    question = db.session.scalar(
        select(FeedbackQuestion).where(FeedbackQuestion.conference_id == conference.id)
    )
    room = db.session.scalar(select(Room).where(Room.conference_id == conference.id))
    for hour in range(8, 13):
        proposal = ProposalFactory(conference=conference, state=ProposalState.ACCEPTED)
        ScheduledTalkFactory(
            version=version,
            proposal=proposal,
            room=room,
            starts_at=utc(12, hour),
            ends_at=utc(12, hour, 30),
        )
        add_feedback(conference, proposal, question, [3, 4])
    db.session.commit()

    assert count_queries(client, URL) == before
