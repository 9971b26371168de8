"""Conflicts declared by reviewers or set by organisers, and reviewers' track preferences."""

from sqlalchemy import select

from conference.reviews.models import (
    Conflict,
    ConflictSource,
    ReviewAssignment,
    ReviewerTrackPreference,
)
from tests.conference.reviews.conftest import assign, make_proposal, make_reviewer, make_user
from tests.factories import ConflictFactory, TrackFactory


def _all(db, model):
    db.session.expire_all()
    return db.session.scalars(select(model)).all()


def test_reviewer_declares_conflict_and_proposal_leaves_their_list(client, reviewer, conference, db):
    proposal = make_proposal(conference, title="My friend's talk")
    assign(proposal, reviewer)
    db.session.commit()
    response = client.post(f"/c/devcon/reviews/{proposal.id}/conflict", data={"reason": "Same team"})
    assert response.status_code == 302
    [conflict] = _all(db, Conflict)
    assert (conflict.proposal_id, conflict.reviewer_id, conflict.reason, conflict.source) == (
        proposal.id, reviewer.id, "Same team", ConflictSource.DECLARED,
    )
    assert _all(db, ReviewAssignment) == []
    assert "My friend's talk" not in client.get("/c/devcon/reviews/").get_data(as_text=True)
    assert client.get(f"/c/devcon/reviews/{proposal.id}").status_code == 404


def test_organiser_sets_proposal_and_speaker_conflicts_and_removes_them(client, organiser, conference, db):
    reviewer = make_reviewer(conference, display_name="Rita Reviewer")
    teammate = make_user(display_name="Tess Teammate")
    proposal = make_proposal(conference, title="Proposal A")
    by_teammate = make_proposal(conference, speaker=teammate, title="Proposal B")
    assign(proposal, reviewer)
    assign(by_teammate, reviewer)
    db.session.commit()
    page = client.get("/c/devcon/manage/conflicts").get_data(as_text=True)
    assert "Rita Reviewer" in page and "Tess Teammate" in page
    add = {"reviewer_id": reviewer.id, "proposal_id": proposal.id, "speaker_id": 0, "reason": "Mentor"}
    assert client.post("/c/devcon/manage/conflicts", data=add).status_code == 302
    assert client.post("/c/devcon/manage/conflicts", data=add).status_code == 302  # no duplicate
    by_person = {"reviewer_id": reviewer.id, "proposal_id": 0, "speaker_id": teammate.id, "reason": "Same team"}
    assert client.post("/c/devcon/manage/conflicts", data=by_person).status_code == 302
    conflicts = _all(db, Conflict)
    assert len(conflicts) == 2
    assert _all(db, ReviewAssignment) == []
    listed = client.get("/c/devcon/manage/conflicts").get_data(as_text=True)
    assert "Every proposal of Tess Teammate" in listed and "Same team" in listed
    client.post(f"/c/devcon/manage/conflicts/{conflicts[0].id}/delete")
    assert len(_all(db, Conflict)) == 1


def test_conflict_form_requires_exactly_one_target(client, organiser, conference, db):
    reviewer = make_reviewer(conference)
    speaker = make_user()
    proposal = make_proposal(conference, speaker=speaker)
    db.session.commit()
    for proposal_id, speaker_id in ((0, 0), (proposal.id, speaker.id)):
        data = {"reviewer_id": reviewer.id, "proposal_id": proposal_id, "speaker_id": speaker_id}
        response = client.post("/c/devcon/manage/conflicts", data=data)
        assert response.status_code == 400
        assert "Choose either a proposal or a speaker" in response.get_data(as_text=True)
    foreign_reviewer = make_user()
    db.session.commit()
    data = {"reviewer_id": foreign_reviewer.id, "proposal_id": proposal.id, "speaker_id": 0}
    assert client.post("/c/devcon/manage/conflicts", data=data).status_code == 400
    assert _all(db, Conflict) == []


def test_conflict_of_another_conference_cannot_be_removed(client, organiser, db):
    foreign = ConflictFactory()
    db.session.commit()
    assert client.post(f"/c/devcon/manage/conflicts/{foreign.id}/delete").status_code == 404
    assert len(_all(db, Conflict)) == 1


def test_reviewer_sets_track_preferences(client, reviewer, conference, db):
    platform = TrackFactory(conference=conference, name="Platform")
    data_track = TrackFactory(conference=conference, name="Data")
    db.session.commit()
    assert "Platform" in client.get("/c/devcon/reviews/preferences").get_data(as_text=True)
    data = {f"track_{platform.id}": "1", f"track_{data_track.id}": "-1"}
    assert client.post("/c/devcon/reviews/preferences", data=data).status_code == 302
    assert client.post("/c/devcon/reviews/preferences", data=data).status_code == 302
    saved = {p.track_id: p.preference for p in _all(db, ReviewerTrackPreference)}
    assert saved == {platform.id: 1, data_track.id: -1}
    bad = client.post("/c/devcon/reviews/preferences", data={f"track_{platform.id}": "7"})
    assert bad.status_code == 400
