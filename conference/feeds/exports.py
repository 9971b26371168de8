"""frab-style schedule.xml and schedule.json (c3voc schemas) for conference apps."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conference.feeds.links import public_base_url, public_host
from conference.feeds.published import PublishedSchedule, PublishedTalk

GENERATOR = "conference-planner"
GENERATOR_VERSION = "1.0"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def talk_guid(talk: PublishedTalk) -> str:
    """A stable UUID5 derived from the talk's calendar UID."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, talk.uid))


def person_guid(user_id: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"acct:user-{user_id}@{public_host()}"))


def room_guid(schedule: PublishedSchedule, room_name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"room:{schedule.conference_slug}:{room_name}@{public_host()}"))


def acronym(slug: str) -> str:
    """The conference slug in the schemas' acronym alphabet (lowercase, digits, underscores)."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", slug.lower()) or "conference"
    return cleaned.ljust(4, "_")


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50].strip("-")


def talk_slug(schedule: PublishedSchedule, talk: PublishedTalk) -> str:
    title = _slugify(talk.title) or "talk"
    return f"{acronym(schedule.conference_slug)}-{talk.proposal_id}-{title}"


def _hhmm(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _room_label(talk: PublishedTalk) -> str:
    return talk.location if talk.room_name else "Online"


def _days(schedule: PublishedSchedule, conference_days: list[date], zone: ZoneInfo):
    """(index, date, day start, day end, talks by room) in the conference's zone."""
    talks = [talk for talk in schedule.talks if not talk.cancelled]
    dates = set(conference_days) | {talk.starts_at.astimezone(zone).date() for talk in talks}
    days = []
    for index, day in enumerate(sorted(dates), start=1):
        start = datetime.combine(day, time(0, 0), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)
        rooms: dict[str, list[PublishedTalk]] = {}
        for talk in talks:
            if talk.starts_at.astimezone(zone).date() == day:
                rooms.setdefault(_room_label(talk), []).append(talk)
        days.append((index, day, start, end, rooms))
    return days


def _event_fields(schedule: PublishedSchedule, talk: PublishedTalk, zone: ZoneInfo) -> dict:
    local_start = talk.starts_at.astimezone(zone)
    links = []
    if talk.join_url:
        links.append({"url": talk.join_url, "title": "Join online", "type": "media"})
    return {
        "guid": talk_guid(talk),
        "id": talk.proposal_id,
        "date": local_start.isoformat(),
        "start": local_start.strftime("%H:%M"),
        "end": talk.ends_at.astimezone(zone).isoformat(),
        "duration": _hhmm(talk.ends_at - talk.starts_at),
        "room": _room_label(talk),
        "slug": talk_slug(schedule, talk),
        "url": talk.url,
        "title": talk.title,
        "subtitle": "",
        "track": talk.track_name,
        "type": talk.format_name or "talk",
        "language": "en",
        "abstract": talk.abstract,
        "description": "",
        "persons": [
            {"name": speaker.name, "guid": person_guid(speaker.user_id)} for speaker in talk.speakers
        ],
        "links": links,
        "attachments": [],
    }


def schedule_json(
    schedule: PublishedSchedule, conference_days: list[date], slot_minutes: int = 15
) -> bytes:
    """schedule.json valid against the c3voc schema.json."""
    zone = ZoneInfo(schedule.conference_zone)
    rooms_seen: dict[str, dict] = {}
    days = []
    for index, day, start, end, rooms in _days(schedule, conference_days, zone):
        day_rooms = {}
        for room_name, talks in rooms.items():
            rooms_seen.setdefault(room_name, {"name": room_name, "guid": room_guid(schedule, room_name)})
            day_rooms[room_name] = [_event_fields(schedule, talk, zone) for talk in talks]
        days.append({
            "index": index,
            "date": day.isoformat(),
            "day_start": start.isoformat(),
            "day_end": end.isoformat(),
            "rooms": day_rooms,
        })
    base = public_base_url()
    document = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR, "version": GENERATOR_VERSION},
        "schedule": {
            "version": str(schedule.version_number),
            "base_url": f"{base}/",
            "conference": {
                "acronym": acronym(schedule.conference_slug),
                "title": schedule.conference_name,
                "description": schedule.conference_description,
                "start": conference_days[0].isoformat(),
                "end": conference_days[-1].isoformat(),
                "daysCount": len(days),
                "timeslot_duration": _hhmm(timedelta(minutes=slot_minutes)),
                "time_zone_name": schedule.conference_zone,
                "url": f"{base}/c/{schedule.conference_slug}/agenda",
                "rooms": list(rooms_seen.values()),
                "days": days,
            },
        },
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    # Keep markup inert even if a client pastes the JSON into a page.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.encode("utf-8")


def _sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, tag, {k: v for k, v in attributes.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def schedule_xml(
    schedule: PublishedSchedule, conference_days: list[date], slot_minutes: int = 15
) -> bytes:
    """frab-style schedule.xml valid against the c3voc schedule.xml.xsd."""
    zone = ZoneInfo(schedule.conference_zone)
    base = public_base_url()
    root = ElementTree.Element("schedule")
    _sub(root, "generator", name=GENERATOR, version=GENERATOR_VERSION)
    _sub(root, "url", f"{base}/c/{schedule.conference_slug}/schedule.xml")
    _sub(root, "version", str(schedule.version_number))
    conference = _sub(root, "conference")
    _sub(conference, "acronym", acronym(schedule.conference_slug))
    _sub(conference, "title", schedule.conference_name)
    _sub(conference, "start", conference_days[0].isoformat())
    _sub(conference, "end", conference_days[-1].isoformat())
    days = _days(schedule, conference_days, zone)
    _sub(conference, "days", str(len(days)))
    _sub(conference, "timeslot_duration", _hhmm(timedelta(minutes=slot_minutes)))
    _sub(conference, "base_url", f"{base}/")
    _sub(conference, "time_zone_name", schedule.conference_zone)
    for track in sorted({talk.track_name for talk in schedule.talks if talk.track_name}):
        _sub(conference, "track", name=track)
    for index, day, start, end, rooms in days:
        day_element = _sub(
            root, "day", date=day.isoformat(), start=start.isoformat(), end=end.isoformat(), index=str(index)
        )
        for room_name, talks in rooms.items():
            room_element = _sub(day_element, "room", name=room_name, guid=room_guid(schedule, room_name))
            for talk in talks:
                fields = _event_fields(schedule, talk, zone)
                event = _sub(room_element, "event", id=str(fields["id"]), guid=fields["guid"])
                for name in ("date", "start", "duration", "room", "slug", "url", "title",
                             "subtitle", "track", "type", "language", "abstract", "description"):
                    _sub(event, name, str(fields[name]))
                persons = _sub(event, "persons")
                for speaker in talk.speakers:
                    _sub(persons, "person", speaker.name, id=str(speaker.user_id), guid=person_guid(speaker.user_id))
                links = _sub(event, "links")
                for link in fields["links"]:
                    _sub(links, "link", link["title"], href=link["url"])
                _sub(event, "attachments")
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
