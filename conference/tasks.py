"""Background jobs run by huey: ``huey_consumer conference.tasks.huey -w 1``.

The queue lives in SQLite at ``<instance>/huey.db`` by default, or in Redis when REDIS_URL is
set (needed as soon as web and consumer run on different machines). Tasks run inside an app
context; the consumer process builds its app lazily, on the first task.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

QUEUE_NAME = "conference"


def _instance_path() -> Path:
    """The folder create_app() uses, without building an app at import time."""
    configured = os.environ.get("INSTANCE_PATH")
    if configured:
        return Path(configured)
    return Path(Flask("conference").auto_find_instance_path())


def make_huey():
    """RedisHuey when REDIS_URL is set, else SqliteHuey in the instance folder."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        from redis import ConnectionPool

        # A Redis host that drops packets must not hang a web request for minutes.
        return RedisHuey(QUEUE_NAME, connection_pool=ConnectionPool.from_url(redis_url, socket_connect_timeout=5))
    instance = _instance_path()
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(instance / "huey.db"))


huey = make_huey()
_consumer_app: Flask | None = None


@contextmanager
def app_context():
    """The caller's app context if there is one, else the consumer's own app (built once)."""
    global _consumer_app
    if has_app_context():
        yield current_app
        return
    if _consumer_app is None:
        from conference import create_app

        _consumer_app = create_app()
    with _consumer_app.app_context():
        try:
            yield _consumer_app
        finally:
            from conference.extensions import db

            db.session.remove()


def _send_outbox() -> dict[str, int]:
    from conference.mail.sender import send_pending

    with app_context():
        return send_pending()


@huey.periodic_task(crontab(minute="*"))
def send_outbox_every_minute() -> dict[str, int]:
    """Send due e-mails, including retries whose back-off has passed."""
    return _send_outbox()


@huey.task()
def send_outbox_now() -> dict[str, int]:
    """Send due e-mails right away; enqueued after a request queued some."""
    return _send_outbox()


@huey.periodic_task(crontab(minute="*/5"))
def queue_feedback_reminders_every_five_minutes() -> int:
    """Queue the feedback reminder for talks that ended (each attendee and talk only once)."""
    from conference.feedback.operations import queue_all_feedback_reminders

    with app_context():
        return queue_all_feedback_reminders()


@huey.periodic_task(crontab(minute="*/15"))
def queue_discussion_digests_every_quarter_hour() -> int:
    """Queue the daily discussion digests now due (08:00 to 08:15 in each person's own zone:
    every zone's offset is a multiple of 15 minutes, Kolkata's and Kathmandu's too)."""
    from conference.discussion.digest import queue_due_digests

    with app_context():
        return queue_due_digests()


# Areas' tasks register with ``huey`` when imported; the consumer imports only this module.
from conference.schedule import jobs as _schedule_jobs  # noqa: E402,F401
