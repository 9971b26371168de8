"""Geometry of the feedback charts; templates draw them as inline SVG with presentation attributes.

Only numbers and labels are computed here, so the page needs neither scripts nor style attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conference.feedback.statistics import RATING_SCALE, Distribution

BAR_COLOUR = "#0072B2"  # Okabe-Ito blue, as the CfP dashboard
POINT_COLOUR = "#D55E00"
AXIS_COLOUR = "#555555"


@dataclass(frozen=True)
class RatingBar:
    rating: int
    count: int
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass(frozen=True)
class DistributionChart:
    width: int
    height: int
    baseline: float
    bars: tuple[RatingBar, ...]
    colour: str = BAR_COLOUR


def distribution_chart(
    distribution: Distribution, width: int = 300, height: int = 150, gap: int = 10
) -> DistributionChart:
    """Five vertical bars (ratings 1-5) scaled to the most frequent rating."""
    top, bottom = 18, 22  # room for the count above and the rating below each bar
    plot_height = height - top - bottom
    bar_width = (width - gap * (len(RATING_SCALE) + 1)) / len(RATING_SCALE)
    largest = max(distribution.counts) or 1
    bars = []
    for index, (rating, count) in enumerate(distribution.items()):
        bar_height = plot_height * count / largest
        x = gap + index * (bar_width + gap)
        bars.append(
            RatingBar(
                rating=rating,
                count=count,
                x=x,
                y=top + plot_height - bar_height,
                width=bar_width,
                height=bar_height,
                label_x=x + bar_width / 2,
            )
        )
    return DistributionChart(width, height, float(top + plot_height), tuple(bars))


@dataclass(frozen=True)
class ScatterPoint:
    label: str
    x: float
    y: float
    review_score: float
    feedback_rating: float


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ScatterChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: tuple[ScatterPoint, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    colour: str = POINT_COLOUR
    axis_colour: str = AXIS_COLOUR


def review_feedback_scatter(
    rows: Sequence[tuple[str, float, float]], width: int = 560, height: int = 340
) -> ScatterChart:
    """Points of (label, mean review score 0-100, mean feedback rating 1-5) on fixed axes."""
    left, right, top, bottom = 56.0, width - 16.0, 16.0, height - 44.0

    def to_x(score: float) -> float:
        return left + (right - left) * score / 100

    def to_y(rating: float) -> float:
        return bottom - (bottom - top) * (rating - 1) / 4

    points = tuple(
        ScatterPoint(label, to_x(score), to_y(rating), score, rating)
        for label, score, rating in rows
    )
    x_ticks = tuple(Tick(to_x(value), str(value)) for value in range(0, 101, 20))
    y_ticks = tuple(Tick(to_y(value), str(value)) for value in RATING_SCALE)
    return ScatterChart(width, height, left, right, top, bottom, points, x_ticks, y_ticks)
