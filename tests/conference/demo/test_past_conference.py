"""`flask demo` also seeds last year's summit: a finished conference with feedback, recordings and tags.

Seeded once per database for the module (without the 2027 solver run, which the past edition
does not need); the tests only read.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from conference.accounts.models import User
from conference.archive.models import ArchiveEntry, ProposalTopic, TopicTag
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.core.timezones import to_zone
from conference.extensions import db as _db
from conference.feedback.models import (
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
)
from conference.materials.models import MaterialKind, TalkMaterial
from conference.materials.queries import withheld_recording_ids
from conference.proposals.models import Proposal, ProposalSpeaker, ProposalState, SpeakerProfile
from conference.schedule.models import ScheduledTalk
from conference.schedule.versions import current_draft, latest_published
from tests.conference.demo.conftest import demo_app, module_database_url

TODAY = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    with demo_app(module_database_url(request, tmp_path_factory), with_schedule=False) as app:
        yield app


def past() -> Conference:
    return _db.session.scalar(select(Conference).where(Conference.slug == "summit-2026"))


def current() -> Conference:
    return _db.session.scalar(select(Conference).where(Conference.slug == "summit-2027"))


def published_talks() -> list[ScheduledTalk]:
    version = latest_published(past().id)
    return list(
        _db.session.scalars(
            select(ScheduledTalk)
            .where(ScheduledTalk.version_id == version.id)
            .order_by(ScheduledTalk.starts_at)
        )
    )


def test_past_summit_ran_in_march_2026_and_is_over(demo):
    summit = past()

    assert summit.name == "Acme Engineering Summit 2026"
    assert (summit.starts_on, summit.ends_on) == (date(2026, 3, 13), date(2026, 3, 15))
    assert summit.cfp_closes_at < datetime(2026, 2, 1, tzinfo=UTC)
    assert max(talk.ends_at for talk in published_talks()) < TODAY
    assert sorted(hub.name for hub in summit.hubs) == ["Bengaluru", "London", "New York"]


def test_past_summit_published_about_sixty_confirmed_talks_once(demo):
    summit = past()
    version = latest_published(summit.id)
    talks = published_talks()
    confirmed = set(
        _db.session.scalars(
            select(Proposal.id).where(
                Proposal.conference_id == summit.id, Proposal.state == ProposalState.CONFIRMED
            )
        )
    )

    assert version.number == 1
    assert version.published_at == datetime(2026, 2, 16, 10, 0, tzinfo=UTC)
    assert 55 <= len(talks) <= 65
    assert {talk.proposal_id for talk in talks} == confirmed
    assert {t.proposal_id for t in current_draft(summit.id).talks} == confirmed
    rejected = _db.session.scalar(
        select(func.count())
        .select_from(Proposal)
        .where(Proposal.conference_id == summit.id, Proposal.state == ProposalState.REJECTED)
    )
    assert rejected >= 10


def test_past_summit_talks_keep_to_their_hubs_sessions_and_never_share_a_room_or_speaker(demo):
    talks = published_talks()

    for talk in talks:
        assert talk.room.conference_id == past().id
        if talk.room.hub is not None:
            local_start, local_end = (
                to_zone(talk.starts_at, talk.room.hub.time_zone),
                to_zone(talk.ends_at, talk.room.hub.time_zone),
            )
            assert time(9, 30) <= local_start.time() and local_end.time() <= time(17, 0), (
                talk.proposal.title
            )
            assert not (local_start.time() < time(13, 30) and local_end.time() > time(12, 30))
    by_room: dict[int, list[ScheduledTalk]] = {}
    for talk in talks:
        by_room.setdefault(talk.room_id, []).append(talk)
    for room_talks in by_room.values():
        for earlier, later in zip(room_talks, room_talks[1:], strict=False):
            assert earlier.ends_at <= later.starts_at
    speakers = Counter(
        speaker.user_id for talk in talks for speaker in talk.proposal.accepted_speakers
    )
    assert max(speakers.values()) == 1
    assert any(talk.room.hub is None for talk in talks)  # remote speakers on the streams


def test_past_summit_speakers_are_this_years_people_including_the_demo_speaker(demo):
    summit = past()
    speaker = _db.session.scalar(select(User).where(User.email == "speaker@acme.example"))
    organiser = _db.session.scalar(select(User).where(User.email == "organiser@acme.example"))

    spoken = _db.session.scalars(
        select(Proposal.title)
        .join(ProposalSpeaker)
        .where(
            Proposal.conference_id == summit.id,
            ProposalSpeaker.user_id == speaker.id,
            Proposal.state == ProposalState.CONFIRMED,
        )
    ).all()
    assert len(spoken) == 1
    roles = set(
        _db.session.scalars(
            select(ConferenceRole.role).where(
                ConferenceRole.conference_id == summit.id, ConferenceRole.user_id == organiser.id
            )
        )
    )
    assert Role.ORGANISER in roles
    titles_2026 = set(
        _db.session.scalars(select(Proposal.title).where(Proposal.conference_id == summit.id))
    )
    titles_2027 = set(
        _db.session.scalars(select(Proposal.title).where(Proposal.conference_id == current().id))
    )
    assert not titles_2026 & titles_2027


def test_past_summit_has_rating_and_text_questions_and_feedback_on_every_talk(demo):
    summit = past()
    questions = list(
        _db.session.scalars(
            select(FeedbackQuestion).where(FeedbackQuestion.conference_id == summit.id)
        )
    )
    responses = Counter(
        _db.session.scalars(
            select(FeedbackResponse.proposal_id).where(FeedbackResponse.conference_id == summit.id)
        )
    )
    ratings = list(
        _db.session.scalars(
            select(FeedbackAnswer.rating)
            .join(FeedbackResponse)
            .where(FeedbackResponse.conference_id == summit.id, FeedbackAnswer.rating.is_not(None))
        )
    )

    assert Counter(q.kind for q in questions) == {QuestionKind.RATING: 3, QuestionKind.TEXT: 1}
    assert set(responses) == {talk.proposal_id for talk in published_talks()}
    assert min(responses.values()) >= 4
    assert sum(responses.values()) >= 500
    assert set(ratings) <= {1, 2, 3, 4, 5}
    assert 3.0 <= sum(ratings) / len(ratings) <= 4.5
    assert len(set(ratings)) >= 4  # attendees disagree


def test_past_summit_feedback_comes_after_each_talk_from_attendees_not_speakers(demo):
    summit = past()
    ends = {talk.proposal_id: talk.ends_at for talk in published_talks()}
    attendees = set(
        _db.session.scalars(
            select(ConferenceRole.user_id).where(
                ConferenceRole.conference_id == summit.id, ConferenceRole.role == Role.ATTENDEE
            )
        )
    )
    speakers = set(
        _db.session.scalars(
            select(ProposalSpeaker.user_id)
            .join(Proposal)
            .where(Proposal.conference_id == summit.id)
        )
    )

    for response in _db.session.scalars(
        select(FeedbackResponse).where(FeedbackResponse.conference_id == summit.id)
    ):
        assert response.created_at >= ends[response.proposal_id]
        assert response.user_id in attendees
        assert response.user_id not in speakers
    demo_attendee = _db.session.scalar(select(User).where(User.email == "attendee@acme.example"))
    mine = _db.session.scalar(
        select(func.count())
        .select_from(FeedbackResponse)
        .where(
            FeedbackResponse.conference_id == summit.id,
            FeedbackResponse.user_id == demo_attendee.id,
        )
    )
    assert mine == 5


def test_past_summit_recordings_are_https_links_for_recorded_rooms_with_consent(demo):
    summit = past()
    rooms = {talk.proposal_id: talk.room for talk in published_talks()}
    recordings = list(
        _db.session.scalars(
            select(TalkMaterial).where(
                TalkMaterial.conference_id == summit.id, TalkMaterial.kind == MaterialKind.RECORDING
            )
        )
    )

    assert len(recordings) >= 20
    for recording in recordings:
        assert recording.url.startswith("https://video.acme.example/summit-2026/")
        assert rooms[recording.proposal_id].has_recording
    assert len({r.proposal_id for r in recordings}) == len(recordings)
    slides = _db.session.scalar(
        select(func.count())
        .select_from(TalkMaterial)
        .where(TalkMaterial.conference_id == summit.id, TalkMaterial.kind == MaterialKind.LINK)
    )
    assert slides >= 15


def test_demo_speakers_answered_recording_consent_and_recordings_are_published(demo):
    """Publishing needs every speaker's yes: each demo speaker said yes or no (a few no), and
    every recording of last year is public."""
    for conference in (past(), current()):
        answers = Counter(
            _db.session.scalars(
                select(SpeakerProfile.recording_consent).where(
                    SpeakerProfile.conference_id == conference.id
                )
            )
        )
        assert None not in answers, conference.slug
        assert answers[True] > 5 * answers[False] > 0, conference.slug
    recorded = set(
        _db.session.scalars(
            select(TalkMaterial.proposal_id).where(
                TalkMaterial.conference_id == past().id, TalkMaterial.kind == MaterialKind.RECORDING
            )
        )
    )
    assert len(recorded) >= 20
    assert withheld_recording_ids(recorded) == set()


def test_demo_topic_tags_are_shared_by_talks_of_both_years(demo):
    tags = {tag.slug: tag for tag in _db.session.scalars(select(TopicTag))}
    per_year = Counter(
        (slug, year.year)
        for slug, year in _db.session.execute(
            select(TopicTag.slug, Conference.starts_on)
            .join(ProposalTopic, ProposalTopic.tag_id == TopicTag.id)
            .join(Proposal, Proposal.id == ProposalTopic.proposal_id)
            .join(Conference, Conference.id == Proposal.conference_id)
        )
    )

    assert len(tags) == 10
    assert {"observability", "kubernetes", "data-mesh"} <= set(tags)
    assert all(per_year[(slug, 2026)] for slug in tags)
    assert sum(1 for slug in tags if per_year[(slug, 2027)]) >= 8


def test_past_summit_archive_has_an_entry_per_talk_with_recordings_and_tags(demo):
    summit = past()
    entries = list(
        _db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.conference_id == summit.id))
    )
    recorded = set(
        _db.session.scalars(
            select(TalkMaterial.proposal_id).where(
                TalkMaterial.conference_id == summit.id, TalkMaterial.kind == MaterialKind.RECORDING
            )
        )
    )

    assert {entry.proposal_id for entry in entries} == {
        talk.proposal_id for talk in published_talks()
    }
    assert {entry.year for entry in entries} == {2026}
    assert {e.proposal_id for e in entries if e.has_recording} == recorded
    assert sum(1 for entry in entries if entry.tag_names) >= 40
    assert {entry.hub_name for entry in entries} >= {"London", "New York", "Bengaluru", "Online"}


def test_past_summit_talk_page_and_insights_render_for_the_demo_organiser(demo):
    client = demo.test_client()
    talk = published_talks()[0]
    assert (
        client.post(
            "/login", data={"email": "organiser@acme.example", "password": "demo-password"}
        ).status_code
        == 302
    )

    talk_page = client.get(f"/c/summit-2026/agenda/talks/{talk.proposal_id}")
    insights = client.get("/c/summit-2026/manage/insights")

    assert talk_page.status_code == 200
    assert insights.status_code == 200
    html = insights.get_data(as_text=True)
    assert "No attendee has given feedback" not in html
    assert "New York hub (America/New_York), Fri 13 Mar" in html


def test_demo_attendee_can_still_rate_a_past_talk_and_catch_up_on_missed_recordings(demo):
    client = demo.test_client()
    attendee = _db.session.scalar(select(User).where(User.email == "attendee@acme.example"))
    rated = set(
        _db.session.scalars(
            select(FeedbackResponse.proposal_id).where(FeedbackResponse.user_id == attendee.id)
        )
    )
    unrated = next(talk for talk in published_talks() if talk.proposal_id not in rated)
    assert (
        client.post(
            "/login", data={"email": "attendee@acme.example", "password": "demo-password"}
        ).status_code
        == 302
    )

    form = client.get(f"/c/summit-2026/talks/{unrated.proposal_id}/feedback")
    catch_up = client.get("/c/summit-2026/agenda/catch-up").get_data(as_text=True)

    # Last year's feedback stays open for a year, so the demo can be tried in November 2026.
    assert form.status_code == 200
    assert "Feedback is closed" not in form.get_data(as_text=True)
    assert past().settings["feedback_edit_days"] == 365
    assert "https://video.acme.example/summit-2026/" in catch_up
    assert "You have not starred any talks" not in catch_up


def past_snapshot() -> list:
    """The past edition by natural keys: talks, placements, feedback, materials and tags."""
    summit = past()
    rooms = {talk.proposal_id: (talk.room.name, talk.starts_at) for talk in published_talks()}
    proposals = list(
        _db.session.scalars(
            select(Proposal).where(Proposal.conference_id == summit.id).order_by(Proposal.title)
        )
    )
    feedback = sorted(
        (title, email, rating or 0, text, comment)
        for title, email, rating, text, comment in _db.session.execute(
            select(
                Proposal.title,
                User.email,
                FeedbackAnswer.rating,
                FeedbackAnswer.text,
                FeedbackResponse.comment,
            )
            .join(FeedbackResponse, FeedbackResponse.proposal_id == Proposal.id)
            .join(User, User.id == FeedbackResponse.user_id)
            .join(FeedbackAnswer, FeedbackAnswer.response_id == FeedbackResponse.id)
            .where(Proposal.conference_id == summit.id)
        )
    )
    return [
        [
            (
                p.title,
                p.abstract,
                p.state.value,
                p.track.name,
                [s.user.email for s in p.speakers],
                rooms.get(p.id),
            )
            for p in proposals
        ],
        feedback,
        sorted(_db.session.execute(select(TalkMaterial.url, TalkMaterial.title)).all()),
        sorted(
            _db.session.execute(
                select(Proposal.title, TopicTag.slug)
                .join(ProposalTopic, ProposalTopic.proposal_id == Proposal.id)
                .join(TopicTag, TopicTag.id == ProposalTopic.tag_id)
            ).all()
        ),
    ]


def test_past_summit_is_the_same_every_time(demo, tmp_path):
    expected = past_snapshot()
    with demo_app(f"sqlite:///{tmp_path / 'again.db'}", with_schedule=False):
        again = past_snapshot()

    assert again == expected


# --- around the event: attendance for 2027, audience questions of 2026 -----------------------


def test_attendees_registered_and_the_smallest_hub_has_a_waiting_list(demo):
    from conference.attendance.models import AttendanceDay, AttendanceRegistration, SeatStatus

    summit = current()
    registrations = _db.session.scalars(
        select(AttendanceRegistration).where(AttendanceRegistration.conference_id == summit.id)
    ).all()
    emails = {registration.user.email for registration in registrations}
    assert len(registrations) > 100 and "attendee@acme.example" not in emails  # left to try it
    limited = [hub for hub in summit.hubs if hub.seat_limit is not None]
    assert len(limited) == 1
    for day in {row.day for row in _db.session.scalars(select(AttendanceDay))}:
        seated = _db.session.scalar(
            select(func.count()).select_from(AttendanceDay)
            .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
            .where(AttendanceRegistration.hub_id == limited[0].id, AttendanceDay.day == day,
                   AttendanceDay.status == SeatStatus.REGISTERED)
        )
        assert seated <= limited[0].seat_limit
    assert _db.session.scalar(
        select(func.count()).select_from(AttendanceDay).where(AttendanceDay.status == SeatStatus.WAITING)
    ) > 0


def test_last_years_first_talks_have_audience_questions_asked_during_them(demo):
    from conference.questions.models import AudienceQuestion

    talks = {talk.proposal_id: talk for talk in published_talks()}
    questions = _db.session.scalars(select(AudienceQuestion).where(AudienceQuestion.conference_id == past().id)).all()
    assert len(questions) >= 40
    for question in questions:
        talk = talks[question.proposal_id]
        assert talk.starts_at <= question.created_at < talk.ends_at
        assert question.answered_at is None or question.answered_at < talk.ends_at
    assert any(question.anonymous for question in questions)
    assert sum(question.hidden_at is not None for question in questions) == 1
