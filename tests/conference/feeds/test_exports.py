"""schedule.xml and schedule.json against the c3voc schemas."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import xmlschema

from conference.models import CalendarEntry
from tests.conference.feeds.helpers import make_world, publish

SCHEMAS = Path(__file__).resolve().parents[3].parent / "shared" / "schemas" / "voc-schedule"
HOSTILE_TITLE = "=HYPERLINK(\"x\")\r\nBEGIN:VEVENT <script>alert(1)</script> & ]]>"
HOSTILE_ABSTRACT = "+cmd\r\n<img src=x onerror=alert(1)>\x01\x0b bad & <b>bold</b>"


def _validate_xml(body: bytes) -> None:
    xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd")).validate(body.decode("utf-8"))


def _validate_json(body: bytes) -> dict:
    document = json.loads(body)
    schema = json.loads((SCHEMAS / "schema.json").read_text())
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    return document


def test_schedule_xml_validates_against_the_xsd(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    response = client.get(f"/c/{world.conference.slug}/schedule.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    _validate_xml(response.data)
    root = ElementTree.fromstring(response.data)  # noqa: S314 - our own output
    events = root.findall("day/room/event")
    assert len(events) == 3
    entry = db.session.scalar(
        db.select(CalendarEntry).where(CalendarEntry.proposal_id == world.talks[0].id)
    )
    event = root.find(f"day/room/event[@id='{world.talks[0].id}']")
    assert event.get("guid") == str(uuid.uuid5(uuid.NAMESPACE_URL, entry.uid))
    assert event.findtext("date") == "2027-03-24T09:00:00+00:00"
    assert event.findtext("duration") == "00:30"
    assert event.findtext("room") == "Thames, London"
    assert [p.text for p in event.findall("persons/person")] == ["Ada Speaker"]


def test_schedule_json_validates_against_the_schema(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    response = client.get(f"/c/{world.conference.slug}/schedule.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    document = _validate_json(response.data)
    conference = document["schedule"]["conference"]
    events = [e for day in conference["days"] for room in day["rooms"].values() for e in room]
    assert len(events) == 3
    assert conference["time_zone_name"] == "Europe/London"
    assert conference["days"][0]["date"] == "2027-03-24"


def test_exports_without_published_schedule_are_valid_and_empty(app, client, db):
    world = make_world()
    slug = world.conference.slug
    _validate_xml(client.get(f"/c/{slug}/schedule.xml").data)
    document = _validate_json(client.get(f"/c/{slug}/schedule.json").data)
    assert document["schedule"]["version"] == "0"


def test_exports_leave_cancelled_talks_out_and_are_cached(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    first = client.get(f"/c/{world.conference.slug}/schedule.json")
    assert client.get(
        f"/c/{world.conference.slug}/schedule.json", headers={"If-None-Match": first.headers["ETag"]}
    ).status_code == 304
    smaller = {k: v for k, v in world.placements.items() if k is not world.talks[1]}
    publish(world.conference, smaller)
    document = _validate_json(client.get(f"/c/{world.conference.slug}/schedule.json").data)
    events = [e for d in document["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    assert len(events) == 2


def test_hostile_text_stays_inert_in_xml_and_json(app, client, db):
    world = make_world()
    world.talks[0].title = HOSTILE_TITLE
    world.talks[0].abstract = HOSTILE_ABSTRACT
    world.speaker.display_name = "<b>Mallory</b> & =1+1"
    db.session.commit()
    publish(world.conference, world.placements)
    slug = world.conference.slug
    xml_body = client.get(f"/c/{slug}/schedule.xml").data
    _validate_xml(xml_body)
    assert b"<script>" not in xml_body and b"<img" not in xml_body and b"<b>" not in xml_body
    root = ElementTree.fromstring(xml_body)  # noqa: S314 - our own output
    assert len(root.findall("day/room/event")) == 3
    titles = [e.findtext("title") for e in root.findall("day/room/event")]
    assert any(title.startswith('=HYPERLINK("x") BEGIN:VEVENT <script>') for title in titles)

    json_body = client.get(f"/c/{slug}/schedule.json").data
    document = _validate_json(json_body)
    assert b"<" not in json_body and b">" not in json_body
    events = [e for d in document["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    hostile = next(e for e in events if e["id"] == world.talks[0].id)
    assert "<script>" in hostile["title"]  # plain text, escaped on the wire
    assert "\x01" not in hostile["abstract"] and "\x0b" not in hostile["abstract"]
    assert hostile["persons"][0]["name"] == "<b>Mallory</b> & =1+1"
