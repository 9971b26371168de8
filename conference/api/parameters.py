"""The API's query parameters: read strictly, refused with a 400 that names the parameter."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request, url_for
from werkzeug.exceptions import BadRequest

from conference.core.types import MAX_ID
from conference.feeds.links import public_base_url

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
PAGING = ("limit", "offset")


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


@dataclass(frozen=True)
class Page:
    """Which slice of a list to answer with."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0


def requested_page() -> Page:
    """The page asked for by ``limit`` (default 50, at most 200) and ``offset`` (default 0)."""
    limit = integer_parameter("limit", 1, MAX_LIMIT, f"limit must be an integer from 1 to {MAX_LIMIT}")
    offset = integer_parameter("offset", 0, MAX_ID, f"offset must be an integer from 0 to {MAX_ID}")
    return Page(
        limit=DEFAULT_LIMIT if limit is None else limit, offset=0 if offset is None else offset
    )


def _page_url(page: Page, offset: int) -> str:
    arguments = {name: value for name, value in request.args.items() if name not in PAGING}
    arguments.update(limit=str(page.limit), offset=str(offset))
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{public_base_url()}{path}?{urlencode(arguments)}"


def page_links(page: Page, count: int) -> dict[str, str | None]:
    """Absolute ``next`` and ``previous`` URLs (None at either end), keeping the filters."""
    following = page.offset + page.limit
    return {
        "next": _page_url(page, following) if following < count else None,
        "previous": _page_url(page, max(page.offset - page.limit, 0)) if page.offset > 0 else None,
    }


def listing(results: list, count: int, page: Page, **extra) -> dict:
    """The shape of every list: ``count`` of all matching rows, page links, this page's rows."""
    return {**extra, "count": count, **page_links(page, count), "results": results}
