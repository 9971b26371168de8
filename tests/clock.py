"""A frozen clock for tests: operations read the time through their module's ``utcnow``."""

from __future__ import annotations

from datetime import datetime


class Clock:
    """The instant the patched modules take for now; ``set`` moves it."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def set(self, instant: datetime) -> None:
        self.instant = instant


def stand_at(monkeypatch, instant: datetime, *modules: str) -> Clock:
    """Freeze ``utcnow`` of each of ``modules`` (dotted names) at ``instant``, movable with ``set``."""
    clock = Clock(instant)
    for module in modules:
        monkeypatch.setattr(f"{module}.utcnow", lambda: clock.instant)
    return clock
