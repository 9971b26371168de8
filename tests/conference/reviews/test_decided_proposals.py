"""Once the organisers decide on a proposal it no longer waits for reviews: it leaves the
reviewer's to-do list and the "next" button, and a review of it can no longer be changed."""

from sqlalchemy import select

from conference.proposals.models import ProposalState
from conference.reviews.models import Review
from tests.conference.reviews.conftest import assign, make_proposal
from tests.factories import ReviewCriterionFactory, ReviewFactory


def _decided_and_waiting(conference, reviewer, db):
    decided = make_proposal(conference, title="Decided early", state=ProposalState.ACCEPTED)
    waiting = make_proposal(conference, title="Still waiting")
    for proposal in (decided, waiting):
        assign(proposal, reviewer)
    db.session.commit()
    return decided, waiting


def test_a_decided_proposal_is_not_counted_or_offered_as_still_to_review(
    client, reviewer, conference, db
):
    decided, waiting = _decided_and_waiting(conference, reviewer, db)

    page = client.get("/c/devcon/reviews/").get_data(as_text=True)
    to_do = client.get("/c/devcon/reviews/?status=to_do").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    following = client.get("/c/devcon/reviews/next")

    assert "1 to do · 0 done · 1 decided without your review" in page
    assert "Next proposal to review: Still waiting" in page
    assert "Decided: no review needed" in page
    assert "Still waiting" in to_do and "Decided early" not in to_do
    assert "1 to do · 0 done · 1 decided without your review." in home
    assert following.headers["Location"].endswith(f"/c/devcon/reviews/{waiting.id}")
    review_page = client.get(f"/c/devcon/reviews/{waiting.id}").get_data(as_text=True)
    assert "Next proposal to review: Decided early" not in review_page


def test_when_only_decided_proposals_are_left_the_reviewer_is_told_nothing_is_left(
    client, reviewer, conference, db
):
    decided, waiting = _decided_and_waiting(conference, reviewer, db)
    ReviewFactory(proposal=waiting, reviewer=reviewer)
    db.session.commit()

    page = client.get("/c/devcon/reviews/").get_data(as_text=True)
    following = client.get("/c/devcon/reviews/next", follow_redirects=True).get_data(as_text=True)

    assert "0 to do · 1 done · 1 decided without your review" in page
    assert "Nothing is left for you to review" in page
    assert "Next proposal to review" not in page
    assert "Nothing is left for you to review: the organisers have decided the rest." in following


def test_a_review_of_a_decided_proposal_is_shown_read_only_and_a_post_is_refused(
    client, reviewer, conference, db
):
    decided, _ = _decided_and_waiting(conference, reviewer, db)
    relevance = ReviewCriterionFactory(conference=conference, name="Relevance", scale_min=1, scale_max=5)
    db.session.commit()

    page = client.get(f"/c/devcon/reviews/{decided.id}").get_data(as_text=True)
    response = client.post(
        f"/c/devcon/reviews/{decided.id}",
        data={f"score_{relevance.id}": "5", "comment_for_organisers": "Late", "lock_version": "0"},
    )

    assert "The organisers have decided on this proposal" in page
    assert "Save review" not in page
    assert response.status_code == 403
    assert "The organisers have decided on this proposal" in response.get_data(as_text=True)
    assert db.session.scalars(select(Review)).all() == []
    # The outcome itself is not the reviewer's to know from this page.
    assert "accepted" not in page.lower().split("<h2>your review</h2>", 1)[1]
