"""The history on the organisers' proposal page and the conference's activity page."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from conference.accounts.models import User
from conference.activity.models import ActivityAction, ActivityEntry
from conference.conferences.models import Role
from conference.proposals.models import Proposal, ProposalState
from tests.conference.activity.conftest import add_entry, make_organiser, make_proposal
from tests.conference.organisers.conftest import make_user
from tests.factories import ConferenceFactory, RoleFactory
from tests.statements import statements_for_page

ACTIVITY = "/c/devcon/manage/activity"
# London's clocks went back at 01:00 UTC on 25 Oct 2026: 01:30 local came twice that night.
ON_THE_NIGHT_CLOCKS_CHANGE = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
IN_SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _history(body: str) -> str:
    return body[body.index('id="history-heading"'):]


def _rows(body: str) -> list[str]:
    """The activity table's rows as text, newest first."""
    table = body[body.index("<tbody>"):body.index("</tbody>")] if "<tbody>" in body else ""
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row))).strip() for row in table.split("<tr>")[1:]]


# --- the proposal's history -----------------------------------------------------------------


def test_history_shows_entries_newest_first_in_the_viewers_zone_with_its_label(client, db, conference, organiser):
    speaker = make_user(display_name="Sam Speaker")
    proposal = make_proposal(conference, speaker, title="Edge caching")
    add_entry(conference, ActivityAction.PROPOSAL_SUBMITTED, IN_SUMMER, proposal, speaker)
    add_entry(conference, ActivityAction.PROPOSAL_ACCEPTED, ON_THE_NIGHT_CLOCKS_CHANGE, proposal, organiser,
              {"state": "accepted", "previous": "submitted"})
    db.session.commit()
    history = _history(_page(client, f"/c/devcon/manage/proposals/{proposal.id}"))
    decided = history.index("Olu Organiser accepted the proposal")
    submitted = history.index("Sam Speaker submitted the proposal")
    assert decided < submitted
    # 00:30 UTC is 01:30 BST, the first of that night's two 01:30s: the offset tells them apart.
    assert "Sun 25 Oct 2026, 01:30 UTC+01:00" in history
    assert "Wed 01 Jul 2026, 13:00" in history
    assert history.count('<span class="tz-label">Europe/London</span>') == 2


def test_history_follows_the_viewers_own_zone(client, db, conference, login):
    viewer = make_organiser(conference, time_zone="America/New_York")
    proposal = make_proposal(conference)
    add_entry(conference, ActivityAction.PROPOSAL_SUBMITTED, IN_SUMMER, proposal, viewer)
    db.session.commit()
    login(viewer)
    history = _history(_page(client, f"/c/devcon/manage/proposals/{proposal.id}"))
    assert "Wed 01 Jul 2026, 08:00" in history and "America/New_York" in history


def test_system_and_former_members_are_named_and_deleting_people_or_proposals_keeps_working(
    client, db, conference, organiser
):
    leaver = make_user(display_name="Lee Leaver")
    proposal = make_proposal(conference)
    add_entry(conference, ActivityAction.PROPOSAL_WITHDRAWN, IN_SUMMER, proposal, leaver)
    add_entry(conference, ActivityAction.DRAFT_SCHEDULE_BUILT, IN_SUMMER, details={"scheduled": 4})
    db.session.commit()
    db.session.execute(delete(User).where(User.id == leaver.id))
    db.session.commit()
    rows = _rows(_page(client, ACTIVITY))
    assert any("A former member withdrew the proposal" in row for row in rows)
    assert any("System saved the solver's result as the draft schedule (4 talks placed)" in row for row in rows)
    db.session.execute(delete(Proposal).where(Proposal.id == proposal.id))
    db.session.commit()
    assert db.session.scalar(select(func.count(ActivityEntry.id))) == 1


def test_an_organiser_who_speaks_does_not_see_review_entries_of_their_own_proposal(client, db, conference, login):
    speaking_organiser = make_organiser(conference, display_name="Orla Both")
    reviewer = make_user(display_name="Rhea Reviewer")
    own = make_proposal(conference, speaking_organiser, title="My own talk")
    other = make_proposal(conference, title="Somebody else's talk")
    add_entry(conference, ActivityAction.REVIEW_SUBMITTED, IN_SUMMER, own, reviewer)
    add_entry(conference, ActivityAction.REVIEW_CHANGED, IN_SUMMER, own, reviewer)
    add_entry(conference, ActivityAction.PROPOSAL_SUBMITTED, IN_SUMMER, own, speaking_organiser)
    add_entry(conference, ActivityAction.REVIEW_SUBMITTED, IN_SUMMER, other, reviewer)
    colleague = make_organiser(conference)
    db.session.commit()

    login(speaking_organiser)
    history = _history(_page(client, f"/c/devcon/manage/proposals/{own.id}"))
    assert "Rhea Reviewer" not in history and "Orla Both submitted the proposal" in history
    rows = _rows(_page(client, ACTIVITY))
    assert [row for row in rows if "review" in row] == [
        next(row for row in rows if "Somebody else's talk" in row)
    ]
    assert not any("My own talk" in row and "Rhea" in row for row in rows)
    reviews_of_own = _rows(_page(client, f"{ACTIVITY}?proposal={own.id}&action=review_submitted"))
    assert reviews_of_own == []

    # Anonymised review changes nothing for organisers: they know who reviewed.
    conference.settings = {**(conference.settings or {}), "anonymised_review": True}
    db.session.commit()
    client.post("/logout")
    login(colleague)
    history = _history(_page(client, f"/c/devcon/manage/proposals/{own.id}"))
    assert history.count("Rhea Reviewer") == 2
    assert sum("Rhea Reviewer" in row for row in _rows(_page(client, ACTIVITY))) == 3


# --- the conference's activity page ---------------------------------------------------------


def _scene(conference, organiser):
    ada, bo = make_user(display_name="Ada"), make_user(display_name="Bo")
    first = make_proposal(conference, ada, title="First talk")
    second = make_proposal(conference, bo, title="Second talk")
    draft = make_proposal(conference, bo, state=ProposalState.DRAFT, title="Secret draft")
    add_entry(conference, ActivityAction.PROPOSAL_SUBMITTED, IN_SUMMER, first, ada)
    add_entry(conference, ActivityAction.PROPOSAL_SUBMITTED, IN_SUMMER + timedelta(minutes=1), second, bo)
    add_entry(conference, ActivityAction.PROPOSAL_CREATED, IN_SUMMER + timedelta(minutes=2), draft, bo)
    add_entry(conference, ActivityAction.PROPOSAL_ACCEPTED, IN_SUMMER + timedelta(minutes=3), first, organiser,
              {"state": "accepted", "previous": "submitted"})
    add_entry(conference, ActivityAction.SCHEDULE_PUBLISHED, IN_SUMMER + timedelta(minutes=4), None, organiser,
              {"number": 3})
    add_entry(conference, ActivityAction.DRAFT_SCHEDULE_BUILT, IN_SUMMER + timedelta(minutes=5),
              details={"scheduled": 2})
    return ada, bo, first, second


def test_activity_page_lists_newest_first_without_drafts_in_the_viewers_zone(client, db, conference, organiser):
    _scene(conference, organiser)
    other = ConferenceFactory(slug="other")
    add_entry(other, ActivityAction.SCHEDULE_PUBLISHED, IN_SUMMER, None, organiser, {"number": 9})
    db.session.commit()
    body = _page(client, ACTIVITY)
    assert _rows(body) == [
        "Wed 01 Jul 2026, 13:05 Europe/London System saved the solver's result as the draft schedule (2 talks placed) —",
        "Wed 01 Jul 2026, 13:04 Europe/London Olu Organiser published the schedule as version 3 —",
        "Wed 01 Jul 2026, 13:03 Europe/London Olu Organiser accepted the proposal First talk",
        "Wed 01 Jul 2026, 13:01 Europe/London Bo submitted the proposal Second talk",
        "Wed 01 Jul 2026, 13:00 Europe/London Ada submitted the proposal First talk",
    ]
    assert "Secret draft" not in body and "version 9" not in body
    assert 'href="/c/devcon/manage/activity"' in body  # in the organisers' navigation


def test_activity_page_filters_by_action_person_system_and_proposal(client, db, conference, organiser):
    ada, bo, first, second = _scene(conference, organiser)
    db.session.commit()

    def texts(query: str) -> list[str]:
        return [row.split(" Europe/London ", 1)[1] for row in _rows(_page(client, f"{ACTIVITY}?{query}"))]

    assert texts("action=proposal_submitted") == [
        "Bo submitted the proposal Second talk", "Ada submitted the proposal First talk",
    ]
    assert texts(f"actor={ada.id}") == ["Ada submitted the proposal First talk"]
    assert texts("actor=system") == ["System saved the solver's result as the draft schedule (2 talks placed) —"]
    assert texts(f"proposal={first.id}") == [
        "Olu Organiser accepted the proposal First talk",
        "Ada submitted the proposal First talk",
    ]
    assert texts(f"proposal={first.id}&actor={bo.id}") == []
    # Unknown values filter nothing rather than fail.
    assert len(texts("action=nonsense&actor=x&proposal=99999999999999&page=abc")) == 5
    body = _page(client, ACTIVITY)
    assert f'<option value="{ada.id}">Ada</option>' in body
    assert f'<option value="{second.id}">Second talk</option>' in body and "Secret draft" not in body


def test_activity_page_pages_through_entries_keeping_the_filters(client, db, conference, organiser, monkeypatch):
    monkeypatch.setattr("conference.activity.queries.PAGE_SIZE", 2)
    proposal = make_proposal(conference, title="Busy talk")
    for minute in range(5):
        add_entry(conference, ActivityAction.REVIEW_CHANGED, IN_SUMMER + timedelta(minutes=minute), proposal, organiser)
    add_entry(conference, ActivityAction.SCHEDULE_PUBLISHED, IN_SUMMER, None, organiser, {"number": 1})
    db.session.commit()
    query = "action=review_changed"
    first = _page(client, f"{ACTIVITY}?{query}")
    assert [row[:23] for row in _rows(first)] == ["Wed 01 Jul 2026, 13:04 ", "Wed 01 Jul 2026, 13:03 "]
    assert "1–2 of 5 entries" in first and "Page 1 of 3" in first
    assert f'href="{ACTIVITY}?action=review_changed&amp;page=2"' in first
    last = _page(client, f"{ACTIVITY}?{query}&page=3")
    assert [row[:23] for row in _rows(last)] == ["Wed 01 Jul 2026, 13:00 "]
    # A page beyond the last shows the last.
    assert _rows(_page(client, f"{ACTIVITY}?{query}&page=40")) == _rows(last)


def test_activity_page_query_count_does_not_grow_with_entries(client, db, conference, organiser):
    def add(count: int) -> None:
        for _ in range(count):
            person = make_user()
            proposal = make_proposal(conference, person)
            add_entry(conference, ActivityAction.PROPOSAL_SUBMITTED, IN_SUMMER, proposal, person)
        db.session.commit()

    add(2)
    few = statements_for_page(db.engine, client, ACTIVITY)
    add(15)
    many = statements_for_page(db.engine, client, ACTIVITY)
    assert many == few
    proposal = db.session.scalars(select(Proposal).limit(1)).one()
    for _ in range(5):
        add_entry(conference, ActivityAction.REVIEW_CHANGED, IN_SUMMER, proposal, make_user())
    db.session.commit()
    path = f"/c/devcon/manage/proposals/{proposal.id}"
    before = statements_for_page(db.engine, client, path)
    add_entry(conference, ActivityAction.REVIEW_CHANGED, IN_SUMMER, proposal, make_user())
    db.session.commit()
    assert statements_for_page(db.engine, client, path) == before


# --- who may read the log -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SPEAKER, Role.REVIEWER, Role.ATTENDEE])
def test_only_organisers_read_the_activity_page(client, db, conference, login, role):
    person = make_user()
    RoleFactory(conference=conference, user=person, role=role)
    db.session.commit()
    assert client.get(ACTIVITY).status_code == 302  # anonymous: to the login page
    login(person)
    assert client.get(ACTIVITY).status_code == 403


def test_an_organiser_of_another_conference_cannot_read_this_log(client, db, conference, login):
    stranger = make_organiser(ConferenceFactory(slug="elsewhere"))
    db.session.commit()
    login(stranger)
    assert client.get(ACTIVITY).status_code == 403
    assert client.get("/c/elsewhere/manage/activity").status_code == 200
    assert client.get("/c/nope/manage/activity").status_code == 404


def test_the_person_filter_does_not_name_who_reviewed_the_viewers_own_proposal(client, db, conference, login):
    speaking_organiser = make_organiser(conference, display_name="Orla Both")
    reviewer = make_user(display_name="Rhea Reviewer")
    busy = make_user(display_name="Bo Busy")
    own = make_proposal(conference, speaking_organiser, title="My own talk")
    other = make_proposal(conference, title="Somebody else's talk")
    add_entry(conference, ActivityAction.REVIEW_SUBMITTED, IN_SUMMER, own, reviewer)
    add_entry(conference, ActivityAction.REVIEW_SUBMITTED, IN_SUMMER, own, busy)
    add_entry(conference, ActivityAction.REVIEW_SUBMITTED, IN_SUMMER, other, busy)
    colleague = make_organiser(conference)
    db.session.commit()

    login(speaking_organiser)
    page = _page(client, ACTIVITY)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", re.search(r'<select[^>]*name="actor".*?</select>', page, re.S).group(0))
    assert "Bo Busy" in options and "Rhea Reviewer" not in options
    client.post("/logout")
    login(colleague)
    page = _page(client, ACTIVITY)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", re.search(r'<select[^>]*name="actor".*?</select>', page, re.S).group(0))
    assert "Rhea Reviewer" in options
