from sqlalchemy import func, select

from conference.mail.models import OutboxMessage, OutboxState
from conference.mail.operations import queue_email


def test_queue_email_twice_with_same_key_queues_once(db):
    first = queue_email("a@example.com", "Hello", "Body", "welcome:1")
    second = queue_email("a@example.com", "Hello again", "Body", "welcome:1")
    db.session.commit()
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert first.state is OutboxState.PENDING


def test_queue_email_subject_is_a_single_line(db):
    message = queue_email("a@example.com", "Hi\r\nBcc: victim@example.com", "Body", "k:2")
    assert "\n" not in message.subject and "\r" not in message.subject
