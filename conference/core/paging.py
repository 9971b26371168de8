"""Long lists shown a page at a time: which page to show, and where its rows sit in the whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Row = TypeVar("Row")


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` items fill, ``per_page`` a page; an empty list is one page."""
    return max(1, -(-total // per_page))


@dataclass(frozen=True)
class PageSpot:
    """The page to show of a list of ``total`` rows: the one asked for, or the last one when the
    list has since shrunk below it (a stale link or a filter applied on a later page)."""

    page: int
    pages: int
    per_page: int

    @classmethod
    def of(cls, asked: int, total: int, per_page: int) -> PageSpot:
        pages = page_count(total, per_page)
        return cls(min(max(1, asked), pages), pages, per_page)

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of a list: its rows, how many rows match in all, and which page it is."""

    rows: list[Row]
    total: int
    spot: PageSpot

    @property
    def page(self) -> int:
        return self.spot.page

    @property
    def pages(self) -> int:
        return self.spot.pages

    @property
    def first(self) -> int:
        """The position of the page's first row in the whole list (0 when it is empty)."""
        return self.spot.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The position of the page's last row in the whole list (0 when it is empty)."""
        return self.spot.offset + len(self.rows) if self.rows else 0
