"""Ranking arithmetic over plain numbers: review scores, reviewer-normalised scores, spread.

Nothing here touches the database or Flask, so each rule is unit-tested on hand-worked examples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from math import sqrt


@dataclass(frozen=True)
class CriterionValue:
    """One criterion's value in a review, with the criterion's scale and weight."""

    value: float
    scale_min: float
    scale_max: float
    weight: float = 1.0


@dataclass(frozen=True)
class ReviewInput:
    """A review reduced to what ranking needs: whose, about what, and its 0-100 score."""

    proposal_id: Hashable
    reviewer_id: Hashable
    score: float


@dataclass(frozen=True)
class ProposalStatistics:
    review_count: int
    mean_score: float | None
    normalised_score: float | None
    spread: float | None
    standard_deviation: float | None


def to_percent(value: float, scale_min: float, scale_max: float) -> float:
    """Place ``value`` on 0-100 where ``scale_min`` is 0 and ``scale_max`` is 100."""
    return 100.0 * (value - scale_min) / (scale_max - scale_min)


def review_score(values: Sequence[CriterionValue]) -> float | None:
    """Weighted mean of the criterion values, each first normalised to 0-100; None if empty."""
    total_weight = sum(item.weight for item in values)
    if not values or total_weight <= 0:
        return None
    weighted = sum(item.weight * to_percent(item.value, item.scale_min, item.scale_max) for item in values)
    return weighted / total_weight


def mean(numbers: Sequence[float]) -> float | None:
    return sum(numbers) / len(numbers) if numbers else None


def population_standard_deviation(numbers: Sequence[float]) -> float | None:
    """Standard deviation of the numbers themselves (divides by n); None if empty."""
    average = mean(numbers)
    if average is None:
        return None
    return sqrt(sum((n - average) ** 2 for n in numbers) / len(numbers))


def reviewer_z_scores(reviews: Iterable[ReviewInput]) -> dict[tuple[Hashable, Hashable], float]:
    """Each review's z-score among its reviewer's own reviews, keyed by (proposal, reviewer).

    This corrects harsh and lenient reviewers: what counts is how a proposal compares with the
    others the same person reviewed. A reviewer with one review or identical scores gives 0.
    """
    by_reviewer: dict[Hashable, list[ReviewInput]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer_id].append(review)
    z_scores: dict[tuple[Hashable, Hashable], float] = {}
    for reviewer_id, own in by_reviewer.items():
        scores = [review.score for review in own]
        average = mean(scores)
        deviation = population_standard_deviation(scores)
        for review in own:
            z = 0.0 if len(own) < 2 or not deviation else (review.score - average) / deviation
            z_scores[(review.proposal_id, reviewer_id)] = z
    return z_scores


def proposal_statistics(reviews: Iterable[ReviewInput]) -> dict[Hashable, ProposalStatistics]:
    """Statistics per proposal id: count, mean score, normalised score, max-min spread, deviation.

    ``reviews`` must be every review at the conference, so that each reviewer's z-scores use
    all of their reviews, not only those of the proposals being shown.
    """
    reviews = list(reviews)
    z_scores = reviewer_z_scores(reviews)
    by_proposal: dict[Hashable, list[ReviewInput]] = defaultdict(list)
    for review in reviews:
        by_proposal[review.proposal_id].append(review)
    statistics = {}
    for proposal_id, own in by_proposal.items():
        scores = [review.score for review in own]
        statistics[proposal_id] = ProposalStatistics(
            review_count=len(own),
            mean_score=mean(scores),
            normalised_score=mean([z_scores[(proposal_id, review.reviewer_id)] for review in own]),
            spread=max(scores) - min(scores),
            standard_deviation=population_standard_deviation(scores),
        )
    return statistics


NO_REVIEWS = ProposalStatistics(0, None, None, None, None)
