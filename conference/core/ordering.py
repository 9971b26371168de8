"""Lists that organisers put in order by hand (rubric criteria, feedback and proposal questions)."""

from __future__ import annotations

from typing import Any


def move_one_place(ordered: list[Any], item: Any, direction: int) -> None:
    """Swap ``item`` with its neighbour above (-1) or below (+1) in ``ordered``, then number
    every ``position`` 1..n (a move past either end only renumbers). The caller flushes."""
    index = next(i for i, other in enumerate(ordered) if other.id == item.id)
    target = index + direction
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered, start=1):
        other.position = position
