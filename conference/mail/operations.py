"""Queue e-mails in the persisted outbox. Operations flush; the request commits."""

from __future__ import annotations

from sqlalchemy import select

from conference.extensions import db
from conference.mail.models import OutboxMessage


def queue_email(
    recipient: str,
    subject: str,
    body: str,
    dedupe_key: str,
    conference_id: int | None = None,
) -> OutboxMessage:
    """Add an e-mail to the outbox once: a second call with the same key returns the first.

    ``dedupe_key`` names the event the e-mail is about (e.g. ``decision:17:accepted:user:5``),
    so repeating an action, a double submit or a retried job never e-mails anyone twice.
    """
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    # Header injection is impossible through the subject: it is a single line.
    subject = " ".join(subject.split())[:300]
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, dedupe_key=dedupe_key,
        conference_id=conference_id,
    )
    with db.session.begin_nested():
        db.session.add(message)
    return message
