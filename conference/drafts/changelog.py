"""What changed between two versions of the schedule: a pure comparison, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class PlacedTalk(Protocol):
    """Anything with a talk's placement, e.g. a ScheduledTalk row."""

    proposal_id: int
    room_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Move:
    """A talk in both versions at a different room or time."""

    old: Any
    new: Any


@dataclass(frozen=True)
class Changes:
    """Talks moved, added (new in this version) and cancelled (gone from it)."""

    moved: list[Move] = field(default_factory=list)
    added: list[Any] = field(default_factory=list)
    cancelled: list[Any] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.moved or self.added or self.cancelled)

    def changed_proposal_ids(self) -> set[int]:
        return (
            {move.new.proposal_id for move in self.moved}
            | {row.proposal_id for row in self.added}
            | {row.proposal_id for row in self.cancelled}
        )


def placement_key(row: PlacedTalk) -> tuple[int, int, datetime, datetime]:
    """What a version says about one talk; pins and blocks are editing aids, not changes."""
    return (row.proposal_id, row.room_id, row.starts_at, row.ends_at)


def diff_versions(old_rows: Iterable[PlacedTalk], new_rows: Iterable[PlacedTalk]) -> Changes:
    """Compare two versions' placements by proposal; lists are ordered by time."""
    old_by_proposal = {row.proposal_id: row for row in old_rows}
    new_by_proposal = {row.proposal_id: row for row in new_rows}
    moved = [
        Move(old_by_proposal[proposal_id], row)
        for proposal_id, row in new_by_proposal.items()
        if proposal_id in old_by_proposal
        and placement_key(old_by_proposal[proposal_id]) != placement_key(row)
    ]
    added = [row for proposal_id, row in new_by_proposal.items() if proposal_id not in old_by_proposal]
    cancelled = [row for proposal_id, row in old_by_proposal.items() if proposal_id not in new_by_proposal]
    moved.sort(key=lambda move: (move.new.starts_at, move.new.proposal_id))
    added.sort(key=lambda row: (row.starts_at, row.proposal_id))
    cancelled.sort(key=lambda row: (row.starts_at, row.proposal_id))
    return Changes(moved=moved, added=added, cancelled=cancelled)


def same_placements(old_rows: Iterable[PlacedTalk], new_rows: Iterable[PlacedTalk]) -> bool:
    """True when two versions place exactly the same talks at the same rooms and times."""
    return sorted(map(placement_key, old_rows)) == sorted(map(placement_key, new_rows))
