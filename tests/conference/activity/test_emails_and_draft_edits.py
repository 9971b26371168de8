"""Group e-mails, reminders and the draft schedule editor's changes are recorded, one entry each
in the change's transaction, and read well on the activity page and the proposal's history."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from conference.activity.models import ActivityAction
from conference.conferences.models import Role
from conference.decisions import operations as decisions
from conference.mail import compose
from conference.proposals.models import ProposalState
from conference.schedule.models import ScheduleVersion
from tests.conference.activity.conftest import (
    add_entry,
    entries,
    make_organiser,
    make_proposal,
    signed_in,
)
from tests.conference.decisions.conftest import add_review
from tests.conference.drafts.conftest import at, make_scene
from tests.conference.mail.test_compose import URL as COMPOSE
from tests.conference.mail.test_compose import _form, _world
from tests.conference.organisers.conftest import make_user
from tests.factories import ProposalSpeakerFactory, ReviewAssignmentFactory, RoleFactory

ACTIVITY = "/c/devcon/manage/activity"
EDITOR = "/c/devcon/manage/schedule/draft"


def _text(body: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)))


def _rows(body: str) -> list[str]:
    table = body[body.index("<tbody>"):body.index("</tbody>")] if "<tbody>" in body else ""
    return [_text(row).strip() for row in table.split("<tr>")[1:]]


# --- group e-mails --------------------------------------------------------------------------


def _send(client, **overrides):
    data = _form(client, preview="Preview", **overrides)
    client.post(COMPOSE, data=data)
    data = {**data, "expected": "2", "send": "Send"}
    data.pop("preview")
    return client.post(COMPOSE, data=data), data


def test_a_group_e_mail_records_its_subject_group_and_count_once_and_no_address(client, db, login):
    _world(db, login)
    response, data = _send(client)
    assert response.status_code == 302
    client.post(COMPOSE, data=data)  # sent again: nobody gets it twice, nothing more is recorded
    [(action, actor, proposal_id, details)] = entries(db)
    assert (action, proposal_id) == ("group_email_queued", None)
    assert details == {"audience": "speakers", "states": ["accepted", "confirmed"],
                       "subject": "Slides for {{ conference }}", "count": 2}
    assert "@" not in json.dumps(details)
    rows = _rows(client.get(ACTIVITY).get_data(as_text=True))
    assert [row.split(" ", 6)[-1] for row in rows] == [
        "Olivia e-mailed 2 speakers of accepted or confirmed proposals: “Slides for {{ conference }}” —"
    ]


def test_a_group_e_mail_to_a_track_or_a_role_names_them(client, db, login):
    conference = _world(db, login)
    platform = next(track for track in conference.tracks if track.name == "Platform")
    data = _form(client, track=str(platform.id), states=["accepted"], preview="Preview")
    client.post(COMPOSE, data=data)
    data = {**data, "expected": "1", "send": "Send"}
    data.pop("preview")
    client.post(COMPOSE, data=data)
    data = _form(client, audience="reviewers", states=[], subject="Thanks", preview="Preview")
    client.post(COMPOSE, data=data)
    data = {**data, "expected": "1", "send": "Send"}
    data.pop("preview")
    client.post(COMPOSE, data=data)
    texts = [row.split(" ", 6)[-1] for row in _rows(client.get(ACTIVITY).get_data(as_text=True))]
    assert texts == [
        "Olivia e-mailed 1 reviewer: “Thanks” —",
        "Olivia e-mailed 1 speaker of accepted proposals in the track “Platform”: “Slides for {{ conference }}” —",
    ]


def test_a_group_e_mail_rolled_back_leaves_no_entry(db, conference):
    organiser = make_organiser(conference)
    make_proposal(conference, state=ProposalState.ACCEPTED)
    db.session.commit()
    with signed_in(organiser):
        people = compose.recipients(conference, compose.Audience.SPEAKERS, [ProposalState.ACCEPTED])
        compose.send(conference, people, "Hi", "Hello {{ name }}", "a" * 32, "https://x.test/",
                     group=compose.group_details(conference, compose.Audience.SPEAKERS, [ProposalState.ACCEPTED]))
    assert [entry[0] for entry in entries(db)] == ["group_email_queued"]
    db.session.rollback()
    assert entries(db) == []


# --- reminders ------------------------------------------------------------------------------


def test_confirmation_reminders_record_one_entry_per_proposal_once_a_day(client, db, conference, organiser):
    pair = make_proposal(conference, state=ProposalState.ACCEPTED, title="Paired")
    ProposalSpeakerFactory(proposal=pair, user=make_user())
    solo = make_proposal(conference, state=ProposalState.ACCEPTED, title="Solo")
    make_proposal(conference, state=ProposalState.CONFIRMED, title="Already confirmed")
    db.session.commit()
    assert client.post("/c/devcon/manage/reminders/confirmation").status_code == 302
    assert client.post("/c/devcon/manage/reminders/confirmation").status_code == 302
    db.session.expire_all()
    assert entries(db) == [
        ("confirmation_reminders_queued", organiser.id, pair.id, {"count": 2}),
        ("confirmation_reminders_queued", organiser.id, solo.id, {"count": 1}),
    ]
    history = _text(client.get(f"/c/devcon/manage/proposals/{pair.id}").get_data(as_text=True))
    assert "Olu Organiser reminded 2 speakers to confirm the accepted talk" in history
    assert "Olu Organiser reminded 1 speaker to confirm the accepted talk Solo" in _text(
        client.get(f"{ACTIVITY}?action=confirmation_reminders_queued").get_data(as_text=True))


def test_confirmation_reminders_rolled_back_leave_no_entry(db, conference):
    make_proposal(conference, state=ProposalState.ACCEPTED)
    db.session.commit()
    decisions.queue_confirmation_reminders(conference, lambda proposal: "https://x.test/")
    assert len(entries(db)) == 1
    db.session.rollback()
    assert entries(db) == []


def test_review_reminders_record_how_many_reviewers_and_open_reviews_once(client, db, conference, organiser):
    rita, sam = make_user(display_name="Rita"), make_user(display_name="Sam")
    for reviewer, open_reviews in ((rita, 2), (sam, 1)):
        RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
        for _ in range(open_reviews):
            ReviewAssignmentFactory(proposal=make_proposal(conference), reviewer=reviewer)
    done = make_proposal(conference)
    ReviewAssignmentFactory(proposal=done, reviewer=rita)
    add_review(done, rita, 4)
    db.session.commit()
    assert client.post("/c/devcon/manage/reminders/review").status_code == 302
    client.post("/c/devcon/manage/reminders/review")  # the same day: nobody is reminded twice
    db.session.expire_all()
    assert entries(db) == [("review_reminders_queued", organiser.id, None, {"reviewers": 2, "open_reviews": 3})]
    assert "Olu Organiser reminded 2 reviewers of 3 open reviews" in _text(client.get(ACTIVITY).get_data(as_text=True))


def test_review_reminders_after_the_review_closed_record_nothing(client, db, conference, organiser):
    reviewer = make_user()
    RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
    ReviewAssignmentFactory(proposal=make_proposal(conference), reviewer=reviewer)
    conference.review_closes_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    client.post("/c/devcon/manage/reminders/review")
    db.session.expire_all()
    assert entries(db) == []


# --- the draft schedule editor --------------------------------------------------------------


@pytest.fixture
def scene(db):
    return make_scene(db)


@pytest.fixture
def planner(login, scene, db):
    """The scene's logged-in organiser, reading times in New York (UTC-4 on 24 March 2027)."""
    user = make_user(display_name="Pat Planner", time_zone="America/New_York")
    RoleFactory(conference=scene.conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    return login(user)


def _lock(db, scene) -> int:
    db.session.expire_all()
    return db.session.get(ScheduleVersion, scene.draft.id).lock_version


def _where(room, hour, minute=0, minutes=30) -> dict[str, str]:
    starts = at(hour, minute)
    return {"room": room.name, "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=minutes)).isoformat()}


def _draft_entries(db):
    return [(action, proposal_id, details) for action, _actor, proposal_id, details in entries(db)]


def test_each_draft_edit_records_the_talk_and_where_it_was_and_went(client, db, scene, planner):
    talk, proposal_id = scene.talk, scene.talk.proposal_id
    move = {"room_id": scene.side_room.id, "starts_at": at(15).isoformat(), "lock_version": _lock(db, scene)}
    assert client.post(f"{EDITOR}/talks/{talk.id}/move", data=move).status_code == 302
    assert client.post(f"{EDITOR}/talks/{talk.id}/pin", data={"lock_version": _lock(db, scene)}).status_code == 302
    assert client.post(f"{EDITOR}/talks/{talk.id}/unpin", data={"lock_version": _lock(db, scene)}).status_code == 302
    assert client.post(f"{EDITOR}/talks/{talk.id}/pin", data={"lock_version": _lock(db, scene)}).status_code == 302
    assert client.post(f"{EDITOR}/talks/{talk.id}/unschedule",
                       data={"lock_version": _lock(db, scene)}).status_code == 302
    place = {"room_id": scene.main_hall.id, "starts_at": at(9, 30).isoformat(), "lock_version": _lock(db, scene)}
    assert client.post(f"{EDITOR}/proposals/{proposal_id}/place", data=place).status_code == 302
    side_at_three = _where(scene.side_room, 15)
    assert _draft_entries(db) == [
        ("draft_talk_moved", proposal_id, {"from": _where(scene.main_hall, 14), "to": side_at_three}),
        ("draft_talk_pinned", proposal_id, {"at": side_at_three}),
        ("draft_talk_unpinned", proposal_id, {"at": side_at_three}),
        ("draft_talk_pinned", proposal_id, {"at": side_at_three}),
        ("draft_talk_unscheduled", proposal_id, {"at": side_at_three, "pinned": True}),
        ("draft_talk_placed", proposal_id, {"at": _where(scene.main_hall, 9, 30)}),
    ]
    assert {actor for _action, actor, _p, _d in entries(db)} == {planner.id}
    # In the viewer's zone, labelled: 14:00 UTC is 10:00 in New York that day.
    history = _text(client.get(f"/c/devcon/manage/proposals/{proposal_id}").get_data(as_text=True))
    day = "Wed 24 Mar 2027"
    for sentence in (
        f"Pat Planner placed the talk in the draft schedule: Main Hall, {day}, 05:30–06:00 (America/New_York)",
        f"Pat Planner took the talk out of the draft schedule, where it was in Side Room, {day}, 11:00–11:30"
        " (America/New_York); its pin is dropped",
        f"Pat Planner unpinned the talk in the draft schedule: Side Room, {day}, 11:00–11:30 (America/New_York)",
        f"Pat Planner pinned the talk in the draft schedule: Side Room, {day}, 11:00–11:30 (America/New_York)",
        f"Pat Planner moved the talk in the draft schedule from Main Hall, {day}, 10:00–10:30 to Side Room,"
        f" {day}, 11:00–11:30 (America/New_York)",
    ):
        assert sentence in history
    page = client.get(f"{ACTIVITY}?action=draft_talk_moved").get_data(as_text=True)
    assert '11:00–11:30 <span class="tz-label">(America/New_York)</span>' in page
    assert "Zero-downtime deploys" in _rows(page)[0]


def test_a_move_within_one_room_names_the_room_once(client, db, scene, planner):
    move = {"room_id": scene.main_hall.id, "starts_at": at(16).isoformat(), "lock_version": _lock(db, scene)}
    client.post(f"{EDITOR}/talks/{scene.talk.id}/move", data=move)
    history = _text(client.get(f"/c/devcon/manage/proposals/{scene.talk.proposal_id}").get_data(as_text=True))
    assert ("moved the talk in the draft schedule from Wed 24 Mar 2027, 10:00–10:30 to Wed 24 Mar 2027,"
            " 12:00–12:30 (America/New_York), in Main Hall") in history


def test_refused_stale_and_idle_draft_edits_record_nothing(client, db, scene, planner):
    talk = scene.talk
    lock = _lock(db, scene)
    outside = {"room_id": scene.main_hall.id, "starts_at": at(20).isoformat(), "lock_version": lock}
    assert client.post(f"{EDITOR}/talks/{talk.id}/move", data=outside).status_code == 422
    stale = {"room_id": scene.side_room.id, "starts_at": at(15).isoformat(), "lock_version": lock - 1}
    assert client.post(f"{EDITOR}/talks/{talk.id}/move", data=stale).status_code == 409
    assert client.post(f"{EDITOR}/talks/{talk.id}/pin", data={"lock_version": lock - 1}).status_code == 409
    assert client.post(f"{EDITOR}/talks/{talk.id}/unschedule", data={"lock_version": lock - 1}).status_code == 409
    # Unpinning a talk that is not pinned, and a "move" to where it already is, change nothing.
    assert client.post(f"{EDITOR}/talks/{talk.id}/unpin", data={"lock_version": _lock(db, scene)}).status_code == 302
    same = {"room_id": scene.main_hall.id, "starts_at": at(14).isoformat(), "lock_version": _lock(db, scene)}
    assert client.post(f"{EDITOR}/talks/{talk.id}/move", data=same).status_code == 302
    assert entries(db) == []


def test_a_draft_edit_rolled_back_leaves_no_entry(db, scene):
    from conference.drafts import operations as drafts

    draft = db.session.get(ScheduleVersion, scene.draft.id)
    drafts.set_pinned(draft, scene.talk, True, draft.lock_version)
    assert len(entries(db)) == 1
    db.session.rollback()
    assert entries(db) == []


def test_an_organiser_who_speaks_on_a_talk_sees_its_draft_edits_but_not_its_reviews(client, db, scene, login):
    speaker_organiser = scene.speaker
    RoleFactory(conference=scene.conference, user=speaker_organiser, role=Role.ORGANISER)
    proposal = scene.talk.proposal
    reviewer = make_user(display_name="Rev Iewer")
    add_entry(scene.conference, ActivityAction.REVIEW_SUBMITTED, at(8), proposal, reviewer)
    add_entry(scene.conference, ActivityAction.DRAFT_TALK_PINNED, at(8, 5), proposal, None,
              {"at": _where(scene.main_hall, 14)})
    db.session.commit()
    login(speaker_organiser)
    history = _text(client.get(f"/c/devcon/manage/proposals/{proposal.id}").get_data(as_text=True))
    assert "System pinned the talk in the draft schedule: Main Hall" in history
    assert "Rev Iewer" not in history and "submitted a review" not in history


def test_re_optimising_reads_as_asking_the_solver(db, scene):
    entry = add_entry(scene.conference, ActivityAction.SOLVER_RUN_STARTED, at(8), details={"kind": "reoptimise"})
    assert entry.sentence == "asked the solver to re-optimise the draft schedule"
    entry = add_entry(scene.conference, ActivityAction.SOLVER_RUN_STARTED, at(8), details={"kind": "build"})
    assert entry.sentence == "started the schedule solver (build)"


def test_a_malformed_place_is_left_out_rather_than_failing(db, scene):
    entry = add_entry(scene.conference, ActivityAction.DRAFT_TALK_MOVED, at(8), scene.talk.proposal,
                      details={"from": "Main Hall", "to": {"room": "Side Room", "starts_at": "soon"}})
    assert entry.sentence == "moved the talk in the draft schedule"
    assert entry.sentence_in("Asia/Kolkata") == "moved the talk in the draft schedule"
