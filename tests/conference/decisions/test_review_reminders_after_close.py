"""Once the review phase has closed, reviewers are not reminded to review: the organiser is told why."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conference.conferences.models import Role
from conference.mail.models import OutboxMessage
from tests.clock import stand_at
from tests.conference.decisions.conftest import make_proposal
from tests.conference.organisers.conftest import make_user
from tests.factories import ReviewAssignmentFactory, RoleFactory

# 18:00 in London on a summer evening (UTC+01:00).
REVIEW_CLOSES = datetime(2027, 6, 1, 17, 0, tzinfo=UTC)
REMIND = "/c/devcon/manage/reminders/review"


@pytest.fixture
def now(monkeypatch):
    """Stand at a chosen instant: ``now.set(datetime)``; starts just before reviews close."""
    return stand_at(
        monkeypatch, REVIEW_CLOSES - timedelta(minutes=1), "conference.decisions.operations"
    )


@pytest.fixture
def open_review(conference, db):
    """Rita has one proposal left to review; reviews close at REVIEW_CLOSES."""
    rita = make_user(display_name="Rita Reviewer")
    RoleFactory(conference=conference, user=rita, role=Role.REVIEWER)
    ReviewAssignmentFactory(proposal=make_proposal(conference), reviewer=rita)
    conference.review_closes_at = REVIEW_CLOSES
    db.session.commit()
    return rita


def _queued(db) -> list[str]:
    db.session.expire_all()
    return [message.recipient for message in db.session.scalars(select(OutboxMessage))]


def test_review_reminders_are_sent_until_the_review_phase_closes(
    client, organiser, conference, db, now, open_review
):
    response = client.post(REMIND, follow_redirects=True)
    assert response.status_code == 200
    assert "1 review reminder(s) queued" in response.get_data(as_text=True)
    assert _queued(db) == [open_review.email]


@pytest.mark.parametrize(
    ("back", "page"), [("cfp", "/c/devcon/manage/cfp"), (None, "/c/devcon/manage/ranking")]
)
def test_review_reminders_after_the_review_phase_closed_are_refused_with_a_message(
    client, organiser, conference, db, now, open_review, back, page
):
    organiser.time_zone = "America/New_York"
    db.session.commit()
    now.set(REVIEW_CLOSES)
    response = client.post(REMIND, data={"back": back} if back else {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page)
    shown = client.get(page).get_data(as_text=True)
    # In the conference's zone and the organiser's own, each labelled.
    assert (
        "The review phase closed on Tue 01 Jun 2027, 18:00 (Europe/London), which is "
        "Tue 01 Jun 2027, 13:00 (America/New_York), so no review reminders were sent." in shown
    )
    assert "review reminder(s) queued" not in shown
    assert _queued(db) == []


def test_pages_offer_review_reminders_only_while_reviews_are_open(client, organiser, conference, db, open_review):
    button = "Remind reviewers with open reviews"
    assert button in client.get("/c/devcon/manage/cfp").get_data(as_text=True)
    assert button in client.get("/c/devcon/manage/ranking").get_data(as_text=True)
    conference.review_closes_at = datetime(2020, 1, 1, tzinfo=UTC)  # long past, whatever today is
    db.session.commit()
    dashboard = client.get("/c/devcon/manage/cfp").get_data(as_text=True)
    assert button not in dashboard and "reviewers are no longer reminded" in dashboard
    assert button not in client.get("/c/devcon/manage/ranking").get_data(as_text=True)
