"""Organisers write one e-mail to a group: who gets it, each person's own copy, sent once."""

from __future__ import annotations

import re

from sqlalchemy import select

from conference.conferences.models import Role
from conference.mail.models import OutboxMessage
from conference.proposals.models import InvitationState, ProposalState
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    TrackFactory,
)

URL = "/c/devcon/manage/emails/compose"


def _world(db, login):
    conference = ConferenceFactory(slug="devcon", name="DevCon")
    organiser = RoleFactory(conference=conference, user=make_user(display_name="Olivia"), role=Role.ORGANISER).user
    platform, data = TrackFactory(conference=conference, name="Platform"), TrackFactory(conference=conference, name="Data")
    ada, bob, cy = (make_user(display_name=name, email=f"{name.lower()}@example.com") for name in ("Ada", "Bob", "Cy"))
    for title, state, track, speakers in (
        ("Kernels", ProposalState.ACCEPTED, platform, [ada]),
        ("Queues", ProposalState.CONFIRMED, platform, [ada]),
        ("Lakes", ProposalState.CONFIRMED, data, [bob]),
        ("Nope", ProposalState.REJECTED, data, [cy]),
        ("Secret draft", ProposalState.DRAFT, data, [cy]),
    ):
        proposal = ProposalFactory(conference=conference, title=title, state=state, track=track)
        for speaker in speakers:
            ProposalSpeakerFactory(proposal=proposal, user=speaker)
    invited = ProposalFactory(conference=conference, title="Invited", state=ProposalState.ACCEPTED, track=data)
    ProposalSpeakerFactory(proposal=invited, user=bob)
    ProposalSpeakerFactory(proposal=invited, user=make_user(display_name="Only Invited"),
                           invitation_state=InvitationState.INVITED)
    other = ProposalFactory(conference=ConferenceFactory(slug="other"), state=ProposalState.ACCEPTED)
    ProposalSpeakerFactory(proposal=other, user=make_user(display_name="Elsewhere"))
    RoleFactory(conference=conference, user=make_user(display_name="Rita"), role=Role.REVIEWER)
    db.session.commit()
    login(organiser)
    return conference


def _form(client, **overrides):
    page = client.get(URL).get_data(as_text=True)
    batch = re.search(r'name="batch" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    data = {"audience": "speakers", "states": ["accepted", "confirmed"], "track": "",
            "subject": "Slides for {{ conference }}", "batch": batch,
            "body": "Hello {{ name }},\n\nPlease upload slides for:\n{{ proposals }}\n\n{{ link }}\n"}
    data.update(overrides)
    return data


def _outbox(db):
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)))


def test_preview_lists_who_gets_it_and_shows_the_first_persons_copy(client, db, login):
    _world(db, login)
    response = client.post(URL, data=_form(client, preview="Preview"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 people get it" in page
    assert "Ada &lt;ada@example.com&gt;" in page and "Bob &lt;bob@example.com&gt;" in page
    for absent in ("Cy", "Only Invited", "Elsewhere", "Rita"):
        assert f"{absent} &lt;" not in page, absent
    assert "Subject:</strong> Slides for DevCon" in page
    assert "Hello Ada,\n\nPlease upload slides for:\n- Kernels\n- Queues\n" in page
    assert 'value="Send to 2 people"' in page
    assert _outbox(db) == []


def test_send_queues_each_persons_own_copy_once(client, db, login):
    _world(db, login)
    data = _form(client, preview="Preview")
    client.post(URL, data=data)
    data = {**data, "expected": "2", "send": "Send"}
    data.pop("preview")
    response = client.post(URL, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/devcon/manage/outbox")
    sent = _outbox(db)
    assert [(m.recipient, m.subject) for m in sent] == [
        ("ada@example.com", "Slides for DevCon"), ("bob@example.com", "Slides for DevCon")]
    assert "Hello Bob,\n\nPlease upload slides for:\n- Invited\n- Lakes\n" in sent[1].body
    assert "2 e-mails queued." in client.get("/c/devcon/manage/outbox").get_data(as_text=True)
    # The same form again (a double submit, the back button): nobody gets it twice.
    client.post(URL, data=data)
    assert len(_outbox(db)) == 2
    assert "0 e-mails queued; 2 had already been queued" in client.get("/c/devcon/manage/outbox").get_data(as_text=True)


def test_a_group_that_changed_since_the_preview_is_shown_again_not_sent(client, db, login):
    _world(db, login)
    data = _form(client, send="Send", expected="3")
    response = client.post(URL, data=data)
    assert response.status_code == 422
    assert "The group changed since your preview: it now has 2 people." in response.get_data(as_text=True)
    unpreviewed = client.post(URL, data=_form(client, send="Send"))
    assert unpreviewed.status_code == 422 and "Check who gets it below, then send." in unpreviewed.get_data(as_text=True)
    assert _outbox(db) == []


def test_track_and_role_groups(client, db, login):
    conference = _world(db, login)
    data_track = next(track for track in conference.tracks if track.name == "Data")
    page = client.post(URL, data=_form(client, track=str(data_track.id), preview="Preview")).get_data(as_text=True)
    assert "1 person gets it" in page and "Bob &lt;" in page and "Ada &lt;" not in page
    page = client.post(URL, data=_form(client, audience="reviewers", states=[], preview="Preview")).get_data(as_text=True)
    assert "1 person gets it" in page and "Rita &lt;" in page


def test_bad_placeholders_empty_groups_and_no_states_are_refused_where_the_organiser_is(client, db, login):
    _world(db, login)
    bad = client.post(URL, data=_form(client, body="Hi {{ nmae }}", preview="Preview"))
    assert bad.status_code == 422 and "&#39;nmae&#39; is undefined" in bad.get_data(as_text=True)
    empty = client.post(URL, data=_form(client, audience="attendees", states=[], preview="Preview"))
    assert empty.status_code == 422 and "Nobody is in this group yet" in empty.get_data(as_text=True)
    none = client.post(URL, data=_form(client, states=[], preview="Preview"))
    assert none.status_code == 422 and "Choose at least one state" in none.get_data(as_text=True)
    forged = client.post(URL, data=_form(client, batch="../../x", preview="Preview"))
    assert forged.status_code == 422
    assert _outbox(db) == []
