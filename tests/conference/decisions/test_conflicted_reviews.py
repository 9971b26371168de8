"""A review whose author has (since) a conflict with the proposal no longer counts anywhere."""

import csv
import io
import re

from sqlalchemy import select

from conference.mail.models import OutboxMessage
from conference.proposals.models import ProposalState
from tests.conference.decisions.conftest import add_review, make_proposal, make_reviewer
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ProposalSpeakerFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
)


def _two_reviewed_proposals(conference):
    """Rita loves "Talk by a friend" (5) and dislikes "Other talk" (1); Hugo gives both 3."""
    criterion = ReviewCriterionFactory(conference=conference)
    rita, hugo = make_reviewer(conference, "Rita Reviewer"), make_reviewer(conference, "Hugo Honest")
    friends = make_proposal(conference, title="Talk by a friend")
    other = make_proposal(conference, title="Other talk")
    add_review(friends, rita, 5, criterion, comment_for_speaker="Best talk ever, mate.")
    add_review(friends, hugo, 3, criterion, comment_for_speaker="Clear outline.")
    add_review(other, rita, 1, criterion)
    add_review(other, hugo, 3, criterion)
    return rita, friends, other


def _ranking_cells(body, title):
    """Speakers, track, format, state, reviews, mean, normalised, spread, deviation."""
    start = body.index(f">{title}</a></th>")
    return re.findall(r"<td>(.*?)</td>", body[start:body.index("</tr>", start)], re.S)


def _csv_rows(client):
    text = client.get("/c/devcon/manage/ranking.csv").get_data(as_text=True)
    return {row["Title"]: row for row in csv.DictReader(io.StringIO(text))}


def _assert_friends_talk_scored_by_hugo_alone(client):
    body = client.get("/c/devcon/manage/ranking").get_data(as_text=True)
    # Only Hugo's 3 (50 on 0-100) counts; with Rita's 5 it would be 2 reviews, mean 75.0.
    reviews, mean, _, spread = _ranking_cells(body, "Talk by a friend")[4:8]
    assert (reviews.split()[0], mean, spread) == ("1", "50.0", "0.0")
    assert "+ 1 excluded (conflict of interest)" in reviews
    reviews, mean = _ranking_cells(body, "Other talk")[4:6]
    assert (reviews, mean) == ("2", "25.0")
    rows = _csv_rows(client)
    assert (rows["Talk by a friend"]["Reviews"], rows["Talk by a friend"]["Mean score"]) == ("1", "50.00")
    assert (rows["Other talk"]["Reviews"], rows["Other talk"]["Mean score"]) == ("2", "25.00")


def test_review_by_reviewer_who_declares_conflict_later_no_longer_counts(
    client, organiser, conference, login, db
):
    rita, friends, _ = _two_reviewed_proposals(conference)
    ReviewAssignmentFactory(proposal=friends, reviewer=rita)
    db.session.commit()
    client.post("/logout")
    login(rita)
    assert client.post(f"/c/devcon/reviews/{friends.id}/conflict", data={"reason": "My friend"}).status_code == 302
    client.post("/logout")
    login(organiser)
    _assert_friends_talk_scored_by_hugo_alone(client)


def test_review_by_reviewer_an_organiser_marks_conflicted_later_no_longer_counts(
    client, organiser, conference, db
):
    rita, friends, _ = _two_reviewed_proposals(conference)
    db.session.commit()
    conflict = {"reviewer_id": rita.id, "proposal_id": friends.id, "speaker_id": 0, "reason": "Mentor"}
    assert client.post("/c/devcon/manage/conflicts", data=conflict).status_code == 302
    _assert_friends_talk_scored_by_hugo_alone(client)


def test_review_no_longer_counts_when_a_conflicted_person_joins_the_proposal(
    client, organiser, conference, db
):
    rita, friends, _ = _two_reviewed_proposals(conference)
    teammate = make_user(display_name="Tess Teammate")
    ProposalSpeakerFactory(proposal=make_proposal(conference, speakers=0), user=teammate)
    db.session.commit()
    conflict = {"reviewer_id": rita.id, "proposal_id": 0, "speaker_id": teammate.id, "reason": "Same team"}
    assert client.post("/c/devcon/manage/conflicts", data=conflict).status_code == 302
    # Tess joins the talk Rita reviewed before: Rita's review stops counting from then on.
    ProposalSpeakerFactory(proposal=friends, user=teammate)
    db.session.commit()
    _assert_friends_talk_scored_by_hugo_alone(client)


def test_decision_email_leaves_out_comments_of_conflicted_reviewers(client, organiser, conference, db):
    rita, friends, _ = _two_reviewed_proposals(conference)
    friends.state = ProposalState.ACCEPTED
    db.session.commit()
    conflict = {"reviewer_id": rita.id, "proposal_id": friends.id, "speaker_id": 0, "reason": "Mentor"}
    client.post("/c/devcon/manage/conflicts", data=conflict)
    client.post("/c/devcon/manage/decisions/emails")
    db.session.expire_all()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert "Clear outline." in message.body
    assert "Best talk ever, mate." not in message.body
