"""The schedule endpoint: the latest published version or an older one, times in UTC with Z."""

from __future__ import annotations

from sqlalchemy import select

from conference.schedule.models import ScheduledTalk
from conference.schedule.versions import current_draft


def test_schedule_is_the_latest_published_version_in_start_order(api, scene, db):
    body = api.json(scene.url("schedule"))
    version = scene.versions[2]
    assert body["version"] == {"number": 2, "published_at": "2027-02-08T09:00:00Z", "latest": True}
    placed = db.session.scalars(
        select(ScheduledTalk.proposal_id)
        .where(ScheduledTalk.version_id == version.id)
        .order_by(ScheduledTalk.starts_at, ScheduledTalk.room_id, ScheduledTalk.id)
    ).all()
    assert [row["id"] for row in body["results"]] == placed
    assert body["count"] == 4
    starts = [row["starts_at"] for row in body["results"]]
    assert starts == sorted(starts)


def test_scheduled_talk_gives_room_hub_zone_track_speakers_and_join_link(api, scene):
    rows = {row["id"]: row for row in api.json(scene.url("schedule"))["results"]}
    thames, london = scene.rooms["thames"], scene.hubs["london"]
    assert rows[scene.proposals["accepted"].id] == {
        "id": scene.proposals["accepted"].id,
        "title": "The accepted proposal",
        "starts_at": "2027-03-27T10:00:00Z",
        "ends_at": "2027-03-27T10:30:00Z",
        "time_zone": "Europe/London",
        "local_starts_at": "2027-03-27T10:00:00+00:00",
        "local_ends_at": "2027-03-27T10:30:00+00:00",
        "room": {"id": thames.id, "name": "Thames"},
        "hub": {"id": london.id, "name": "London", "time_zone": "Europe/London"},
        "mode": "hybrid",
        "join_url": f"https://stream.example.invalid/room-{thames.id}",
        "track": {"id": scene.tracks["platform"].id, "name": "Platform"},
        "format": {"id": scene.session_format.id, "name": "Talk", "duration_minutes": 30},
        "speakers": [
            {"id": scene.people["alice"].id, "name": "Alice Example"},
            {"id": scene.people["bob"].id, "name": "Bob Example"},
        ],
        "cancelled": False,
    }


def test_times_are_utc_with_z_across_the_clock_change_of_the_hubs_zone(api, scene):
    """10:00 in London is 10:00Z on Saturday 27 March 2027 (GMT) and 09:00Z on the Sunday
    (BST, the clocks having gone forward at 01:00Z); 10:00 in New York (EDT) is 14:00Z."""
    rows = {row["id"]: row for row in api.json(scene.url("schedule"))["results"]}
    saturday = rows[scene.proposals["accepted"].id]
    sunday = rows[scene.proposals["confirmed"].id]
    new_york = rows[scene.proposals["keynote"].id]
    assert (saturday["starts_at"], saturday["local_starts_at"]) == (
        "2027-03-27T10:00:00Z",
        "2027-03-27T10:00:00+00:00",
    )
    assert (sunday["starts_at"], sunday["local_starts_at"]) == (
        "2027-03-28T09:00:00Z",
        "2027-03-28T10:00:00+01:00",
    )
    assert (new_york["starts_at"], new_york["local_starts_at"]) == (
        "2027-03-27T14:00:00Z",
        "2027-03-27T10:00:00-04:00",
    )
    assert new_york["hub"]["time_zone"] == "America/New_York"
    assert new_york["join_url"] is None  # a hub room without streaming
    assert new_york["mode"] == "in_person"


def test_an_online_stream_talk_has_no_hub_and_a_talk_declined_since_is_cancelled(api, scene):
    rows = {row["id"]: row for row in api.json(scene.url("schedule"))["results"]}
    declined = rows[scene.proposals["declined"].id]
    stream = scene.rooms["stream"]
    assert declined["hub"] is None
    assert declined["time_zone"] == "Europe/London"  # the conference's zone
    assert declined["mode"] == "remote"
    assert declined["join_url"] == f"https://stream.example.invalid/room-{stream.id}"
    assert declined["cancelled"] is True
    assert rows[scene.proposals["accepted"].id]["cancelled"] is False


def test_an_older_version_is_given_by_its_number(api, scene):
    body = api.json(scene.url("schedule", version=1))
    assert body["version"] == {"number": 1, "published_at": "2027-02-01T09:00:00Z", "latest": False}
    assert [(row["id"], row["starts_at"]) for row in body["results"]] == [
        (scene.proposals["declined"].id, "2027-03-27T15:00:00Z"),
        # 11:00 London on the Sunday (BST).
        (scene.proposals["accepted"].id, "2027-03-28T10:00:00Z"),
    ]
    assert api.json(scene.url("schedule", version=2))["version"]["latest"] is True


def test_an_unknown_version_is_a_json_404(api, scene):
    body = api.json(scene.url("schedule", version=3), status=404)
    assert body["message"] == "No published version 3; the latest is 2."


def test_nothing_published_is_a_json_404(app, scene):
    client = app.test_client()
    response = client.get(
        "/api/v1/conferences/othercon/schedule",
        headers={"Authorization": f"Bearer {scene.other_secret}"},
    )
    assert response.status_code == 404
    assert response.get_json()["message"] == "The schedule has not been published yet."


def test_the_draft_is_never_given(api, scene, db):
    draft_only = scene.proposals["withdrawn"]
    draft = current_draft(scene.conference.id)
    db.session.add(
        ScheduledTalk(
            version_id=draft.id,
            proposal_id=draft_only.id,
            room_id=scene.rooms["thames"].id,
            starts_at=scene.versions[2].published_at,
            ends_at=scene.versions[2].published_at,
        )
    )
    db.session.commit()
    for version in (None, 1, 2):
        url = scene.url("schedule") if version is None else scene.url("schedule", version=version)
        assert draft_only.id not in {row["id"] for row in api.json(url)["results"]}
