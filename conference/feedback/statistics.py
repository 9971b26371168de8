"""Feedback arithmetic over plain numbers: rating distributions, means and correlation.

Nothing here touches the database or Flask, so each rule is unit-tested on hand-worked examples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import sqrt

RATING_SCALE = (1, 2, 3, 4, 5)
# Fewer pairs than this give a correlation that means nothing; the page says so instead.
MIN_CORRELATION_PAIRS = 3


@dataclass(frozen=True)
class Distribution:
    """How many times each rating from 1 to 5 was given."""

    counts: tuple[int, ...]  # index 0 is rating 1

    @classmethod
    def from_counts(cls, counts: Mapping[int, int]) -> Distribution:
        return cls(tuple(int(counts.get(rating, 0)) for rating in RATING_SCALE))

    def __add__(self, other: Distribution) -> Distribution:
        return Distribution(tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)))

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        if not self.total:
            return None
        return sum(r * n for r, n in zip(RATING_SCALE, self.counts, strict=True)) / self.total

    def items(self) -> list[tuple[int, int]]:
        return list(zip(RATING_SCALE, self.counts, strict=True))


EMPTY_DISTRIBUTION = Distribution.from_counts({})


def pearson_correlation(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Pearson's r of (x, y) pairs; None for fewer than 3 pairs or when either side is constant."""
    if len(pairs) < MIN_CORRELATION_PAIRS:
        return None
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    spread_x = sqrt(sum((x - mean_x) ** 2 for x in xs))
    spread_y = sqrt(sum((y - mean_y) ** 2 for y in ys))
    if spread_x == 0 or spread_y == 0:
        return None
    return max(-1.0, min(1.0, covariance / (spread_x * spread_y)))


def describe_correlation(r: float | None) -> str:
    """A plain-words reading of ``r`` for organisers (the usual rough bands)."""
    if r is None:
        return "not enough talks with both reviews and feedback to compare"
    size = abs(r)
    if size < 0.1:
        strength = "no clear"
    elif size < 0.3:
        strength = "a weak"
    elif size < 0.5:
        strength = "a moderate"
    else:
        strength = "a strong"
    if strength == "no clear":
        return "no clear relation between review scores and feedback"
    direction = "positive" if r > 0 else "negative"
    return f"{strength} {direction} relation between review scores and feedback"
