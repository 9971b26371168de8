"""Every list runs the same SQL statements for one row as for fifty (no query per row).

Each talk gets its own track, format, room and hub, two speakers, two reviews with two scores
and an answer and two tags, so a lazy load per row cannot hide behind the identity map. Measured when
written (SQLite and PostgreSQL alike): proposals 12, speakers 5, reviews 5, schedule 11, rooms
3, tracks 3 statements, the same for 1 and for 50 talks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from conference.api.operations import create_api_token
from conference.conferences.models import Role
from conference.extensions import db
from conference.proposals.models import ProposalState, SpeakerRole
from conference.tags.models import ProposalTag
from tests.conference.api.conftest import bearer
from tests.conference.faults.conftest import count_queries, make_user
from tests.conference.tags.conftest import make_tag
from tests.factories import (
    CfpAnswerFactory,
    CfpQuestionFactory,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    ReviewCriterionFactory,
    ReviewFactory,
    ReviewScoreFactory,
    RoleFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    SpeakerProfileFactory,
    TrackFactory,
)

MANY = 50
DAY = datetime(2027, 3, 24, 9, tzinfo=UTC)
LISTS = ("proposals", "speakers", "reviews", "schedule", "rooms", "tracks")


@dataclass
class Load:
    conference: object
    version: object
    criteria: list
    question: object
    reviewers: list
    secret: str
    tags: list
    talks: int = 0


def make_load() -> Load:
    conference = ConferenceFactory(slug="loadcon")
    organiser = make_user()
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    reviewers = [make_user(), make_user()]
    _token, secret = create_api_token(conference, "Load", organiser)
    return Load(
        conference=conference,
        version=ScheduleVersionFactory(
            conference=conference, is_draft=False, number=1, published_at=DAY - timedelta(days=9)
        ),
        criteria=[ReviewCriterionFactory(conference=conference) for _ in range(2)],
        question=CfpQuestionFactory(conference=conference),
        reviewers=reviewers,
        secret=secret,
        tags=[make_tag(conference, "Keynote"), make_tag(conference, "Needs mentor")],
    )


def add_talks(load: Load, count: int) -> None:
    conference = load.conference
    for _ in range(count):
        number = load.talks
        load.talks += 1
        proposal = ProposalFactory(
            conference=conference,
            state=ProposalState.CONFIRMED,
            track=TrackFactory(conference=conference),
            session_format=SessionFormatFactory(conference=conference),
            submitted_at=DAY - timedelta(days=60),
        )
        for role in (SpeakerRole.SUBMITTER, SpeakerRole.CO_SPEAKER):
            speaker = make_user()
            ProposalSpeakerFactory(proposal=proposal, user=speaker, role=role)
            SpeakerProfileFactory(
                conference=conference, user=speaker, hub=HubFactory(conference=conference)
            )
        CfpAnswerFactory(proposal=proposal, question=load.question)
        db.session.add_all(ProposalTag(proposal_id=proposal.id, tag_id=tag.id) for tag in load.tags)
        for reviewer in load.reviewers:
            review = ReviewFactory(proposal=proposal, reviewer=reviewer)
            for value, criterion in enumerate(load.criteria, start=2):
                ReviewScoreFactory(review=review, criterion=criterion, value=value)
        starts_at = DAY + timedelta(minutes=30 * number)
        ScheduledTalkFactory(
            version=load.version,
            proposal=proposal,
            room=RoomFactory(conference=conference, hub=HubFactory(conference=conference)),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
        )
    db.session.commit()


def _counts(app, load: Load) -> dict[str, int]:
    client = app.test_client()
    counts = {}
    for endpoint in LISTS:
        url = f"/api/v1/conferences/{load.conference.slug}/{endpoint}?limit=200"
        client.get(url, headers=bearer(load.secret))  # warm: the token's last use is noted once
        with count_queries(db.engine) as statements:
            response = client.get(url, headers=bearer(load.secret))
        assert response.status_code == 200, (endpoint, response.get_data(as_text=True))
        assert len(response.get_json()["results"]) >= load.talks, endpoint
        counts[endpoint] = len(statements)
    return counts


@pytest.fixture
def load(app, db) -> Load:
    made = make_load()
    add_talks(made, 1)
    return made


def test_lists_run_the_same_statements_for_one_row_and_for_fifty(app, load):
    one = _counts(app, load)
    add_talks(load, MANY - 1)
    many = _counts(app, load)
    assert many == one, f"statements per list (1 row, {MANY} rows): {one} -> {many}"
