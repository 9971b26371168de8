"""The call for proposals end to end in a real browser: submit -> review -> accept -> e-mail."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from conference.conferences.models import Role
from conference.core.types import utcnow
from conference.extensions import db
from conference.mail.sender import send_pending
from conference.proposals.models import Proposal, ProposalState
from tests.conference.mail.conftest import SmtpServer, free_port
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    ReviewCriterionFactory,
    RoleFactory,
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
TITLE = "Zero-downtime schema migrations"


def _log_in(browser, base_url, email):
    context = browser.new_context(timezone_id="Asia/Kolkata", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    return context, page


@pytest.fixture
def smtp_server():
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def test_submit_review_accept_path_in_real_browser(live_server, browser, smtp_server):
    app, base_url = live_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        now = utcnow()
        conference = ConferenceFactory(
            slug="summit", cfp_opens_at=now - timedelta(days=1), cfp_closes_at=now + timedelta(days=30),
            settings={"anonymised_review": True, "reviewers_per_proposal": 1},
        )
        TrackFactory(conference=conference, name="Platform")
        SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
        ReviewCriterionFactory(conference=conference, name="Relevance", scale_min=1, scale_max=5)
        speaker = UserFactory(email="grace@example.com", display_name="Grace Hopper")
        reviewer = UserFactory(email="reviewer@example.com", display_name="Rita Reviewer")
        organiser = UserFactory(email="organiser@example.com", display_name="Olga Organiser")
        RoleFactory(conference=conference, user=speaker, role=Role.SPEAKER)
        RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
        RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
        db.session.commit()
        db.session.remove()

    # The speaker submits a proposal.
    speaker_context, page = _log_in(browser, base_url, "grace@example.com")
    page.goto(f"{base_url}/c/summit/proposals/new")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Abstract").fill("How we **change tables** without stopping the world.")
    page.get_by_label("Session format").select_option(label="Talk (30 min)")
    page.get_by_label("Track").select_option(label="Platform")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_load_state()
    assert TITLE in page.content()

    # The organiser gives every proposal a reviewer.
    organiser_context, organiser_page = _log_in(browser, base_url, "organiser@example.com")
    organiser_page.goto(f"{base_url}/c/summit/manage/assignments")
    organiser_page.get_by_role("button", name="Assign reviewers").click()
    organiser_page.wait_for_load_state()
    assert "Rita Reviewer" in organiser_page.content()

    # The reviewer reviews it anonymously.
    reviewer_context, reviewer_page = _log_in(browser, base_url, "reviewer@example.com")
    reviewer_page.goto(f"{base_url}/c/summit/reviews/")
    reviewer_page.get_by_role("link", name=TITLE).first.click()
    reviewer_page.wait_for_load_state()
    assert "Grace Hopper" not in reviewer_page.content()
    assert "grace@example.com" not in reviewer_page.content()
    reviewer_page.locator("fieldset", has_text="Relevance").get_by_label("5").check()
    reviewer_page.get_by_label("Comment for the organisers").fill("Exactly what other teams need.")
    reviewer_page.get_by_role("button", name="Save review").click()
    reviewer_page.wait_for_load_state()
    assert "Grace Hopper" not in reviewer_page.content()

    # The organiser accepts it from the ranking and sends the decision e-mails.
    organiser_page.goto(f"{base_url}/c/summit/manage/ranking")
    organiser_page.get_by_label(f"Select {TITLE}").check()
    organiser_page.locator("#bulk-decisions select[name=decision]").select_option(label="Accept")
    organiser_page.get_by_role("button", name="Apply to ticked proposals").click()
    organiser_page.wait_for_load_state()
    organiser_page.get_by_role("button", name="Send decision e-mails").click()
    organiser_page.wait_for_load_state()

    with app.app_context():
        counts = send_pending()
        db.session.remove()
    assert counts["sent"] == 1
    [received] = smtp_server.received
    assert received.envelope_to == ["grace@example.com"]
    assert TITLE in received.message["Subject"]
    assert "Rita Reviewer" not in received.message.get_content()

    # The speaker confirms from the start page.
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Confirm participation").click()
    page.get_by_label("Yes, I confirm that I will present it").check()
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_load_state()
    with app.app_context():
        proposal = db.session.scalar(select(Proposal).where(Proposal.title == TITLE))
        assert proposal.state is ProposalState.CONFIRMED
        db.session.remove()
    for context in (speaker_context, organiser_context, reviewer_context):
        context.close()
