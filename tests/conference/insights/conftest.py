"""A small conference whose insights are worked out by hand in the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from werkzeug.security import generate_password_hash

from conference.conferences.models import Role
from conference.extensions import db as _db
from conference.feedback.models import (
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
)
from conference.proposals.models import PresentationMode, ProposalState
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ReviewCriterionFactory,
    ReviewFactory,
    ReviewScoreFactory,
    RoleFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SpeakerProfileFactory,
    TrackFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")


def make_user(**fields):
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


@dataclass
class Summit:
    conference: object
    organiser: object
    reviewer: object
    attendee: object
    other_organiser: object
    proposals: dict


def add_feedback(conference, proposal, question, ratings, comment_question=None):
    """One response per rating, each from a new attendee."""
    for rating in ratings:
        response = FeedbackResponse(
            conference_id=conference.id, proposal_id=proposal.id, user_id=make_user().id
        )
        response.answers.append(FeedbackAnswer(question_id=question.id, rating=rating))
        if comment_question is not None:
            response.answers.append(
                FeedbackAnswer(question_id=comment_question.id, text="Loved it.")
            )
        _db.session.add(response)
    _db.session.flush()


@pytest.fixture
def summit(db) -> Summit:
    """Two hubs, two tracks, reviewed proposals, feedback and a published schedule.

    Platform: A and B accepted, C rejected; Data: D accepted, E submitted; plus a draft.
    Reviews (1-5, one criterion): A 5 and 4 (mean 87.5), C 1 (0), E 3 (50).
    Feedback: A rated 5 and 4; D rated 2.
    Published: A 13:00-14:00 UTC Sat 13 March (Thames, London), D 13:00-14:00 UTC Sun 14 March
    (Hudson, New York); New York moves to daylight saving time that Sunday.
    """
    conference = ConferenceFactory(
        slug="insight-summit",
        starts_on=date(2027, 3, 12),
        ends_on=date(2027, 3, 14),
        time_zone="Europe/London",
    )
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    new_york = HubFactory(
        conference=conference,
        name="New York",
        time_zone="America/New_York",
        working_day_starts=time(9, 0),
        working_day_ends=time(17, 30),
    )
    thames = RoomFactory(conference=conference, hub=london, name="Thames")
    hudson = RoomFactory(conference=conference, hub=new_york, name="Hudson")
    platform = TrackFactory(conference=conference, name="Platform")
    data = TrackFactory(conference=conference, name="Data")

    def proposal(title, track, state):
        return ProposalFactory(conference=conference, title=title, track=track, state=state)

    proposals = {
        "A": proposal("Alpha talk", platform, ProposalState.ACCEPTED),
        "B": proposal("Beta talk", platform, ProposalState.ACCEPTED),
        "C": proposal("Gamma talk", platform, ProposalState.REJECTED),
        "D": proposal("Delta talk", data, ProposalState.ACCEPTED),
        "E": proposal("Epsilon talk", data, ProposalState.SUBMITTED),
        "draft": proposal("Draft talk", data, ProposalState.DRAFT),
    }

    criterion = ReviewCriterionFactory(
        conference=conference, name="Relevance", scale_min=1, scale_max=5
    )
    for key, value in (("A", 5), ("A", 4), ("C", 1), ("E", 3)):
        review = ReviewFactory(proposal=proposals[key])
        ReviewScoreFactory(review=review, criterion=criterion, value=value)

    usefulness = FeedbackQuestion(
        conference_id=conference.id, prompt="How useful was it?", kind=QuestionKind.RATING
    )
    comments = FeedbackQuestion(
        conference_id=conference.id,
        prompt="Anything else?",
        kind=QuestionKind.TEXT,
        required=False,
        position=1,
    )
    db.session.add_all([usefulness, comments])
    db.session.flush()
    add_feedback(conference, proposals["A"], usefulness, [5, 4], comments)
    add_feedback(conference, proposals["D"], usefulness, [2])

    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    ScheduledTalkFactory(
        version=version,
        proposal=proposals["A"],
        room=thames,
        starts_at=utc(13, 13),
        ends_at=utc(13, 14),
    )
    ScheduledTalkFactory(
        version=version,
        proposal=proposals["D"],
        room=hudson,
        starts_at=utc(14, 13),
        ends_at=utc(14, 14),
    )

    organiser, reviewer, attendee = make_user(), make_user(), make_user(time_zone="Europe/London")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
    RoleFactory(conference=conference, user=attendee, role=Role.ATTENDEE)
    # The remote audience: a speaker presenting from Los Angeles, an attendee in Tokyo.
    remote_speaker = make_user(time_zone="America/Los_Angeles")
    RoleFactory(conference=conference, user=remote_speaker, role=Role.SPEAKER)
    SpeakerProfileFactory(
        conference=conference, user=remote_speaker, presentation_mode=PresentationMode.REMOTE
    )
    RoleFactory(conference=conference, user=make_user(time_zone="Asia/Tokyo"), role=Role.ATTENDEE)
    # Based at the London hub: covered by the hub's row, not a remote one.
    RoleFactory(
        conference=conference,
        user=make_user(time_zone="Europe/London", home_hub=london),
        role=Role.ATTENDEE,
    )

    other_organiser = make_user()
    RoleFactory(
        conference=ConferenceFactory(slug="other-summit"), user=other_organiser, role=Role.ORGANISER
    )
    db.session.commit()
    return Summit(conference, organiser, reviewer, attendee, other_organiser, proposals)
