"""Ranking arithmetic on hand-worked examples (expected values computed by hand, not by the code)."""

from math import sqrt

import pytest

from conference.decisions.ranking import (
    CriterionValue,
    ReviewInput,
    proposal_statistics,
    review_score,
    reviewer_z_scores,
    to_percent,
)


def test_to_percent_places_the_scale_ends_at_0_and_100():
    assert to_percent(1, 1, 5) == 0
    assert to_percent(5, 1, 5) == 100
    assert to_percent(4, 0, 10) == 40


def test_review_score_is_the_weighted_mean_of_normalised_values():
    # Relevance 4 on 1-5 is 75, weight 2; clarity 4 on 0-10 is 40, weight 1: (150 + 40) / 3.
    values = [CriterionValue(4, 1, 5, 2.0), CriterionValue(4, 0, 10, 1.0)]
    assert review_score(values) == pytest.approx(190 / 3)


def test_review_score_without_values_is_none():
    assert review_score([]) is None


# A harsh reviewer A, a lenient reviewer B, and C who reviewed once.
EXAMPLE = [
    ReviewInput("p1", "A", 20), ReviewInput("p2", "A", 40), ReviewInput("p3", "A", 60),
    ReviewInput("p1", "B", 80), ReviewInput("p2", "B", 90),
    ReviewInput("p3", "C", 100),
]


def test_reviewer_z_scores_use_each_reviewers_own_mean_and_deviation():
    z = reviewer_z_scores(EXAMPLE)
    # A: mean 40, deviation sqrt((400 + 0 + 400) / 3) = 20 * sqrt(2/3); 20 points = sqrt(3/2).
    assert z[("p1", "A")] == pytest.approx(-sqrt(1.5))
    assert z[("p2", "A")] == pytest.approx(0)
    assert z[("p3", "A")] == pytest.approx(sqrt(1.5))
    # B: mean 85, deviation 5.
    assert z[("p1", "B")] == pytest.approx(-1)
    assert z[("p2", "B")] == pytest.approx(1)
    # C has a single review: no basis for comparison.
    assert z[("p3", "C")] == 0


def test_reviewer_with_identical_scores_contributes_zero():
    z = reviewer_z_scores([ReviewInput("p1", "D", 50), ReviewInput("p2", "D", 50)])
    assert z == {("p1", "D"): 0, ("p2", "D"): 0}


def test_proposal_statistics_on_a_hand_worked_example():
    stats = proposal_statistics(EXAMPLE)
    p1, p2, p3 = stats["p1"], stats["p2"], stats["p3"]
    assert (p1.review_count, p1.mean_score, p1.spread, p1.standard_deviation) == (2, 50, 60, 30)
    assert p1.normalised_score == pytest.approx((-sqrt(1.5) - 1) / 2)  # -1.1124
    assert (p2.mean_score, p2.spread, p2.standard_deviation) == (65, 50, 25)
    assert p2.normalised_score == pytest.approx(0.5)
    assert (p3.mean_score, p3.spread, p3.standard_deviation) == (80, 40, 20)
    assert p3.normalised_score == pytest.approx(sqrt(1.5) / 2)  # 0.6124
    # By mean p3 > p2 > p1, and normalising keeps that order here while shrinking A's harshness.
    assert p3.normalised_score > p2.normalised_score > p1.normalised_score
