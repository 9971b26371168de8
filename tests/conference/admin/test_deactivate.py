"""Deactivating and reactivating accounts, what deactivation stops, and each refusal."""

from __future__ import annotations

from sqlalchemy import select

from conference.accounts.operations import password_reset_token
from conference.admin.operations import REASON_MAX_LENGTH
from conference.api.operations import create_api_token
from conference.conferences.models import Role
from conference.mail.models import OutboxMessage, OutboxState
from conference.mail.operations import queue_email
from conference.mail.sender import DEACTIVATED_ERROR, send_pending
from conference.proposals.models import Proposal
from conference.reviews.models import ReviewAssignment
from conference.reviews.operations import run_assignment
from tests.conference.admin.conftest import count, log_in, make_user, reload
from tests.conference.mail.conftest import SmtpServer, free_port
from tests.factories import DEFAULT_PASSWORD, RoleFactory


def _deactivate(client, user, reason: str = ""):
    return client.post(f"/admin/people/{user.id}/deactivate", data={"reason": reason})


def test_deactivating_records_when_by_whom_and_why(admin_client, db, site_admin):
    person = make_user(display_name="Leaving Person")
    db.session.commit()
    response = _deactivate(admin_client, person, "  Left the company\non 31 March ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/people/{person.id}")
    stored = reload(db, person)
    assert not stored.is_active_account and not stored.is_erased
    assert stored.deactivated_at is not None and stored.deactivated_at.utcoffset().total_seconds() == 0
    assert stored.deactivated_by_id == site_admin.id
    assert stored.deactivation_reason == "Left the company on 31 March"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Leaving Person is deactivated" in page
    assert "by Ada Admin" in page and "Left the company on 31 March" in page
    assert '<span class="tz-label">Europe/London</span>' in page


def test_deactivated_person_is_logged_out_at_the_next_request_and_cannot_log_in(app, admin_client, db):
    person = make_user(email="leaver@example.com")
    db.session.commit()
    their_browser = log_in(app, person)
    assert their_browser.get("/account").status_code == 200
    assert _deactivate(admin_client, person).status_code == 302
    ended = their_browser.get("/account")
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")
    again = app.test_client().post("/login", data={"email": "leaver@example.com", "password": DEFAULT_PASSWORD})
    assert again.status_code == 200
    # The right password learns why; a wrong one learns nothing.
    assert "This account is deactivated." in again.get_data(as_text=True)
    wrong = app.test_client().post("/login", data={"email": "leaver@example.com", "password": "not it"})
    assert "do not match an account" in wrong.get_data(as_text=True)
    assert "deactivated" not in wrong.get_data(as_text=True)


def test_deactivated_person_cannot_reset_the_password(app, admin_client, db):
    person = make_user(email="leaver@example.com")
    db.session.commit()
    link_sent_before = password_reset_token(person)
    assert _deactivate(admin_client, person).status_code == 302
    client = app.test_client()
    assert client.get(f"/password-reset/{link_sent_before}").status_code == 404
    assert client.post("/password-reset", data={"email": "leaver@example.com"}).status_code == 302
    assert count(db, OutboxMessage, OutboxMessage.recipient == "leaver@example.com") == 0
    # A link made after the deactivation (say from a copied database) is refused too.
    assert client.get(f"/password-reset/{password_reset_token(reload(db, person))}").status_code == 404


def test_api_tokens_made_by_a_deactivated_organiser_stop_working(app, admin_client, db, world):
    organiser = world.users["organiser"]
    _token, secret = create_api_token(world.conference, "Intranet", organiser)
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/conferences/summit", headers=headers).status_code == 200
    assert _deactivate(admin_client, organiser).status_code == 302
    assert api.get("/api/v1/conferences/summit", headers=headers).status_code == 401
    assert admin_client.post(f"/admin/people/{organiser.id}/reactivate").status_code == 302
    assert api.get("/api/v1/conferences/summit", headers=headers).status_code == 200


def test_outbox_sends_nothing_to_a_deactivated_person(app, admin_client, db):
    person = make_user(email="Leaver@Example.com")
    stays = make_user(email="stays@example.com")
    queue_email("leaver@example.com", "Queued before", "Body", "test:before")
    db.session.commit()
    assert _deactivate(admin_client, person).status_code == 302
    queue_email("leaver@example.com", "Queued after", "Body", "test:after")
    queue_email(stays.email, "For someone active", "Body", "test:active")
    db.session.commit()
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
                      MAIL_USERNAME=None, MAIL_TIMEOUT=5, MAIL_DEFAULT_SENDER="conference@example.com")
    server = SmtpServer(port)
    server.start()
    try:
        counts = send_pending()
    finally:
        server.stop()
    assert [received.envelope_to for received in server.received] == [["stays@example.com"]]
    assert counts["sent"] == 1 and counts["failed"] == 2
    db.session.expire_all()
    held = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "leaver@example.com")
    ).all()
    assert {(m.state, m.last_error) for m in held} == {(OutboxState.FAILED, DEACTIVATED_ERROR)}


def test_open_review_assignments_are_released_and_not_given_back_by_the_assignment_run(
    admin_client, db, world
):
    reviewer = world.users["reviewer"]

    def assigned() -> set[int]:
        db.session.expire_all()
        return set(db.session.scalars(
            select(ReviewAssignment.proposal_id).where(ReviewAssignment.reviewer_id == reviewer.id)
        ))

    # Reviewed (the talk), decided unreviewed (the other talk), open (the submission).
    assert assigned() == {world.talk.id, world.other_talk.id, world.submission.id}
    response = _deactivate(admin_client, reviewer)
    assert assigned() == {world.talk.id, world.other_talk.id}
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 open review assignment was released" in page
    newcomer = make_user(display_name="New Reviewer")
    conference = db.session.merge(world.conference)
    RoleFactory(conference=conference, user=newcomer, role=Role.REVIEWER)
    db.session.commit()
    _plan, added = run_assignment(conference)
    db.session.commit()
    assert world.submission.id not in assigned()
    given = set(db.session.scalars(
        select(ReviewAssignment.reviewer_id).where(ReviewAssignment.proposal_id == world.submission.id)
    ))
    # Two reviewers per proposal: the conflicted reviewer kept theirs, the newcomer took the place.
    assert given == {world.users["conflicted_reviewer"].id, newcomer.id}
    assert added == 1


def test_deactivation_keeps_proposals_and_talks(admin_client, db, world):
    speaker = world.users["speaker"]
    before = count(db, Proposal)
    assert _deactivate(admin_client, speaker).status_code == 302
    assert count(db, Proposal) == before
    talk_page = admin_client.get(f"/c/summit/agenda/talks/{world.talk.id}").get_data(as_text=True)
    assert "Zanzibar Quillfeather" in talk_page


def test_refuses_deactivating_yourself(admin_client, db, site_admin):
    make_user(is_site_admin=True)  # not the last admin: only the self rule applies
    db.session.commit()
    response = _deactivate(admin_client, site_admin)
    assert response.status_code == 409
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    assert reload(db, site_admin).is_active_account


def test_another_site_admin_may_be_deactivated_while_an_active_one_remains(admin_client, db):
    # The last active site admin can only be reached from the command line (test_cli.py): on
    # the page the acting admin is always another active one.
    other_admin = make_user(display_name="Other Admin", is_site_admin=True)
    db.session.commit()
    assert _deactivate(admin_client, other_admin).status_code == 302
    assert not reload(db, other_admin).is_active_account


def test_refuses_an_over_long_reason_and_an_account_already_deactivated(admin_client, db):
    person = make_user(display_name="Reason Person")
    db.session.commit()
    too_long = _deactivate(admin_client, person, "x" * (REASON_MAX_LENGTH + 1))
    assert too_long.status_code == 400
    assert f"Keep the reason under {REASON_MAX_LENGTH} characters." in too_long.get_data(as_text=True)
    assert reload(db, person).is_active_account
    assert _deactivate(admin_client, person).status_code == 302
    twice = _deactivate(admin_client, person)
    assert twice.status_code == 409
    assert "already deactivated" in twice.get_data(as_text=True)


def test_reactivating_lets_the_person_log_in_again_and_clears_the_record(app, admin_client, db):
    person = make_user(email="back@example.com")
    db.session.commit()
    assert _deactivate(admin_client, person, "Parental leave").status_code == 302
    response = admin_client.post(f"/admin/people/{person.id}/reactivate")
    assert response.status_code == 302
    stored = reload(db, person)
    assert stored.is_active_account
    assert (stored.deactivated_at, stored.deactivated_by_id, stored.deactivation_reason) == (None, None, "")
    log_in(app, stored)
    again = admin_client.post(f"/admin/people/{person.id}/reactivate")
    assert again.status_code == 409 and "already active" in again.get_data(as_text=True)
