"""Speakers find the organisers' decision e-mail on their proposal's page once it has gone to
them, exactly as sent: the reviewers' comments for them (anonymous, without those of reviewers a
conflict took out) when the organisers' template gives them, and nothing it did not say."""

from __future__ import annotations

import re

from conference.conferences.models import Role
from conference.mail.models import EmailTemplate
from conference.proposals.models import ProposalState
from tests.conference.decisions.conftest import add_review, make_proposal, make_reviewer
from tests.conference.organisers.conftest import make_user
from tests.factories import ConflictFactory, RoleFactory


def _section(html: str) -> str:
    found = re.search(r'<section aria-labelledby="decision-email-heading".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_comments_appear_once_the_decision_email_is_sent(client, login, conference, db):
    organiser = make_user(display_name="Olga Organiser")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    proposal = make_proposal(conference, title="Good talk", state=ProposalState.ACCEPTED)
    fair = make_reviewer(conference, "Fiona Fair")
    conflicted = make_reviewer(conference, "Connie Conflicted")
    review = add_review(proposal, fair, 5, comment_for_speaker="Loved the demo.\nShow more numbers.")
    review.comment_for_organisers = "Internal: a keynote candidate."
    add_review(proposal, conflicted, 1, comment_for_speaker="Biased remark.")
    ConflictFactory(conference_id=conference.id, reviewer=conflicted, proposal=proposal)
    db.session.commit()
    speaker = proposal.speakers[0].user
    page = f"/c/devcon/proposals/{proposal.id}"

    login(speaker)
    assert _section(client.get(page).get_data(as_text=True)) == ""

    client.post("/logout")
    login(organiser)
    client.post("/c/devcon/manage/decisions/emails")
    client.post("/logout")
    login(speaker)
    section = _section(client.get(page).get_data(as_text=True))

    assert "Loved the demo.\nShow more numbers." in section
    assert "Biased remark." not in section
    assert "Fiona Fair" not in section and "keynote candidate" not in section


def test_a_template_without_the_comments_keeps_them_off_the_page(client, login, conference, db):
    organiser = make_user()
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    db.session.add(EmailTemplate(conference_id=conference.id, kind="decision_rejected",
                                 subject="About {{ title }}", body="Dear {{ speaker }}, not this time."))
    proposal = make_proposal(conference, state=ProposalState.REJECTED, title="Bold idea")
    add_review(proposal, make_reviewer(conference, "Blunt Reviewer"), 1, comment_for_speaker="Too vague.")
    db.session.commit()
    login(organiser)
    client.post("/c/devcon/manage/decisions/emails")
    client.post("/logout")
    login(proposal.speakers[0].user)
    section = _section(client.get(f"/c/devcon/proposals/{proposal.id}").get_data(as_text=True))
    assert "not this time." in section and "About Bold idea" in section
    assert "Too vague." not in section
