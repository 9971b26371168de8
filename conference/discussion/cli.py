"""``flask discussion-digest``: queue the due daily digests once, for sites that run cron."""

from __future__ import annotations

import click


@click.command("discussion-digest")
def discussion_digest_command() -> None:
    """Queue the daily discussion digests now due (the huey consumer also does this every 15 minutes)."""
    from conference.discussion.digest import queue_due_digests

    queued = queue_due_digests()
    click.echo(f"Queued {queued} discussion digest{'' if queued == 1 else 's'}; "
               "the outbox sends them (`flask send-mail`, or the worker every minute).")
