"""A conference with something in every list the API gives, tokens, and an API client.

The conference runs over the night UK clocks go forward (Sunday 28 March 2027, 01:00 UTC), so
a talk at 10:00 London time is 10:00Z on the first day and 09:00Z on the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from conference.api.operations import create_api_token
from conference.conferences.models import Role
from conference.core.timezones import local_to_utc
from conference.extensions import db as _db
from conference.proposals.models import (
    CfpQuestionKind,
    InvitationState,
    PresentationMode,
    ProposalState,
    ReviewerVisibility,
    SpeakerRole,
)
from tests.conference.faults.conftest import logged_in_client, make_user
from tests.factories import (
    CfpAnswerFactory,
    CfpQuestionFactory,
    ConferenceFactory,
    ConflictFactory,
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

BEFORE_CHANGE = date(2027, 3, 27)  # London on GMT (UTC+0), New York on EDT (UTC-4)
AFTER_CHANGE = date(2027, 3, 28)  # London on BST (UTC+1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass
class Scene:
    conference: object
    other_conference: object
    organiser: object
    other_organiser: object
    people: dict
    hubs: dict
    rooms: dict
    tracks: dict
    session_format: object
    proposals: dict
    criteria: list
    reviews: dict
    questions: dict
    versions: dict
    secret: str  # this conference's token
    token: object
    other_secret: str  # the other conference's token

    @property
    def slug(self) -> str:
        return self.conference.slug

    def url(self, endpoint: str = "", **query) -> str:
        path = f"/api/v1/conferences/{self.slug}" + (f"/{endpoint}" if endpoint else "")
        if query:
            path += "?" + "&".join(f"{name}={value}" for name, value in query.items())
        return path


def build_scene() -> Scene:
    conference = ConferenceFactory(
        slug="devcon",
        name="Dev Con",
        starts_on=BEFORE_CHANGE,
        ends_on=AFTER_CHANGE,
        time_zone="Europe/London",
        settings={"anonymised_review": True, "reviewers_per_proposal": 2},
    )
    other_conference = ConferenceFactory(slug="othercon", name="Other Con")
    organiser = make_user(display_name="Olive Organiser", email="olive@example.com")
    other_organiser = make_user(display_name="Otto Elsewhere", email="otto@example.com")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    RoleFactory(conference=other_conference, user=other_organiser, role=Role.ORGANISER)
    people = {
        name: make_user(display_name=name.capitalize() + " Example", email=f"{name}@example.com")
        for name in ("alice", "bob", "carol", "dave", "erin", "rita", "ravi")
    }
    for reviewer in ("rita", "ravi"):
        RoleFactory(conference=conference, user=people[reviewer], role=Role.REVIEWER)

    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    new_york = HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    rooms = {
        "thames": RoomFactory(
            conference=conference, hub=london, name="Thames", capacity=120, has_streaming=True
        ),
        "hudson": RoomFactory(
            conference=conference, hub=new_york, name="Hudson", capacity=40, has_streaming=False
        ),
        "stream": RoomFactory(conference=conference, hub=None, name="Stream 1", capacity=500),
    }
    tracks = {
        "platform": TrackFactory(
            conference=conference, name="Platform", description="Infra.", colour="#112233"
        ),
        "frontend": TrackFactory(conference=conference, name="Frontend"),
    }
    TrackFactory(conference=other_conference, name="Elsewhere")
    session_format = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)

    def proposal(key, state, track, submitted=True, **fields):
        return ProposalFactory(
            conference=conference,
            title=fields.pop("title", f"The {key} proposal"),
            abstract=fields.pop("abstract", f"*Markdown* abstract of {key}."),
            state=state,
            track=track,
            session_format=session_format,
            submitted_at=at(date(2027, 1, 10), 12, 30) if submitted else None,
            **fields,
        )

    proposals = {
        "accepted": proposal("accepted", ProposalState.ACCEPTED, tracks["platform"]),
        "confirmed": proposal("confirmed", ProposalState.CONFIRMED, tracks["frontend"]),
        "submitted": proposal("submitted", ProposalState.SUBMITTED, tracks["frontend"]),
        "rejected": proposal("rejected", ProposalState.REJECTED, None),
        "declined": proposal("declined", ProposalState.DECLINED, tracks["platform"]),
        "withdrawn": proposal("withdrawn", ProposalState.WITHDRAWN, tracks["platform"]),
        "keynote": proposal("keynote", ProposalState.ACCEPTED, None),
        # The speakers' own: never listed.
        "draft": proposal("draft", ProposalState.DRAFT, tracks["platform"], submitted=False),
        "never_submitted": proposal(
            "never_submitted", ProposalState.WITHDRAWN, tracks["platform"], submitted=False
        ),
    }
    ProposalFactory(conference=other_conference, title="Elsewhere talk", state=ProposalState.ACCEPTED)

    def speaks(key, person, role=SpeakerRole.SUBMITTER, state=InvitationState.ACCEPTED):
        ProposalSpeakerFactory(
            proposal=proposals[key], user=people[person], role=role, invitation_state=state
        )

    speaks("accepted", "alice")
    speaks("accepted", "bob", SpeakerRole.CO_SPEAKER)
    speaks("confirmed", "bob")
    speaks("submitted", "alice")
    speaks("submitted", "carol", SpeakerRole.CO_SPEAKER, InvitationState.INVITED)
    speaks("rejected", "erin")
    speaks("declined", "erin")
    speaks("withdrawn", "erin")
    speaks("keynote", "bob")
    speaks("draft", "dave")
    speaks("never_submitted", "dave")
    SpeakerProfileFactory(
        conference=conference,
        user=people["alice"],
        bio="Builds **build** systems.",
        hub=london,
        presentation_mode=PresentationMode.REMOTE,
    )
    SpeakerProfileFactory(conference=other_conference, user=people["bob"], bio="Elsewhere bio.")

    criteria = [
        ReviewCriterionFactory(conference=conference, name="Relevance", weight=2.0, position=1),
        ReviewCriterionFactory(conference=conference, name="Clarity", weight=1.0, position=2),
    ]

    def review(key, reviewer, values, **fields):
        made = ReviewFactory(proposal=proposals[key], reviewer=people[reviewer], **fields)
        for criterion, value in zip(criteria, values, strict=True):
            ReviewScoreFactory(review=made, criterion=criterion, value=value)
        return made

    reviews = {
        "rita_accepted": review(
            "accepted", "rita", (5, 3), comment_for_speaker="Great topic.", comment_for_organisers="Yes."
        ),
        "ravi_accepted": review("accepted", "ravi", (4, 4)),
        "rita_submitted": review("submitted", "rita", (2, 2)),
        # Ravi declared a conflict after writing this one: it no longer counts.
        "ravi_submitted": review("submitted", "ravi", (1, 1)),
    }
    ConflictFactory(proposal=proposals["submitted"], reviewer=people["ravi"], reason="Same team")

    questions = {
        "takeaway": CfpQuestionFactory(
            conference=conference, text="What will attendees take away?", required=True, position=1
        ),
        "experience": CfpQuestionFactory(
            conference=conference,
            text="How long have you worked on this?",
            kind=CfpQuestionKind.CHOICE,
            options=["Under a year", "Longer"],
            reviewer_visibility=ReviewerVisibility.NEVER,
            position=2,
        ),
        "retired": CfpQuestionFactory(
            conference=conference, text="Old question?", position=3, active=False
        ),
    }
    CfpAnswerFactory(proposal=proposals["accepted"], question=questions["takeaway"], value="Ship safely.")
    CfpAnswerFactory(proposal=proposals["accepted"], question=questions["experience"], value="Longer")
    CfpAnswerFactory(proposal=proposals["accepted"], question=questions["retired"], value="Kept.")
    CfpAnswerFactory(proposal=proposals["draft"], question=questions["takeaway"], value="Draft only.")

    versions = {
        1: ScheduleVersionFactory(
            conference=conference, is_draft=False, number=1, published_at=at(date(2027, 2, 1), 9)
        ),
        2: ScheduleVersionFactory(
            conference=conference, is_draft=False, number=2, published_at=at(date(2027, 2, 8), 9)
        ),
    }
    ScheduleVersionFactory(conference=conference, is_draft=True)

    def place(version, key, room, starts_at):
        ScheduledTalkFactory(
            version=versions[version],
            proposal=proposals[key],
            room=rooms[room],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
        )

    # Version 1: the accepted talk on the Sunday at 11:00 London time, the declined talk
    # (still in the programme then) in the online stream.
    place(1, "accepted", "thames", local_to_utc(AFTER_CHANGE, time(11), "Europe/London"))
    place(1, "declined", "stream", at(BEFORE_CHANGE, 15))
    # Version 2: 10:00 London on the Saturday (GMT) and on the Sunday (BST), 10:00 New York
    # (EDT) on the Saturday; the declined talk stays in it (shown as cancelled).
    place(2, "accepted", "thames", local_to_utc(BEFORE_CHANGE, time(10), "Europe/London"))
    place(2, "confirmed", "thames", local_to_utc(AFTER_CHANGE, time(10), "Europe/London"))
    place(2, "keynote", "hudson", local_to_utc(BEFORE_CHANGE, time(10), "America/New_York"))
    place(2, "declined", "stream", at(BEFORE_CHANGE, 15))

    token, secret = create_api_token(conference, "Intranet sync", organiser)
    _other_token, other_secret = create_api_token(other_conference, "Other sync", other_organiser)
    _db.session.commit()
    return Scene(
        conference=conference,
        other_conference=other_conference,
        organiser=organiser,
        other_organiser=other_organiser,
        people=people,
        hubs={"london": london, "new_york": new_york},
        rooms=rooms,
        tracks=tracks,
        session_format=session_format,
        proposals=proposals,
        criteria=criteria,
        reviews=reviews,
        questions=questions,
        versions=versions,
        secret=secret,
        token=token,
        other_secret=other_secret,
    )


@pytest.fixture
def scene(app, db) -> Scene:
    return build_scene()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class ApiClient:
    """GETs with a bearer token; ``json`` asserts the status and returns the body."""

    def __init__(self, client, secret: str) -> None:
        self.client = client
        self.secret = secret

    def get(self, url: str, **kwargs):
        headers = {**bearer(self.secret), **kwargs.pop("headers", {})}
        return self.client.get(url, headers=headers, **kwargs)

    def json(self, url: str, status: int = 200):
        response = self.get(url)
        assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True))
        assert response.mimetype == "application/json"
        return response.get_json()

    def walk(self, url: str) -> list[dict]:
        """Every row of a list, following ``next`` to the end."""
        rows = []
        while url:
            body = self.json(url)
            rows.extend(body["results"])
            url = body["next"]
        return rows


@pytest.fixture
def api(app, scene) -> ApiClient:
    return ApiClient(app.test_client(), scene.secret)


@pytest.fixture
def organiser_client(app, scene):
    return logged_in_client(app, scene.organiser)
