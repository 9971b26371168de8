"""The API's query parameters: read strictly, refused with a 400 that names the parameter."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import request, url_for
from werkzeug.exceptions import BadRequest

from conference.core.types import MAX_ID
from conference.feeds.links import public_base_url

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
PAGING = ("limit", "offset", "after", "before")
MAX_CURSOR_LENGTH = 200
CURSOR_MESSAGES = {
    "after": "after must be the cursor of a previous page's next link",
    "before": "before must be the cursor of a later page's previous link",
}


class InvalidParameter(BadRequest):
    """A 400 about one query parameter; the JSON error names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(description=message)
        self.parameter = parameter


def check_parameters(allowed: Collection[str]) -> None:
    """Refuse parameters the endpoint does not take (a typo would silently filter nothing)
    and parameters given twice (which of them would count?)."""
    for name in request.args:
        if name not in allowed:
            takes = ", ".join(sorted(allowed)) or "no parameters"
            raise InvalidParameter(name, f"unknown parameter {name!r}; this endpoint takes {takes}")
        if len(request.args.getlist(name)) > 1:
            raise InvalidParameter(name, f"{name} may be given only once")


def integer_parameter(name: str, minimum: int, maximum: int, message: str) -> int | None:
    """The parameter as an integer from ``minimum`` to ``maximum``; None when absent."""
    text = request.args.get(name)
    if text is None:
        return None
    # ASCII digits only: int() would also read "١٢" or " 12" or "1_000".
    if not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        raise InvalidParameter(name, message)
    value = int(text)
    if not minimum <= value <= maximum:
        raise InvalidParameter(name, message)
    return value


def id_parameter(name: str, what: str) -> int | None:
    """An id in the parameter ``name``; None when absent."""
    return integer_parameter(name, 1, MAX_ID, f"{name} must be the id of {what} (a positive integer)")


def choice_list_parameter(name: str, choices: Collection[str]) -> list[str] | None:
    """Comma-separated values, each one of ``choices``; None when absent."""
    text = request.args.get(name)
    if text is None:
        return None
    values = [value.strip() for value in text.split(",")]
    if not values or any(value not in choices for value in values):
        raise InvalidParameter(
            name, f"{name} must be one or more of {', '.join(choices)}, separated by commas"
        )
    return values


# A row's place in its list's order: ints (ids) and instants.
SortKey = tuple[int | datetime, ...]


@dataclass(frozen=True)
class Page:
    """Which slice of a list to answer with: ``limit`` rows after the first ``offset`` rows,
    after the row whose sort key is ``after``, or just before the row whose sort key is
    ``before`` (cursors: unlike an offset, they neither skip nor repeat a row when rows are
    added or removed between pages)."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    # As decoded; each list checks its own key. At most one of them is given.
    after: tuple[int | str, ...] | None = None
    before: tuple[int | str, ...] | None = None

    @property
    def cursor(self) -> tuple[str, tuple[int | str, ...]] | None:
        """The cursor parameter's name and decoded value; None for a page asked for by offset."""
        if self.after is not None:
            return "after", self.after
        if self.before is not None:
            return "before", self.before
        return None


@dataclass(frozen=True)
class Edges:
    """Where the neighbouring pages of a page start, as sort keys; None at either end."""

    next_after: SortKey | None = None  # the next page's rows come after this key
    previous_before: SortKey | None = None  # the previous page's rows come just before it


def encode_cursor(key: SortKey) -> str:
    """An opaque, URL-safe cursor for the row with sort key ``key``."""
    values = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(name: str, text: str) -> tuple[int | str, ...]:
    if not text or len(text) > MAX_CURSOR_LENGTH or not text.isascii():
        raise InvalidParameter(name, CURSOR_MESSAGES[name])
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidParameter(name, CURSOR_MESSAGES[name]) from None
    if not isinstance(values, list) or not values or not all(
        isinstance(value, int | str) and not isinstance(value, bool) for value in values
    ):
        raise InvalidParameter(name, CURSOR_MESSAGES[name])
    return tuple(values)


def cursor_key(page: Page, kinds: Sequence[type]) -> SortKey | None:
    """The page's cursor (``after`` or ``before``) read as a sort key of ``kinds`` (int: an id,
    datetime: an instant); None for a page asked for by offset."""
    if page.cursor is None:
        return None
    name, values = page.cursor
    message = CURSOR_MESSAGES[name]
    if len(values) != len(kinds):
        raise InvalidParameter(name, message)
    key: list[int | datetime] = []
    for value, kind in zip(values, kinds, strict=True):
        if kind is int and isinstance(value, int) and 0 <= value <= MAX_ID:
            key.append(value)
        elif kind is datetime and isinstance(value, str):
            try:
                # In UTC, as stored: an instant out of range there (year 1 east of UTC) is refused.
                instant = datetime.fromisoformat(value)
                if instant.tzinfo is None:
                    raise ValueError(value)
                instant = instant.astimezone(UTC)
            except (ValueError, OverflowError):
                raise InvalidParameter(name, message) from None
            key.append(instant)
        else:
            raise InvalidParameter(name, message)
    return tuple(key)


def requested_page() -> Page:
    """The page asked for by ``limit`` (default 50, at most 200) and one of ``offset`` (default
    0), ``after`` (a cursor from a ``next`` link) or ``before`` (one from a ``previous`` link)."""
    limit = integer_parameter("limit", 1, MAX_LIMIT, f"limit must be an integer from 1 to {MAX_LIMIT}")
    offset = integer_parameter("offset", 0, MAX_ID, f"offset must be an integer from 0 to {MAX_ID}")
    after = request.args.get("after")
    before = request.args.get("before")
    if after is not None and offset is not None:
        raise InvalidParameter("after", "give either after or offset, not both")
    if before is not None and offset is not None:
        raise InvalidParameter("before", "give either before or offset, not both")
    if after is not None and before is not None:
        raise InvalidParameter("before", "give either after or before, not both")
    return Page(
        limit=DEFAULT_LIMIT if limit is None else limit,
        offset=0 if offset is None else offset,
        after=None if after is None else _decode_cursor("after", after),
        before=None if before is None else _decode_cursor("before", before),
    )


def _page_url(page: Page, **position: str) -> str:
    arguments = {name: value for name, value in request.args.items() if name not in PAGING}
    arguments.update(limit=str(page.limit), **position)
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{public_base_url()}{path}?{urlencode(arguments)}"


def page_links(page: Page, edges: Edges) -> dict[str, str | None]:
    """Absolute ``next`` and ``previous`` URLs (None at either end), keeping the filters.

    ``next`` always carries a cursor (``after``: the last row's sort key), so walking a list
    with it neither skips nor repeats rows that change meanwhile. ``previous`` carries one too
    (``before``: the first row's sort key) on pages asked for by cursor; a page asked for by
    offset links back by offset, as its client pages.
    """
    previous = None
    if page.cursor is not None:
        if edges.previous_before is not None:
            previous = _page_url(page, before=encode_cursor(edges.previous_before))
    elif page.offset > 0:
        previous = _page_url(page, offset=str(max(page.offset - page.limit, 0)))
    return {
        "next": _page_url(page, after=encode_cursor(edges.next_after)) if edges.next_after is not None else None,
        "previous": previous,
    }


def listing(results: list, count: int, page: Page, edges: Edges, **extra) -> dict:
    """The shape of every list: ``count`` of all matching rows, page links, this page's rows."""
    return {**extra, "count": count, **page_links(page, edges), "results": results}
