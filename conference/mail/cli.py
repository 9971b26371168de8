"""``flask send-mail``: send the due part of the outbox once."""

from __future__ import annotations

import click


@click.command("send-mail")
@click.option("--limit", default=100, show_default=True, help="Send at most this many e-mails.")
def send_mail_command(limit: int) -> None:
    """Send pending e-mails now (the huey consumer also does this every minute)."""
    from conference.mail.sender import send_pending

    counts = send_pending(limit=limit)
    click.echo(", ".join(f"{count} {name}" for name, count in counts.items()))
