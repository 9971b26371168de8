"""Organisers read every review of a proposal on its page: who wrote it, each criterion's score,
the weighted and normalised scores as the ranking computes them, and both comments."""

from __future__ import annotations

import re

from tests.conference.decisions.conftest import add_review, make_proposal, make_reviewer
from tests.factories import (
    ConflictFactory,
    ProposalSpeakerFactory,
    ReviewCriterionFactory,
    ReviewScoreFactory,
)


def _page(client, proposal) -> str:
    response = client.get(f"/c/devcon/manage/proposals/{proposal.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _reviews_section(html: str) -> str:
    return re.search(r'<section aria-labelledby="reviews-heading">.*?</section>', html, re.S).group(0)


def test_organisers_read_each_review_with_scores_and_both_comments(client, organiser, conference, db):
    clarity = ReviewCriterionFactory(conference=conference, name="Clarity", scale_min=1, scale_max=5, position=1)
    relevance = ReviewCriterionFactory(conference=conference, name="Relevance", scale_min=1, scale_max=5,
                                       position=2, weight=3)
    proposal = make_proposal(conference, title="Tracing at scale")
    other = make_proposal(conference, title="Other talk")
    ada = make_reviewer(conference, "Ada Reviewer")
    review = add_review(proposal, ada, 5, criterion=clarity, comment_for_speaker="Show the dashboards.")
    review.comment_for_organisers = "Strong, but overlaps with last year's keynote."
    ReviewScoreFactory(review=review, criterion=relevance, value=3)
    add_review(other, ada, 1, criterion=clarity)
    db.session.commit()

    section = _reviews_section(_page(client, proposal))

    assert "Ada Reviewer" in section
    assert re.search(r"Clarity</td><td>5 on 1–5", section)
    assert re.search(r"Relevance</td><td>3 on 1–5", section)
    # Weighted: (1 x 100 + 3 x 50) / 4 = 62.5; Ada's other review scores 0, so this one is +1.00.
    assert "62.5 of 100, normalised +1.00 against this reviewer's other reviews" in section
    assert "1 counted review: mean score 62.5 of 100" in section
    assert "Strong, but overlaps with last year&#39;s keynote." in section
    assert "Show the dashboards." in section
    # Criteria in rubric order.
    assert section.index("Clarity") < section.index("Relevance")


def test_a_conflicted_review_is_shown_but_marked_not_counted(client, organiser, conference, db):
    proposal = make_proposal(conference, title="Flags")
    counted = make_reviewer(conference, "Counted Reviewer")
    conflicted = make_reviewer(conference, "Conflicted Reviewer")
    add_review(proposal, counted, 4)
    add_review(proposal, conflicted, 2)
    ConflictFactory(conference_id=conference.id, reviewer=conflicted, proposal=proposal)
    db.session.commit()

    section = _reviews_section(_page(client, proposal))

    assert "1 counted review: mean score 75.0 of 100" in section
    conflicted_part = section[section.index("Conflicted Reviewer"):]
    assert "Not counted: conflict of interest" in conflicted_part.split("</article>")[0]
    counted_part = section[section.index("Counted Reviewer"):].split("</article>")[0]
    assert "Not counted" not in counted_part


def test_no_reviews_yet_says_so_and_links_to_assignments(client, organiser, conference, db):
    proposal = make_proposal(conference, title="Unreviewed")
    db.session.commit()
    section = _reviews_section(_page(client, proposal))
    assert "Nobody has reviewed this proposal yet." in section
    assert 'href="/c/devcon/manage/assignments"' in section


def test_an_organiser_who_speaks_on_the_proposal_does_not_see_its_reviews(client, organiser, conference, db):
    proposal = make_proposal(conference, title="My own talk")
    ProposalSpeakerFactory(proposal=proposal, user=organiser)
    reviewer = make_reviewer(conference, "Secret Reviewer")
    review = add_review(proposal, reviewer, 2)
    review.comment_for_organisers = "Weak."
    db.session.commit()

    section = _reviews_section(_page(client, proposal))

    assert "You are a speaker of this proposal, so its reviews are not shown to you." in section
    assert "Secret Reviewer" not in section and "Weak." not in section


def test_reviewers_cannot_open_the_organisers_proposal_page(client, login, conference, db):
    proposal = make_proposal(conference)
    reviewer = make_reviewer(conference, "Nosy Reviewer")
    db.session.commit()
    login(reviewer)
    assert client.get(f"/c/devcon/manage/proposals/{proposal.id}").status_code == 403
