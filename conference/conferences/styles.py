"""Per-conference stylesheet: each track's colour as a class, so pages need no inline styles."""

from __future__ import annotations

import re
from collections.abc import Iterable

from conference.conferences.models import Track

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def track_class(track: Track | None) -> str:
    """The class that gives an element its track's colour (as the --track-colour variable)."""
    return f"track-colour-{track.id}" if track is not None else "track-colour-none"


def track_stylesheet(tracks: Iterable[Track]) -> str:
    """CSS defining ``--track-colour`` per track; a colour that is not #rrggbb is left out."""
    rules = [
        f".{track_class(track)} {{ --track-colour: {track.colour.lower()}; }}"
        for track in sorted(tracks, key=lambda track: track.id)
        if HEX_COLOUR.fullmatch(track.colour or "")
    ]
    return "\n".join(rules) + "\n"
