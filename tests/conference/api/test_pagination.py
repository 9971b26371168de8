"""Lists come a page at a time; bad query parameters are a JSON 400 that names them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import TrackFactory

LISTS = ("proposals", "speakers", "reviews", "schedule", "rooms", "tracks")


@pytest.mark.parametrize("endpoint", LISTS)
def test_following_next_gives_every_row_exactly_once_in_order(api, scene, endpoint):
    whole = api.json(scene.url(endpoint, limit=200))
    assert whole["next"] is None and whole["previous"] is None
    assert whole["count"] == len(whole["results"]) >= 2
    walked = api.walk(scene.url(endpoint, limit=1))
    assert walked == whole["results"]


def test_pages_keep_the_filters_and_link_on(api, scene):
    first = api.json(scene.url("proposals", state="accepted,confirmed,withdrawn", limit=2))
    assert first["count"] == 4
    assert first["previous"] is None
    query = parse_qs(urlsplit(first["next"]).query)
    assert set(query) == {"state", "limit", "after"}
    assert query["state"] == ["accepted,confirmed,withdrawn"] and query["limit"] == ["2"]
    assert first["next"].startswith("http://conference.test/api/v1/conferences/devcon/proposals?")
    second = api.json(first["next"])
    assert second["next"] is None
    query = parse_qs(urlsplit(second["previous"]).query)
    assert set(query) == {"state", "limit", "before"}  # a page asked for by cursor links back by cursor
    assert query["state"] == ["accepted,confirmed,withdrawn"] and query["limit"] == ["2"]
    assert api.json(second["previous"]) == first
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 4
    assert {row["state"] for row in first["results"] + second["results"]} == {
        "accepted",
        "confirmed",
        "withdrawn",
    }


def test_default_page_is_fifty_rows_and_at_most_two_hundred_are_given(api, scene, db):
    for number in range(248):
        TrackFactory(conference=scene.conference, name=f"Extra track {number:03}")
    db.session.commit()  # 250 tracks
    body = api.json(scene.url("tracks"))
    assert body["count"] == 250
    assert len(body["results"]) == 50
    assert set(parse_qs(urlsplit(body["next"]).query)) == {"limit", "after"}
    assert len(api.json(scene.url("tracks", limit=200))["results"]) == 200
    assert len(api.walk(scene.url("tracks", limit=200))) == 250
    beyond = api.json(scene.url("tracks", offset=1000))
    assert beyond["results"] == [] and beyond["next"] is None and beyond["count"] == 250


BAD_PARAMETERS = [
    ("proposals", "limit=0", "limit", "limit must be an integer from 1 to 200"),
    ("proposals", "limit=201", "limit", "limit must be an integer from 1 to 200"),
    ("proposals", "limit=abc", "limit", "limit must be an integer from 1 to 200"),
    ("proposals", "limit=-1", "limit", "limit must be an integer from 1 to 200"),
    ("proposals", "limit=1.5", "limit", "limit must be an integer from 1 to 200"),
    ("proposals", "limit=", "limit", "limit must be an integer from 1 to 200"),
    ("proposals", "limit=%D9%A1%D9%A2", "limit", "limit must be an integer from 1 to 200"),
    ("proposals", "limit=%2B5", "limit", "limit must be an integer from 1 to 200"),
    ("tracks", "offset=-1", "offset", "offset must be an integer from 0 to 2147483647"),
    (
        "tracks",
        "offset=99999999999999999999999",
        "offset",
        "offset must be an integer from 0 to 2147483647",
    ),
    ("proposals", "state=draft", "state", None),
    ("proposals", "state=accepted,,rejected", "state", None),
    ("proposals", "state=ACCEPTED", "state", None),
    ("proposals", "track=platform", "track", None),
    ("proposals", "track=0", "track", None),
    ("proposals", "track=99999999999", "track", None),
    ("reviews", "proposal=x", "proposal", None),
    ("schedule", "version=0", "version", None),
    ("schedule", "version=two", "version", None),
    ("proposals", "sate=accepted", "sate", "unknown parameter 'sate'; this endpoint takes"),
    ("rooms", "state=accepted", "state", "unknown parameter 'state'"),
    ("", "limit=5", "limit", "unknown parameter 'limit'; this endpoint takes no parameters"),
    ("tracks", "limit=5&limit=6", "limit", "limit may be given only once"),
    ("tracks", "after=", "after", "after must be the cursor of a previous page's next link"),
    ("tracks", "after=WzFd&offset=2", "after", "give either after or offset, not both"),
    ("tracks", "after=bm90IGpzb24", "after", "after must be the cursor"),  # "not json"
    ("tracks", "after=WyJ4Il0", "after", "after must be the cursor"),  # ["x"]: not an id
    ("tracks", "after=WzEsMl0", "after", "after must be the cursor"),  # [1,2]: not one value
    ("tracks", "after=W3RydWVd", "after", "after must be the cursor"),  # [true]
    ("tracks", "after=Wy0xXQ", "after", "after must be the cursor"),  # [-1]
    ("schedule", "after=WzEsMSwxXQ", "after", "after must be the cursor"),  # [1,1,1]: no instant
    ("schedule", "after=WyIyMDI3LTAzLTI0VDA5OjAwOjAwIiwxLDFd", "after", "after must be the cursor"),  # naive
    ("tracks", "after=" + "A" * 201, "after", "after must be the cursor"),
    ("tracks", "before=", "before", "before must be the cursor of a later page's previous link"),
    ("tracks", "before=WzFd&after=WzFd", "before", "give either after or before, not both"),
    ("tracks", "before=WzFd&offset=2", "before", "give either before or offset, not both"),
    ("tracks", "before=bm90IGpzb24", "before", "before must be the cursor"),  # "not json"
    ("tracks", "before=WyJ4Il0", "before", "before must be the cursor"),  # ["x"]: not an id
    ("tracks", "before=WzEsMl0", "before", "before must be the cursor"),  # [1,2]: not one value
    ("tracks", "before=Wy0xXQ", "before", "before must be the cursor"),  # [-1]
    ("schedule", "before=WzEsMSwxXQ", "before", "before must be the cursor"),  # [1,1,1]: no instant
    ("tracks", "before=" + "A" * 201, "before", "before must be the cursor"),
    # ["0001-01-01T00:00:00+05:00",1,1]: before the year 1 in UTC
    ("schedule", "after=WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzA1OjAwIiwxLDFd", "after", "after must be the cursor"),
]


@pytest.mark.parametrize(
    ("endpoint", "query", "parameter", "message"),
    BAD_PARAMETERS,
    ids=[f"{endpoint}?{query}" for endpoint, query, _p, _m in BAD_PARAMETERS],
)
def test_a_bad_parameter_is_a_json_400_naming_it(api, scene, endpoint, query, parameter, message):
    path = scene.url(endpoint) + "?" + query
    response = api.get(path)
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "Bad Request"
    assert body["parameter"] == parameter
    assert body["message"].startswith(parameter) or parameter in body["message"]
    if message:
        assert body["message"].startswith(message)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_track_or_proposal_of_another_conference_is_a_400(api, scene, db):
    elsewhere = TrackFactory(conference=scene.other_conference, name="Their track")
    db.session.commit()
    body = api.json(scene.url("proposals", track=elsewhere.id), status=400)
    assert body == {
        "error": "Bad Request",
        "parameter": "track",
        "message": f"track {elsewhere.id} is not a track of this conference",
    }
    draft = scene.proposals["draft"].id
    body = api.json(scene.url("reviews", proposal=draft), status=400)
    assert body["message"] == f"proposal {draft} is not a proposal of this conference"


def test_a_nul_byte_is_a_json_400(api, scene):
    response = api.get(scene.url("proposals") + "?state=accepted%00")
    assert response.status_code == 400
    assert response.get_json()["message"] == "Requests may not contain NUL bytes."


HOSTILE_VALUES = (
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%ff",
    "%E2%80%AEevil",
    "9" * 40,
    "-0",
    "1e3",
    "%201",
    "0x10",
    "%EF%BC%91",  # a full-width digit one
    "%C2%B2",  # a superscript two
    ",",
    "accepted,",
    "%0D%0ASet-Cookie:%20x=1",
)
PARAMETERS = {
    "proposals": ("limit", "offset", "after", "before", "state", "track"),
    "reviews": ("proposal",),
    "schedule": ("version",),
}


def test_hostile_parameter_values_are_a_json_400_never_a_server_error(api, scene):
    problems = []
    for endpoint, names in PARAMETERS.items():
        for name in names:
            for value in HOSTILE_VALUES:
                response = api.get(f"{scene.url(endpoint)}?{name}={value}")
                if response.status_code != 400 or response.get_json().get("parameter") != name:
                    problems.append(f"{endpoint}?{name}={value}: {response.status_code}")
                assert "Set-Cookie" not in response.headers
    assert not problems, "\n".join(problems)


def _ids(body) -> list[int]:
    return [row["id"] for row in body["results"]]


def test_following_next_skips_and_repeats_nothing_when_rows_come_and_go_between_pages(api, scene, db):
    for number in range(6):
        TrackFactory(conference=scene.conference, name=f"Extra track {number}")
    db.session.commit()
    every = _ids(api.json(scene.url("tracks", limit=200)))
    first = api.json(scene.url("tracks", limit=3))
    assert _ids(first) == every[:3]
    # Between the pages the first track is deleted and a new one added: an offset would now
    # skip a row; the cursor goes on right after the last row read.
    from conference.conferences.models import Track

    db.session.delete(db.session.get(Track, every[0]))
    added = TrackFactory(conference=scene.conference, name="Added meanwhile")
    db.session.commit()
    rest = api.walk(first["next"])
    assert [row["id"] for row in rest] == every[3:] + [added.id]


def test_the_schedule_pages_by_start_room_and_id(api, scene):
    whole = api.json(scene.url("schedule", limit=200))["results"]
    walked = api.walk(scene.url("schedule", limit=1))
    assert walked == whole and len(walked) >= 2
    starts = [row["starts_at"] for row in whole]
    assert starts == sorted(starts)


def test_offset_pages_still_link_back(api, scene):
    body = api.json(scene.url("proposals", limit=1, offset=2))
    assert parse_qs(urlsplit(body["previous"]).query)["offset"] == ["1"]
    assert "after" in parse_qs(urlsplit(body["next"]).query)


def _last_page(api, url: str) -> dict:
    body = api.json(url)
    while body["next"]:
        body = api.json(body["next"])
    return body


@pytest.mark.parametrize("endpoint", LISTS)
def test_following_previous_from_the_last_page_gives_every_row_exactly_once(api, scene, endpoint):
    whole = api.json(scene.url(endpoint, limit=200))["results"]
    last = _last_page(api, scene.url(endpoint, limit=1))
    assert last["results"] == whole[-1:]
    assert last["previous"] is not None and "before=" in last["previous"]
    walked = []
    body = last
    while body["previous"]:
        body = api.json(body["previous"])
        assert len(body["results"]) == 1 and body["next"] is not None
        walked = body["results"] + walked
    assert walked + last["results"] == whole
    assert walked[0] == whole[0]  # the walk ends on the first page, which links back to nothing


def test_every_page_but_the_first_links_back_and_previous_pages_link_on(api, scene, db):
    for number in range(5):
        TrackFactory(conference=scene.conference, name=f"Extra track {number}")
    db.session.commit()  # 7 tracks: pages of 3, 3 and 1
    every = _ids(api.json(scene.url("tracks", limit=200)))
    first = api.json(scene.url("tracks", limit=3))
    second = api.json(first["next"])
    third = api.json(second["next"])
    assert [_ids(first), _ids(second), _ids(third)] == [every[:3], every[3:6], every[6:]]
    assert first["previous"] is None
    assert second["previous"] is not None and third["previous"] is not None
    back = api.json(third["previous"])
    assert _ids(back) == every[3:6]
    assert _ids(api.json(back["next"])) == every[6:]  # a page read backwards links on by cursor
    assert "after=" in back["next"]
    start = api.json(back["previous"])
    assert _ids(start) == every[:3] and start["previous"] is None
    assert _ids(api.json(start["next"])) == every[3:6]


def test_following_previous_skips_and_repeats_nothing_when_rows_come_and_go_between_pages(api, scene, db):
    from conference.conferences.models import Track

    for number in range(8):
        TrackFactory(conference=scene.conference, name=f"Extra track {number}")
    db.session.commit()  # 10 tracks
    every = _ids(api.json(scene.url("tracks", limit=200)))
    last = _last_page(api, scene.url("tracks", limit=3))
    assert _ids(last) == every[9:]
    # Between the pages a track of the last page is deleted, one after it is added and one
    # from the first page is deleted: an offset would now skip or repeat rows; the cursor goes
    # on right before the first row read.
    db.session.delete(db.session.get(Track, every[0]))
    TrackFactory(conference=scene.conference, name="Added meanwhile")
    db.session.commit()
    pages = []
    body = last
    while body["previous"]:
        body = api.json(body["previous"])
        pages.insert(0, _ids(body))
        if len(pages) == 1:
            db.session.delete(db.session.get(Track, every[9]))  # the page just walked back from
            db.session.commit()
    assert pages == [every[1:3], every[3:6], every[6:9]]


def test_a_cursor_page_emptied_meanwhile_still_links_both_ways(api, scene, db):
    from conference.conferences.models import Track

    for number in range(4):
        TrackFactory(conference=scene.conference, name=f"Extra track {number}")
    db.session.commit()  # 6 tracks
    every = _ids(api.json(scene.url("tracks", limit=200)))
    first = api.json(scene.url("tracks", limit=3))
    second = api.json(first["next"])
    for track_id in every[3:]:  # the whole second page goes before its next link is followed
        db.session.delete(db.session.get(Track, track_id))
    db.session.commit()
    emptied = api.json(first["next"])
    assert emptied["results"] == [] and emptied["next"] is None
    assert _ids(api.json(emptied["previous"])) == every[:3]  # back up to the cursor's own row
    for track_id in every[:3]:  # and now the first page too, before its previous link is followed
        db.session.delete(db.session.get(Track, track_id))
    added = TrackFactory(conference=scene.conference, name="Added meanwhile")
    db.session.commit()
    before_emptied = api.json(second["previous"])
    assert before_emptied["results"] == [] and before_emptied["previous"] is None
    assert _ids(api.json(before_emptied["next"])) == [added.id]
