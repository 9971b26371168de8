"""A draft its speaker withdraws without ever submitting stays the speaker's alone: organisers
never see it, as they never see drafts. One submitted first and then withdrawn they do see."""

from sqlalchemy import select

from conference.conferences.models import Role
from conference.proposals.models import Proposal
from tests.conference.proposals.conftest import make_user, proposal_form
from tests.conftest import AuthActions
from tests.factories import RoleFactory


def _withdrawn(client, db, conference, title, *, submit_first):
    button = {"submit": "Submit"} if submit_first else {"submit": None, "save_draft": "Save as draft"}
    assert client.post("/c/devcon/proposals/new", data=proposal_form(conference, title=title, **button)).status_code == 302
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == title))
    assert client.post(f"/c/devcon/proposals/{proposal.id}/withdraw").status_code == 302
    return proposal.id


def test_organisers_never_see_a_draft_withdrawn_before_it_was_submitted(
    app, client, db, conference, speaker
):
    private = _withdrawn(client, db, conference, "Half an idea", submit_first=False)
    public = _withdrawn(client, db, conference, "A real submission", submit_first=True)
    organiser = make_user()
    reviewer = make_user(display_name="Rita Reviewer")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
    db.session.commit()
    as_organiser = app.test_client()
    assert AuthActions(as_organiser).login(organiser.email).status_code == 302

    hidden_page = as_organiser.get(f"/c/devcon/manage/proposals/{private}")
    shown_page = as_organiser.get(f"/c/devcon/manage/proposals/{public}")
    hidden_assignment = as_organiser.post(
        "/c/devcon/manage/assignments/add", data={"proposal_id": private, "reviewer_id": reviewer.id}
    )
    conflicts = as_organiser.get("/c/devcon/manage/conflicts").get_data(as_text=True)
    feedback = as_organiser.get(f"/c/devcon/manage/feedback/talks/{private}")

    assert hidden_page.status_code == 404
    assert "Half an idea" not in hidden_page.get_data(as_text=True)
    assert shown_page.status_code == 200
    assert "A real submission" in shown_page.get_data(as_text=True)
    assert hidden_assignment.status_code == 404
    assert "Half an idea" not in conflicts and "A real submission" in conflicts
    assert feedback.status_code == 404
