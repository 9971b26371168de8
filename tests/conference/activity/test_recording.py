"""Each hooked operation writes exactly its entry in the change's transaction; a refused one none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conference.activity.models import ActivityEntry
from conference.conferences.models import SessionFormat
from conference.decisions import operations as decisions
from conference.drafts import operations as drafts
from conference.extensions import db
from conference.proposals import operations as proposals
from conference.proposals.models import (
    AudienceLevel,
    InvitationState,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerRole,
)
from conference.reviews import operations as reviews
from conference.schedule import jobs
from conference.schedule.models import RunKind
from tests.conference.activity.conftest import entries, make_organiser, make_proposal, signed_in
from tests.conference.organisers.conftest import make_user
from tests.conference.schedule.factories import small_conference
from tests.factories import (
    ReviewAssignmentFactory,
    RoleFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
)


def _details(proposal, **changes) -> proposals.ProposalDetails:
    values = {
        "title": proposal.title,
        "abstract": proposal.abstract,
        "session_format_id": proposal.session_format_id,
        "track_id": proposal.track_id,
        "audience_level": proposal.audience_level,
        "notes_to_organisers": proposal.notes_to_organisers,
    }
    return proposals.ProposalDetails(**{**values, **changes})


def _new_details(conference, title="Observability on a budget") -> proposals.ProposalDetails:
    return proposals.ProposalDetails(
        title=title, abstract="Tracing for everyone.", session_format_id=_format_id(conference),
        track_id=None, audience_level=AudienceLevel.BEGINNER, notes_to_organisers="",
    )


def _format_id(conference) -> int:
    return db.session.scalar(select(SessionFormat.id).where(SessionFormat.conference_id == conference.id))


# --- proposals ------------------------------------------------------------------------------


@pytest.mark.parametrize(("submit", "action"), [(False, "proposal_created"), (True, "proposal_submitted")])
def test_creating_a_proposal_records_it_by_its_speaker(db, conference, submit, action):
    speaker = make_user()
    proposal, changed = proposals.create_proposal(conference, speaker, _new_details(conference), submit=submit)
    assert changed
    assert entries(db) == [(action, speaker.id, proposal.id, {})]


def test_a_double_submit_records_nothing_more_and_submitting_the_draft_records_it(db, conference):
    speaker = make_user()
    draft, _ = proposals.create_proposal(conference, speaker, _new_details(conference), submit=False)
    again, changed = proposals.create_proposal(conference, speaker, _new_details(conference), submit=False)
    assert (again.id, changed) == (draft.id, False)
    proposals.create_proposal(conference, speaker, _new_details(conference), submit=True)
    assert [entry[0] for entry in entries(db)] == ["proposal_created", "proposal_submitted"]


def test_creating_a_proposal_after_the_call_closed_records_nothing(db, conference, monkeypatch):
    monkeypatch.setattr("conference.proposals.operations.utcnow", lambda: datetime(2027, 2, 5, tzinfo=UTC))
    with pytest.raises(proposals.SpeakerActionRefused):
        proposals.create_proposal(conference, make_user(), _new_details(conference), submit=True)
    assert entries(db) == []


def test_editing_a_submitted_proposal_records_the_changed_fields_and_the_title(db, conference):
    speaker = make_user()
    proposal = make_proposal(conference, speaker, title="Old title")
    with signed_in(speaker):
        proposals.update_proposal(
            proposal, _details(proposal, title="New title", audience_level=AudienceLevel.ADVANCED), submit=False
        )
    assert entries(db) == [
        ("proposal_edited", speaker.id, proposal.id,
         {"fields": ["title", "audience_level"], "title": ["Old title", "New title"]})
    ]
    entry = db.session.scalars(select(ActivityEntry)).one()
    assert entry.sentence == "edited the proposal: title (“Old title” → “New title”), audience level"


def test_saving_a_proposal_unchanged_records_nothing(db, conference):
    speaker = make_user()
    proposal = make_proposal(conference, speaker)
    with signed_in(speaker):
        proposals.update_proposal(proposal, _details(proposal), submit=False)
    assert entries(db) == []


def test_edits_of_a_draft_are_not_recorded_but_submitting_it_is(db, conference):
    speaker = make_user()
    proposal = make_proposal(conference, speaker, state=ProposalState.DRAFT)
    with signed_in(speaker):
        proposals.update_proposal(proposal, _details(proposal, title="Still drafting"), submit=False)
        assert entries(db) == []
        proposals.update_proposal(proposal, _details(proposal, title="Final"), submit=True)
    assert entries(db) == [("proposal_submitted", speaker.id, proposal.id, {})]


def test_a_refused_edit_records_nothing(db, conference):
    speaker = make_user()
    proposal = make_proposal(conference, speaker, state=ProposalState.ACCEPTED)
    with signed_in(speaker), pytest.raises(proposals.SpeakerActionRefused):
        proposals.update_proposal(proposal, _details(proposal, title="Sneaky"), submit=False)
    assert entries(db) == []


def test_withdrawing_records_the_speaker_and_a_refused_withdrawal_nothing(db, conference):
    speaker = make_user()
    proposal = make_proposal(conference, speaker)
    accepted = make_proposal(conference, speaker, state=ProposalState.ACCEPTED)
    with signed_in(speaker):
        proposals.withdraw_proposal(proposal)
        with pytest.raises(proposals.SpeakerActionRefused):
            proposals.withdraw_proposal(accepted)
    assert entries(db) == [("proposal_withdrawn", speaker.id, proposal.id, {})]


# --- co-speakers ----------------------------------------------------------------------------


def test_co_speaker_invitation_answers_and_cancellation_are_recorded(db, conference):
    submitter, guest, other = make_user(), make_user(), make_user()
    proposal = make_proposal(conference, submitter)
    proposal.speakers[0].role = SpeakerRole.SUBMITTER
    first = proposals.invite_co_speaker(proposal, submitter, guest.email, lambda token: f"/i/{token}")
    second = proposals.invite_co_speaker(proposal, submitter, other.email, lambda token: f"/i/{token}")
    third = proposals.invite_co_speaker(proposal, submitter, "nobody@example.com", lambda token: f"/i/{token}")
    proposals.answer_invitation(conference, first, guest, accept=True)
    proposals.answer_invitation(conference, second, other, accept=False)
    db.session.refresh(proposal)  # as the next request loads it
    with signed_in(submitter):
        proposals.cancel_invitation(proposal, third.id)
    assert entries(db) == [
        ("co_speaker_invited", submitter.id, proposal.id, {"email": guest.email}),
        ("co_speaker_invited", submitter.id, proposal.id, {"email": other.email}),
        ("co_speaker_invited", submitter.id, proposal.id, {"email": "nobody@example.com"}),
        ("co_speaker_accepted", guest.id, proposal.id, {}),
        ("co_speaker_declined", other.id, proposal.id, {}),
        ("co_speaker_removed", submitter.id, proposal.id, {"email": "nobody@example.com"}),
    ]
    assert db.session.get(ProposalSpeaker, first.id).invitation_state is InvitationState.ACCEPTED


def test_refused_invitations_and_answers_record_nothing(db, conference):
    submitter, guest, stranger = make_user(), make_user(), make_user()
    proposal = make_proposal(conference, submitter)
    with pytest.raises(proposals.SpeakerActionRefused):
        proposals.invite_co_speaker(proposal, submitter, submitter.email, lambda token: token)
    row = proposals.invite_co_speaker(proposal, submitter, guest.email, lambda token: token)
    with pytest.raises(proposals.SpeakerActionRefused):
        proposals.answer_invitation(conference, row, stranger, accept=True)
    assert [entry[0] for entry in entries(db)] == ["co_speaker_invited"]


# --- decisions ------------------------------------------------------------------------------


def test_a_decision_records_the_organiser_and_the_states(db, conference):
    organiser = make_organiser(conference)
    proposal = make_proposal(conference)
    with signed_in(organiser):
        assert decisions.decide(proposal, ProposalState.ACCEPTED)
        assert not decisions.decide(proposal, ProposalState.ACCEPTED)
        decisions.decide(proposal, ProposalState.WAITLISTED)
    assert entries(db) == [
        ("proposal_accepted", organiser.id, proposal.id, {"state": "accepted", "previous": "submitted"}),
        ("proposal_waitlisted", organiser.id, proposal.id, {"state": "waitlisted", "previous": "accepted"}),
    ]


def test_bulk_decisions_record_one_entry_per_changed_proposal_and_none_for_refused(db, conference):
    organiser = make_organiser(conference)
    first, second = make_proposal(conference), make_proposal(conference)
    withdrawn = make_proposal(conference, state=ProposalState.WITHDRAWN)
    already = make_proposal(conference, state=ProposalState.REJECTED)
    with signed_in(organiser):
        changed, skipped = decisions.decide_many([first, withdrawn, second, already], ProposalState.REJECTED)
    assert (changed, len(skipped)) == (2, 1)
    assert [(action, actor, proposal_id) for action, actor, proposal_id, _ in entries(db)] == [
        ("proposal_rejected", organiser.id, first.id),
        ("proposal_rejected", organiser.id, second.id),
    ]


def test_a_refused_decision_over_http_records_nothing_and_a_granted_one_commits_its_entry(
    client, db, conference, organiser
):
    open_proposal = make_proposal(conference)
    withdrawn = make_proposal(conference, state=ProposalState.WITHDRAWN)
    db.session.commit()
    base = "/c/devcon/manage/proposals"
    assert client.post(f"{base}/{withdrawn.id}/decision", data={"decision": "accepted"}).status_code == 302
    assert client.post(f"{base}/{open_proposal.id}/decision", data={"decision": "accepted"}).status_code == 302
    db.session.expire_all()
    assert entries(db) == [
        ("proposal_accepted", organiser.id, open_proposal.id, {"state": "accepted", "previous": "submitted"})
    ]


def test_an_entry_is_rolled_back_with_its_change(db, conference):
    proposal = make_proposal(conference)
    db.session.commit()
    decisions.decide(proposal, ProposalState.ACCEPTED)
    assert len(entries(db)) == 1
    db.session.rollback()
    assert entries(db) == []
    assert db.session.get(Proposal, proposal.id).state is ProposalState.SUBMITTED


def test_queued_decision_emails_record_one_entry_per_proposal_once(db, conference):
    organiser = make_organiser(conference)
    accepted = make_proposal(conference, state=ProposalState.ACCEPTED)
    rejected = make_proposal(conference, state=ProposalState.REJECTED)
    make_proposal(conference)
    with signed_in(organiser):
        assert decisions.queue_decision_emails(conference, lambda proposal: "/confirm") == 2
        assert decisions.queue_decision_emails(conference, lambda proposal: "/confirm") == 0
    assert entries(db) == [
        ("decision_emails_queued", organiser.id, accepted.id, {"state": "accepted", "count": 1}),
        ("decision_emails_queued", organiser.id, rejected.id, {"state": "rejected", "count": 1}),
    ]


def test_speakers_confirming_or_declining_is_recorded_and_a_refused_answer_is_not(db, conference):
    speaker = make_user()
    proposal = make_proposal(conference, speaker, state=ProposalState.ACCEPTED)
    undecided = make_proposal(conference, speaker)
    with signed_in(speaker):
        decisions.answer_acceptance(proposal, confirm=True)
        decisions.answer_acceptance(proposal, confirm=True)
        decisions.answer_acceptance(proposal, confirm=False)
        with pytest.raises(decisions.NotDecidable):
            decisions.answer_acceptance(undecided, confirm=True)
    assert entries(db) == [
        ("talk_confirmed", speaker.id, proposal.id, {}),
        ("talk_declined", speaker.id, proposal.id, {}),
    ]


# --- reviews --------------------------------------------------------------------------------


def test_a_review_records_submitted_then_changed_by_the_reviewer(db, conference):
    reviewer = make_user()
    proposal = make_proposal(conference)
    ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)
    review = reviews.save_review(conference, proposal, reviewer, reviews.ReviewInput({}, "Good", "", 0))
    # The same person's double submit of the form (version 0) with the same text is no change.
    reviews.save_review(conference, proposal, reviewer, reviews.ReviewInput({}, "Good", "", 0))
    reviews.save_review(conference, proposal, reviewer, reviews.ReviewInput({}, "Better", "", review.lock_version))
    # Saving it again unchanged records nothing more.
    reviews.save_review(conference, proposal, reviewer, reviews.ReviewInput({}, "Better", "", review.lock_version))
    assert entries(db) == [
        ("review_submitted", reviewer.id, proposal.id, {}),
        ("review_changed", reviewer.id, proposal.id, {}),
    ]


def test_a_stale_or_late_review_records_nothing(db, conference):
    reviewer = make_user()
    proposal = make_proposal(conference)
    review = reviews.save_review(conference, proposal, reviewer, reviews.ReviewInput({}, "Good", "", 0))
    with pytest.raises(reviews.StaleReview):
        reviews.save_review(conference, proposal, reviewer, reviews.ReviewInput({}, "X", "", review.lock_version + 5))
    conference.review_closes_at = datetime.now(UTC) - timedelta(days=1)
    with pytest.raises(reviews.ReviewClosed):
        reviews.save_review(conference, proposal, reviewer, reviews.ReviewInput({}, "Y", "", review.lock_version))
    assert [entry[0] for entry in entries(db)] == ["review_submitted"]


# --- the schedule ---------------------------------------------------------------------------


def test_publishing_records_the_version_number_and_nothing_to_publish_records_nothing(db):
    setup = small_conference(talk_count=1)
    with pytest.raises(drafts.NothingToPublish):
        drafts.publish_schedule(setup.conference, setup.organiser)
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    ScheduledTalkFactory(version=draft, proposal=setup.talks[0], room=setup.rooms[0], block=setup.blocks[0])
    version = drafts.publish_schedule(setup.conference, setup.organiser)
    with pytest.raises(drafts.NothingToPublish):
        drafts.publish_schedule(setup.conference, setup.organiser)
    assert version.number == 1
    assert entries(db) == [("schedule_published", setup.organiser.id, None, {"number": 1})]


def test_a_solver_run_records_who_started_it_and_the_system_saving_its_draft(db, enqueued):
    setup = small_conference(talk_count=2)
    run = jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    with pytest.raises(jobs.RunAlreadyActive):
        jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    db.session.commit()
    assert jobs.run_solver(run.id) == "succeeded"
    db.session.expire_all()
    assert entries(db) == [
        ("solver_run_started", setup.organiser.id, None, {"kind": "build"}),
        ("draft_schedule_built", None, None, {"scheduled": 2}),
    ]
    built = db.session.scalars(select(ActivityEntry).order_by(ActivityEntry.id.desc())).first()
    assert built.by_system and built.actor_name == "System"


def test_roles_do_not_matter_to_recording_only_to_reading(db, conference):
    # An attendee who is also a speaker withdraws: recorded like anyone's action.
    speaker = make_user()
    RoleFactory(conference=conference, user=speaker)
    proposal = make_proposal(conference, speaker)
    with signed_in(speaker):
        proposals.withdraw_proposal(proposal)
    assert entries(db)[0][:2] == ("proposal_withdrawn", speaker.id)
