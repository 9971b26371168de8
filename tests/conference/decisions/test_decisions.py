import csv
import io

from sqlalchemy import select

from conference.conferences.models import Role
from conference.mail.models import OutboxMessage
from conference.proposals.models import Proposal, ProposalState
from tests.conference.decisions.conftest import add_review, make_proposal
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ConferenceFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
    RoleFactory,
)

ORGANISER_PAGES = [
    "/c/devcon/manage/ranking",
    "/c/devcon/manage/ranking.csv",
    "/c/devcon/manage/cfp",
]
ORGANISER_ACTIONS = [
    "/c/devcon/manage/decisions",
    "/c/devcon/manage/decisions/emails",
    "/c/devcon/manage/reminders/confirmation",
    "/c/devcon/manage/reminders/review",
]


def _states(db, *proposals):
    db.session.expire_all()
    return [db.session.get(Proposal, p.id).state for p in proposals]


def test_decision_pages_anonymous_redirect_to_login(client, conference):
    for path in ORGANISER_PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_decision_pages_for_organiser_of_another_conference_are_forbidden(client, conference, login, db):
    other = RoleFactory(conference=ConferenceFactory(slug="other"), user=make_user(), role=Role.ORGANISER)
    RoleFactory(conference=conference, user=other.user, role=Role.REVIEWER)
    proposal = make_proposal(conference)
    db.session.commit()
    login(other.user)
    for path in ORGANISER_PAGES:
        assert client.get(path).status_code == 403, path
    for path in ORGANISER_ACTIONS:
        assert client.post(path, data={"proposal_ids": [proposal.id], "decision": "accepted"}).status_code == 403
    assert client.post(f"/c/devcon/manage/proposals/{proposal.id}/decision",
                       data={"decision": "accepted"}).status_code == 403
    assert _states(db, proposal) == [ProposalState.SUBMITTED]
    assert client.get("/c/nope/manage/ranking").status_code == 404


def test_ranking_orders_by_normalised_score_and_shows_speakers(client, organiser, conference, db):
    criterion = ReviewCriterionFactory(conference=conference)
    harsh, lenient = make_user(), make_user()
    weak = make_proposal(conference, title="Weak talk")
    strong = make_proposal(conference, title="Strong talk")
    make_proposal(conference, title="Draft talk", state=ProposalState.DRAFT)
    add_review(weak, harsh, 1, criterion)
    add_review(strong, harsh, 3, criterion)
    add_review(weak, lenient, 4, criterion)
    add_review(strong, lenient, 5, criterion)
    db.session.commit()
    body = client.get("/c/devcon/manage/ranking").get_data(as_text=True)
    assert body.index("Strong talk") < body.index("Weak talk")
    assert "Draft talk" not in body
    assert strong.speakers[0].user.display_name in body
    # Strong: z +1 from both reviewers; means 75 (50 and 100) and 37.5 (0 and 75).
    assert "+1.00" in body and "-1.00" in body and "75.0" in body and "37.5" in body
    ascending = client.get("/c/devcon/manage/ranking?sort=mean&order=asc").get_data(as_text=True)
    assert ascending.index("Strong talk") > ascending.index("Weak talk")
    filtered = client.get(f"/c/devcon/manage/ranking?track={weak.track_id}").get_data(as_text=True)
    assert "Weak talk" in filtered and "Strong talk" not in filtered
    assert client.get("/c/devcon/manage/ranking?sort=nonsense&state=bogus&track=x").status_code == 200


def test_ranking_csv_neutralises_formulas(client, organiser, conference, db):
    make_proposal(conference, title='=HYPERLINK("http://evil.example","click")')
    make_proposal(conference, title="+1+1")
    make_proposal(conference, title="@SUM(A1)")
    make_proposal(conference, title="\tTabbed")
    make_proposal(conference, title="Plain, with comma")
    db.session.commit()
    response = client.get("/c/devcon/manage/ranking.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="devcon-ranking.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "Rank"
    titles = {row[2] for row in rows[1:]}
    assert titles == {"'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1+1", "'@SUM(A1)", "'\tTabbed",
                      "Plain, with comma"}
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


def test_bulk_decisions_move_ticked_proposals_only(client, organiser, conference, db):
    first, second, untouched = (make_proposal(conference) for _ in range(3))
    draft = make_proposal(conference, state=ProposalState.DRAFT)
    db.session.commit()
    response = client.post("/c/devcon/manage/decisions",
                           data={"proposal_ids": [first.id, second.id], "decision": "accepted"})
    assert response.status_code == 302
    assert _states(db, first, second, untouched) == [ProposalState.ACCEPTED] * 2 + [ProposalState.SUBMITTED]
    # Changing a decision is allowed; a draft cannot be decided.
    client.post("/c/devcon/manage/decisions",
                data={"proposal_ids": [second.id, draft.id], "decision": "waitlisted"})
    assert _states(db, second, draft) == [ProposalState.WAITLISTED, ProposalState.DRAFT]
    # Nothing ticked: an error, no change.
    client.post("/c/devcon/manage/decisions", data={"decision": "rejected"})
    assert _states(db, first) == [ProposalState.ACCEPTED]
    assert client.get("/c/devcon/manage/decisions").status_code == 405


def test_bulk_decision_on_another_conferences_proposal_is_not_found(client, organiser, conference, db):
    foreign = make_proposal(ConferenceFactory(slug="other"))
    mine = make_proposal(conference)
    db.session.commit()
    response = client.post("/c/devcon/manage/decisions",
                           data={"proposal_ids": [mine.id, foreign.id], "decision": "rejected"})
    assert response.status_code == 404
    assert _states(db, mine, foreign) == [ProposalState.SUBMITTED] * 2
    assert client.post(f"/c/devcon/manage/proposals/{foreign.id}/decision",
                       data={"decision": "rejected"}).status_code == 404


def test_single_decision(client, organiser, conference, db):
    proposal = make_proposal(conference)
    db.session.commit()
    client.post(f"/c/devcon/manage/proposals/{proposal.id}/decision", data={"decision": "rejected"})
    assert _states(db, proposal) == [ProposalState.REJECTED]
    assert client.post(f"/c/devcon/manage/proposals/{proposal.id}/decision",
                       data={"decision": "confirmed"}).status_code == 400


def test_decision_emails_are_queued_once_per_speaker_and_decision(client, organiser, conference, db):
    accepted = make_proposal(conference, speakers=2, state=ProposalState.ACCEPTED, title="Good talk")
    make_proposal(conference, state=ProposalState.SUBMITTED)
    add_review(accepted, make_user(), 5, comment_for_speaker="Loved the demo.")
    db.session.commit()
    client.post("/c/devcon/manage/decisions/emails")
    client.post("/c/devcon/manage/decisions/emails")
    db.session.expire_all()
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert sorted(m.recipient for m in messages) == sorted(s.user.email for s in accepted.speakers)
    assert all("Loved the demo." in m.body and m.subject == "Accepted: Good talk" for m in messages)
    assert all(f"/c/devcon/proposals/{accepted.id}/confirmation" in m.body for m in messages)
    # A changed decision gets its own e-mail, once.
    client.post(f"/c/devcon/manage/proposals/{accepted.id}/decision", data={"decision": "waitlisted"})
    client.post("/c/devcon/manage/decisions/emails")
    client.post(f"/c/devcon/manage/proposals/{accepted.id}/decision", data={"decision": "accepted"})
    client.post("/c/devcon/manage/decisions/emails")
    db.session.expire_all()
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 4


def test_confirmation_by_speaker_and_not_found_for_others(client, conference, login, db):
    proposal = make_proposal(conference, state=ProposalState.ACCEPTED, title="Accepted talk")
    submitted = make_proposal(conference)
    speaker = proposal.speakers[0].user
    stranger = make_user()
    db.session.commit()
    login(stranger)
    url = f"/c/devcon/proposals/{proposal.id}/confirmation"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"answer": "confirm"}).status_code == 404
    assert _states(db, proposal) == [ProposalState.ACCEPTED]
    client.post("/logout")
    login(speaker)
    assert "Accepted talk" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={}).status_code == 422
    assert client.post(url, data={"answer": "confirm"}).status_code == 302
    assert _states(db, proposal) == [ProposalState.CONFIRMED]
    client.post(url, data={"answer": "decline"})
    assert _states(db, proposal) == [ProposalState.DECLINED]
    # The speaker of a different proposal sees nothing of this one; nothing to confirm on a submitted one.
    assert client.get(f"/c/devcon/proposals/{submitted.id}/confirmation").status_code == 404
    assert client.get(f"/c/other/proposals/{proposal.id}/confirmation").status_code == 404


def test_confirmation_of_a_not_accepted_proposal_is_refused(client, conference, login, db):
    proposal = make_proposal(conference, state=ProposalState.REJECTED)
    db.session.commit()
    login(proposal.speakers[0].user)
    url = f"/c/devcon/proposals/{proposal.id}/confirmation"
    assert "nothing to confirm" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"answer": "confirm"}).status_code == 409
    assert _states(db, proposal) == [ProposalState.REJECTED]


def test_reminders_go_once_a_day_to_unconfirmed_speakers_and_reviewers_with_open_reviews(
    client, organiser, conference, db
):
    accepted = make_proposal(conference, state=ProposalState.ACCEPTED)
    make_proposal(conference, state=ProposalState.CONFIRMED)
    busy, finished = make_user(), make_user()
    for reviewer in (busy, finished):
        RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
    ReviewAssignmentFactory(proposal=make_proposal(conference), reviewer=busy)
    other = make_proposal(conference)
    ReviewAssignmentFactory(proposal=other, reviewer=busy)
    ReviewAssignmentFactory(proposal=other, reviewer=finished)
    add_review(other, finished, 3)
    db.session.commit()
    for _ in range(2):
        client.post("/c/devcon/manage/reminders/confirmation")
        client.post("/c/devcon/manage/reminders/review")
    db.session.expire_all()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert sorted(m.recipient for m in messages) == sorted([accepted.speakers[0].user.email, busy.email])
    review_reminder = next(m for m in messages if m.recipient == busy.email)
    assert review_reminder.subject.startswith("2 reviews waiting")
    assert all(":20" in m.dedupe_key for m in messages)  # the date is part of the key


def test_cfp_dashboard_counts_chart_and_progress(client, organiser, conference, db):
    reviewer = make_user(display_name="Rita Reviewer")
    RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
    first = make_proposal(conference, state=ProposalState.ACCEPTED)
    reviewed = make_proposal(conference, state=ProposalState.SUBMITTED, track=first.track)
    make_proposal(conference, state=ProposalState.SUBMITTED)
    ReviewAssignmentFactory(proposal=reviewed, reviewer=reviewer)
    add_review(reviewed, reviewer, 4)
    db.session.commit()
    response = client.get("/c/devcon/manage/cfp")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg role="img"' in body and "<title" in body
    assert first.track.name in body
    assert 'data-count="state-submitted">2<' in body and 'data-count="state-accepted">1<' in body
    assert "Rita Reviewer" in body and '<progress value="1" max="1"' in body
    assert 'aria-current="page"' in body


def test_start_page_prompts_speakers_of_accepted_proposals_to_confirm(client, conference, login, db):
    accepted = make_proposal(conference, state=ProposalState.ACCEPTED, title="Accepted talk")
    speaker = accepted.speakers[0].user
    RoleFactory(conference=conference, user=speaker, role=Role.SPEAKER)
    db.session.commit()
    login(speaker)
    body = client.get("/").get_data(as_text=True)
    assert f"/c/devcon/proposals/{accepted.id}/confirmation" in body and "Confirm participation" in body
    client.post(f"/c/devcon/proposals/{accepted.id}/confirmation", data={"answer": "confirm"})
    assert "Confirm participation" not in client.get("/").get_data(as_text=True)


def test_decision_actions_without_csrf_token_are_refused(app, client, organiser, conference, db):
    proposal = make_proposal(conference, state=ProposalState.ACCEPTED)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/c/devcon/manage/decisions",
                       data={"proposal_ids": [proposal.id], "decision": "rejected"}).status_code == 400
    assert client.post("/c/devcon/manage/decisions/emails").status_code == 400
    assert client.post(f"/c/devcon/manage/proposals/{proposal.id}/decision",
                       data={"decision": "rejected"}).status_code == 400
    assert _states(db, proposal) == [ProposalState.ACCEPTED]
    assert db.session.scalars(select(OutboxMessage)).all() == []
