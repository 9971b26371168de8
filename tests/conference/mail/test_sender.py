from datetime import timedelta

from sqlalchemy import select, update

from conference.core.types import utcnow
from conference.mail.models import OutboxMessage, OutboxState
from conference.mail.operations import queue_email
from conference.mail.sender import INTERRUPTED_ERROR, MAX_ATTEMPTS, send_pending
from conference.proposals.models import ProposalState
from tests.conference.decisions.conftest import add_review, make_proposal
from tests.conference.mail.conftest import SmtpServer
from tests.conference.organisers.conftest import make_user
from tests.factories import ConferenceFactory, RoleFactory


def _message(db, message_id) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_send_pending_delivers_once_and_marks_sent(db, smtp_server):
    message = queue_email("ada@example.com", "Hello", "Body text", "test:1")
    db.session.commit()
    assert send_pending() == {"sent": 1, "retry": 0, "failed": 0, "interrupted": 0}
    assert send_pending()["sent"] == 0
    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert received.envelope_to == ["ada@example.com"]
    assert received.message["Subject"] == "Hello"
    assert received.message["From"] == "conference@example.com"
    assert received.message.get_content().strip() == "Body text"
    sent = _message(db, message.id)
    assert sent.state is OutboxState.SENT and sent.sent_at is not None


def test_smtp_down_keeps_message_pending_then_sends_when_server_is_up(db, smtp_port):
    message = queue_email("ada@example.com", "Hello", "Body", "test:down")
    other = queue_email("bob@example.com", "Hello", "Body", "test:down-2")
    db.session.commit()
    counts = send_pending()
    assert counts["retry"] == 1 and counts["sent"] == 0
    waiting = _message(db, message.id)
    assert waiting.state is OutboxState.PENDING and waiting.attempts == 1
    assert waiting.last_error and waiting.next_attempt_at > utcnow()
    # The server is unreachable: the rest of the batch is left untouched, not charged an attempt.
    assert _message(db, other.id).attempts == 0
    assert send_pending()["sent"] == 0  # backing off
    server = SmtpServer(smtp_port)
    server.start()
    try:
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert send_pending()["sent"] == 2
    finally:
        server.stop()
    assert sorted(r.envelope_to[0] for r in server.received) == ["ada@example.com", "bob@example.com"]
    assert _message(db, message.id).state is OutboxState.SENT


def test_message_fails_for_good_after_the_last_attempt(db, smtp_port):
    message = queue_email("ada@example.com", "Hello", "Body", "test:give-up")
    message.attempts = MAX_ATTEMPTS - 1
    db.session.commit()
    assert send_pending()["failed"] == 1
    assert _message(db, message.id).state is OutboxState.FAILED


def test_message_stuck_in_sending_becomes_failed_and_is_not_resent(db, smtp_server):
    stuck = OutboxMessage(recipient="ada@example.com", subject="S", body="B", dedupe_key="stuck",
                          state=OutboxState.SENDING, next_attempt_at=utcnow() - timedelta(minutes=16))
    recent = OutboxMessage(recipient="bob@example.com", subject="S", body="B", dedupe_key="recent",
                           state=OutboxState.SENDING, next_attempt_at=utcnow() - timedelta(minutes=5))
    db.session.add_all([stuck, recent])
    db.session.commit()
    assert send_pending()["interrupted"] == 1
    assert smtp_server.received == []
    failed = _message(db, stuck.id)
    assert failed.state is OutboxState.FAILED and failed.last_error == INTERRUPTED_ERROR
    assert _message(db, recent.id).state is OutboxState.SENDING
    send_pending()
    assert smtp_server.received == []


def test_crlf_in_subject_cannot_inject_headers(db, smtp_server):
    # Written straight into the table, bypassing queue_email's own clean-up.
    db.session.add(OutboxMessage(recipient="ada@example.com", subject="Hi\r\nBcc: victim@example.com",
                                 body="Body\r\nBcc: also@example.com", dedupe_key="crlf"))
    db.session.commit()
    assert send_pending()["sent"] == 1
    received = smtp_server.received[0]
    assert received.envelope_to == ["ada@example.com"]
    assert received.message["Bcc"] is None
    assert "\n" not in received.message["Subject"] and "\r" not in received.message["Subject"]


def test_decision_emails_arrive_once_per_speaker_without_reviewer_identity(client, login, db, smtp_server):
    conference = ConferenceFactory(slug="devcon", name="DevCon")
    organiser = RoleFactory(conference=conference, user=make_user(), role="organiser").user
    proposal = make_proposal(conference, speakers=2, state=ProposalState.ACCEPTED,
                             title="Rust at scale\r\nBcc: victim@example.com")
    reviewer = make_user(display_name="Secret Reviewer", email="secret.reviewer@example.com")
    add_review(proposal, reviewer, 5, comment_for_speaker="Great structure.")
    db.session.commit()
    login(organiser)
    assert client.post("/c/devcon/manage/decisions/emails").status_code == 302
    send_pending()
    assert client.post("/c/devcon/manage/decisions/emails").status_code == 302
    send_pending()
    speakers = sorted(s.user.email for s in proposal.speakers)
    assert sorted(r.envelope_to[0] for r in smtp_server.received) == speakers
    for received in smtp_server.received:
        text = received.message.as_string()
        body = received.message.get_content()
        assert received.message["Subject"] == "Accepted: Rust at scale Bcc: victim@example.com"
        assert received.message["Bcc"] is None
        assert "Great news" in body and "Great structure." in body
        assert "Secret Reviewer" not in text and "secret.reviewer" not in text


def test_send_mail_command_and_huey_task_send_pending_messages(app, db, runner, smtp_server):
    from conference.tasks import huey, send_outbox_now

    queue_email("ada@example.com", "One", "Body", "cli:1")
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0 and "1 sent" in result.output
    queue_email("ada@example.com", "Two", "Body", "task:1")
    db.session.commit()
    huey.immediate = True
    try:
        send_outbox_now()
    finally:
        huey.immediate = False
    assert [r.message["Subject"] for r in smtp_server.received] == ["One", "Two"]


def test_claimed_message_is_not_sent_by_a_second_sender(db, smtp_server):
    message = queue_email("ada@example.com", "Hello", "Body", "claim:1")
    db.session.commit()
    # Another sender claimed it between our SELECT and our UPDATE.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                       .values(state=OutboxState.SENDING, next_attempt_at=utcnow()))
    db.session.commit()
    assert send_pending()["sent"] == 0
    assert smtp_server.received == []
    assert db.session.scalar(select(OutboxMessage.state)) is OutboxState.SENDING
