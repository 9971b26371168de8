"""Review reminders and review progress count only assignments a reviewer can still do."""

import re

from sqlalchemy import select

from conference.conferences.models import ConferenceRole, Role
from conference.mail.models import OutboxMessage
from conference.proposals.models import ProposalState
from tests.conference.decisions.conftest import add_review, make_proposal, make_reviewer
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ConflictFactory,
    ProposalSpeakerFactory,
    ReviewAssignmentFactory,
)


def _assign(conference, reviewer, state=ProposalState.SUBMITTED):
    proposal = make_proposal(conference, state=state)
    ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)
    return proposal


def _assignments_no_one_can_do_any_more(conference, db):
    """Rita: one open and one done assignment she can do, four she cannot; Fred: former reviewer."""
    rita = make_reviewer(conference, "Rita Reviewer")
    _assign(conference, rita)
    add_review(_assign(conference, rita), rita, 4)
    _assign(conference, rita, ProposalState.WITHDRAWN)
    _assign(conference, rita, ProposalState.ACCEPTED)
    # A conflict set before the proposal's conflicting speaker joined it leaves the assignment.
    conflicted = _assign(conference, rita)
    ConflictFactory(proposal=conflicted, reviewer=rita)
    teammate = make_user()
    ConflictFactory(proposal=None, conference_id=conference.id, speaker=teammate, reviewer=rita)
    ProposalSpeakerFactory(proposal=_assign(conference, rita), user=teammate)
    fred = make_reviewer(conference, "Fred Former")
    _assign(conference, fred)
    add_review(_assign(conference, fred), fred, 2)
    # The organisers took Fred's reviewer role away; his assignments stay in the database.
    db.session.delete(_reviewer_role(db, conference, fred))
    db.session.commit()
    return rita, fred


def _reviewer_role(db, conference, user):
    return db.session.scalar(
        select(ConferenceRole).where(
            ConferenceRole.conference_id == conference.id,
            ConferenceRole.user_id == user.id,
            ConferenceRole.role == Role.REVIEWER,
        )
    )


def test_review_reminder_counts_only_assignments_the_reviewer_can_still_do(
    client, organiser, conference, db
):
    rita, fred = _assignments_no_one_can_do_any_more(conference, db)
    response = client.post("/c/devcon/manage/reminders/review")
    assert response.status_code == 302
    db.session.expire_all()
    [reminder] = db.session.scalars(select(OutboxMessage)).all()
    assert reminder.recipient == rita.email
    assert reminder.subject.startswith("1 reviews waiting")
    assert "You have 1 proposals left to review" in reminder.body


def test_review_reminder_skips_reviewers_left_with_nothing_they_can_do(client, organiser, conference, db):
    rita = make_reviewer(conference, "Rita Reviewer")
    _assign(conference, rita, ProposalState.WITHDRAWN)
    _assign(conference, rita, ProposalState.REJECTED)
    db.session.commit()
    client.post("/c/devcon/manage/reminders/review")
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_review_progress_counts_only_assignments_the_reviewer_can_still_do(
    client, organiser, conference, db
):
    _assignments_no_one_can_do_any_more(conference, db)
    body = client.get("/c/devcon/manage/cfp").get_data(as_text=True)
    section = body[body.index('id="progress-heading"'):]
    progress = re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>', section)
    assert progress == [("Rita Reviewer", "1", "2")]
    assert '<progress value="1" max="2"' in body
    assert "Fred Former" not in body
