"""One realistic conference, a person per role, and a logged-in client for each of them.

The world has a published schedule and a draft, proposals by two speakers, a review, a
declared conflict, a feed token, a solver run, a pending co-speaker invitation, a failed
e-mail, slides, a topic, feedback questions and answered questions of the call for
proposals, so every URL variable of the app can be filled with the id of a real object. Its
dates put every phase in reach at once: the call for proposals and the review are open, and
the talks (yesterday) are open for feedback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from io import BytesIO

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from werkzeug.datastructures import FileStorage
from werkzeug.security import generate_password_hash

import conference.models  # noqa: F401 - every mapper, before modules that build model objects at import
from conference.access_codes.models import AccessCode
from conference.accounts.operations import password_reset_token
from conference.api.operations import create_api_token
from conference.archive.operations import attach_topic, create_topic
from conference.attendance.models import (
    AttendanceDay,
    AttendanceMode,
    AttendanceRegistration,
    SeatStatus,
)
from conference.conferences.models import Role
from conference.discussion.models import ProposalComment
from conference.drafts.operations import publish_schedule
from conference.extensions import db as _db
from conference.feedback.models import QuestionKind
from conference.feedback.operations import ensure_default_questions
from conference.feeds.operations import feed_token_for
from conference.mail.models import EmailTemplate, OutboxMessage, OutboxState
from conference.materials import files
from conference.materials.models import MaterialKind
from conference.materials.operations import add_link, add_slides
from conference.proposals.models import (
    CfpQuestionKind,
    InvitationState,
    ProposalState,
    ReviewerVisibility,
    SpeakerRole,
)
from conference.questions.models import AudienceQuestion
from conference.schedule.models import RunState, ScheduleBlockRoom, ScheduledTalk
from conference.tags.models import ProposalTag, Tag
from conference.tasks import huey
from tests.conftest import _empty_all_tables, make_test_app
from tests.factories import (
    DEFAULT_PASSWORD,
    CfpAnswerFactory,
    CfpQuestionFactory,
    ConferenceFactory,
    ConflictFactory,
    HubFactory,
    InterestMarkFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
    ReviewFactory,
    ReviewScoreFactory,
    RoleFactory,
    RoomFactory,
    ScheduleBlockFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    SolverRunFactory,
    SpeakerProfileFactory,
    TrackFactory,
    UserFactory,
)

HOST = "conference.test"
# The real login form runs for every role; a cheap scrypt work factor keeps that fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")

# Forbidden requests are checked first, on an untouched world; the organiser goes last
# because their allowed POSTs delete and change the most.
ROLES = (
    "anonymous",
    "attendee",
    "speaker",
    "other_speaker",
    "reviewer",
    "conflicted_reviewer",
    "other_organiser",
    "organiser",
)

SPEAKER_NAME = "Zanzibar Quillfeather"
OTHER_SPEAKER_NAME = "Yolanda Brightwater"
SPEAKER_BIO = "Builds build systems."
TALK_TITLE = "Untangling the monorepo"
OTHER_TALK_TITLE = "Observability on a budget"
SUBMISSION_TITLE = "Feature flags at scale"


@dataclass
class World:
    conference: object
    other_conference: object
    users: dict[str, object]
    hub: object
    room: object
    online_room: object
    track: object
    session_format: object
    talk: object  # the speaker's accepted, published talk; reviewed; conflicted reviewer's conflict
    other_talk: object  # the other speaker's accepted, published talk
    submission: object  # the speaker's submitted (still editable) proposal
    invitation: object  # a pending co-speaker invitation on the submission, for the attendee
    criterion: object
    review: object
    assignment: object
    conflict: object
    block: object
    run: object
    published: object
    draft: object
    draft_talk: object
    feed_token: object
    api_token: object
    outbox_message: object
    comment: object  # the organiser's comment in the talk's discussion
    access_code: object  # an unused access code, limited to the world's track
    attendee_role: object
    slides: object
    recording: object
    topic: object
    proposal_tag: object  # an organisers' tag on the talk, visible to reviewers
    question: object
    questions: list
    cfp_question: object  # required, short text; answered by the three proposals
    cfp_choice_question: object  # optional single choice, hidden from anonymised reviewers
    reset_token: str
    day: str
    audience_question: object  # the attendee's anonymous live question on the talk
    attendance_registration: object  # the attendee's seat at the hub on the first day

    @property
    def slug(self) -> str:
        return self.conference.slug


def make_user(**fields):
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


def _today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


MINIMAL_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def build_world(db) -> World:
    """The conference every security test uses; dates follow today (see the module docstring)."""
    today = _today()
    first_day = (today - timedelta(days=1)).date()
    conference = ConferenceFactory(
        slug="summit",
        name="Security Summit",
        starts_on=first_day,
        ends_on=first_day + timedelta(days=1),
        time_zone="Europe/London",
        cfp_opens_at=today - timedelta(days=30),
        cfp_closes_at=today + timedelta(days=30),
        settings={"anonymised_review": True, "reviewers_per_proposal": 2},
    )
    other_conference = ConferenceFactory(slug="elsewhere", name="Elsewhere Conf")
    users = {
        "attendee": make_user(display_name="Attendee Person", email="attendee@example.com"),
        "speaker": make_user(display_name=SPEAKER_NAME, email="speaker@example.com"),
        "other_speaker": make_user(
            display_name=OTHER_SPEAKER_NAME, email="other.speaker@example.com"
        ),
        "reviewer": make_user(display_name="Reviewer Person", email="reviewer@example.com"),
        "conflicted_reviewer": make_user(
            display_name="Conflicted Person", email="conflicted@example.com"
        ),
        "other_organiser": make_user(display_name="Other Organiser", email="other.org@example.com"),
        "organiser": make_user(display_name="Organiser Person", email="organiser@example.com"),
        # Outside the matrix's roles: creates conferences.
        "site_admin": make_user(
            display_name="Site Admin", email="admin@example.com", is_site_admin=True
        ),
    }
    attendee_role = RoleFactory(conference=conference, user=users["attendee"], role=Role.ATTENDEE)
    RoleFactory(conference=conference, user=users["speaker"], role=Role.SPEAKER)
    RoleFactory(conference=conference, user=users["other_speaker"], role=Role.SPEAKER)
    RoleFactory(conference=conference, user=users["reviewer"], role=Role.REVIEWER)
    RoleFactory(conference=conference, user=users["conflicted_reviewer"], role=Role.REVIEWER)
    RoleFactory(conference=conference, user=users["organiser"], role=Role.ORGANISER)
    RoleFactory(conference=other_conference, user=users["other_organiser"], role=Role.ORGANISER)

    hub = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    room = RoomFactory(conference=conference, hub=hub, name="Thames")
    online_room = RoomFactory(conference=conference, hub=None, name="Stream 1")
    track = TrackFactory(conference=conference, name="Platform")
    session_format = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)

    def proposal(title, speaker, state):
        made = ProposalFactory(
            conference=conference,
            title=title,
            track=track,
            session_format=session_format,
            state=state,
            abstract=f"The abstract of {title}.",
            submitted_at=today - timedelta(days=5),
        )
        ProposalSpeakerFactory(proposal=made, user=speaker, role=SpeakerRole.SUBMITTER)
        return made

    talk = proposal(TALK_TITLE, users["speaker"], ProposalState.ACCEPTED)
    other_talk = proposal(OTHER_TALK_TITLE, users["other_speaker"], ProposalState.ACCEPTED)
    submission = proposal(SUBMISSION_TITLE, users["speaker"], ProposalState.SUBMITTED)
    invitation = ProposalSpeakerFactory(
        proposal=submission,
        user=None,
        invited_email=users["attendee"].email,
        role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.INVITED,
        invitation_token="invitation-token-for-the-attendee-0123456789",
    )
    SpeakerProfileFactory(conference=conference, user=users["speaker"], bio=SPEAKER_BIO, hub=hub)
    SpeakerProfileFactory(
        conference=conference, user=users["other_speaker"], bio="Watches dashboards."
    )

    criterion = ReviewCriterionFactory(conference=conference, name="Relevance")
    assignment = ReviewAssignmentFactory(proposal=talk, reviewer=users["reviewer"])
    ReviewAssignmentFactory(proposal=other_talk, reviewer=users["reviewer"])
    ReviewAssignmentFactory(proposal=submission, reviewer=users["reviewer"])
    ReviewAssignmentFactory(proposal=other_talk, reviewer=users["conflicted_reviewer"])
    ReviewAssignmentFactory(proposal=submission, reviewer=users["conflicted_reviewer"])
    review = ReviewFactory(proposal=talk, reviewer=users["reviewer"], comment_for_speaker="Nice.")
    ReviewScoreFactory(review=review, criterion=criterion, value=4)
    conflict = ConflictFactory(
        proposal=talk, reviewer=users["conflicted_reviewer"], reason="Same team"
    )
    InterestMarkFactory(user_id=users["attendee"].id, proposal_id=talk.id)

    day_start = datetime.combine(first_day, time(9, 0), tzinfo=UTC)
    block = ScheduleBlockFactory(
        conference=conference,
        name="Morning",
        hub=None,
        starts_at=day_start,
        ends_at=day_start + timedelta(hours=3),
    )
    db.session.add_all(
        [ScheduleBlockRoom(block_id=block.id, room_id=r.id) for r in (room, online_room)]
    )
    run = SolverRunFactory(
        conference=conference, state=RunState.SUCCEEDED, requested_by=users["organiser"]
    )
    draft = ScheduleVersionFactory(
        conference=conference, is_draft=True, number=None, solver_run_id=run.id
    )
    placements = [
        (talk, room, day_start),
        (other_talk, online_room, day_start + timedelta(minutes=30)),
    ]
    for placed, where, starts in placements:
        db.session.add(
            ScheduledTalk(
                version=draft,
                proposal=placed,
                room=where,
                block_id=block.id,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=30),
            )
        )
    db.session.flush()
    published = publish_schedule(conference, users["organiser"], "First schedule")
    draft_talk = db.session.scalar(
        select(ScheduledTalk).where(
            ScheduledTalk.version_id == draft.id, ScheduledTalk.proposal_id == talk.id
        )
    )
    feed_token = feed_token_for(users["attendee"], conference)
    api_token, _secret = create_api_token(conference, "Intranet sync", users["organiser"])
    slides = add_slides(
        talk,
        FileStorage(BytesIO(MINIMAL_PDF), filename="slides.pdf", content_type="application/pdf"),
        files.PDF,
        users["speaker"],
        title="The slides",
    )
    recording = add_link(
        talk, MaterialKind.RECORDING, "https://video.example.com/watch/1", users["speaker"]
    )
    topic = create_topic("Build systems", "Making builds fast.")
    attach_topic(talk, topic)
    questions = ensure_default_questions(conference)
    cfp_question = CfpQuestionFactory(
        conference=conference, text="What will attendees take away?", required=True, position=1
    )
    cfp_choice_question = CfpQuestionFactory(
        conference=conference,
        text="How long have you worked on this?",
        kind=CfpQuestionKind.CHOICE,
        options=["Under a year", "One to five years", "Longer"],
        reviewer_visibility=ReviewerVisibility.UNLESS_ANONYMISED,
        position=2,
    )
    for answered in (talk, other_talk, submission):
        CfpAnswerFactory(proposal=answered, question=cfp_question, value="How to ship safely.")
    CfpAnswerFactory(proposal=submission, question=cfp_choice_question, value="Longer")
    outbox_message = OutboxMessage(
        conference_id=conference.id,
        dedupe_key="security:failed",
        recipient=users["speaker"].email,
        subject="Your proposal",
        body="Hello",
        state=OutboxState.FAILED,
        attempts=5,
        last_error="refused",
    )
    db.session.add(outbox_message)
    comment = ProposalComment(conference_id=conference.id, proposal_id=talk.id,
                              author_id=users["organiser"].id, body="Worth a keynote slot?")
    db.session.add(comment)
    proposal_tag = Tag(conference_id=conference.id, name="Keynote candidate", colour="green",
                       description="", visible_to_reviewers=True)
    db.session.add(proposal_tag)
    db.session.flush()
    db.session.add(ProposalTag(proposal_id=talk.id, tag_id=proposal_tag.id))
    access_code = AccessCode(conference_id=conference.id, code="security-world-access-code",
                             track_id=track.id, max_uses=2, note="Keynote speaker",
                             created_by_id=users["organiser"].id)
    db.session.add(access_code)
    db.session.add(
        EmailTemplate(
            conference_id=conference.id,
            kind="decision_accepted",
            subject="Accepted: {title}",
            body="Dear {speaker}, see {link}.",
        )
    )
    attendance_registration = AttendanceRegistration(
        conference_id=conference.id, user_id=users["attendee"].id, mode=AttendanceMode.IN_PERSON,
        hub_id=hub.id, dietary_needs="Vegetarian", accessibility_needs="",
    )
    attendance_registration.days.append(
        AttendanceDay(day=first_day, status=SeatStatus.REGISTERED, requested_at=today, seated_at=today)
    )
    db.session.add(attendance_registration)
    audience_question = AudienceQuestion(conference_id=conference.id, proposal_id=talk.id,
                                         author_id=users["attendee"].id, anonymous=True,
                                         text="Does it work with our legacy build?")
    db.session.add(audience_question)
    db.session.commit()
    return World(
        conference=conference,
        other_conference=other_conference,
        users=users,
        hub=hub,
        room=room,
        online_room=online_room,
        track=track,
        session_format=session_format,
        talk=talk,
        other_talk=other_talk,
        submission=submission,
        invitation=invitation,
        criterion=criterion,
        review=review,
        assignment=assignment,
        conflict=conflict,
        block=block,
        run=run,
        published=published,
        draft=draft,
        draft_talk=draft_talk,
        feed_token=feed_token,
        api_token=api_token,
        outbox_message=outbox_message,
        comment=comment,
        access_code=access_code,
        attendee_role=attendee_role,
        slides=slides,
        recording=recording,
        topic=topic,
        proposal_tag=proposal_tag,
        question=questions[0],
        questions=questions,
        cfp_question=cfp_question,
        cfp_choice_question=cfp_choice_question,
        reset_token=password_reset_token(users["attendee"]),
        day=first_day.isoformat(),
        audience_question=audience_question,
        attendance_registration=attendance_registration,
    )


@pytest.fixture
def queued_tasks(monkeypatch) -> list:
    """Tasks the app puts on the huey queue, kept here instead of reaching a real worker."""
    tasks: list = []
    monkeypatch.setattr(huey, "enqueue", tasks.append)
    return tasks


@pytest.fixture
def world(app, db, queued_tasks, tmp_path) -> World:
    app.config["MATERIALS_FOLDER"] = str(tmp_path / "materials")
    return build_world(db)


def url_values(world: World) -> dict[str, object]:
    """Plain values for the app's URL variables, read once while the world's objects are loaded.

    The keys are URL variable names; a route may name one of the other keys instead (its
    ``values`` in access_expectations.py), e.g. ``proposal_id="submission"``.
    """
    return {
        "slug": world.slug,
        "proposal_id": world.talk.id,
        "submission": world.submission.id,
        "speaker_id": world.invitation.id,
        "invitation_token": world.invitation.invitation_token,
        "feed_token": world.feed_token.token,
        "token_id": world.api_token.id,
        "reset_token": world.reset_token,
        "day": world.day,
        "hub_id": world.hub.id,
        "room_id": world.room.id,
        "track_id": world.track.id,
        "format_id": world.session_format.id,
        "user_id": world.users["speaker"].id,
        "role_id": world.attendee_role.id,
        "criterion_id": world.criterion.id,
        "conflict_id": world.conflict.id,
        "assignment_id": world.assignment.id,
        "run_id": world.run.id,
        "block_id": world.block.id,
        "talk_id": world.draft_talk.id,
        "version_id": world.published.id,
        "message_id": world.outbox_message.id,
        "comment_id": world.comment.id,
        "code_id": world.access_code.id,
        "registration_id": world.attendance_registration.id,
        "kind": "decision_accepted",
        "filename": "css/app.css",
        "material_id": world.slides.id,
        "recording": world.recording.id,
        "question_id": world.question.id,
        "cfp_question": world.cfp_question.id,
        "cfp_choice_question": world.cfp_choice_question.id,
        "tag_id": world.topic.id,
        "topic_slug": world.topic.slug,
        "proposal_tag": world.proposal_tag.id,
        "audience_question": world.audience_question.id,
        # For pages and forms that need them.
        "other_slug": world.other_conference.slug,
        "other_talk": world.other_talk.id,
        "submission_lock_version": world.submission.lock_version,
        "last_day": world.conference.ends_on.isoformat(),
        "days": [day.isoformat() for day in world.conference.days()],
        "reviewer_id": world.users["reviewer"].id,
        "rating_questions": [q.id for q in world.questions if q.kind is QuestionKind.RATING],
        "text_questions": [q.id for q in world.questions if q.kind is QuestionKind.TEXT],
        "draft_talk_starts": world.draft_talk.starts_at.isoformat(),
    }


def log_in(app, user):
    """A fresh client logged in as ``user`` through the real login form."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def log_in_everyone(app, world: World) -> dict:
    """A client per role name; ``anonymous`` has no session."""
    made = {"anonymous": app.test_client()}
    for role, user in world.users.items():
        made[role] = log_in(app, user)
    return made


@pytest.fixture
def clients(app, world) -> dict:
    return log_in_everyone(app, world)


def url_rules() -> list:
    """Every rule of the app's URL map, sorted by endpoint."""
    app = make_test_app("sqlite://", create_schema=False)
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


# --- the world once per module, restored before each test (SQLite) ---------------------------
#
# Building the world and logging everyone in costs far more than a request. Tests with many
# requests on a fresh world (the access matrix, the form checks) build it once per module and
# start each test from a byte-for-byte copy of that database, made with SQLite's backup API.
# The logins survive too: the session cookies stay valid for the restored users.


@dataclass
class SavedWorld:
    app: object
    values: dict[str, object]
    sessions: dict[str, str]  # role -> session cookie of its login
    database_path: str
    snapshot: sqlite3.Connection

    def restore(self) -> None:
        """Put the database back exactly as it was after the world was built."""
        _db.session.remove()
        with sqlite3.connect(self.database_path) as target:
            self.snapshot.backup(target)

    def clients(self) -> dict:
        made = {"anonymous": self.app.test_client()}
        for role, cookie in self.sessions.items():
            made[role] = self.app.test_client()
            made[role].set_cookie("session", cookie, domain=HOST)
        return made


@pytest.fixture(scope="module")
def saved_world(sqlite_database_url, tmp_path_factory) -> Iterator[SavedWorld]:
    app = make_test_app(
        sqlite_database_url, MATERIALS_FOLDER=str(tmp_path_factory.mktemp("materials"))
    )
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(huey, "enqueue", lambda task: None)
        world = build_world(_db)
        values = url_values(world)
        sessions = {
            role: client.get_cookie("session", domain=HOST).value
            for role, client in log_in_everyone(app, world).items()
            if role != "anonymous"
        }
        _db.session.remove()
        path = make_url(sqlite_database_url).database
        snapshot = sqlite3.connect(":memory:")
        with sqlite3.connect(path) as source:
            source.backup(snapshot)
        try:
            yield SavedWorld(app, values, sessions, path, snapshot)
        finally:
            _db.session.remove()
            _empty_all_tables()
            _db.session.remove()
            _db.engine.dispose()
            snapshot.close()


@pytest.fixture
def fresh(saved_world) -> SavedWorld:
    """The module's world as it was built, with fresh clients from ``fresh.clients()``."""
    saved_world.restore()
    return saved_world
