"""The slot grid: blocks laid end to end as global slot numbers, and local-hour lookups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .model import Block, HourBand, Problem


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """Cached IANA zone."""
    return ZoneInfo(name)


def in_band(local: time, start: time, end: time) -> bool:
    """True if `local` is within [start, end); end <= start wraps past midnight."""
    if start < end:
        return start <= local < end
    return local >= start or local < end


def band_penalty(local: time, bands: tuple[HourBand, ...], unsuitable: int) -> int:
    """Penalty of the first band containing `local`, else `unsuitable`."""
    for band in bands:
        if in_band(local, band.start, band.end):
            return band.penalty
    return unsuitable


@dataclass(frozen=True)
class Grid:
    """Blocks in time order; global slot g covers [instants[g], instants[g] + slot)."""

    blocks: tuple[Block, ...]
    offsets: tuple[int, ...]  # first global slot of each block
    instants: tuple[datetime, ...]
    block_of_slot: tuple[int, ...]
    slot: timedelta

    @classmethod
    def of(cls, problem: Problem) -> Grid:
        blocks = tuple(sorted(problem.blocks, key=lambda b: b.start))
        offsets, instants, block_of = [], [], []
        for i, block in enumerate(blocks):
            offsets.append(len(instants))
            for k in range(block.slots):
                instants.append(problem.slot_start(block, k))
                block_of.append(i)
        return cls(blocks, tuple(offsets), tuple(instants), tuple(block_of),
                   timedelta(minutes=problem.slot_minutes))

    @property
    def size(self) -> int:
        return len(self.instants)
