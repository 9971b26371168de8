"""Reviews whose author has (since) a conflict with the proposal do not count in the insights charts."""

import re

import pytest
from sqlalchemy import select

from conference.reviews.models import ReviewCriterion
from tests.conference.insights.conftest import make_user
from tests.factories import (
    ConflictFactory,
    ProposalSpeakerFactory,
    ReviewFactory,
    ReviewScoreFactory,
)

URL = "/c/insight-summit/manage/insights"


def _criterion_bins(html: str) -> list[tuple[str, str]]:
    section = html[html.index("Scores given per criterion") :]
    return re.findall(r'data-bin="(\d)" data-count="(\d+)"', section)


def _mean_score_bins(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-bin="([^"]+–[^"]+)" data-count="(\d+)"', html))


def _conflict_on_proposal(summit, proposal):
    ConflictFactory(proposal=proposal, reviewer=summit.reviewer)


def _conflict_with_its_speaker(summit, proposal):
    friend = make_user()
    ProposalSpeakerFactory(proposal=proposal, user=friend)
    ConflictFactory(proposal=None, conference_id=summit.conference.id, speaker=friend, reviewer=summit.reviewer)


@pytest.mark.parametrize(
    "declare_conflict", [_conflict_on_proposal, _conflict_with_its_speaker], ids=["proposal", "speaker"]
)
def test_insights_leave_out_scores_of_a_reviewer_conflicted_with_the_proposal(
    client, login, db, summit, declare_conflict
):
    relevance = db.session.scalar(
        select(ReviewCriterion).where(ReviewCriterion.conference_id == summit.conference.id)
    )
    # The reviewer gave "Beta talk" a 2, then turned out to be conflicted with it.
    review = ReviewFactory(proposal=summit.proposals["B"], reviewer=summit.reviewer)
    ReviewScoreFactory(review=review, criterion=relevance, value=2)
    declare_conflict(summit, summit.proposals["B"])
    db.session.commit()
    login(summit.organiser)

    html = client.get(URL).get_data(as_text=True)

    assert "Relevance (4 scores, 1–5)" in html
    assert _criterion_bins(html) == [("1", "1"), ("2", "0"), ("3", "1"), ("4", "1"), ("5", "1")]
    # B has no counted review, so only A (87.5), C (0) and E (50) have a mean.
    assert sum(int(count) for count in _mean_score_bins(html).values()) == 3
    assert "3 proposals have at least one scored review." in html
