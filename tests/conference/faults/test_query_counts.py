"""List pages run a fixed number of SQL queries, whatever the number of items (no N+1).

Measured when written (SQLite and PostgreSQL alike): agenda day 18, my agenda 23, interest
browse 11, my proposals 8, reviews list 13, decisions ranking 11, draft editor 37, archive
search 11 statements, the same with 1 and with 50 talks; later, agenda speakers 13 and one
speaker's page 14.

Every page is fetched with 1 item and again with 50; the second may run at most
`ALLOWED_GROWTH` more statements than the first (a page may, say, load one more kind of
related row once there is something to show), never one per item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from conference.archive.operations import refresh_conference_archive
from conference.conferences.models import Role
from conference.extensions import db
from conference.interest.models import InterestMark
from conference.proposals.models import InvitationState, ProposalState, SpeakerRole
from conference.schedule.models import ScheduleBlockRoom
from tests.conference.faults.conftest import count_queries, logged_in_client, make_user
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
    ReviewFactory,
    ReviewScoreFactory,
    RoleFactory,
    RoomFactory,
    ScheduleBlockFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    TrackFactory,
)

ALLOWED_GROWTH = 3
PAGES_ROLES = ("attendee", "speaker", "reviewer", "organiser")
MANY = 50
DAY = datetime(2027, 3, 24, tzinfo=UTC)
ROOMS = 5
TITLE_WORD = "Observability"

PAGES = {
    "agenda day": ("attendee", "/c/devcon/agenda/2027-03-24"),
    "agenda day as grid": ("attendee", "/c/devcon/agenda/2027-03-24?view=grid"),
    "my agenda": ("attendee", "/c/devcon/agenda/mine"),
    "agenda speakers": ("attendee", "/c/devcon/agenda/speakers"),
    # The speaker of every talk; ``{speaker}`` is their user id.
    "agenda speaker page": ("attendee", "/c/devcon/agenda/speakers/{speaker}"),
    "interest browse": ("attendee", "/c/devcon/talks/"),
    "my proposals": ("speaker", "/c/devcon/proposals/"),
    "reviews list": ("reviewer", "/c/devcon/reviews/"),
    "decisions ranking": ("organiser", "/c/devcon/manage/ranking"),
    "draft editor": ("organiser", "/c/devcon/manage/schedule/draft"),
    "archive search": ("attendee", f"/archive?q={TITLE_WORD}"),
}


@dataclass
class Scene:
    conference: object
    rooms: list
    criteria: list
    draft: object
    published: object
    people: dict
    other_reviewer: object
    block: object
    talks: int = 0


def make_scene() -> Scene:
    conference = ConferenceFactory(slug="devcon", time_zone="Europe/London")
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    rooms = [RoomFactory(conference=conference, hub=london, name=f"Room {n}") for n in range(ROOMS)]
    block = ScheduleBlockFactory(
        conference=conference,
        name="Wednesday",
        starts_at=DAY.replace(hour=8),
        ends_at=DAY.replace(hour=20),
    )
    db.session.flush()
    db.session.add_all(ScheduleBlockRoom(block_id=block.id, room_id=room.id) for room in rooms)
    people = {role: make_user(display_name=role.capitalize()) for role in PAGES_ROLES}
    for role, user in people.items():
        RoleFactory(conference=conference, user=user, role=Role(role))
    other_reviewer = make_user(display_name="Second reviewer")
    RoleFactory(conference=conference, user=other_reviewer, role=Role.REVIEWER)
    scene = Scene(
        conference=conference,
        rooms=rooms,
        criteria=[
            ReviewCriterionFactory(conference=conference, name=name)
            for name in ("Relevance", "Clarity")
        ],
        draft=ScheduleVersionFactory(conference=conference, is_draft=True),
        published=ScheduleVersionFactory(
            conference=conference, is_draft=False, number=1, published_at=DAY - timedelta(days=30)
        ),
        people=people,
        other_reviewer=other_reviewer,
        block=block,
    )
    return scene


def add_talks(scene: Scene, count: int) -> None:
    """``count`` more confirmed talks: scheduled, starred, reviewed twice, each with a co-speaker."""
    for _ in range(count):
        number = scene.talks
        scene.talks += 1
        proposal = ProposalFactory(
            conference=scene.conference,
            state=ProposalState.CONFIRMED,
            title=f"{TITLE_WORD} talk {number}",
            # Every talk its own track and format: a lazy load per item cannot hide behind the identity map.
            track=TrackFactory(conference=scene.conference, name=f"Track {number}"),
            session_format=SessionFormatFactory(conference=scene.conference, duration_minutes=30),
        )
        ProposalSpeakerFactory(
            proposal=proposal,
            user=scene.people["speaker"],
            role=SpeakerRole.SUBMITTER,
            invitation_state=InvitationState.ACCEPTED,
        )
        ProposalSpeakerFactory(
            proposal=proposal,
            user=make_user(),
            role=SpeakerRole.CO_SPEAKER,
            invitation_state=InvitationState.ACCEPTED,
        )
        room = scene.rooms[number % ROOMS]
        starts_at = DAY.replace(hour=9) + timedelta(minutes=30 * (number // ROOMS))
        for version in (scene.draft, scene.published):
            ScheduledTalkFactory(
                version=version,
                proposal=proposal,
                room=room,
                block=scene.block,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=30),
            )
        db.session.add(InterestMark(user_id=scene.people["attendee"].id, proposal_id=proposal.id))
        for reviewer in (scene.people["reviewer"], scene.other_reviewer):
            ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)
            review = ReviewFactory(proposal=proposal, reviewer=reviewer)
            for value, criterion in enumerate(scene.criteria, start=2):
                ReviewScoreFactory(review=review, criterion=criterion, value=value)
    db.session.flush()
    refresh_conference_archive(scene.conference)
    db.session.commit()


def _counts(app, scene: Scene) -> dict[str, int]:
    clients = {role: logged_in_client(app, scene.people[role]) for role in PAGES_ROLES}
    counts = {}
    for name, (role, url) in PAGES.items():
        url = url.replace("{speaker}", str(scene.people["speaker"].id))
        clients[role].get(url)  # warm: first-request work (feed tokens, caches) is not per item
        with count_queries(db.engine) as statements:
            response = clients[role].get(url)
        assert response.status_code == 200, (name, response.status_code)
        page = response.get_data(as_text=True)
        shown = page.count(f"{TITLE_WORD} talk ") + page.count(f"{TITLE_WORD}</mark> talk ")
        assert shown >= min(scene.talks, 20), (name, "the page does not list the talks")
        counts[name] = len(statements)
    return counts


@pytest.fixture
def scene(app, db):
    found = make_scene()
    add_talks(found, 1)
    return found


def test_list_pages_run_the_same_queries_for_one_item_and_for_fifty(app, scene):
    one = _counts(app, scene)
    add_talks(scene, MANY - 1)
    many = _counts(app, scene)
    grown = {
        name: (one[name], many[name]) for name in PAGES if many[name] - one[name] > ALLOWED_GROWTH
    }
    assert grown == {}, f"queries (1 item, {MANY} items) per page: {grown}"
