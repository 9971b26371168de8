"""Geometry of a horizontal stacked bar chart; the template draws it as inline SVG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Distinguishable colours (Okabe-Ito) per proposal state, shared by the bars and the legend.
STATE_COLOURS = {
    "submitted": "#0072B2",
    "waitlisted": "#E69F00",
    "accepted": "#009E73",
    "confirmed": "#56B4E9",
    "rejected": "#D55E00",
    "declined": "#CC79A7",
    "withdrawn": "#999999",
}


@dataclass(frozen=True)
class Segment:
    key: str
    count: int
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    y: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class StackedBarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]
    legend_y: float


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    keys: Sequence[str],
    width: int = 780,
    label_width: int = 210,
    bar_height: int = 22,
    gap: int = 8,
) -> StackedBarChart:
    """Bars scaled to the largest total; ``rows`` are (label, [(key, count), ...])."""
    plot_width = width - label_width - 40
    largest = max((sum(count for _, count in parts) for _, parts in rows), default=0) or 1
    bars = []
    for index, (label, parts) in enumerate(rows):
        x = float(label_width)
        segments = []
        for key, count in parts:
            if count <= 0:
                continue
            segment_width = plot_width * count / largest
            segments.append(Segment(key, count, x, segment_width, STATE_COLOURS.get(key, "#666666")))
            x += segment_width
        bars.append(Bar(label, sum(c for _, c in parts), index * (bar_height + gap), tuple(segments)))
    legend_y = len(rows) * (bar_height + gap) + 10
    legend = tuple((key, STATE_COLOURS.get(key, "#666666")) for key in keys)
    return StackedBarChart(width, int(legend_y + 24), label_width, bar_height, tuple(bars), legend, legend_y)
