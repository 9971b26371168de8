"""``flask demo``: seed the demo conference."""

from __future__ import annotations

import click
from sqlalchemy import select

from conference.extensions import db


def _print_logins(logins: list[tuple[str, str]], password: str) -> None:
    click.echo(f"Log in with any of these (password for all: {password}):")
    for role, email in logins:
        click.echo(f"  {role:<10} {email}")


@click.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing when the database already has conferences or accounts.",
)
def demo_command(if_empty: bool) -> None:
    """Seed the realistic, deterministic demo conferences (2027 and the past 2026) and print the logins."""
    from conference.conferences.models import Conference
    from conference.demo.data import CONFERENCE_SLUG
    from conference.demo.history import date_schedule_story
    from conference.demo.live import add_live_demo
    from conference.demo.past import seed_past_demo
    from conference.demo.schedule import schedule_seeded_demo
    from conference.demo.seed import DEMO_PASSWORD, database_is_empty, demo_logins, seed_demo

    if if_empty and not database_is_empty():
        click.echo("The database already has data; the demo was not seeded again.")
        _print_logins(demo_logins(), DEMO_PASSWORD)
        return
    logins = seed_demo()
    schedule_seeded_demo()
    past = seed_past_demo()
    date_schedule_story()
    add_live_demo(db.session.scalar(select(Conference).where(Conference.slug == CONFERENCE_SLUG)), past)
    db.session.commit()
    click.echo(
        "Demo conference seeded, with its schedule published, and last year's summit "
        "with recordings, feedback and the talk archive."
    )
    _print_logins(logins, DEMO_PASSWORD)
