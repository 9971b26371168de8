"""Queue e-mails in the persisted outbox. Operations flush; the request commits."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from conference.core.types import utcnow
from conference.extensions import db
from conference.mail.models import EmailTemplate, OutboxMessage, OutboxState


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


def request_delivery() -> None:
    """Ask for the outbox to be sent soon after this request commits (see mail.views)."""
    from flask import g

    g.mail_delivery_requested = True


def save_template(conference_id: int, kind: str, subject: str, body: str) -> EmailTemplate:
    """Store a conference's wording for ``kind``, replacing any earlier one."""
    template = db.session.scalar(
        select(EmailTemplate).where(EmailTemplate.conference_id == conference_id, EmailTemplate.kind == kind)
    )
    if template is None:
        template = EmailTemplate(conference_id=conference_id, kind=kind, subject=subject, body=body)
        try:
            with db.session.begin_nested():
                db.session.add(template)
        except IntegrityError:
            # A simultaneous save created it first: update that one instead.
            return save_template(conference_id, kind, subject, body)
    else:
        template.subject, template.body = subject, body
    db.session.flush()
    return template


def reset_template(conference_id: int, kind: str) -> bool:
    """Go back to the built-in wording; False if there was no own wording."""
    result = db.session.execute(
        delete(EmailTemplate).where(EmailTemplate.conference_id == conference_id, EmailTemplate.kind == kind)
    )
    return bool(result.rowcount)


def retry_failed(conference_id: int, message_id: int) -> bool:
    """Put a failed message of this conference back in the queue; False if it is not failed."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.conference_id == conference_id,
            OutboxMessage.state == OutboxState.FAILED,
        )
        .values(state=OutboxState.PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
