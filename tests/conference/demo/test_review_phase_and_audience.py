"""The demo's review phase (rubric, conflicts, assignments, reviews, decisions) and its audience."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from conference.accounts.models import User
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.extensions import db as _db
from conference.interest import operations as interest
from conference.interest.models import InterestMark
from conference.proposals.models import Proposal, ProposalSpeaker, ProposalState, SpeakerRole
from conference.reviews.models import (
    Conflict,
    ConflictSource,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerTrackPreference,
    TrackPreference,
)
from tests.conference.demo.conftest import demo_app, module_database_url

DECIDED = {ProposalState.ACCEPTED, ProposalState.CONFIRMED, ProposalState.WAITLISTED,
           ProposalState.REJECTED}


# Every test here only reads, so the demo is seeded once per database (without its schedule).
@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory):
    with demo_app(module_database_url(request, tmp_path_factory), with_schedule=False, with_past=False) as app:
        yield app


@pytest.fixture
def db(seeded):
    return _db


@pytest.fixture
def demo(db):
    return db.session.scalar(select(Conference))


def user(db, email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def all_of(db, model) -> list:
    return list(db.session.scalars(select(model)))


def test_rubric_has_three_weighted_criteria_and_review_closes_on_valentines_day(db, demo):
    criteria = {c.name: (c.weight, c.scale_min, c.scale_max)
                for c in all_of(db, ReviewCriterion)}

    assert criteria == {"Relevance": (2, 1, 5), "Clarity": (1, 1, 5),
                        "Value for other teams": (2, 1, 5)}
    # 23:59 in London in February is 23:59 UTC (no summer time yet).
    assert demo.review_closes_at == datetime(2027, 2, 14, 23, 59, tzinfo=UTC)


def test_reviewers_have_track_preferences(db, demo):
    preferences = all_of(db, ReviewerTrackPreference)
    reviewers = {p.reviewer_id for p in preferences}

    assert len(reviewers) == 8
    assert {p.preference for p in preferences} == {TrackPreference.PREFER, TrackPreference.AVOID}


def test_conflicts_are_declared_set_by_organisers_and_one_is_same_team(db, demo):
    conflicts = all_of(db, Conflict)

    assert 3 <= len(conflicts) <= 5
    assert {c.source for c in conflicts} == {ConflictSource.DECLARED, ConflictSource.ORGANISER}
    same_team = [c for c in conflicts if c.speaker_id is not None]
    assert len(same_team) == 1 and "team" in same_team[0].reason.lower()


def test_every_reviewed_proposal_has_three_balanced_assignments(db, demo):
    assignments = all_of(db, ReviewAssignment)
    per_proposal = Counter(a.proposal_id for a in assignments)
    per_reviewer = Counter(a.reviewer_id for a in assignments)
    reviewed_states = DECIDED | {ProposalState.SUBMITTED}
    proposals = [p for p in all_of(db, Proposal) if p.state in reviewed_states]

    assert {per_proposal[p.id] for p in proposals} == {3}
    assert set(per_proposal) == {p.id for p in proposals}
    assert max(per_reviewer.values()) - min(per_reviewer.values()) <= 2


def test_no_assignment_or_review_breaks_a_conflict_or_own_proposal_rule(db, demo):
    speakers = defaultdict(set)
    for row in all_of(db, ProposalSpeaker):
        speakers[row.proposal_id].add(row.user_id)
    conflicts = all_of(db, Conflict)

    def forbidden(reviewer_id: int, proposal_id: int) -> bool:
        return reviewer_id in speakers[proposal_id] or any(
            c.reviewer_id == reviewer_id
            and (c.proposal_id == proposal_id or c.speaker_id in speakers[proposal_id])
            for c in conflicts
        )

    pairs = [(a.reviewer_id, a.proposal_id) for a in all_of(db, ReviewAssignment)]
    pairs += [(r.reviewer_id, r.proposal_id) for r in all_of(db, Review)]
    assert not [pair for pair in pairs if forbidden(*pair)]
    # The speaking reviewer really had something to be kept away from.
    speaking_reviewer = next(c for c in db.session.scalars(
        select(ConferenceRole).where(ConferenceRole.role == Role.REVIEWER)
    ) if any(c.user_id in s for s in speakers.values()))
    assert speaking_reviewer


def test_most_assignments_are_reviewed_with_every_criterion_scored(db, demo):
    assignments = {(a.proposal_id, a.reviewer_id) for a in all_of(db, ReviewAssignment)}
    reviews = all_of(db, Review)

    assert {(r.proposal_id, r.reviewer_id) for r in reviews} <= assignments
    assert 0.78 <= len(reviews) / len(assignments) <= 0.92
    assert all(len(r.scores) == 3 and all(1 <= s.value <= 5 for s in r.scores) for r in reviews)
    assert all(r.comment_for_organisers for r in reviews)
    with_speaker_comment = [r for r in reviews if r.comment_for_speaker]
    assert 0.2 * len(reviews) <= len(with_speaker_comment) <= 0.7 * len(reviews)


def test_reviewers_disagree_like_real_ones(db, demo):
    reviews = all_of(db, Review)
    by_proposal = defaultdict(list)
    by_reviewer = defaultdict(list)
    for review in reviews:
        mean = statistics.mean(s.value for s in review.scores)
        by_proposal[review.proposal_id].append(mean)
        by_reviewer[review.reviewer_id].append(mean)

    spreads = [max(means) - min(means) for means in by_proposal.values() if len(means) >= 2]
    assert any(spread >= 2 for spread in spreads)
    reviewer_means = sorted(statistics.mean(means) for means in by_reviewer.values())
    # One harsh and one lenient reviewer stand out from the rest.
    assert reviewer_means[-1] - reviewer_means[0] >= 1.0
    all_values = Counter(s.value for r in reviews for s in r.scores)
    assert set(all_values) == {1, 2, 3, 4, 5}


def test_decisions_follow_the_ranking_and_leave_some_undecided(db, demo):
    states = Counter(p.state for p in all_of(db, Proposal))

    assert 28 <= states[ProposalState.ACCEPTED] + states[ProposalState.CONFIRMED] <= 32
    assert states[ProposalState.CONFIRMED] >= 10 and states[ProposalState.ACCEPTED] >= 5
    assert 8 <= states[ProposalState.REJECTED] <= 12
    assert 4 <= states[ProposalState.WAITLISTED] <= 6
    assert 20 <= states[ProposalState.SUBMITTED] <= 30

    def mean_score(proposal_id: int) -> float:
        return statistics.mean(
            s.value * s.criterion.weight / 5 for r in all_of(db, Review)
            if r.proposal_id == proposal_id for s in r.scores
        )

    accepted = [p.id for p in all_of(db, Proposal) if p.state is ProposalState.CONFIRMED]
    rejected = [p.id for p in all_of(db, Proposal) if p.state is ProposalState.REJECTED]
    assert min(map(mean_score, accepted)) > max(map(mean_score, rejected))


def test_demo_reviewer_has_done_and_open_assignments(db, demo):
    reviewer = user(db, "reviewer@acme.example")
    assigned = {a.proposal_id for a in all_of(db, ReviewAssignment) if a.reviewer_id == reviewer.id}
    reviewed = {r.proposal_id for r in all_of(db, Review) if r.reviewer_id == reviewer.id}

    assert reviewed < assigned
    assert len(reviewed) >= 5 and len(assigned - reviewed) >= 3


def test_demo_speaker_has_one_accepted_proposal_awaiting_confirmation(db, demo):
    speaker = user(db, "speaker@acme.example")
    own = list(db.session.scalars(select(Proposal).join(ProposalSpeaker).where(
        ProposalSpeaker.user_id == speaker.id, ProposalSpeaker.role == SpeakerRole.SUBMITTER)))

    assert [p.state for p in own].count(ProposalState.ACCEPTED) == 1
    assert ProposalState.CONFIRMED not in {p.state for p in own}


def test_a_few_hundred_attendees_with_unique_emails_across_time_zones(db, demo):
    attendees = list(db.session.scalars(
        select(User).join(ConferenceRole).where(ConferenceRole.role == Role.ATTENDEE)))
    all_emails = list(db.session.scalars(select(User.email)))

    assert 280 <= len(attendees) <= 320
    assert len(all_emails) == len(set(all_emails))
    assert any(email.split("@")[0][-1].isdigit() for email in all_emails)
    zones = Counter(a.time_zone for a in attendees)
    assert len(zones) >= 8 and max(zones.values()) < 0.4 * len(attendees)
    assert {a.home_hub.name for a in attendees if a.home_hub} == {"London", "New York", "Bengaluru"}


def test_attendees_mark_accepted_talks_with_a_skewed_popularity(db, demo):
    wanted = interest.wanted_talks(demo)
    counts = interest.interest_counts(demo)
    public = {p.id for p in all_of(db, Proposal)
              if p.state in (ProposalState.ACCEPTED, ProposalState.CONFIRMED)}
    all_marks = all_of(db, InterestMark)

    assert len(wanted) >= 280
    assert all(3 <= len(talks) <= 12 for talks in wanted.values())
    assert {m.proposal_id for m in all_marks} <= public
    popularity = sorted(counts.values(), reverse=True)
    assert popularity[0] >= 3 * statistics.median(popularity)
    attendee = user(db, "attendee@acme.example")
    assert len(wanted[attendee.id]) == 6


def test_organisers_find_tags_an_access_code_and_the_story_in_the_activity_log(db, demo):
    from conference.access_codes.models import AccessCode
    from conference.activity.models import ActivityAction, ActivityEntry
    from conference.tags.models import ProposalTag, Tag

    tags = {tag.name: tag for tag in all_of(db, Tag)}
    assert set(tags) == {"Keynote candidate", "Needs a mentor", "Overlaps another talk"}
    assert [tag.name for tag in tags.values() if tag.visible_to_reviewers] == ["Overlaps another talk"]
    assert all(any(link.tag_id == tag.id for link in all_of(db, ProposalTag)) for tag in tags.values())
    [code] = all_of(db, AccessCode)
    assert code.max_uses == 1 and code.times_used == 0 and code.valid_until > code.created_at

    entries = all_of(db, ActivityEntry)
    by_action = Counter(entry.action for entry in entries)
    proposals = all_of(db, Proposal)
    assert by_action[ActivityAction.PROPOSAL_SUBMITTED] == sum(p.submitted_at is not None for p in proposals)
    assert by_action[ActivityAction.REVIEW_SUBMITTED] == len(all_of(db, Review))
    # Each decision under its own outcome, a confirmed talk's as accepted.
    outcomes = {ActivityAction.PROPOSAL_ACCEPTED: (ProposalState.ACCEPTED, ProposalState.CONFIRMED),
                ActivityAction.PROPOSAL_REJECTED: (ProposalState.REJECTED,),
                ActivityAction.PROPOSAL_WAITLISTED: (ProposalState.WAITLISTED,)}
    for action, states in outcomes.items():
        assert by_action[action] == sum(p.state in states for p in proposals) > 0
    assert by_action[ActivityAction.PROPOSAL_DECIDED] == 0
    assert by_action[ActivityAction.TALK_CONFIRMED] == sum(p.state is ProposalState.CONFIRMED for p in proposals)
    # Every entry happened in the story's time, each decision after the review closed.
    closes = demo.review_closes_at
    assert all(entry.created_at > closes for entry in entries if entry.action in outcomes)
    assert all(entry.actor_id is not None for entry in entries)
