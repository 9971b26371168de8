from sqlalchemy import select

from conference.conferences.models import ConferenceRole, Role
from conference.mail.models import OutboxMessage
from conference.proposals.models import InvitationState, ProposalSpeaker, ProposalState, SpeakerRole
from tests.conference.proposals.conftest import count, make_user, proposal_form
from tests.conference.proposals.factories import proposal_of
from tests.factories import ProposalSpeakerFactory


def _invite(client, proposal, email):
    return client.post(f"/c/devcon/proposals/{proposal.id}/co-speakers", data={"email": email})


def _invitation_row(db, email) -> ProposalSpeaker:
    db.session.expire_all()
    return db.session.scalar(select(ProposalSpeaker).where(ProposalSpeaker.invited_email == email))


def _switch_to(client, login, user):
    client.post("/logout")
    login(user)


def _colleague_invited(client, db, conference, speaker, login):
    """The speaker invites colleague@example.com to "Shared talk"; the colleague is logged in."""
    proposal = proposal_of(speaker, conference, title="Shared talk")
    colleague = make_user(email="colleague@example.com")
    db.session.commit()
    _invite(client, proposal, "colleague@example.com")
    token = _invitation_row(db, "colleague@example.com").invitation_token
    _switch_to(client, login, colleague)
    return proposal, colleague, token


def test_invite_co_speaker_queues_one_email_with_link(client, db, conference, speaker):
    proposal = proposal_of(speaker, conference, title="Edge caching")
    colleague = make_user(email="colleague@example.com")
    db.session.commit()
    assert _invite(client, proposal, "Colleague@Example.com").status_code == 302
    assert _invite(client, proposal, "colleague@example.com").status_code == 302  # again: no copy
    row = _invitation_row(db, "colleague@example.com")
    assert row.user_id == colleague.id
    assert row.role is SpeakerRole.CO_SPEAKER
    assert row.invitation_state is InvitationState.INVITED
    assert len(row.invitation_token) >= 40
    assert count(db, ProposalSpeaker, ProposalSpeaker.proposal_id == proposal.id) == 2
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 1
    assert messages[0].recipient == "colleague@example.com"
    assert messages[0].dedupe_key == f"co-speaker-invitation:{row.id}"
    assert f"http://conference.test/c/devcon/invitations/{row.invitation_token}" in messages[0].body
    assert "Edge caching" in messages[0].body


def test_inviting_same_email_twice_shows_a_message(client, db, conference, speaker):
    proposal = proposal_of(speaker, conference)
    db.session.commit()
    _invite(client, proposal, "new@example.com")
    response = client.get(_invite(client, proposal, "new@example.com").headers["Location"])
    assert "new@example.com is already invited" in response.get_data(as_text=True)


def test_at_most_three_co_speakers(client, db, conference, speaker):
    proposal = proposal_of(speaker, conference)
    db.session.commit()
    for number in range(3):
        _invite(client, proposal, f"c{number}@example.com")
    page = client.get(_invite(client, proposal, "c4@example.com").headers["Location"])
    assert "at most 3 co-speakers" in page.get_data(as_text=True)
    assert count(db, ProposalSpeaker, ProposalSpeaker.role == SpeakerRole.CO_SPEAKER) == 3


def test_invited_person_accepts_and_shares_the_proposal(client, db, conference, speaker, login):
    proposal, colleague, token = _colleague_invited(client, db, conference, speaker, login)
    listing = client.get("/c/devcon/proposals/").get_data(as_text=True)
    assert "Invitations to co-present" in listing
    assert f"/c/devcon/invitations/{token}" in listing
    assert client.get(f"/c/devcon/proposals/{proposal.id}").status_code == 404  # not yet
    assert client.get(f"/c/devcon/invitations/{token}").status_code == 200
    response = client.post(f"/c/devcon/invitations/{token}", data={"accept": "Accept"})
    assert response.status_code == 302
    row = _invitation_row(db, "colleague@example.com")
    assert row.invitation_state is InvitationState.ACCEPTED
    assert row.invitation_token is None
    assert count(db, ConferenceRole, ConferenceRole.user_id == colleague.id,
                 ConferenceRole.role == Role.SPEAKER) == 1
    assert "Shared talk" in client.get("/c/devcon/proposals/").get_data(as_text=True)
    edit = client.post(
        f"/c/devcon/proposals/{proposal.id}/edit",
        data=proposal_form(conference, title="Co-edited", lock_version=str(proposal.lock_version)),
    )
    assert edit.status_code == 302
    # The token is used up.
    assert client.get(f"/c/devcon/invitations/{token}").status_code == 404
    # Co-speakers cannot withdraw the proposal or invite others.
    assert client.post(f"/c/devcon/proposals/{proposal.id}/withdraw").status_code == 403
    assert _invite(client, proposal, "third@example.com").status_code == 403


def test_an_invitation_lapses_when_the_proposal_leaves_the_running(client, db, conference, speaker, login):
    proposal, colleague, token = _colleague_invited(client, db, conference, speaker, login)
    for state in (ProposalState.WITHDRAWN, ProposalState.REJECTED, ProposalState.DECLINED):
        proposal.state = state
        db.session.commit()
        assert client.get(f"/c/devcon/invitations/{token}").status_code == 404
        assert client.post(f"/c/devcon/invitations/{token}", data={"accept": "Accept"}).status_code == 404
        assert _invitation_row(db, "colleague@example.com").invitation_state is InvitationState.INVITED
    # Accepted talks still take the co-speaker invited while it was under review.
    proposal.state = ProposalState.ACCEPTED
    db.session.commit()
    assert client.post(f"/c/devcon/invitations/{token}", data={"accept": "Accept"}).status_code == 302
    assert _invitation_row(db, "colleague@example.com").invitation_state is InvitationState.ACCEPTED


def test_invitation_by_email_only_is_accepted_after_registering(client, db, conference, speaker, login):
    proposal = proposal_of(speaker, conference)
    db.session.commit()
    _invite(client, proposal, "newcomer@example.com")
    row = _invitation_row(db, "newcomer@example.com")
    assert row.user_id is None
    newcomer = make_user(email="newcomer@example.com")
    db.session.commit()
    _switch_to(client, login, newcomer)
    assert "Invitations to co-present" in client.get("/").get_data(as_text=True)
    client.post(f"/c/devcon/invitations/{row.invitation_token}", data={"accept": "Accept"})
    row = _invitation_row(db, "newcomer@example.com")
    assert row.user_id == newcomer.id
    assert row.invitation_state is InvitationState.ACCEPTED


def test_invited_person_declines(client, db, conference, speaker, login):
    proposal = proposal_of(speaker, conference)
    colleague = make_user(email="colleague@example.com")
    db.session.commit()
    _invite(client, proposal, "colleague@example.com")
    token = _invitation_row(db, "colleague@example.com").invitation_token
    _switch_to(client, login, colleague)
    client.post(f"/c/devcon/invitations/{token}", data={"decline": "Decline"})
    row = _invitation_row(db, "colleague@example.com")
    assert row.invitation_state is InvitationState.DECLINED
    assert client.get(f"/c/devcon/proposals/{proposal.id}").status_code == 404
    assert client.post(f"/c/devcon/invitations/{token}", data={"accept": "Accept"}).status_code == 404


def test_invitation_opened_with_wrong_account_is_refused(client, db, conference, speaker, login):
    proposal = proposal_of(speaker, conference)
    make_user(email="colleague@example.com")
    intruder = make_user(email="intruder@example.com")
    db.session.commit()
    _invite(client, proposal, "colleague@example.com")
    token = _invitation_row(db, "colleague@example.com").invitation_token
    _switch_to(client, login, intruder)
    page = client.get(f"/c/devcon/invitations/{token}")
    assert page.status_code == 403
    assert "sent to a different e-mail address" in page.get_data(as_text=True)
    assert client.post(f"/c/devcon/invitations/{token}", data={"accept": "Accept"}).status_code == 403
    row = _invitation_row(db, "colleague@example.com")
    assert row.invitation_state is InvitationState.INVITED


def test_unknown_token_or_other_conference_is_not_found(client, db, conference, speaker):
    assert client.get("/c/devcon/invitations/not-a-token").status_code == 404
    assert client.get(f"/c/devcon/invitations/{'x' * 300}").status_code == 404


def test_demo_style_invitation_with_user_and_email_is_listed(client, db, conference, speaker):
    other = proposal_of(make_user(), conference, title="Their talk")
    ProposalSpeakerFactory(
        proposal=other, user=speaker, invited_email=speaker.email, role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.INVITED, invitation_token="demo-token",
    )
    db.session.commit()
    page = client.get("/c/devcon/proposals/").get_data(as_text=True)
    assert "Their talk" in page and "/c/devcon/invitations/demo-token" in page
    assert client.post("/c/devcon/invitations/demo-token", data={"accept": "Accept"}).status_code == 302
    assert client.get(f"/c/devcon/proposals/{other.id}").status_code == 200


def test_submitter_withdraws_pending_invitation(client, db, conference, speaker):
    proposal = proposal_of(speaker, conference)
    db.session.commit()
    _invite(client, proposal, "colleague@example.com")
    row = _invitation_row(db, "colleague@example.com")
    token = row.invitation_token
    response = client.post(f"/c/devcon/proposals/{proposal.id}/co-speakers/{row.id}/cancel")
    assert response.status_code == 302
    assert _invitation_row(db, "colleague@example.com") is None
    assert client.get(f"/c/devcon/invitations/{token}").status_code == 404


def test_invitation_of_another_proposal_cannot_be_cancelled_here(client, db, conference, speaker):
    mine = proposal_of(speaker, conference)
    theirs = proposal_of(make_user(), conference)
    foreign = ProposalSpeakerFactory(
        proposal=theirs, user=None, invited_email="x@example.com", role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.INVITED, invitation_token="foreign-token",
    )
    db.session.commit()
    url = f"/c/devcon/proposals/{mine.id}/co-speakers/{foreign.id}/cancel"
    assert client.post(url).status_code == 404
    assert count(db, ProposalSpeaker, ProposalSpeaker.id == foreign.id) == 1
