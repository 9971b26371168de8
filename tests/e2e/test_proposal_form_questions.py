"""The proposal form in a real browser: a question asked only of workshops shows when the speaker
chooses the workshop format, hides when they choose another, and keeps what they typed, also
across saves under another format (set aside, then back)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.core.types import utcnow
from conference.extensions import db
from conference.proposals.models import CfpAnswer, Proposal
from tests.factories import (
    DEFAULT_PASSWORD,
    CfpQuestionFactory,
    ConferenceFactory,
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def test_a_question_for_workshops_appears_and_disappears_with_the_chosen_format(
    live_server, page
):
    app, base_url = live_server
    with app.app_context():
        now = utcnow()
        conference = ConferenceFactory(
            slug="summit", cfp_opens_at=now - timedelta(days=1), cfp_closes_at=now + timedelta(days=30)
        )
        SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
        workshop = SessionFormatFactory(conference=conference, name="Workshop", duration_minutes=90)
        TrackFactory(conference=conference, name="Platform")
        setup = CfpQuestionFactory(
            conference=conference, text="Which room setup do you need?", required=True, position=1,
            session_formats=[workshop],
        )
        takeaway = CfpQuestionFactory(
            conference=conference, text="What will attendees take away?", position=2
        )
        UserFactory(email="ada@example.com", display_name="Ada Lovelace")
        db.session.commit()
        setup_id, takeaway_id = setup.id, takeaway.id
        db.session.remove()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text)
        if "Content Security Policy" in message.text or "Refused to" in message.text
        else None,
    )

    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    page.goto(f"{base_url}/c/summit/proposals/new")

    setup_question = page.locator(f'[data-question="{setup_id}"]')
    takeaway_question = page.locator(f'[data-question="{takeaway_id}"]')
    note = page.locator("[data-answers-set-aside]")
    format_select = page.get_by_label("Session format")
    # The talk format comes first, so the workshop question starts hidden.
    expect(format_select.locator("option:checked")).to_have_text("Talk (30 min)")
    expect(setup_question).to_be_hidden()
    expect(takeaway_question).to_be_visible()

    format_select.select_option(label="Workshop (90 min)")
    expect(setup_question).to_be_visible()
    page.get_by_label("Which room setup do you need?").fill("Tables in groups")

    format_select.select_option(label="Talk (30 min)")
    expect(setup_question).to_be_hidden()
    expect(note).to_contain_text(
        "Your answer to “Which room setup do you need?” will be kept but set aside"
    )

    format_select.select_option(label="Workshop (90 min)")
    expect(setup_question).to_be_visible()
    expect(page.get_by_label("Which room setup do you need?")).to_have_value("Tables in groups")
    expect(note).to_be_empty()

    page.get_by_label("Title").fill("Hands-on tracing")
    page.get_by_label("Abstract").fill("We instrument a service together.")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your proposal is submitted.")).to_be_visible()
    expect(page.get_by_text("Tables in groups")).to_be_visible()

    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        answers = {a.question_id: a.value for a in db.session.scalars(select(CfpAnswer))}
        assert proposal.session_format.name == "Workshop"
        assert answers == {setup_id: "Tables in groups"}
        proposal_id = proposal.id
        db.session.remove()

    # Saved as a talk, the answer is set aside, not lost ...
    page.goto(f"{base_url}/c/summit/proposals/{proposal_id}/edit")
    page.get_by_label("Session format").select_option(label="Talk (30 min)")
    expect(setup_question).to_be_hidden()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your answer to “Which room setup do you need?” is kept but set aside")).to_be_visible()
    with app.app_context():
        answers = {a.question_id: a.value for a in db.session.scalars(select(CfpAnswer))}
        assert answers == {setup_id: "Tables in groups"}
        db.session.remove()

    # ... and back on the form, as given, once the workshop format is chosen again.
    page.goto(f"{base_url}/c/summit/proposals/{proposal_id}/edit")
    expect(setup_question).to_be_hidden()
    page.get_by_label("Session format").select_option(label="Workshop (90 min)")
    expect(setup_question).to_be_visible()
    expect(page.get_by_label("Which room setup do you need?")).to_have_value("Tables in groups")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your proposal is submitted.")).to_be_visible()
    assert refused == []
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        answers = {a.question_id: a.value for a in db.session.scalars(select(CfpAnswer))}
        assert proposal.session_format.name == "Workshop"
        assert answers == {setup_id: "Tables in groups"}
        db.session.remove()
