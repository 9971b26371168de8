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
PAGING = ("limit", "offset", "after")
MAX_CURSOR_LENGTH = 200
CURSOR_MESSAGE = "after must be the cursor of a previous page's next link"


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
    """Which slice of a list to answer with: ``limit`` rows after the first ``offset`` rows, or
    after the row whose sort key is ``after`` (a cursor: unlike an offset, it neither skips nor
    repeats a row when rows are added or removed between pages)."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    after: tuple[int | str, ...] | None = None  # as decoded; each list checks its own key


def encode_cursor(key: SortKey) -> str:
    """An opaque, URL-safe cursor for the row with sort key ``key``."""
    values = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(text: str) -> tuple[int | str, ...]:
    if not text or len(text) > MAX_CURSOR_LENGTH or not text.isascii():
        raise InvalidParameter("after", CURSOR_MESSAGE)
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidParameter("after", CURSOR_MESSAGE) from None
    if not isinstance(values, list) or not values or not all(
        isinstance(value, int | str) and not isinstance(value, bool) for value in values
    ):
        raise InvalidParameter("after", CURSOR_MESSAGE)
    return tuple(values)


def cursor_key(page: Page, kinds: Sequence[type]) -> SortKey | None:
    """``page.after`` read as a sort key of ``kinds`` (int: an id, datetime: an instant)."""
    if page.after is None:
        return None
    if len(page.after) != len(kinds):
        raise InvalidParameter("after", CURSOR_MESSAGE)
    key: list[int | datetime] = []
    for value, kind in zip(page.after, kinds, strict=True):
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
                raise InvalidParameter("after", CURSOR_MESSAGE) from None
            key.append(instant)
        else:
            raise InvalidParameter("after", CURSOR_MESSAGE)
    return tuple(key)


def requested_page() -> Page:
    """The page asked for by ``limit`` (default 50, at most 200) and either ``offset`` (default
    0) or ``after`` (a cursor from a ``next`` link)."""
    limit = integer_parameter("limit", 1, MAX_LIMIT, f"limit must be an integer from 1 to {MAX_LIMIT}")
    offset = integer_parameter("offset", 0, MAX_ID, f"offset must be an integer from 0 to {MAX_ID}")
    after = request.args.get("after")
    if after is not None and offset is not None:
        raise InvalidParameter("after", "give either after or offset, not both")
    return Page(
        limit=DEFAULT_LIMIT if limit is None else limit,
        offset=0 if offset is None else offset,
        after=None if after is None else _decode_cursor(after),
    )


def _page_url(page: Page, **position: str) -> str:
    arguments = {name: value for name, value in request.args.items() if name not in PAGING}
    arguments.update(limit=str(page.limit), **position)
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{public_base_url()}{path}?{urlencode(arguments)}"


def page_links(page: Page, next_key: SortKey | None) -> dict[str, str | None]:
    """Absolute ``next`` and ``previous`` URLs (None at either end), keeping the filters.

    ``next`` always carries a cursor (the last row's sort key, ``next_key``; None when no row
    follows), so walking a list with it neither skips nor repeats rows that change meanwhile.
    ``previous`` is given for pages asked for by offset, not for those asked for by cursor.
    """
    previous = None
    if page.after is None and page.offset > 0:
        previous = _page_url(page, offset=str(max(page.offset - page.limit, 0)))
    return {
        "next": _page_url(page, after=encode_cursor(next_key)) if next_key is not None else None,
        "previous": previous,
    }


def listing(results: list, count: int, page: Page, next_key: SortKey | None, **extra) -> dict:
    """The shape of every list: ``count`` of all matching rows, page links, this page's rows."""
    return {**extra, "count": count, **page_links(page, next_key), "results": results}
