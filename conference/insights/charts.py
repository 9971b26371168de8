"""Geometry of the insights charts; templates draw them as inline SVG.

Like ``conference.decisions.charts`` (whose stacked bars the page reuses), these functions
only compute positions and colours from plain numbers, so tests can check the geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BAR_COLOUR = "#0072B2"
EMPTY_CELL_COLOUR = "#eeeeee"
# Heatmap from pale to deep blue; text turns white once the cell is dark.
LOW_COLOUR = (239, 243, 255)
HIGH_COLOUR = (8, 81, 156)
DARK_FROM_SHARE = 0.55


@dataclass(frozen=True)
class Bin:
    label: str
    low: float
    high: float


@dataclass(frozen=True)
class Column:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Histogram:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    largest: int
    columns: tuple[Column, ...]


def bin_values(values: Sequence[float], bins: Sequence[Bin]) -> list[int]:
    """How many ``values`` fall in each bin: low <= value < high, the last bin closed."""
    counts = [0] * len(bins)
    for value in values:
        for index, current in enumerate(bins):
            last = index == len(bins) - 1
            if current.low <= value < current.high or (last and value == current.high):
                counts[index] += 1
                break
    return counts


def percent_bins(width: int = 10) -> list[Bin]:
    """0-10, 10-20, ... 90-100: bins for 0-100 review scores."""
    return [Bin(f"{low}–{low + width}", low, low + width) for low in range(0, 100, width)]


def histogram(
    labelled_counts: Sequence[tuple[str, int]],
    width: int = 520,
    height: int = 200,
    margin: int = 28,
) -> Histogram:
    """Vertical columns scaled to the largest count, with room for labels below and above."""
    plot_top, plot_bottom = margin, height - margin
    plot_height = plot_bottom - plot_top
    largest = max((count for _, count in labelled_counts), default=0)
    slot = (width - 2 * margin) / max(len(labelled_counts), 1)
    columns = []
    for index, (label, count) in enumerate(labelled_counts):
        column_height = plot_height * count / largest if largest else 0.0
        columns.append(
            Column(
                label,
                count,
                margin + index * slot + slot * 0.1,
                plot_bottom - column_height,
                slot * 0.8,
                column_height,
            )
        )
    return Histogram(width, height, plot_top, plot_bottom, largest, tuple(columns))


@dataclass(frozen=True)
class ValueBar:
    label: str
    value: float
    note: str
    y: float
    width: float


@dataclass(frozen=True)
class ValueBarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    scale_max: float
    bars: tuple[ValueBar, ...]


def value_bar_chart(
    rows: Sequence[tuple[str, float, str]],
    scale_max: float,
    width: int = 780,
    label_width: int = 330,
    bar_height: int = 16,
    gap: int = 6,
) -> ValueBarChart:
    """Horizontal bars on a fixed scale (e.g. ratings out of 5); rows are (label, value, note)."""
    plot_width = width - label_width - 120
    bars = tuple(
        ValueBar(label, value, note, index * (bar_height + gap), plot_width * value / scale_max)
        for index, (label, value, note) in enumerate(rows)
    )
    height = max(len(rows) * (bar_height + gap), bar_height)
    return ValueBarChart(width, height, label_width, bar_height, scale_max, bars)


@dataclass(frozen=True)
class HeatCell:
    x: float
    y: float
    text: str
    fill: str
    text_fill: str
    description: str


@dataclass(frozen=True)
class Heatmap:
    width: int
    height: int
    label_width: int
    header_height: int
    cell_width: int
    cell_height: int
    column_labels: tuple[tuple[float, str], ...]
    row_labels: tuple[tuple[float, str], ...]
    cells: tuple[HeatCell, ...]


def share_colour(share: float | None) -> str:
    """A colour between pale and deep blue for a share of 0-1; grey for no data."""
    if share is None:
        return EMPTY_CELL_COLOUR
    share = min(max(share, 0.0), 1.0)
    channels = (
        round(low + (high - low) * share) for low, high in zip(LOW_COLOUR, HIGH_COLOUR, strict=True)
    )
    return "#{:02x}{:02x}{:02x}".format(*channels)


def heatmap(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    shares: Sequence[Sequence[float | None]],
    label_width: int = 330,
    cell_width: int = 92,
    cell_height: int = 30,
    header_height: int = 28,
) -> Heatmap:
    """A grid of cells coloured by share; ``shares[row][column]`` is 0-1 or None."""
    cells = []
    for row_index, row_label in enumerate(row_labels):
        for column_index, column_label in enumerate(column_labels):
            share = shares[row_index][column_index]
            text = "–" if share is None else f"{round(share * 100)}%"
            cells.append(
                HeatCell(
                    label_width + column_index * cell_width,
                    header_height + row_index * cell_height,
                    text,
                    share_colour(share),
                    "#ffffff" if share is not None and share >= DARK_FROM_SHARE else "#1b1b1b",
                    f"{row_label}, {column_label}: {'no talks' if share is None else text}",
                )
            )
    return Heatmap(
        label_width + len(column_labels) * cell_width + 4,
        header_height + len(row_labels) * cell_height + 4,
        label_width,
        header_height,
        cell_width,
        cell_height,
        tuple(
            (label_width + index * cell_width + cell_width / 2, label)
            for index, label in enumerate(column_labels)
        ),
        tuple(
            (header_height + index * cell_height + cell_height * 0.65, label)
            for index, label in enumerate(row_labels)
        ),
        tuple(cells),
    )
