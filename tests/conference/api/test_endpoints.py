"""Each endpoint's rows agree with the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import select

from conference.api.operations import create_api_token
from conference.conferences.models import Role, Room, Track
from conference.proposals.models import Proposal, ProposalState
from tests.conference.api.conftest import ApiClient
from tests.factories import (
    CfpAnswerFactory,
    CfpQuestionFactory,
    ReviewFactory,
    RoleFactory,
    SessionFormatFactory,
)

UTC_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _by_id(rows: list[dict]) -> dict[int, dict]:
    return {row["id"]: row for row in rows}


def test_conference_endpoint_names_the_conference_its_lists_and_the_token(api, scene):
    body = api.json(scene.url())
    assert body["conference"]["slug"] == "devcon"
    assert body["conference"]["time_zone"] == "Europe/London"
    assert body["conference"]["anonymised_review"] is True
    assert body["conference"]["endpoints"]["proposals"] == (
        "http://conference.test/api/v1/conferences/devcon/proposals"
    )
    assert body["token"] == {
        "name": "Intranet sync",
        "hint": scene.secret[:10],
        "created_at": body["token"]["created_at"],
    }
    assert UTC_INSTANT.match(body["token"]["created_at"])


def test_proposals_are_every_proposal_but_the_speakers_drafts_in_id_order(api, scene, db):
    body = api.json(scene.url("proposals"))
    listed = db.session.scalars(
        select(Proposal.id)
        .where(Proposal.conference_id == scene.conference.id, ~Proposal.speakers_only)
        .order_by(Proposal.id)
    ).all()
    assert [row["id"] for row in body["results"]] == listed
    assert body["count"] == len(listed) == 7
    hidden = {scene.proposals["draft"].id, scene.proposals["never_submitted"].id}
    assert hidden.isdisjoint(row["id"] for row in body["results"])
    # A withdrawn proposal that was submitted once is the organisers' to see.
    assert scene.proposals["withdrawn"].id in _by_id(body["results"])


def test_proposal_gives_its_fields_speakers_with_email_review_summary_and_answers(api, scene):
    accepted = scene.proposals["accepted"]
    row = _by_id(api.json(scene.url("proposals"))["results"])[accepted.id]
    questions = scene.questions
    assert row == {
        "id": accepted.id,
        "title": "The accepted proposal",
        "abstract": "*Markdown* abstract of accepted.",
        "state": "accepted",
        "format": {"id": scene.session_format.id, "name": "Talk", "duration_minutes": 30},
        "track": {"id": scene.tracks["platform"].id, "name": "Platform"},
        "audience_level": "intermediate",
        "notes_to_organisers": "",
        "speakers": [
            {
                "id": scene.people["alice"].id,
                "name": "Alice Example",
                "email": "alice@example.com",
                "role": "submitter",
            },
            {
                "id": scene.people["bob"].id,
                "name": "Bob Example",
                "email": "bob@example.com",
                "role": "co_speaker",
            },
        ],
        "submitted_at": "2027-01-10T12:30:00Z",
        # Reviews of 83.33 (5 and 3, weights 2 and 1) and 75; Rita's z-scores are +1 and -1,
        # Ravi's only counted review is 0.
        "review": {"count": 2, "mean_score": 79.17, "normalised_score": 0.5},
        "answers": [
            {
                "question_id": questions["takeaway"].id,
                "question": "What will attendees take away?",
                "kind": "short_text",
                "answer": "Ship safely.",
                "retired": False,
                "applies": True,
            },
            # Only organisers see this one: organisers' tokens do.
            {
                "question_id": questions["experience"].id,
                "question": "How long have you worked on this?",
                "kind": "choice",
                "answer": "Longer",
                "retired": False,
                "applies": True,
            },
            {
                "question_id": questions["retired"].id,
                "question": "Old question?",
                "kind": "short_text",
                "answer": "Kept.",
                "retired": True,
                "applies": True,
            },
        ],
        "tags": [],  # the organisers' tags (tests/conference/tags/test_api.py)
    }


def test_set_aside_answers_are_the_speakers_alone(api, scene, db):
    """An answer to a question limited to another format is kept for its speakers but, as on the
    organisers' pages and in the CSV, not given out."""
    workshop = SessionFormatFactory(conference=scene.conference, name="Workshop", duration_minutes=90)
    limited = CfpQuestionFactory(conference=scene.conference, text="Room setup?", position=9,
                                 session_formats=[workshop])
    CfpAnswerFactory(proposal=scene.proposals["accepted"], question=limited, value="Set-aside answer")
    db.session.commit()
    row = _by_id(api.json(scene.url("proposals"))["results"])[scene.proposals["accepted"].id]
    assert "Set-aside answer" not in str(row)
    assert all(answer["applies"] for answer in row["answers"])


def test_proposal_speakers_leave_out_pending_invitations(api, scene):
    submitted = scene.proposals["submitted"]
    row = _by_id(api.json(scene.url("proposals"))["results"])[submitted.id]
    assert [speaker["name"] for speaker in row["speakers"]] == ["Alice Example"]


def test_review_summary_leaves_out_reviews_whose_author_is_now_conflicted(api, scene):
    submitted = scene.proposals["submitted"]
    row = _by_id(api.json(scene.url("proposals"))["results"])[submitted.id]
    assert row["review"]["count"] == 1
    assert row["review"]["mean_score"] == 25.0


def test_proposals_filter_by_states_and_track(api, scene, db):
    body = api.json(scene.url("proposals", state="accepted,confirmed"))
    expected = db.session.scalars(
        select(Proposal.id)
        .where(
            Proposal.conference_id == scene.conference.id,
            Proposal.state.in_((ProposalState.ACCEPTED, ProposalState.CONFIRMED)),
        )
        .order_by(Proposal.id)
    ).all()
    assert [row["id"] for row in body["results"]] == expected
    assert {row["state"] for row in body["results"]} == {"accepted", "confirmed"}

    platform = scene.tracks["platform"].id
    body = api.json(scene.url("proposals", track=platform, state="withdrawn"))
    assert [row["id"] for row in body["results"]] == [scene.proposals["withdrawn"].id]
    assert body["count"] == 1


def test_speakers_are_people_who_accepted_to_speak_on_a_listed_proposal(api, scene):
    body = api.json(scene.url("speakers"))
    people, proposals = scene.people, scene.proposals
    assert [row["id"] for row in body["results"]] == sorted(
        people[name].id for name in ("alice", "bob", "erin")
    )
    rows = _by_id(body["results"])
    assert rows[people["alice"].id] == {
        "id": people["alice"].id,
        "name": "Alice Example",
        "email": "alice@example.com",
        "time_zone": "Europe/London",
        "bio": "Builds **build** systems.",
        "presentation_mode": "remote",
        "hub": {"id": scene.hubs["london"].id, "name": "London", "time_zone": "Europe/London"},
        "proposals": sorted([proposals["accepted"].id, proposals["submitted"].id]),
    }
    # Bob's profile at another conference is not this conference's.
    assert rows[people["bob"].id]["bio"] == ""
    assert rows[people["bob"].id]["hub"] is None
    assert rows[people["erin"].id]["proposals"] == sorted(
        proposals[key].id for key in ("rejected", "declined", "withdrawn")
    )


def test_reviews_give_scores_comments_and_whether_they_count(api, scene):
    body = api.json(scene.url("reviews"))
    reviews = scene.reviews
    assert [row["id"] for row in body["results"]] == sorted(r.id for r in reviews.values())
    rows = _by_id(body["results"])
    rita = rows[reviews["rita_accepted"].id]
    relevance, clarity = scene.criteria
    assert rita["proposal_id"] == scene.proposals["accepted"].id
    assert rita["score"] == 83.33
    assert rita["counted"] is True
    # Rita's counted reviews score 83.33 and 25: z-scores +1 and -1.
    assert rita["normalised_score"] == 1.0
    assert rows[reviews["rita_submitted"].id]["normalised_score"] == -1.0
    assert rita["comment_for_speaker"] == "Great topic."
    assert rita["comment_for_organisers"] == "Yes."
    assert rita["scores"] == [
        {
            "criterion_id": relevance.id,
            "criterion": "Relevance",
            "value": 5,
            "scale_min": 1,
            "scale_max": 5,
            "weight": 2.0,
        },
        {
            "criterion_id": clarity.id,
            "criterion": "Clarity",
            "value": 3,
            "scale_min": 1,
            "scale_max": 5,
            "weight": 1.0,
        },
    ]
    assert UTC_INSTANT.match(rita["created_at"]) and UTC_INSTANT.match(rita["updated_at"])
    assert rows[reviews["ravi_submitted"].id]["counted"] is False
    assert rows[reviews["ravi_submitted"].id]["normalised_score"] is None


def test_a_token_made_by_a_speaker_gives_no_review_of_their_own_proposals(app, scene, db):
    alice = scene.people["alice"]
    RoleFactory(conference=scene.conference, user=alice, role=Role.ORGANISER)
    _token, secret = create_api_token(scene.conference, "Alice's sync", alice)
    bobs = ReviewFactory(proposal=scene.proposals["confirmed"], reviewer=scene.people["rita"])
    db.session.commit()
    body = ApiClient(app.test_client(), secret).json(scene.url("reviews"))
    assert [row["id"] for row in body["results"]] == [bobs.id]
    assert body["count"] == 1
    own = {scene.proposals["accepted"].id, scene.proposals["submitted"].id}
    theirs = ApiClient(app.test_client(), scene.secret).json(scene.url("reviews"))
    assert {row["proposal_id"] for row in theirs["results"]} == own | {bobs.proposal_id}


def test_reviews_filter_by_proposal(api, scene):
    submitted = scene.proposals["submitted"].id
    body = api.json(scene.url("reviews", proposal=submitted))
    assert {row["proposal_id"] for row in body["results"]} == {submitted}
    assert body["count"] == 2


def test_anonymised_reviews_give_the_reviewer_by_id_only(api, scene):
    body = api.json(scene.url("reviews"))
    assert body["anonymised_review"] is True
    rita = scene.people["rita"]
    for row in body["results"]:
        assert set(row["reviewer"]) == {"id"}
    assert _by_id(body["results"])[scene.reviews["rita_accepted"].id]["reviewer"] == {"id": rita.id}
    text = api.get(scene.url("reviews")).get_data(as_text=True)
    assert "Rita Example" not in text and "rita@example.com" not in text


def test_reviews_name_the_reviewer_when_review_is_not_anonymised(api, scene, db):
    scene.conference.settings = {**scene.conference.settings, "anonymised_review": False}
    db.session.commit()
    body = api.json(scene.url("reviews"))
    assert body["anonymised_review"] is False
    rita = scene.people["rita"]
    row = _by_id(body["results"])[scene.reviews["rita_accepted"].id]
    assert row["reviewer"] == {"id": rita.id, "name": "Rita Example"}


def test_rooms_give_hubs_with_their_zones_and_join_links(api, scene, db):
    body = api.json(scene.url("rooms"))
    expected = db.session.scalars(
        select(Room.id).where(Room.conference_id == scene.conference.id).order_by(Room.id)
    ).all()
    assert [row["id"] for row in body["results"]] == expected
    rows = _by_id(body["results"])
    thames, hudson, stream = (scene.rooms[key] for key in ("thames", "hudson", "stream"))
    assert rows[thames.id] == {
        "id": thames.id,
        "name": "Thames",
        "capacity": 120,
        "online": False,
        "hub": {"id": scene.hubs["london"].id, "name": "London", "time_zone": "Europe/London"},
        "has_streaming": True,
        "has_recording": False,
        "join_url": f"https://stream.example.invalid/room-{thames.id}",
    }
    assert rows[hudson.id]["hub"]["time_zone"] == "America/New_York"
    assert rows[hudson.id]["join_url"] is None
    assert rows[stream.id]["online"] is True
    assert rows[stream.id]["hub"] is None
    assert rows[stream.id]["join_url"] == f"https://stream.example.invalid/room-{stream.id}"


def test_tracks_are_this_conferences_only(api, scene, db):
    body = api.json(scene.url("tracks"))
    expected = db.session.scalars(
        select(Track.id).where(Track.conference_id == scene.conference.id).order_by(Track.id)
    ).all()
    assert [row["id"] for row in body["results"]] == expected
    assert _by_id(body["results"])[scene.tracks["platform"].id] == {
        "id": scene.tracks["platform"].id,
        "name": "Platform",
        "description": "Infra.",
        "colour": "#112233",
    }
    assert "Elsewhere" not in api.get(scene.url("tracks")).get_data(as_text=True)
