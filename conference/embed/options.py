"""What an embedded agenda shows, read from its address (the page that embeds it chose it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from conference.agenda.queries import ONLINE, AgendaFilter, TalkMode
from conference.conferences.models import Conference
from conference.core.timezones import FIRST_YEAR, LAST_YEAR, is_valid_time_zone

VIEWS = {"next": "Now and next", "day": "A day's agenda"}
DEFAULT_VIEW = "next"
DEFAULT_LIMIT, MAX_LIMIT = 6, 20
# The zone the embed's script adds when the embedding page fixed none: the reader's browser's.
BROWSER_ZONE = "browser_tz"
# Every parameter the embed reads; others are ignored.
OPTION_NAMES = ("view", "track", "hub", "mode", "tz", "day", "limit", BROWSER_ZONE)


class OptionError(ValueError):
    """A parameter of the embed's address that cannot be used, named for the organiser."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class EmbedOptions:
    view: str = DEFAULT_VIEW
    agenda_filter: AgendaFilter = field(default_factory=AgendaFilter)
    # Fixed by the embedding page; None: each reader's own (their browser's, else the conference's).
    zone_name: str | None = None
    day: date | None = None
    limit: int = DEFAULT_LIMIT

    def arguments(self) -> dict[str, str]:
        """The address's parameters for these options (defaults left out)."""
        found = self.agenda_filter
        values = {
            "view": self.view if self.view != DEFAULT_VIEW else None,
            "track": str(found.track_id) if found.track_id is not None else None,
            "hub": str(found.hub) if found.hub is not None else None,
            "mode": found.mode.value if found.mode is not None else None,
            "tz": self.zone_name,
            "day": self.day.isoformat() if self.day is not None and self.view == "day" else None,
            "limit": str(self.limit) if self.limit != DEFAULT_LIMIT and self.view == "next" else None,
        }
        return {key: value for key, value in values.items() if value is not None}


def _one(args, name: str) -> str | None:
    value = args.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def read_options(conference: Conference, args) -> EmbedOptions:
    """The options in ``args``; an `OptionError` names the first parameter that is wrong."""
    view = _one(args, "view") or DEFAULT_VIEW
    if view not in VIEWS:
        raise OptionError("view", f"{_shown(view)} is not a view; use one of {', '.join(VIEWS)}.")
    return EmbedOptions(
        view=view,
        agenda_filter=AgendaFilter(
            track_id=_track(conference, _one(args, "track")),
            hub=_hub(conference, _one(args, "hub")),
            mode=_mode(_one(args, "mode")),
        ),
        zone_name=_zone(_one(args, "tz")),
        day=_day(_one(args, "day")),
        limit=_limit(_one(args, "limit")),
    )


def _track(conference: Conference, value: str | None) -> int | None:
    if value is None:
        return None
    ids = {track.id for track in conference.tracks}
    if not (value.isascii() and value.isdigit()) or int(value) not in ids:
        raise OptionError("track", f"{conference.name} has no track with the id {_shown(value)}.")
    return int(value)


def _hub(conference: Conference, value: str | None) -> int | str | None:
    if value is None:
        return None
    if value == ONLINE:
        return ONLINE
    ids = {hub.id for hub in conference.hubs}
    if not (value.isascii() and value.isdigit()) or int(value) not in ids:
        raise OptionError(
            "hub", f"{conference.name} has no hub with the id {_shown(value)} (use {ONLINE} for the online streams)."
        )
    return int(value)


def _mode(value: str | None) -> TalkMode | None:
    if value is None:
        return None
    try:
        return TalkMode(value)
    except ValueError:
        names = ", ".join(mode.value for mode in TalkMode)
        raise OptionError("mode", f"{_shown(value)} is not a way to attend; use one of {names}.") from None


def _zone(value: str | None) -> str | None:
    if value is None:
        return None
    if not is_valid_time_zone(value):
        raise OptionError("tz", f"{_shown(value)} is not a time zone; use an IANA name such as Europe/London.")
    return value


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None or not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise OptionError("day", f"{_shown(value)} is not a date such as 2027-03-09.")
    return parsed


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_LIMIT:
        raise OptionError("limit", f"{_shown(value)} is not a whole number from 1 to {MAX_LIMIT}.")
    return int(value)


def reader_zone(conference: Conference, options: EmbedOptions, args) -> tuple[str, bool]:
    """The zone to show and whether the embedding page fixed it.

    Not fixed: the reader's browser's zone (``browser_tz``, added by the embed's script; one
    it does not know is ignored, as the browser chose it, not the organiser), else the
    conference's.
    """
    if options.zone_name is not None:
        return options.zone_name, True
    browser = _one(args, BROWSER_ZONE)
    if browser is not None and is_valid_time_zone(browser):
        return browser, False
    return conference.time_zone, False
