"""Rating arithmetic and chart geometry, on hand-worked numbers (no database)."""

from __future__ import annotations

import pytest

from conference.feedback.charts import distribution_chart, review_feedback_scatter
from conference.feedback.statistics import (
    EMPTY_DISTRIBUTION,
    Distribution,
    describe_correlation,
    pearson_correlation,
)


def test_distribution_mean_and_total_count_every_rating():
    distribution = Distribution.from_counts({1: 1, 4: 2, 5: 1})

    assert distribution.counts == (1, 0, 0, 2, 1)
    assert distribution.total == 4
    assert distribution.mean == pytest.approx((1 + 4 + 4 + 5) / 4)


def test_distributions_add_up_and_empty_has_no_mean():
    total = Distribution.from_counts({2: 1}) + Distribution.from_counts({2: 2, 3: 1})

    assert total.counts == (0, 3, 1, 0, 0)
    assert EMPTY_DISTRIBUTION.mean is None


def test_pearson_correlation_of_hand_worked_pairs():
    # x = 1, 2, 3; y = 2, 4, 5: r = 4.5 / sqrt(2 * 4.6667) = 0.9820
    assert pearson_correlation([(1, 2), (2, 4), (3, 5)]) == pytest.approx(0.98198, abs=1e-4)
    assert pearson_correlation([(1, 3), (2, 2), (3, 1)]) == pytest.approx(-1.0)


def test_pearson_correlation_needs_three_pairs_and_some_spread():
    assert pearson_correlation([(1, 2), (2, 3)]) is None
    assert pearson_correlation([(1, 2), (1, 3), (1, 4)]) is None


def test_correlation_is_described_in_words():
    assert describe_correlation(None).startswith("not enough talks")
    assert describe_correlation(0.05) == "no clear relation between review scores and feedback"
    assert (
        describe_correlation(0.6) == "a strong positive relation between review scores and feedback"
    )
    assert (
        describe_correlation(-0.35)
        == "a moderate negative relation between review scores and feedback"
    )


def test_distribution_chart_scales_bars_to_the_most_frequent_rating():
    chart = distribution_chart(Distribution.from_counts({3: 2, 5: 4}), width=300, height=150)

    heights = {bar.rating: bar.height for bar in chart.bars}
    assert heights[5] == pytest.approx(150 - 18 - 22)
    assert heights[3] == pytest.approx(heights[5] / 2)
    assert heights[1] == 0
    assert all(bar.y + bar.height == pytest.approx(chart.baseline) for bar in chart.bars)


def test_scatter_places_points_on_fixed_axes():
    chart = review_feedback_scatter([("A", 0.0, 1.0), ("B", 100.0, 5.0)])

    low, high = chart.points
    assert (low.x, low.y) == (chart.left, chart.bottom)
    assert (high.x, high.y) == (chart.right, chart.top)
