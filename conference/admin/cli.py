"""Commands for operations staff: ``flask deactivate-user``, ``reactivate-user``, ``erase-user``.

Exit status 0 when the account ends up as asked (already so included), 1 for an unknown
address or a refusal, with the reason on standard error.
"""

from __future__ import annotations

import click

from conference.accounts.models import User
from conference.accounts.operations import find_user_by_email
from conference.admin import operations
from conference.extensions import db


def _account(email: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses the e-mail address {email!r}.")
    return user


def _run(action, *args) -> bool:
    """Run ``action`` and commit; False (rolled back) if there was nothing to change."""
    try:
        result = action(*args)
    except operations.NothingToChange as unchanged:
        db.session.rollback()
        click.echo(str(unchanged))
        return False
    except operations.AccountActionRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from refusal
    db.session.commit()
    return result if result is not None else True


@click.command("deactivate-user")
@click.argument("email")
@click.option("--reason", default="", help="Why, for the site admins (e.g. 'Left the company').")
def deactivate_user_command(email: str, reason: str) -> None:
    """Deactivate the account with EMAIL: its sessions end and it can no longer log in."""
    user = _account(email)
    done = _run(operations.deactivate_account, user, None, reason)
    if done:
        click.echo(
            f"Deactivated {user.email}; released {done.released_assignments} open review assignment(s)."
        )


@click.command("reactivate-user")
@click.argument("email")
def reactivate_user_command(email: str) -> None:
    """Let the deactivated account with EMAIL log in again."""
    user = _account(email)
    if _run(operations.reactivate_account, user):
        click.echo(f"Reactivated {user.email}.")


@click.command("erase-user")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Confirm without being asked (for scripts).")
def erase_user_command(email: str, yes: bool) -> None:
    """Erase the personal data of the account with EMAIL, for good."""
    user = _account(email)
    if not yes:
        click.echo("Erasing removes, for good:")
        for item in operations.ERASURE_REMOVES:
            click.echo(f"  - {item.label}: {item.detail}")
        click.confirm(f"Erase the personal data of {user.email}?", abort=True)
    if _run(operations.erase_account, user, None):
        click.echo(f"Erased {email}; the account is now {user.display_name} ({user.email}).")
