"""After a talk ends, each attendee who starred it gets one reminder e-mail with the feedback link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conference.activity.models import ActivityAction, ActivityEntry
from conference.core.types import utcnow
from conference.feedback import operations
from conference.mail.models import OutboxMessage
from conference.mail.operations import save_template
from conference.proposals.models import InvitationState, SpeakerRole
from conference.tasks import queue_feedback_reminders_every_five_minutes
from tests.conference.feedback.conftest import give_response, make_talk, make_user, star
from tests.factories import ProposalSpeakerFactory, ScheduleVersionFactory


def outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)))


def test_reminders_are_queued_once_with_the_link(db, conference, ended, upcoming):
    kolkata = make_user(email="asha@example.org", time_zone="Asia/Kolkata")
    london = make_user(email="ben@example.org", time_zone="Europe/London")
    star(kolkata, ended.proposal)
    star(london, ended.proposal)
    star(kolkata, upcoming.proposal)
    db.session.commit()

    first = operations.queue_feedback_reminders()
    second = operations.queue_feedback_reminders()
    db.session.commit()

    messages = outbox(db)
    assert (first, second) == (2, 0)
    assert [m.recipient for m in messages] == ["asha@example.org", "ben@example.org"]
    link = f"http://conference.test/c/summit/talks/{ended.proposal_id}/feedback"
    assert all(link in m.body for m in messages)
    assert all(m.subject == "How was “Ended talk”?" for m in messages)
    assert "Asia/Kolkata" in messages[0].body and "Europe/London" in messages[1].body
    assert messages[0].dedupe_key == f"feedback-reminder:{ended.proposal_id}:user:{kolkata.id}"


def test_no_reminder_for_speakers_people_who_answered_or_closed_talks(
    db, conference, places, published, ended, questions
):
    speaker = ended.proposal.speakers[0].user
    answered = make_user()
    give_response(ended.proposal, answered, {questions[0]: 4})
    old = make_talk(published, places.thames, utcnow() - timedelta(days=20))
    late = make_user()
    for person in (speaker, answered):
        star(person, ended.proposal)
    star(late, old.proposal)
    db.session.commit()

    assert operations.queue_feedback_reminders() == 0
    assert outbox(db) == []


def test_someone_who_declined_to_co_present_is_reminded_like_any_attendee(db, conference, ended):
    declined = make_user(email="declined@example.org")
    ProposalSpeakerFactory(
        proposal=ended.proposal,
        user=declined,
        role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.DECLINED,
    )
    star(declined, ended.proposal)
    db.session.commit()

    assert operations.queue_feedback_reminders() == 1
    assert [m.recipient for m in outbox(db)] == ["declined@example.org"]


def test_reminder_waits_for_the_end_of_the_talk(db, conference, ended, upcoming):
    attendee = make_user()
    star(attendee, upcoming.proposal)
    db.session.commit()

    before = operations.queue_feedback_reminders(now=upcoming.ends_at - timedelta(seconds=1))
    after = operations.queue_feedback_reminders(now=upcoming.ends_at)

    assert (before, after) == (0, 1)


def test_only_the_published_schedule_counts_for_reminders(db, conference, places, published):
    draft = ScheduleVersionFactory(conference=conference, is_draft=True, number=None)
    draft_only = make_talk(draft, places.thames, utcnow() - timedelta(hours=1))
    star(make_user(), draft_only.proposal)
    db.session.commit()

    assert operations.queue_feedback_reminders() == 0


def test_organisers_own_reminder_wording_is_used(db, conference, ended):
    save_template(conference.id, "feedback_reminder", "Rate {{ title }}", "Go to {{ link }} now")
    star(make_user(), ended.proposal)
    db.session.commit()

    operations.queue_feedback_reminders()

    (message,) = outbox(db)
    assert message.subject == "Rate Ended talk"
    assert (
        message.body
        == f"Go to http://conference.test/c/summit/talks/{ended.proposal_id}/feedback now"
    )


def test_cli_command_queues_reminders_once(runner, db, conference, ended):
    star(make_user(email="cli@example.org"), ended.proposal)
    db.session.commit()

    first = runner.invoke(args=["send-feedback-reminders"])
    second = runner.invoke(args=["send-feedback-reminders"])

    assert first.exit_code == 0, first.output
    assert "Queued 1 feedback reminder;" in first.output
    assert "Queued 0 feedback reminders;" in second.output
    assert [m.recipient for m in outbox(db)] == ["cli@example.org"]


def test_periodic_task_queues_reminders(db, conference, ended):
    star(make_user(), ended.proposal)
    db.session.commit()

    # Calling the task's function runs it here, in the test's app context, as the consumer would.
    assert queue_feedback_reminders_every_five_minutes.call_local() == 1
    assert len(outbox(db)) == 1


def test_reminders_can_be_queued_in_batches_that_continue(db, conference, ended):
    for _ in range(3):
        star(make_user(), ended.proposal)
    db.session.commit()

    batches = [operations.queue_feedback_reminders(limit=2) for _ in range(3)]

    assert batches == [2, 1, 0]
    assert len({m.dedupe_key for m in outbox(db)}) == 3


def test_each_run_that_reminds_logs_one_entry_per_talk_by_the_system(db, conference, ended, upcoming):
    for _ in range(3):
        star(make_user(), ended.proposal)
    star(make_user(), upcoming.proposal)
    db.session.commit()

    operations.queue_feedback_reminders(limit=2)
    operations.queue_feedback_reminders()
    operations.queue_feedback_reminders()  # nothing left: nothing logged
    db.session.commit()

    entries = list(db.session.scalars(
        select(ActivityEntry).where(ActivityEntry.action == ActivityAction.FEEDBACK_REMINDERS_QUEUED)
        .order_by(ActivityEntry.id)))
    assert [(entry.proposal_id, entry.by_system, entry.actor_id) for entry in entries] == [
        (ended.proposal_id, True, None), (ended.proposal_id, True, None)]
    assert [entry.sentence for entry in entries] == [
        "asked 2 attendees who starred the talk for feedback",
        "asked 1 attendee who starred the talk for feedback",
    ]
    assert [entry.details["count"] for entry in entries] == [2, 1]
