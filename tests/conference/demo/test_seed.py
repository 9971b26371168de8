from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from conference.accounts.models import User
from conference.conferences.models import (
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.core.timezones import local_to_utc
from conference.demo.seed import DEMO_PASSWORD, seed_demo
from conference.interest.models import InterestMark
from conference.proposals.models import (
    AvailabilityWindow,
    CfpAnswer,
    CfpQuestion,
    CfpQuestionKind,
    InvitationState,
    PresentationMode,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    ReviewerVisibility,
    SpeakerProfile,
    SpeakerRole,
)
from conference.reviews.models import (
    Conflict,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerTrackPreference,
)

DEMO_LOGINS = [
    ("Organiser", "organiser@acme.example"),
    ("Reviewer", "reviewer@acme.example"),
    ("Speaker", "speaker@acme.example"),
    ("Attendee", "attendee@acme.example"),
]


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def users_with_role(db, role: Role) -> list[User]:
    return list(db.session.scalars(
        select(User).join(ConferenceRole).where(ConferenceRole.role == role)
    ))


def windows_of(db, user: User) -> list[AvailabilityWindow]:
    return list(db.session.scalars(
        select(AvailabilityWindow)
        .where(AvailabilityWindow.user_id == user.id)
        .order_by(AvailabilityWindow.starts_at)
    ))


def snapshot(db) -> dict[str, list]:
    """Everything a person would see, keyed by natural keys rather than database ids."""
    users = list(db.session.scalars(select(User).order_by(User.email)))
    proposals = list(db.session.scalars(select(Proposal).order_by(Proposal.title)))
    return {
        "users": [(u.email, u.display_name, u.time_zone, u.home_hub and u.home_hub.name)
                  for u in users],
        "roles": sorted((r.user.email, r.role.value)
                        for r in db.session.scalars(select(ConferenceRole))),
        "proposals": [
            (p.title, p.abstract, p.state.value, p.session_format.name, p.track.name,
             p.audience_level.value, p.submitted_at,
             [(s.user.email, s.role.value, s.invitation_state.value) for s in p.speakers])
            for p in proposals
        ],
        "availability": sorted(
            (w.user.email, w.starts_at, w.ends_at)
            for w in db.session.scalars(select(AvailabilityWindow))
        ),
        "profiles": sorted(
            (p.user.email, p.bio, p.presentation_mode.value, p.recording_consent)
            for p in db.session.scalars(select(SpeakerProfile))
        ),
        "criteria": [(c.name, c.weight, c.scale_min, c.scale_max, c.position)
                     for c in db.session.scalars(select(ReviewCriterion).order_by(ReviewCriterion.name))],
        "preferences": sorted((p.reviewer.email, p.track.name, p.preference)
                              for p in db.session.scalars(select(ReviewerTrackPreference))),
        "conflicts": sorted(
            (c.reviewer.email, c.proposal.title if c.proposal else "", c.speaker.email if c.speaker else "",
             c.source.value, c.reason)
            for c in db.session.scalars(select(Conflict))
        ),
        "assignments": sorted((a.proposal.title, a.reviewer.email)
                              for a in db.session.scalars(select(ReviewAssignment))),
        "reviews": sorted(
            (r.proposal.title, r.reviewer.email, r.comment_for_organisers, r.comment_for_speaker,
             r.created_at, sorted((s.criterion.name, s.value) for s in r.scores))
            for r in db.session.scalars(select(Review))
        ),
        "cfp_answers": sorted(
            (a.proposal.title, a.question.text, a.value)
            for a in db.session.scalars(select(CfpAnswer))
        ),
        "marks": sorted(
            (email, title, created_at) for email, title, created_at in db.session.execute(
                select(User.email, Proposal.title, InterestMark.created_at)
                .join(InterestMark, InterestMark.user_id == User.id)
                .join(Proposal, Proposal.id == InterestMark.proposal_id)
            )
        ),
    }


def test_demo_command_prints_the_four_logins_in_order(runner, db, without_schedule):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    positions = [result.output.index(f"{label:<10} {email}") for label, email in DEMO_LOGINS]
    assert positions == sorted(positions)
    assert count(db, Conference) == 1


def test_seed_demo_returns_the_demo_logins(db):
    assert seed_demo() == DEMO_LOGINS


def test_seed_demo_builds_hubs_rooms_streams_tracks_and_formats(db):
    seed_demo()

    conference = db.session.scalar(select(Conference))
    assert conference.slug == "summit-2027"
    assert conference.time_zone == "Europe/London"
    assert (conference.starts_on, conference.ends_on) == (date(2027, 3, 12), date(2027, 3, 14))
    assert conference.setting("anonymised_review") is True
    assert conference.setting("reviewers_per_proposal") == 3
    assert "daylight saving" in conference.description
    hubs = {hub.name: hub.time_zone for hub in db.session.scalars(select(Hub))}
    assert hubs == {"London": "Europe/London", "New York": "America/New_York",
                    "Bengaluru": "Asia/Kolkata"}
    rooms = list(db.session.scalars(select(Room)))
    online = [room for room in rooms if room.is_online]
    assert len(online) == 2
    assert all(room.has_streaming and room.has_recording for room in online)
    assert len({room.capacity for room in rooms if not room.is_online}) >= 5
    assert count(db, Track) >= 5
    formats = {f.name: f.duration_minutes for f in db.session.scalars(select(SessionFormat))}
    assert sorted(formats.values()) == [10, 30, 90]


def test_seed_demo_call_for_proposals_is_open_in_late_2026(db):
    seed_demo()

    conference = db.session.scalar(select(Conference))
    assert conference.cfp_opens_at == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert conference.cfp_is_open(datetime(2026, 12, 1, tzinfo=UTC))
    assert not conference.cfp_is_open(datetime(2027, 2, 1, tzinfo=UTC))


def test_seed_demo_counts_are_in_the_promised_ranges(db):
    seed_demo()

    speakers = users_with_role(db, Role.SPEAKER)
    assert 55 <= len(speakers) <= 65
    assert count(db, SpeakerProfile) == len(speakers)
    assert 75 <= count(db, Proposal) <= 85
    assert len(users_with_role(db, Role.ORGANISER)) == 2
    assert len(users_with_role(db, Role.REVIEWER)) == 8
    assert 280 <= len(users_with_role(db, Role.ATTENDEE)) <= 320
    assert db.session.scalar(select(User).where(User.email == "organiser@acme.example")).is_site_admin
    formats = Counter(p.session_format.name for p in db.session.scalars(select(Proposal)))
    assert formats == {"Lightning talk": 20, "Talk": 50, "Workshop": 10}
    states = Counter(p.state for p in db.session.scalars(select(Proposal)))
    assert states[ProposalState.WITHDRAWN] == 1
    assert 1 <= states[ProposalState.DRAFT] <= 10
    assert 20 <= states[ProposalState.SUBMITTED] <= 30


def test_seed_demo_has_co_speakers_a_pending_invitation_and_remote_speakers(db):
    seed_demo()

    co_speakers = Counter(
        s.invitation_state for s in db.session.scalars(
            select(ProposalSpeaker).where(ProposalSpeaker.role == SpeakerRole.CO_SPEAKER)
        )
    )
    assert 10 <= co_speakers[InvitationState.ACCEPTED] <= 20
    assert co_speakers[InvitationState.INVITED] == 1
    modes = Counter(p.presentation_mode for p in db.session.scalars(select(SpeakerProfile)))
    assert 0.15 <= modes[PresentationMode.REMOTE] / sum(modes.values()) <= 0.3
    assert all(p.hub is None for p in db.session.scalars(
        select(SpeakerProfile).where(SpeakerProfile.presentation_mode == PresentationMode.REMOTE)
    ))
    remote_zones = {u.time_zone for u in users_with_role(db, Role.SPEAKER) if u.home_hub is None}
    assert {"America/Los_Angeles", "Australia/Sydney"} <= remote_zones


def test_seed_demo_speaker_has_two_proposals_one_with_a_co_speaker(db):
    seed_demo()

    speaker = db.session.scalar(select(User).where(User.email == "speaker@acme.example"))
    submitted = list(db.session.scalars(
        select(Proposal).join(ProposalSpeaker).where(
            ProposalSpeaker.user_id == speaker.id, ProposalSpeaker.role == SpeakerRole.SUBMITTER
        )
    ))
    assert len(submitted) >= 2
    assert any(len(p.accepted_speakers) == 2 for p in submitted)


def test_seed_demo_one_reviewer_is_also_a_speaker(db):
    seed_demo()

    reviewers = {u.id for u in users_with_role(db, Role.REVIEWER)}
    speakers = {u.id for u in users_with_role(db, Role.SPEAKER)}
    assert len(reviewers & speakers) == 1


def test_seed_demo_proposals_read_like_real_ones(db):
    seed_demo()

    proposals = list(db.session.scalars(select(Proposal)))
    assert len({p.title for p in proposals}) == len(proposals)
    for proposal in proposals:
        assert "lorem" not in proposal.abstract.lower()
        assert 2 <= proposal.abstract.count(". ") + 1 <= 5, proposal.abstract
        assert proposal.track is not None
        assert proposal.speakers[0].role is SpeakerRole.SUBMITTER


def test_seed_demo_asks_three_questions_of_the_call_and_submitted_proposals_answer_them(db):
    seed_demo()

    questions = list(db.session.scalars(select(CfpQuestion).order_by(CfpQuestion.position)))
    takeaway, given_before, room_setup = questions
    assert [q.kind for q in questions] == [
        CfpQuestionKind.LONG_TEXT, CfpQuestionKind.SHORT_TEXT, CfpQuestionKind.CHOICE
    ]
    # Where a talk was given before could name the speaker: hidden while reviews are anonymised.
    assert given_before.reviewer_visibility is ReviewerVisibility.UNLESS_ANONYMISED
    assert [f.name for f in room_setup.session_formats] == ["Workshop"]
    answers = list(db.session.scalars(select(CfpAnswer)))
    by_question = {q.id: [a for a in answers if a.question_id == q.id] for q in questions}
    submitted = [
        p for p in db.session.scalars(select(Proposal)) if p.state is not ProposalState.DRAFT
    ]
    answered_takeaway = {a.proposal_id for a in by_question[takeaway.id]}
    assert {p.id for p in submitted} <= answered_takeaway
    assert 0 < len(by_question[given_before.id]) < len(submitted)
    workshops = {p.id for p in submitted if p.session_format.name == "Workshop"}
    room_answers = {a.proposal_id: a.value for a in by_question[room_setup.id]}
    assert workshops <= set(room_answers)
    assert all(p.session_format.name == "Workshop" for p in
               db.session.scalars(select(Proposal).where(Proposal.id.in_(room_answers))))
    assert set(room_answers.values()) <= set(room_setup.options)


def test_seed_demo_is_deterministic(db):
    seed_demo()
    first = snapshot(db)
    db.session.rollback()
    assert count(db, User) == 0

    seed_demo()

    assert snapshot(db) == first


def test_seed_demo_availability_is_utc_and_follows_new_york_across_the_dst_change(db):
    seed_demo()
    db.session.commit()
    db.session.expire_all()

    windows = list(db.session.scalars(select(AvailabilityWindow)))
    assert windows
    assert all(w.starts_at.utcoffset() == timedelta(0) < w.ends_at - w.starts_at for w in windows)
    # New York springs forward on Sunday 14 March: 09:00 local is 14:00 UTC before, 13:00 after.
    before = local_to_utc(date(2027, 3, 12), time(9, 0), "America/New_York")
    after = local_to_utc(date(2027, 3, 14), time(9, 0), "America/New_York")
    assert (before.hour, after.hour) == (14, 13)
    new_yorkers = db.session.scalars(select(User).where(User.time_zone == "America/New_York"))

    def covers(user, instant):
        return any(w.starts_at <= instant < w.ends_at for w in windows_of(db, user))

    assert any(covers(user, before) and covers(user, after) for user in new_yorkers)


def test_seed_demo_availability_varies_between_speakers(db):
    seed_demo()

    speakers = users_with_role(db, Role.SPEAKER)
    shapes = Counter(len(windows_of(db, user)) for user in speakers)
    assert shapes[3] > len(speakers) / 2  # most are available every day
    assert shapes[1] + shapes[2] > 0  # some only one or two days
    assert shapes[4] > 0  # a few with a gap in one day
    mornings_only = [
        user for user in speakers
        if all(w.ends_at - w.starts_at <= timedelta(hours=4) for w in windows_of(db, user))
    ]
    assert mornings_only


def test_demo_if_empty_does_nothing_the_second_time(runner, db, without_schedule):
    first = runner.invoke(args=["demo", "--if-empty"])
    users = count(db, User)

    second = runner.invoke(args=["demo", "--if-empty"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "not seeded again" in second.output
    # `make run` prints the logins every time, seeded now or before.
    assert "speaker@acme.example" in second.output
    assert count(db, Conference) == 1
    assert count(db, User) == users


def test_demo_if_empty_leaves_a_database_with_only_accounts_alone(runner, db):
    assert runner.invoke(args=["create-organiser", "organiser@acme.example",
                               "--password", "long enough password"]).exit_code == 0
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "not seeded again" in result.output
    assert count(db, Conference) == 0


def test_demo_password_logs_in_as_the_organiser(runner, client, db, without_schedule):
    assert runner.invoke(args=["demo"]).exit_code == 0

    response = client.post(
        "/login", data={"email": "organiser@acme.example", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302


def test_demo_accounts_share_one_password_hash(db):
    seed_demo()

    assert db.session.scalar(select(func.count(func.distinct(User.password_hash)))) == 1
