"""Each decision outcome is its own action: recorded, named and filtered apart. Entries of the
old shared action, and codes this version does not know, still read without an error."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from conference.activity.models import ActivityAction, UnknownAction
from conference.activity.queries import proposal_history
from conference.proposals.models import ProposalState
from tests.conference.activity.conftest import add_entry, entries, make_proposal
from tests.conference.organisers.conftest import make_user

ACTIVITY = "/c/devcon/manage/activity"
IN_SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
OUTCOMES = {
    "accepted": ("proposal_accepted", "accepted the proposal", "Proposal accepted"),
    "rejected": ("proposal_rejected", "rejected the proposal", "Proposal rejected"),
    "waitlisted": ("proposal_waitlisted", "put the proposal on the waiting list", "Proposal waitlisted"),
}


def _rows(body: str) -> list[str]:
    table = body[body.index("<tbody>"):body.index("</tbody>")] if "<tbody>" in body else ""
    rows = [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row))).strip() for row in table.split("<tr>")[1:]]
    return [row.split(" Europe/London ", 1)[1] for row in rows]


def _decide_over_http(client, db, conference):
    """One proposal per outcome, decided on its page's form; returns them by outcome."""
    proposals = {
        outcome: make_proposal(conference, make_user(display_name=f"{outcome.title()} Speaker"), title=f"{outcome} talk")
        for outcome in OUTCOMES
    }
    db.session.commit()
    for outcome, proposal in proposals.items():
        response = client.post(f"/c/devcon/manage/proposals/{proposal.id}/decision", data={"decision": outcome})
        assert response.status_code == 302
    db.session.expire_all()
    return proposals


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_the_filter_picks_one_decision_outcome_alone(client, db, conference, organiser, outcome):
    proposals = _decide_over_http(client, db, conference)
    action, sentence, label = OUTCOMES[outcome]
    body = client.get(f"{ACTIVITY}?action={action}").get_data(as_text=True)
    assert _rows(body) == [f"Olu Organiser {sentence} {outcome} talk"]
    assert f'<option value="{action}" selected>{label}</option>' in body
    history = client.get(f"/c/devcon/manage/proposals/{proposals[outcome].id}").get_data(as_text=True)
    assert f"Olu Organiser {sentence}" in history


def test_each_outcome_is_recorded_under_its_action_with_the_states_in_its_details(client, db, conference, organiser):
    proposals = _decide_over_http(client, db, conference)
    assert entries(db) == [
        (OUTCOMES[outcome][0], organiser.id, proposal.id, {"state": outcome, "previous": "submitted"})
        for outcome, proposal in proposals.items()
    ]


def test_a_changed_decision_says_what_it_was_and_a_first_one_does_not(client, db, conference, organiser):
    proposal = make_proposal(conference, title="Edge caching")
    db.session.commit()
    url = f"/c/devcon/manage/proposals/{proposal.id}/decision"
    client.post(url, data={"decision": "waitlisted"})
    client.post(url, data={"decision": "accepted"})
    assert _rows(client.get(ACTIVITY).get_data(as_text=True)) == [
        "Olu Organiser accepted the proposal (it was waitlisted) Edge caching",
        "Olu Organiser put the proposal on the waiting list Edge caching",
    ]


def test_the_old_shared_action_reads_as_before_and_is_offered_only_where_the_log_has_it(
    client, db, conference, organiser
):
    proposal = make_proposal(conference, title="Edge caching")
    db.session.commit()
    body = client.get(ACTIVITY).get_data(as_text=True)
    assert 'value="proposal_decided"' not in body
    for outcome in OUTCOMES:
        assert f'value="{OUTCOMES[outcome][0]}"' in body
    # An entry the migration could not give an outcome (its details never said it).
    add_entry(conference, ActivityAction.PROPOSAL_DECIDED, IN_SUMMER, proposal, organiser)
    add_entry(conference, ActivityAction.PROPOSAL_DECIDED, IN_SUMMER, proposal, organiser,
              {"state": "accepted", "previous": "submitted"})
    db.session.commit()
    body = client.get(f"{ACTIVITY}?action=proposal_decided").get_data(as_text=True)
    assert '<option value="proposal_decided" selected>Decision (outcome not recorded)</option>' in body
    assert _rows(body) == [
        "Olu Organiser decided on the proposal: accepted (was submitted) Edge caching",
        "Olu Organiser decided on the proposal Edge caching",
    ]


def test_an_unknown_action_code_is_listed_by_its_code_never_an_error(client, db, conference, organiser):
    proposal = make_proposal(conference, title="Edge caching")
    db.session.commit()
    # Written by a newer version of the planner, say, then read by this one.
    db.session.execute(text(
        "INSERT INTO activity_entries (conference_id, proposal_id, actor_id, by_system, action, details, created_at)"
        " VALUES (:conference, :proposal, :actor, false, 'proposal_teleported', '{}', :at)"
    ), {"conference": conference.id, "proposal": proposal.id, "actor": organiser.id, "at": IN_SUMMER})
    db.session.commit()
    db.session.expire_all()
    [entry] = proposal_history(proposal, organiser)
    assert entry.action == UnknownAction("proposal_teleported")
    expected = "Olu Organiser did something this version of the planner cannot describe (“proposal_teleported”)"
    page = client.get(ACTIVITY)
    assert page.status_code == 200
    assert _rows(page.get_data(as_text=True)) == [f"{expected} Edge caching"]
    history = client.get(f"/c/devcon/manage/proposals/{proposal.id}")
    assert history.status_code == 200 and expected in html.unescape(history.get_data(as_text=True))
    # Filtering by it is no filter (it is not an action this version offers), not an error.
    assert client.get(f"{ACTIVITY}?action=proposal_teleported").status_code == 200


def test_the_decision_wording_is_the_same_without_a_request(db, conference, organiser):
    proposal = make_proposal(conference)
    entry = add_entry(conference, ActivityAction.PROPOSAL_REJECTED, IN_SUMMER, proposal, organiser,
                      {"state": ProposalState.REJECTED.value, "previous": "accepted"})
    assert entry.sentence == "rejected the proposal (it was accepted)"
