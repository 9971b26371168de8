"""Room schedules: what runs in one room on one day, in the time of the hub the room is in.

They are what a door sign shows (the page prints one room and day per sheet) and what someone
standing in a hub wants to know, whatever zone their account is set to. Online streams have
no door and no local time; the agenda lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from conference.agenda.queries import AgendaTalk, day_zone_label, presents_remotely, published_talks
from conference.conferences.models import Conference, Hub, Room
from conference.core.timezones import clocks_change_on, time_range, to_zone


@dataclass
class SignEntry:
    talk: AgendaTalk
    times: str  # e.g. "14:00–14:30" in the hub's zone; with offsets on a day the clocks change

    @property
    def speakers(self) -> list[str]:
        """Names, "(remote)" after those who present from elsewhere."""
        return [
            speaker.user.display_name + (" (remote)" if presents_remotely(speaker, self.talk.speaker_profiles) else "")
            for speaker in self.talk.speakers if speaker.user is not None
        ]


@dataclass
class RoomSign:
    room: Room
    hub: Hub
    day: date  # in the hub's zone
    zone_label: str  # the hub's zone and its offset(s) that day
    entries: list[SignEntry] = field(default_factory=list)


def room_signs(conference: Conference, hub_id: int | None = None) -> list[RoomSign]:
    """One sign per room and local day with talks, by hub, room and day; optionally one hub's."""
    signs: dict[tuple[int, date], RoomSign] = {}
    for talk in published_talks(conference, "UTC"):
        room, hub = talk.room, talk.room.hub
        if hub is None or (hub_id is not None and hub.id != hub_id):
            continue
        local_start = to_zone(talk.scheduled.starts_at, hub.time_zone)
        local_end = to_zone(talk.scheduled.ends_at, hub.time_zone)
        local_day = local_start.date()
        sign = signs.get((room.id, local_day))
        if sign is None:
            sign = signs[(room.id, local_day)] = RoomSign(
                room, hub, local_day, day_zone_label(local_day, hub.time_zone))
        with_offsets = clocks_change_on(local_day, hub.time_zone)
        sign.entries.append(SignEntry(talk, time_range(local_start, local_end, with_offsets)))
    return sorted(signs.values(), key=lambda sign: (sign.hub.name.casefold(), sign.room.name.casefold(),
                                                    sign.room.id, sign.day))
