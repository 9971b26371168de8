"""Command-line tools: ``flask create-organiser`` and ``flask demo``."""

from __future__ import annotations

import secrets

import click
from flask import Flask
from sqlalchemy import select

from conference.accounts import operations as account_operations
from conference.admin.operations import make_site_admin_by_hand
from conference.conferences.models import Conference, Role
from conference.core.timezones import is_valid_time_zone
from conference.extensions import db
from conference.organisers.operations import RoleAlreadyHeld, give_role_by_hand


@click.command("create-organiser")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the part of EMAIL before @).")
@click.option("--time-zone", default="UTC", show_default=True, help="IANA time zone name.")
@click.option("--conference", "slug", default=None, help="Also make them organiser of this conference.")
@click.option(
    "--password",
    default=None,
    help="Password to set (default: prompt; with --generate-password, a random one is printed).",
)
@click.option("--generate-password", is_flag=True, help="Generate and print a random password.")
def create_organiser_command(email, name, time_zone, slug, password, generate_password):
    """Bootstrap an organiser: an account that may create conferences (and organise one)."""
    if not is_valid_time_zone(time_zone):
        raise click.BadParameter(f"{time_zone!r} is not an IANA time zone name", param_hint="--time-zone")
    if generate_password:
        password = secrets.token_urlsafe(12)
    user = account_operations.find_user_by_email(email)
    if user is None:
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < 10:
            raise click.BadParameter("use at least 10 characters", param_hint="password")
        user = account_operations.create_user(
            email, name or email.split("@", 1)[0], password, time_zone
        )
        click.echo(f"Created account {user.email}.")
    elif password:
        account_operations.change_password(user, password)
        click.echo(f"Updated the password of {user.email}.")
    # By hand: a right a company group gave becomes one no later company log-in takes back.
    admin_from_group = make_site_admin_by_hand(user)
    if admin_from_group is not None:
        click.echo(
            f"{user.email} was a site admin from the company group {admin_from_group!r}; the right is now "
            "given by hand and stays when they leave the group."
        )
    if slug:
        conference = db.session.scalar(select(Conference).where(Conference.slug == slug))
        if conference is None:
            raise click.ClickException(f"No conference with slug {slug!r}.")
        try:
            role_from_group = give_role_by_hand(conference, user, Role.ORGANISER)
        except RoleAlreadyHeld:
            role_from_group = None
        if role_from_group is not None:
            click.echo(
                f"{user.email} was an organiser of {conference.name} from the company group "
                f"{role_from_group!r}; the role is now given by hand and stays when they leave the group."
            )
        click.echo(f"{user.email} organises {conference.name}.")
    db.session.commit()
    click.echo(f"{user.email} can now log in and create conferences.")
    if generate_password:
        click.echo(f"Password: {password}")


def init_app(app: Flask) -> None:
    from conference.admin.cli import (
        deactivate_user_command,
        erase_user_command,
        reactivate_user_command,
    )
    from conference.demo.cli import demo_command
    from conference.discussion.cli import discussion_digest_command
    from conference.mail.cli import send_mail_command

    app.cli.add_command(create_organiser_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(deactivate_user_command)
    app.cli.add_command(reactivate_user_command)
    app.cli.add_command(erase_user_command)
    app.cli.add_command(discussion_digest_command)
