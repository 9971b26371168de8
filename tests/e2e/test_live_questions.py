"""Live questions in a real browser: static/js/questions.js brings new questions, votes and
answers into an open questions page without a reload (the CSP forbids inline script).

Two people, each in their own browser context: an attendee asks; the talk's speaker sees the
question appear, upvotes it and marks it answered, and the attendee's page follows. The
browsers' clocks are Playwright's fake ones, so the 10-second refresh comes at once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from conference.conferences.models import Conference
from conference.core.types import utcnow
from conference.extensions import db
from conference.proposals.models import ProposalState
from conference.questions.operations import TURNED_OFF, save_question_settings
from conference.questions.queries import QuestionSettings
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
QUESTION = "Does the cache survive a deploy?"


def _publish_a_running_talk(app) -> int:
    with app.app_context():
        conference = ConferenceFactory(slug="livecon", name="Live Conf", time_zone="UTC")
        hub = HubFactory(conference=conference, name="London", time_zone="Europe/London")
        room = RoomFactory(conference=conference, hub=hub, name="Thames")
        version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
        proposal = ProposalFactory(conference=conference, title="Caching in anger", state=ProposalState.ACCEPTED)
        ProposalSpeakerFactory(proposal=proposal, user=UserFactory(email="speaker@example.com",
                                                                    display_name="Sam Speaker"))
        UserFactory(email="attendee@example.com", display_name="Ada Attendee")
        start = utcnow() - timedelta(minutes=5)
        ScheduledTalkFactory(version=version, proposal=proposal, room=room, starts_at=start,
                             ends_at=start + timedelta(minutes=45))
        db.session.commit()
        proposal_id = proposal.id
        db.session.remove()
    return proposal_id


def _logged_in_page(browser, base_url: str, email: str):
    context = browser.new_context(timezone_id="Asia/Kolkata", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    page.clock.install()
    return context, page


def _not_reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def test_a_question_appears_is_upvoted_and_answered_without_reloads(live_server, browser):
    app, base_url = live_server
    proposal_id = _publish_a_running_talk(app)
    questions_url = f"{base_url}/c/livecon/talks/{proposal_id}/questions"
    attendee_context, attendee = _logged_in_page(browser, base_url, "attendee@example.com")
    speaker_context, speaker = _logged_in_page(browser, base_url, "speaker@example.com")
    try:
        speaker.goto(questions_url)
        speaker.get_by_text("No open questions yet.").wait_for()
        speaker.evaluate("window.__notReloaded = true")

        attendee.goto(questions_url)
        attendee.get_by_label("Your question").fill(QUESTION)
        attendee.get_by_role("button", name="Ask").click()
        attendee.get_by_text("Your question is asked.").wait_for()
        attendee.evaluate("window.__notReloaded = true")

        # The speaker's list fetches itself again after ten seconds.
        speaker.clock.run_for(11_000)
        open_list = speaker.locator("section", has=speaker.locator("#open-questions-heading"))
        open_list.get_by_text(QUESTION).wait_for()
        assert "Ada Attendee" in open_list.inner_text()

        vote = speaker.get_by_role("button", name="△ Vote")
        vote.click()
        voted = speaker.get_by_role("button", name="▲ Voted")
        voted.wait_for()
        assert voted.get_attribute("aria-pressed") == "true"
        assert speaker.locator(".question-votes").first.inner_text() == "1"

        speaker.get_by_role("button", name="Mark answered").click()
        answered = speaker.locator("section", has=speaker.locator("#answered-questions-heading"))
        answered.get_by_text(QUESTION).wait_for()
        speaker.get_by_text("No open questions yet.").wait_for()
        assert _not_reloaded(speaker), "the speaker's page reloaded"

        # The attendee's page follows at its next refresh, still without a reload.
        attendee.clock.run_for(11_000)
        attendee_answered = attendee.locator("section", has=attendee.locator("#answered-questions-heading"))
        attendee_answered.get_by_text(QUESTION).wait_for()
        assert "Asked by you" in attendee_answered.inner_text()
        assert attendee.locator(".question-votes").first.inner_text() == "1"
        assert _not_reloaded(attendee), "the attendee's page reloaded"
    finally:
        attendee_context.close()
        speaker_context.close()


def _turn_questions(app, enabled: bool) -> None:
    with app.app_context():
        conference = db.session.scalar(select(Conference).where(Conference.slug == "livecon"))
        save_question_settings(conference, QuestionSettings(enabled=enabled))
        db.session.commit()
        db.session.remove()


def test_the_ask_form_appears_when_questions_are_turned_on_without_a_reload(live_server, browser):
    app, base_url = live_server
    proposal_id = _publish_a_running_talk(app)
    _turn_questions(app, enabled=False)
    attendee_context, attendee = _logged_in_page(browser, base_url, "attendee@example.com")
    try:
        attendee.goto(f"{base_url}/c/livecon/talks/{proposal_id}/questions")
        window_line = attendee.locator(".asking-window")
        assert window_line.inner_text() == TURNED_OFF
        attendee.evaluate("window.__notReloaded = true")
        assert not attendee.get_by_label("Your question").is_visible()

        _turn_questions(app, enabled=True)
        attendee.clock.run_for(11_000)
        attendee.get_by_label("Your question").wait_for(state="visible")
        assert window_line.inner_text().startswith("Ask and vote until")
        assert attendee.locator("[data-questions-status]").inner_text() == "Questions are open now."
        assert _not_reloaded(attendee), "the attendee's page reloaded"

        attendee.get_by_label("Your question").fill(QUESTION)
        attendee.get_by_role("button", name="Ask").click()
        attendee.get_by_text("Your question is asked.").wait_for()
    finally:
        attendee_context.close()
