"""Send the outbox through SMTP, at most once per message.

Each message is claimed with an atomic ``pending -> sending`` UPDATE that is committed before
the SMTP conversation starts, so two senders never send the same row. A row still ``sending``
long after its claim means a sender died mid-conversation: the e-mail may or may not have gone
out, so it is marked failed for a person to retry rather than risk a duplicate.
"""

from __future__ import annotations

import smtplib
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import func, select, update

from conference.accounts.models import User
from conference.core.types import utcnow
from conference.extensions import db
from conference.mail.models import OutboxMessage, OutboxState

MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(minutes=15)
INTERRUPTED_ERROR = "interrupted; not resent to avoid a duplicate — retry by hand"
DEACTIVATED_ERROR = "not sent: the recipient's account is deactivated"
# Errors worth retrying later: the server or network, not our message.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4 ... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    """An EmailMessage for a row; header values are single lines, so nothing can be injected."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = " ".join(row.recipient.split())
    message["Subject"] = " ".join(row.subject.split())
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(row.body)
    return message


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    timeout = config.get("MAIL_TIMEOUT", 30)
    if config.get("MAIL_USE_SSL"):
        connection: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout)
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            connection.starttls()
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return connection


def fail_interrupted(now: datetime) -> int:
    """Mark rows claimed more than STUCK_AFTER ago as failed; returns how many."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.next_attempt_at < now - STUCK_AFTER)
        .values(state=OutboxState.FAILED, last_error=INTERRUPTED_ERROR)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0


def fail_deactivated_recipients() -> int:
    """Mark pending messages to deactivated accounts as failed, unsent; returns how many.

    Checked here, at sending, rather than when queued: it also stops what was queued before the
    deactivation, and after a reactivation an organiser can retry what was held back.
    """
    inactive = select(func.lower(User.email)).where(User.is_active_account.is_(False))
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.PENDING, func.lower(OutboxMessage.recipient).in_(inactive))
        .values(state=OutboxState.FAILED, last_error=DEACTIVATED_ERROR)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0


def _claim(message_id: int, now: datetime) -> bool:
    # The claim time goes into next_attempt_at: it is what "stuck for 15 minutes" measures.
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == OutboxState.PENDING)
        .values(state=OutboxState.SENDING, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(message_id: int, **values) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == OutboxState.SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_failure(row_id: int, attempts: int, error: BaseException, permanent: bool = False) -> str:
    attempts += 1
    text = f"{type(error).__name__}: {error}"[:2000]
    if permanent or attempts >= MAX_ATTEMPTS:
        _finish(row_id, state=OutboxState.FAILED, attempts=attempts, last_error=text)
        return "failed"
    _finish(
        row_id, state=OutboxState.PENDING, attempts=attempts, last_error=text,
        next_attempt_at=utcnow() + backoff(attempts),
    )
    return "retry"


def send_pending(limit: int = 100) -> dict[str, int]:
    """Send up to ``limit`` due messages; returns counts of sent, retry, failed, interrupted."""
    counts: Counter[str] = Counter()
    now = utcnow()
    counts["interrupted"] = fail_interrupted(now)
    counts["failed"] += fail_deactivated_recipients()
    due = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts)
        .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    connection: smtplib.SMTP | None = None
    try:
        for message_id, attempts in due:
            if not _claim(message_id, utcnow()):
                continue  # another sender took it
            row = db.session.get(OutboxMessage, message_id, populate_existing=True)
            try:
                message = build_message(row, sender)
            except (ValueError, TypeError) as error:
                counts[_record_failure(message_id, attempts, error, permanent=True)] += 1
                continue
            try:
                if connection is None:
                    connection = _connect()
                connection.send_message(message)
            except TRANSIENT_ERRORS as error:
                counts[_record_failure(message_id, attempts, error)] += 1
                if connection is not None and not isinstance(
                    error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError | smtplib.SMTPSenderRefused
                ):
                    _close(connection)
                    connection = None
                if connection is None:
                    # The server is unreachable: leave the rest pending, untouched, for later.
                    break
                continue
            _finish(message_id, state=OutboxState.SENT, sent_at=utcnow(), last_error="",
                    attempts=attempts + 1)
            counts["sent"] += 1
    finally:
        if connection is not None:
            _close(connection)
    return {key: counts[key] for key in ("sent", "retry", "failed", "interrupted")}


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except TRANSIENT_ERRORS:
        connection.close()
