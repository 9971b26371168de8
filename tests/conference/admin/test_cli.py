"""``flask deactivate-user``, ``reactivate-user`` and ``erase-user`` for operations staff."""

from __future__ import annotations

from conference.accounts.models import User
from tests.conference.admin.conftest import make_user, reload


def test_deactivate_user_with_a_reason_then_reactivate(runner, db):
    person = make_user(email="leaver@example.com")
    db.session.commit()
    result = runner.invoke(args=["deactivate-user", "Leaver@Example.com", "--reason", "Left in May"])
    assert result.exit_code == 0, result.output
    assert "Deactivated leaver@example.com; released 0 open review assignment(s)." in result.output
    stored = reload(db, person)
    assert not stored.is_active_account
    assert stored.deactivation_reason == "Left in May" and stored.deactivated_by_id is None
    again = runner.invoke(args=["deactivate-user", "leaver@example.com"])
    assert again.exit_code == 0 and "already deactivated; nothing changed" in again.output
    back = runner.invoke(args=["reactivate-user", "leaver@example.com"])
    assert back.exit_code == 0 and "Reactivated leaver@example.com." in back.output
    assert reload(db, person).is_active_account


def test_unknown_addresses_fail_with_a_clear_message(runner, db):
    for command in (["deactivate-user"], ["reactivate-user"], ["erase-user", "--yes"]):
        result = runner.invoke(args=[*command, "nobody@example.com"])
        assert result.exit_code == 1, command
        assert "No account uses the e-mail address 'nobody@example.com'." in result.output


def test_command_line_refuses_the_last_active_site_admin(runner, db):
    only_admin = make_user(email="only.admin@example.com", is_site_admin=True)
    make_user(email="retired.admin@example.com", is_site_admin=True, is_active_account=False)
    db.session.commit()
    for command in (["deactivate-user"], ["erase-user", "--yes"]):
        result = runner.invoke(args=[*command, "only.admin@example.com"])
        assert result.exit_code == 1, command
        assert "last active site admin" in result.output
    stored = reload(db, only_admin)
    assert stored.is_active_account and not stored.is_erased


def test_erase_user_asks_for_confirmation_unless_given_yes(runner, db):
    person = make_user(display_name="Forget Me", email="forget@example.com")
    db.session.commit()
    declined = runner.invoke(args=["erase-user", "forget@example.com"], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert "Speaker profiles" in declined.output
    assert reload(db, person).display_name == "Forget Me"
    result = runner.invoke(args=["erase-user", "forget@example.com", "--yes"])
    assert result.exit_code == 0, result.output
    stored = db.session.get(User, person.id)
    assert stored.display_name == f"Former participant {person.id}" and stored.is_erased
    assert f"now Former participant {person.id} (erased-{person.id}@erased.invalid)" in result.output
    reactivate = runner.invoke(args=["reactivate-user", stored.email])
    assert reactivate.exit_code == 1 and "cannot be reactivated" in reactivate.output
