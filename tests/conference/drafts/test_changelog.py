"""diff_versions compares two versions' placements by proposal, with no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from conference.drafts.changelog import diff_versions, same_placements

NINE = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)


@dataclass
class Row:
    proposal_id: int
    room_id: int
    starts_at: datetime
    ends_at: datetime
    pinned: bool = False


def row(proposal_id, room_id=1, hour=0, pinned=False):
    starts = NINE + timedelta(hours=hour)
    return Row(proposal_id, room_id, starts, starts + timedelta(minutes=30), pinned)


def test_diff_versions_equal_rows_have_no_changes():
    changes = diff_versions([row(1), row(2, hour=1)], [row(2, hour=1), row(1)])
    assert changes.is_empty


def test_diff_versions_finds_moved_added_and_cancelled():
    old = [row(1), row(2, room_id=2), row(3, hour=2)]
    new = [row(1, hour=1), row(2, room_id=3), row(4, hour=3)]
    changes = diff_versions(old, new)
    assert [(m.old.proposal_id, m.old.room_id, m.new.room_id) for m in changes.moved] == [(2, 2, 3), (1, 1, 1)]
    assert changes.moved[1].old.starts_at == NINE and changes.moved[1].new.starts_at == NINE + timedelta(hours=1)
    assert [r.proposal_id for r in changes.added] == [4]
    assert [r.proposal_id for r in changes.cancelled] == [3]
    assert changes.changed_proposal_ids() == {1, 2, 3, 4}


def test_diff_versions_from_nothing_adds_everything():
    changes = diff_versions([], [row(2, hour=1), row(1)])
    assert [r.proposal_id for r in changes.added] == [1, 2]
    assert not changes.moved and not changes.cancelled


def test_same_placements_ignores_pins():
    assert same_placements([row(1)], [row(1, pinned=True)])
    assert not same_placements([row(1)], [row(1, hour=1)])
    assert not same_placements([row(1)], [row(1), row(2)])
