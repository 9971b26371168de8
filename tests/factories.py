"""factory_boy factories for the models; tests build data with these, not with mocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import factory
from werkzeug.security import generate_password_hash

from conference import models
from conference.extensions import db

DEFAULT_PASSWORD = "correct horse battery"
# scrypt is deliberately slow; hash the shared test password once.
_DEFAULT_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt")


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = models.User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password_hash = _DEFAULT_HASH
    time_zone = "Europe/London"


class ConferenceFactory(BaseFactory):
    class Meta:
        model = models.Conference

    slug = factory.Sequence(lambda n: f"conf-{n}")
    name = factory.Sequence(lambda n: f"Engineering Summit {n}")
    starts_on = date(2027, 3, 24)
    ends_on = date(2027, 3, 26)
    time_zone = "Europe/London"
    cfp_opens_at = datetime(2026, 11, 1, tzinfo=UTC)
    cfp_closes_at = datetime(2027, 1, 31, 23, 59, tzinfo=UTC)


class RoleFactory(BaseFactory):
    class Meta:
        model = models.ConferenceRole

    conference = factory.SubFactory(ConferenceFactory)
    user = factory.SubFactory(UserFactory)
    role = models.Role.ATTENDEE


class HubFactory(BaseFactory):
    class Meta:
        model = models.Hub

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Office {n}")
    time_zone = "Europe/London"
    working_day_starts = time(9, 0)
    working_day_ends = time(17, 30)


class RoomFactory(BaseFactory):
    class Meta:
        model = models.Room

    conference = factory.SubFactory(ConferenceFactory)
    hub = factory.SubFactory(HubFactory, conference=factory.SelfAttribute("..conference"))
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 80
    has_streaming = True
    has_recording = False


class TrackFactory(BaseFactory):
    class Meta:
        model = models.Track

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Track {n}")


class SessionFormatFactory(BaseFactory):
    class Meta:
        model = models.SessionFormat

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Talk {n}")
    duration_minutes = 30


class ProposalFactory(BaseFactory):
    class Meta:
        model = models.Proposal

    conference = factory.SubFactory(ConferenceFactory)
    title = factory.Sequence(lambda n: f"Proposal {n}")
    abstract = "An abstract."
    session_format = factory.SubFactory(
        SessionFormatFactory, conference=factory.SelfAttribute("..conference")
    )
    track = factory.SubFactory(TrackFactory, conference=factory.SelfAttribute("..conference"))


class CfpQuestionFactory(BaseFactory):
    class Meta:
        model = models.CfpQuestion

    conference = factory.SubFactory(ConferenceFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = models.CfpQuestionKind.SHORT_TEXT
    position = factory.Sequence(lambda n: n + 1)


class CfpAnswerFactory(BaseFactory):
    class Meta:
        model = models.CfpAnswer

    proposal = factory.SubFactory(ProposalFactory)
    question = factory.SubFactory(
        CfpQuestionFactory, conference=factory.SelfAttribute("..proposal.conference")
    )
    value = "An answer."


class ProposalSpeakerFactory(BaseFactory):
    class Meta:
        model = models.ProposalSpeaker

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.SubFactory(UserFactory)


class ReviewCriterionFactory(BaseFactory):
    class Meta:
        model = models.ReviewCriterion

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1.0
    scale_min = 1
    scale_max = 5


class ReviewAssignmentFactory(BaseFactory):
    class Meta:
        model = models.ReviewAssignment

    proposal = factory.SubFactory(ProposalFactory)
    conference_id = factory.SelfAttribute("proposal.conference_id")
    reviewer = factory.SubFactory(UserFactory)


class ReviewFactory(BaseFactory):
    class Meta:
        model = models.Review

    proposal = factory.SubFactory(ProposalFactory)
    conference_id = factory.SelfAttribute("proposal.conference_id")
    reviewer = factory.SubFactory(UserFactory)
    comment_for_organisers = "Solid proposal."


class ReviewScoreFactory(BaseFactory):
    class Meta:
        model = models.ReviewScore

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(ReviewCriterionFactory)
    value = 3


class ConflictFactory(BaseFactory):
    class Meta:
        model = models.Conflict

    proposal = factory.SubFactory(ProposalFactory)
    conference_id = factory.SelfAttribute("proposal.conference_id")
    reviewer = factory.SubFactory(UserFactory)


class InterestMarkFactory(BaseFactory):
    class Meta:
        model = models.InterestMark

    user_id = factory.LazyAttribute(lambda _: UserFactory().id)
    proposal_id = factory.LazyAttribute(lambda _: ProposalFactory().id)


class SpeakerProfileFactory(BaseFactory):
    class Meta:
        model = models.SpeakerProfile

    conference = factory.SubFactory(ConferenceFactory)
    user = factory.SubFactory(UserFactory)
    bio = "Engineer."


class ScheduleBlockFactory(BaseFactory):
    class Meta:
        model = models.ScheduleBlock

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Session {n}")
    starts_at = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
    ends_at = datetime(2027, 3, 24, 12, 0, tzinfo=UTC)


class ScheduleVersionFactory(BaseFactory):
    class Meta:
        model = models.ScheduleVersion

    conference = factory.SubFactory(ConferenceFactory)
    is_draft = True


class ScheduledTalkFactory(BaseFactory):
    class Meta:
        model = models.ScheduledTalk

    version = factory.SubFactory(ScheduleVersionFactory)
    proposal = factory.SubFactory(ProposalFactory, conference=factory.SelfAttribute("..version.conference"))
    room = factory.SubFactory(RoomFactory, conference=factory.SelfAttribute("..version.conference"))
    starts_at = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
    ends_at = datetime(2027, 3, 24, 9, 30, tzinfo=UTC)


class SolverRunFactory(BaseFactory):
    class Meta:
        model = models.SolverRun

    conference = factory.SubFactory(ConferenceFactory)
