"""Organisers run the assignment and adjust it by hand."""

from datetime import UTC, datetime

from sqlalchemy import select

from conference.proposals.models import ProposalState
from conference.reviews.models import AssignmentSource, ReviewAssignment
from tests.conference.reviews.conftest import assign, make_proposal, make_reviewer
from tests.factories import ConflictFactory, ReviewAssignmentFactory, ReviewFactory


def _pairs(db):
    db.session.expire_all()
    return {(a.proposal_id, a.reviewer_id) for a in db.session.scalars(select(ReviewAssignment))}


def test_assign_button_gives_each_submitted_proposal_k_reviewers(client, organiser, conference, db):
    reviewers = [make_reviewer(conference, display_name=f"Reviewer {n}") for n in range(4)]
    own = make_proposal(conference, speaker=reviewers[0], title="Own talk")
    conflicted = make_proposal(conference, title="Conflicted talk")
    ConflictFactory(proposal=conflicted, reviewer=reviewers[1])
    others = [make_proposal(conference) for _ in range(3)]
    draft = make_proposal(conference, state=ProposalState.DRAFT)
    kept = assign(others[0], reviewers[3])
    ReviewFactory(proposal=others[0], reviewer=reviewers[3])
    db.session.commit()
    kept_id = kept.id
    assert client.post("/c/devcon/manage/assignments/run").status_code == 302
    pairs = _pairs(db)
    for proposal in [own, conflicted, *others]:
        assert len({r for p, r in pairs if p == proposal.id}) == 2
    assert (own.id, reviewers[0].id) not in pairs
    assert (conflicted.id, reviewers[1].id) not in pairs
    assert not any(p == draft.id for p, _ in pairs)
    assert db.session.get(ReviewAssignment, kept_id) is not None
    loads = [sum(1 for _, r in pairs if r == reviewer.id) for reviewer in reviewers]
    assert max(loads) - min(loads) <= 1
    # Pressing again adds nothing.
    client.post("/c/devcon/manage/assignments/run")
    assert _pairs(db) == pairs
    page = client.get("/c/devcon/manage/assignments").get_data(as_text=True)
    assert "Load per reviewer" in page and "Reviewer 3" in page


def test_understaffed_proposals_are_listed(client, organiser, conference, db):
    reviewer = make_reviewer(conference)
    make_proposal(conference, title="Lonely talk")
    db.session.commit()
    response = client.post("/c/devcon/manage/assignments/run", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "1 proposal could not get 2 reviewers" in body
    assert "Lonely talk: 1 of 2" in body
    assert len(_pairs(db)) == 1 and reviewer


def test_organiser_adds_and_removes_a_reviewer_by_hand(client, organiser, conference, db):
    reviewer = make_reviewer(conference, display_name="Hand Picked")
    proposal = make_proposal(conference)
    db.session.commit()
    data = {"proposal_id": proposal.id, "reviewer_id": reviewer.id}
    assert client.post("/c/devcon/manage/assignments/add", data=data).status_code == 302
    assert client.post("/c/devcon/manage/assignments/add", data=data).status_code == 302
    db.session.expire_all()
    [assignment] = db.session.scalars(select(ReviewAssignment)).all()
    assert assignment.source == AssignmentSource.ORGANISER
    assert client.post(f"/c/devcon/manage/assignments/{assignment.id}/remove").status_code == 302
    assert _pairs(db) == set()


def test_adding_a_conflicted_or_own_reviewer_is_refused(client, organiser, conference, db):
    speaker = make_reviewer(conference, display_name="Sam Speaker")
    conflicted = make_reviewer(conference, display_name="Cora Conflicted")
    proposal = make_proposal(conference, speaker=speaker)
    ConflictFactory(proposal=None, conference_id=conference.id, speaker=speaker, reviewer=conflicted)
    db.session.commit()
    own = client.post("/c/devcon/manage/assignments/add", data={"proposal_id": proposal.id, "reviewer_id": speaker.id})
    assert own.status_code == 400
    assert "Sam Speaker is a speaker of this proposal." in own.get_data(as_text=True)
    other = client.post(
        "/c/devcon/manage/assignments/add", data={"proposal_id": proposal.id, "reviewer_id": conflicted.id}
    )
    assert other.status_code == 400
    assert "Cora Conflicted has a conflict of interest" in other.get_data(as_text=True)
    assert _pairs(db) == set()


def test_assignment_of_another_conference_is_not_found(client, organiser, conference, db):
    foreign = ReviewAssignmentFactory()
    reviewer = make_reviewer(conference)
    db.session.commit()
    assert client.post(f"/c/devcon/manage/assignments/{foreign.id}/remove").status_code == 404
    data = {"proposal_id": foreign.proposal_id, "reviewer_id": reviewer.id}
    assert client.post("/c/devcon/manage/assignments/add", data=data).status_code == 404
    assert len(_pairs(db)) == 1


def test_a_draft_cannot_be_assigned_and_a_withdrawn_or_decided_proposal_is_refused(
    client, organiser, conference, db
):
    reviewer = make_reviewer(conference, display_name="Hand Picked")
    draft = make_proposal(conference, title="Secret draft", state=ProposalState.DRAFT)
    # Submitted, then withdrawn (one withdrawn before it was ever submitted is a draft: a 404).
    withdrawn = make_proposal(
        conference, title="Gone", state=ProposalState.WITHDRAWN,
        submitted_at=datetime(2026, 11, 2, tzinfo=UTC),
    )
    accepted = make_proposal(conference, title="Already in", state=ProposalState.ACCEPTED)
    db.session.commit()

    def add(proposal):
        return client.post(
            "/c/devcon/manage/assignments/add",
            data={"proposal_id": proposal.id, "reviewer_id": reviewer.id},
        )

    hidden = add(draft)
    refused = [add(withdrawn), add(accepted)]

    assert hidden.status_code == 404
    assert "Secret draft" not in hidden.get_data(as_text=True)
    assert [response.status_code for response in refused] == [400, 400]
    assert "Not assigned: “Gone” no longer waits for reviews (it is withdrawn).<" in refused[0].get_data(as_text=True)
    assert "“Already in” no longer waits for reviews (it is accepted)." in refused[1].get_data(as_text=True)
    assert _pairs(db) == set()
