"""A conflict with a person covers that person's proposals, and no others."""

from sqlalchemy import select

from conference.reviews.models import ReviewAssignment
from tests.conference.reviews.conftest import assign, make_proposal, make_reviewer, make_user


def test_conflict_with_a_speaker_hides_only_that_speakers_proposals(client, organiser, conference, login, db):
    rita = make_reviewer(conference, display_name="Rita Reviewer")
    teammate = make_user(display_name="Tess Teammate")
    by_teammate = make_proposal(conference, speaker=teammate, title="Talk by Tess")
    unrelated = make_proposal(conference, title="Unrelated talk")
    assign(by_teammate, rita)
    db.session.commit()
    conflict = {"reviewer_id": rita.id, "proposal_id": 0, "speaker_id": teammate.id, "reason": "Same team"}
    assert client.post("/c/devcon/manage/conflicts", data=conflict).status_code == 302
    # The organiser can still assign Rita to a proposal Tess does not speak on.
    add = {"proposal_id": unrelated.id, "reviewer_id": rita.id}
    response = client.post("/c/devcon/manage/assignments/add", data=add)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert set(db.session.scalars(select(ReviewAssignment.proposal_id))) == {unrelated.id}
    client.post("/logout")
    login(rita)
    listed = client.get("/c/devcon/reviews/").get_data(as_text=True)
    assert "Unrelated talk" in listed and "Talk by Tess" not in listed
    assert client.get(f"/c/devcon/reviews/{unrelated.id}").status_code == 200
    assert client.get(f"/c/devcon/reviews/{by_teammate.id}").status_code == 404
