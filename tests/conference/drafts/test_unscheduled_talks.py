"""Talks outside the grid: withdrawn or declined ones free their slot, unscheduling, placing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from conference.proposals.models import Proposal, ProposalState
from conference.schedule import mapping
from conference.schedule.models import ScheduledTalk, ScheduleVersion
from tests.conference.drafts.conftest import add_talk, at, make_scene
from tests.conference.faults.conftest import (  # noqa: F401 - pg_app is a fixture used below
    gate_before,
    logged_in_client,
    pg_app,
    run_in_threads,
)
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    SessionFormatFactory,
)

EDITOR = "/c/devcon/manage/schedule/draft"
PUBLISH = "/c/devcon/manage/schedule/publish"


def _lock(db, scene) -> int:
    db.session.expire_all()
    return db.session.get(ScheduleVersion, scene.draft.id).lock_version


def _row(db, scene, proposal_id) -> ScheduledTalk | None:
    db.session.expire_all()
    return db.session.scalar(
        select(ScheduledTalk).where(
            ScheduledTalk.version_id == scene.draft.id, ScheduledTalk.proposal_id == proposal_id
        )
    )


def _set_state(db, talk, state: ProposalState) -> None:
    db.session.get(Proposal, talk.proposal_id).state = state
    db.session.commit()


def _move(client, talk, room, starts_at, lock_version):
    return client.post(
        f"{EDITOR}/talks/{talk.id}/move",
        data={"room_id": room.id, "starts_at": starts_at.isoformat(), "lock_version": lock_version},
    )


def _place(client, proposal_id, room, starts_at, lock_version):
    return client.post(
        f"{EDITOR}/proposals/{proposal_id}/place",
        data={"room_id": room.id, "starts_at": starts_at.isoformat(), "lock_version": lock_version},
    )


def _unschedule(client, talk, lock_version):
    return client.post(f"{EDITOR}/talks/{talk.id}/unschedule", data={"lock_version": lock_version})


def _free_cell(room, starts_at) -> str:
    return f'data-room-id="{room.id}" data-starts-at="{starts_at.isoformat()}"'


def _unplaced_proposal(db, scene, title="Caching at the edge", minutes=45,
                       state=ProposalState.ACCEPTED) -> Proposal:
    proposal = ProposalFactory(
        conference=scene.conference, title=title, state=state, track=scene.track,
        session_format=SessionFormatFactory(conference=scene.conference, duration_minutes=minutes),
    )
    ProposalSpeakerFactory(proposal=proposal, user=make_user(display_name="Lena Park"))
    db.session.commit()
    return proposal


# --- withdrawn or declined talks no longer hold their room --------------------------------------


@pytest.mark.parametrize("state", [ProposalState.WITHDRAWN, ProposalState.DECLINED])
def test_a_talk_withdrawn_or_declined_after_placing_frees_its_slot_for_a_move(client, db, scene, organiser,
                                                                             state):
    other = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.commit()
    _set_state(db, scene.talk, state)
    response = _move(client, other, scene.main_hall, at(14), _lock(db, scene))
    assert response.status_code == 302, response.get_data(as_text=True)
    moved = _row(db, scene, other.proposal_id)
    assert (moved.room_id, moved.starts_at) == (scene.main_hall.id, at(14))
    # The left-out talk is still in the draft, where it was.
    kept = _row(db, scene, scene.talk.proposal_id)
    assert (kept.room_id, kept.starts_at) == (scene.main_hall.id, at(14))


def test_a_withdrawn_talk_leaves_a_free_cell_in_the_grid_and_is_still_shown_flagged(client, db, scene,
                                                                                   organiser):
    _set_state(db, scene.talk, ProposalState.WITHDRAWN)
    page = client.get(EDITOR).get_data(as_text=True)
    # Its slot is a free cell again: a drop target for dragging another talk there.
    assert _free_cell(scene.main_hall, at(14)) in page
    assert f'id="talk-{scene.talk.id}"' not in page.split('id="draft-grid"')[1]
    left_out = page.split('id="outside-grid"')[1].split('id="draft-grid"')[0]
    assert "Zero-downtime deploys" in left_out
    assert "Withdrawn since it was placed: publishing leaves it out" in left_out
    assert "Main Hall" in left_out and "14:00–14:30" in left_out
    assert f"{EDITOR}/talks/{scene.talk.id}/unschedule" in left_out


def test_a_declined_talk_is_no_speaker_clash(client, db, scene, organiser):
    add_talk(db, scene.draft, scene.side_room, at(14), "Same speaker, same time", speaker=scene.speaker,
             track=scene.track, session_format=scene.session_format, block=scene.block)
    db.session.commit()
    assert "Speaker clash with" in client.get(EDITOR).get_data(as_text=True)
    _set_state(db, scene.talk, ProposalState.DECLINED)
    page = client.get(EDITOR).get_data(as_text=True)
    assert "Speaker clash with" not in page
    assert "No hard rule is broken." in page


def test_a_declined_talk_confirmed_again_into_a_taken_slot_is_listed_with_the_clash(client, db, scene,
                                                                                    organiser):
    other = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.commit()
    _set_state(db, scene.talk, ProposalState.DECLINED)
    assert _move(client, other, scene.main_hall, at(14), _lock(db, scene)).status_code == 302
    # The speaker changes their mind: both talks now claim Main Hall at 14:00.
    _set_state(db, scene.talk, ProposalState.CONFIRMED)
    response = client.get(EDITOR)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # The grid draws one of them (the earlier row); the other is listed with the clash and its actions.
    grid = page.split('id="draft-grid"')[1]
    assert f'id="talk-{scene.talk.id}"' in grid and f'id="talk-{other.id}"' not in grid
    outside = page.split('id="outside-grid"')[1].split('id="draft-grid"')[0]
    assert "Kubernetes at scale" in outside
    assert "“Main Hall” is taken then by “Zero-downtime deploys”" in outside
    assert f"{EDITOR}/talks/{other.id}/move" in outside and f"{EDITOR}/talks/{other.id}/unschedule" in outside
    assert "broken rule(s)" in page
    # Moving anything else into that slot is refused again, naming both.
    third = add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(11), "Third",
                     block=scene.block)
    db.session.commit()
    refused = _move(client, third, scene.main_hall, at(14), _lock(db, scene))
    assert refused.status_code == 422
    assert "“Zero-downtime deploys”, “Kubernetes at scale”" in refused.get_data(as_text=True)


def test_publishing_two_talks_in_one_room_at_once_is_refused_naming_them(client, db, scene, organiser):
    other = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.commit()
    _set_state(db, scene.talk, ProposalState.DECLINED)
    assert _move(client, other, scene.main_hall, at(14), _lock(db, scene)).status_code == 302
    _set_state(db, scene.talk, ProposalState.CONFIRMED)  # both now claim Main Hall at 14:00

    refused = client.post(PUBLISH, data={"note": ""}, follow_redirects=True)
    page = refused.get_data(as_text=True)
    _unschedule(client, other, _lock(db, scene))
    published = client.post(PUBLISH, data={"note": ""})

    assert "Not published: “Zero-downtime deploys” and “Kubernetes at scale” are both in Main Hall" in page
    assert "Move or unschedule one of them, then publish." in page
    assert published.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(
        select(ScheduleVersion).where(ScheduleVersion.is_draft.is_(False))
    ).all()
    assert [version.number for version in versions] == [1]


# --- unscheduling ---------------------------------------------------------------------------------


def test_unschedule_takes_the_talk_out_of_the_draft_and_lists_it_to_place_again(client, db, scene, organiser):
    proposal_id = scene.talk.proposal_id
    lock = _lock(db, scene)
    response = _unschedule(client, scene.talk, lock)
    assert response.status_code == 302
    assert _row(db, scene, proposal_id) is None
    assert _lock(db, scene) == lock + 1
    page = client.get(EDITOR).get_data(as_text=True)
    assert "is no longer in the draft" in page  # the flash
    assert _free_cell(scene.main_hall, at(14)) in page
    unplaced = page.split('id="not-in-draft"')[1].split('id="draft-grid"')[0]
    assert "Zero-downtime deploys" in unplaced and "Asha Rao" in unplaced
    assert f"{EDITOR}/proposals/{proposal_id}/place" in unplaced


def test_unschedule_from_a_stale_page_is_a_409_and_keeps_the_talk(client, db, scene, organiser):
    stale = _lock(db, scene)
    assert _move(client, scene.talk, scene.side_room, at(10), stale).status_code == 302
    response = _unschedule(client, scene.talk, stale)
    assert response.status_code == 409
    assert "Someone changed the draft since you loaded this page, so nothing was changed." in (
        response.get_data(as_text=True)
    )
    assert _row(db, scene, scene.talk.proposal_id) is not None


def test_unschedule_without_a_lock_version_is_refused(client, db, scene, organiser):
    response = client.post(f"{EDITOR}/talks/{scene.talk.id}/unschedule", data={})
    assert response.status_code == 400
    assert _row(db, scene, scene.talk.proposal_id) is not None


def test_unschedule_is_post_only_and_for_organisers(client, db, scene, login):
    url = f"{EDITOR}/talks/{scene.talk.id}/unschedule"
    assert client.post(url, data={"lock_version": 1}).status_code == 302  # to log in
    login(scene.speaker)
    assert client.post(url, data={"lock_version": _lock(db, scene)}).status_code == 403
    assert _row(db, scene, scene.talk.proposal_id) is not None


def test_unschedule_get_is_not_allowed(client, scene, organiser):
    assert client.get(f"{EDITOR}/talks/{scene.talk.id}/unschedule").status_code == 405


def test_unschedule_of_another_conferences_talk_is_a_404(client, db, scene, organiser):
    other = make_scene(db, slug="othercon")
    response = client.post(f"{EDITOR}/talks/{other.talk.id}/unschedule", data={"lock_version": 1})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ScheduledTalk, other.talk.id) is not None


def test_unscheduling_a_pinned_talk_drops_its_pin(client, db, scene, organiser):
    proposal_id = scene.talk.proposal_id
    assert client.post(f"{EDITOR}/talks/{scene.talk.id}/pin",
                       data={"lock_version": _lock(db, scene)}).status_code == 302
    assert mapping.build_problem(scene.conference, previous="draft").problem.pins
    assert _unschedule(client, scene.talk, _lock(db, scene)).status_code == 302
    # Re-optimising has no pin for it, and placing it again does not bring the pin back.
    assert mapping.build_problem(scene.conference, previous="draft").problem.pins == ()
    assert _place(client, proposal_id, scene.side_room, at(10), _lock(db, scene)).status_code == 302
    assert _row(db, scene, proposal_id).pinned is False


def test_unscheduling_a_withdrawn_talk_removes_it_from_the_editor(client, db, scene, organiser):
    proposal_id = scene.talk.proposal_id
    _set_state(db, scene.talk, ProposalState.WITHDRAWN)
    assert _unschedule(client, scene.talk, _lock(db, scene)).status_code == 302
    assert "is no longer in the draft" in client.get(EDITOR).get_data(as_text=True)  # the flash, once
    page = client.get(EDITOR).get_data(as_text=True)
    # Withdrawn, so not a talk to place either: the editor no longer mentions it.
    assert "Zero-downtime deploys" not in page
    assert f"/proposals/{proposal_id}/place" not in page


# --- placing a talk that is not in the draft ------------------------------------------------------


def test_the_editor_lists_accepted_talks_missing_from_the_draft(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene)
    _unplaced_proposal(db, scene, title="Still under review", state=ProposalState.SUBMITTED)
    page = client.get(EDITOR).get_data(as_text=True)
    unplaced = page.split('id="not-in-draft"')[1].split('id="draft-grid"')[0]
    assert "Caching at the edge" in unplaced and "Lena Park" in unplaced
    assert f"{EDITOR}/proposals/{proposal.id}/place" in unplaced
    assert "Still under review" not in page


def test_place_puts_an_unplaced_talk_in_the_draft_for_its_length(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene, minutes=45)
    form = client.get(f"{EDITOR}/proposals/{proposal.id}/place?tz=Asia/Kolkata")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "Place “Caching at the edge”" in page and "not in the draft" in page
    assert "Wed 24 Mar 2027, 15:30 Asia/Kolkata" in page  # 10:00 UTC
    lock = _lock(db, scene)
    response = _place(client, proposal.id, scene.side_room, at(10), lock)
    assert response.status_code == 302
    row = _row(db, scene, proposal.id)
    assert (row.room_id, row.starts_at, row.ends_at) == (scene.side_room.id, at(10), at(10, 45))
    assert row.block_id == scene.block.id and row.pinned is False
    assert _lock(db, scene) == lock + 1
    assert 'id="not-in-draft"' not in client.get(EDITOR).get_data(as_text=True)


def test_place_refuses_a_taken_slot_and_a_closed_room(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene)
    taken = _place(client, proposal.id, scene.main_hall, at(13, 30), _lock(db, scene))
    assert taken.status_code == 422
    assert "already taken then by “Zero-downtime deploys”" in taken.get_data(as_text=True)
    closed = _place(client, proposal.id, scene.closed_room, at(10), _lock(db, scene))
    assert closed.status_code == 422 and "is not open during the block" in closed.get_data(as_text=True)
    assert _row(db, scene, proposal.id) is None


def test_place_from_a_stale_page_is_a_409_with_the_choice_kept(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene)
    stale = _lock(db, scene)
    assert _move(client, scene.talk, scene.side_room, at(10), stale).status_code == 302
    response = _place(client, proposal.id, scene.side_room, at(11), stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "so nothing was changed" in page
    assert f'selected value="{at(11).isoformat()}"' in page
    assert f'name="lock_version" type="hidden" value="{stale + 1}"' in page
    assert _row(db, scene, proposal.id) is None


def test_place_of_a_proposal_that_is_not_an_accepted_talk_here_is_a_404(client, db, scene, organiser):
    submitted = _unplaced_proposal(db, scene, title="Under review", state=ProposalState.SUBMITTED)
    withdrawn = _unplaced_proposal(db, scene, title="Withdrawn", state=ProposalState.WITHDRAWN)
    foreign = make_scene(db, slug="othercon").talk.proposal_id
    for proposal_id in (submitted.id, withdrawn.id, foreign):
        assert client.get(f"{EDITOR}/proposals/{proposal_id}/place").status_code == 404
        assert _place(client, proposal_id, scene.side_room, at(10), _lock(db, scene)).status_code == 404
        assert _row(db, scene, proposal_id) is None


def test_place_of_a_talk_already_in_the_draft_moves_it(client, db, scene, organiser):
    page = client.get(f"{EDITOR}/proposals/{scene.talk.proposal_id}/place").get_data(as_text=True)
    assert "Now: Main Hall" in page
    response = _place(client, scene.talk.proposal_id, scene.side_room, at(10), _lock(db, scene))
    assert response.status_code == 302
    row = _row(db, scene, scene.talk.proposal_id)
    assert (row.id, row.room_id, row.starts_at, row.ends_at) == (scene.talk.id, scene.side_room.id, at(10),
                                                                 at(10) + timedelta(minutes=30))


def test_an_unscheduled_talk_is_cancelled_by_the_next_publication(client, db, scene, organiser):
    other = add_talk(db, scene.draft, scene.side_room, at(10), "Stays on", block=scene.block)
    db.session.commit()
    assert client.post(PUBLISH, data={"note": ""}).status_code == 302
    assert _unschedule(client, scene.talk, _lock(db, scene)).status_code == 302
    assert client.post(PUBLISH, data={"note": "Without it"}).status_code == 302
    db.session.expire_all()
    latest = db.session.scalar(
        select(ScheduleVersion).where(ScheduleVersion.number == 2, ScheduleVersion.conference_id == scene.conference.id)
    )
    assert [row.proposal_id for row in latest.talks] == [other.proposal_id]


def test_acting_on_a_talk_unscheduled_since_the_page_loaded_says_so(client, db, scene, organiser):
    stale = _lock(db, scene)
    talk_id = scene.talk.id
    assert client.post(f"{EDITOR}/talks/{talk_id}/unschedule", data={"lock_version": stale}).status_code == 302
    for action, data in (
        ("move", {"room_id": scene.side_room.id, "starts_at": at(10).isoformat(), "lock_version": stale}),
        ("pin", {"lock_version": stale}),
        ("unschedule", {"lock_version": stale}),
    ):
        response = client.post(f"{EDITOR}/talks/{talk_id}/{action}", data=data)
        assert response.status_code == 409, action
        assert "Someone changed the draft since you loaded this page, so nothing was changed." in (
            response.get_data(as_text=True)
        ), action
    # From a page that is not stale, a talk that is not in the draft is simply not found.
    fresh = {"lock_version": _lock(db, scene)}
    assert client.post(f"{EDITOR}/talks/{talk_id}/pin", data=fresh).status_code == 404


def test_placing_from_a_stale_page_a_talk_someone_placed_since_offers_to_move_it(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene)
    stale = _lock(db, scene)
    assert _place(client, proposal.id, scene.side_room, at(10), stale).status_code == 302
    response = _place(client, proposal.id, scene.side_room, at(11), stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Move “Caching at the edge”" in page and "Now: Side Room" in page
    assert "send it again to move the talk" in page
    row = _row(db, scene, proposal.id)
    assert row.starts_at == at(10)


def test_unscheduling_a_pinned_talk_says_the_pin_is_dropped(client, db, scene, organiser):
    client.post(f"{EDITOR}/talks/{scene.talk.id}/pin", data={"lock_version": _lock(db, scene)})
    response = _unschedule(client, scene.talk, _lock(db, scene))
    assert "#not-in-draft-heading" in response.headers["Location"]
    page = client.get(EDITOR).get_data(as_text=True)
    assert "is no longer in the draft. Its pin is dropped." in page


@pytest.mark.usefixtures("pg_app")
def test_unscheduling_and_placing_at_the_same_moment_one_wins_the_other_is_told():
    """Both requests pass every check, then race on PostgreSQL; the draft's version decides."""
    from flask import current_app

    from conference.conferences.models import Role
    from conference.extensions import db

    scene = make_scene(db)
    proposal = _unplaced_proposal(db, scene)
    organisers = [make_user(), make_user()]
    for user in organisers:
        RoleFactory(conference=scene.conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    talk_id, proposal_id, lock = scene.talk.id, proposal.id, str(scene.draft.lock_version)
    side_room_id, talk_proposal_id = scene.side_room.id, scene.talk.proposal_id
    clients = [logged_in_client(current_app, user) for user in organisers]

    def unschedule():
        response = clients[0].post(f"{EDITOR}/talks/{talk_id}/unschedule", data={"lock_version": lock})
        return response.status_code, "unschedule", response.get_data(as_text=True)

    def place():
        response = clients[1].post(
            f"{EDITOR}/proposals/{proposal_id}/place",
            data={"room_id": side_room_id, "starts_at": at(10).isoformat(), "lock_version": lock},
        )
        return response.status_code, "place", response.get_data(as_text=True)

    with gate_before(db.engine, "UPDATE schedule_versions", 2):
        results = run_in_threads(unschedule, place)
    outcome = {status: (label, page) for status, label, page in results}
    assert sorted(outcome) == [302, 409], [status for status, _, _ in results]
    winner, _ = outcome[302]
    loser, page = outcome[409]
    assert "Someone changed the draft since you loaded this page, so nothing was changed." in page
    db.session.expire_all()
    rows = {row.proposal_id: row for row in db.session.scalars(select(ScheduledTalk))}
    assert (talk_proposal_id in rows) is (winner == "place")
    assert (proposal_id in rows) is (winner == "place")
    if loser == "place":
        assert "send it again to place the talk" in page  # the choice is kept to send again


# --- placing by drag and drop (JSON) -------------------------------------------------------------


def _place_json(client, proposal_id, room, starts_at, lock_version, tz=None):
    return client.post(
        f"{EDITOR}/proposals/{proposal_id}/place" + (f"?tz={tz}" if tz else ""),
        data={"room_id": room.id, "starts_at": starts_at.isoformat(), "lock_version": lock_version},
        headers={"Accept": "application/json"},
    )


def test_the_talks_not_in_the_draft_are_draggable_with_their_length_and_place_url(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene, minutes=40)  # three 15-minute slots
    page = client.get(f"{EDITOR}?tz=Asia/Kolkata").get_data(as_text=True)
    unplaced = page.split('id="not-in-draft"')[1].split('id="draft-grid"')[0]
    assert 'class="unplaced-talk" draggable="true" data-title="Caching at the edge"' in unplaced
    assert 'data-length-minutes="45"' in unplaced and "45 min" in unplaced
    assert f'data-place-url="{EDITOR}/proposals/{proposal.id}/place?tz=Asia/Kolkata"' in unplaced
    # The keyboard way stays.
    assert f'href="{EDITOR}/proposals/{proposal.id}/place?tz=Asia/Kolkata">Place' in unplaced


def test_each_free_cell_says_how_long_its_room_stays_free_in_the_block(client, db, scene, organiser):
    page = client.get(EDITOR).get_data(as_text=True)

    def free_minutes(room, starts_at):
        found = re.search(re.escape(_free_cell(room, starts_at)) + r'\s+data-free-minutes="(\d+)" data-slot="([^"]*)"', page)
        assert found, (room.name, starts_at)
        return int(found.group(1)), found.group(2)

    # Main Hall is taken from 14:00; the block ends at 17:00.
    assert free_minutes(scene.main_hall, at(13, 30)) == (30, "Main Hall, 13:30 Europe/London")
    assert free_minutes(scene.main_hall, at(14, 30))[0] == 150
    assert free_minutes(scene.side_room, at(16, 45))[0] == 15
    assert free_minutes(scene.side_room, at(9))[0] == 8 * 60


def test_a_free_cell_left_by_a_talk_the_grid_cannot_draw_is_not_offered_as_free(client, db, scene, organiser):
    # Two talks claim Main Hall at 14:00 (a declined talk confirmed again); the one not drawn still
    # holds the room until 14:45, so the cells it covers offer no minutes.
    other = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block,
                     minutes=45)
    db.session.commit()
    _set_state(db, scene.talk, ProposalState.DECLINED)
    assert _move(client, other, scene.main_hall, at(14), _lock(db, scene)).status_code == 302
    _set_state(db, scene.talk, ProposalState.CONFIRMED)
    page = client.get(EDITOR).get_data(as_text=True)
    assert re.search(re.escape(_free_cell(scene.main_hall, at(14, 30))) + r'\s+data-free-minutes="0"', page)
    assert re.search(re.escape(_free_cell(scene.main_hall, at(14, 45))) + r'\s+data-free-minutes="135"', page)


def test_place_by_drag_and_drop_answers_json_in_the_grids_zone(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene, minutes=45)
    lock = _lock(db, scene)
    response = _place_json(client, proposal.id, scene.side_room, at(10), lock, tz="Asia/Kolkata")
    assert response.status_code == 200
    assert response.json == {
        "ok": True, "lock_version": lock + 1,
        "message": "Placed “Caching at the edge” to Side Room, Wed 15:30 Asia/Kolkata.",
    }
    row = _row(db, scene, proposal.id)
    assert (row.room_id, row.starts_at, row.ends_at) == (scene.side_room.id, at(10), at(10, 45))


def test_place_by_drag_and_drop_onto_a_cell_too_short_is_refused_in_json(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene, minutes=45)
    # 13:30 in Main Hall: only 30 minutes before “Zero-downtime deploys”.
    taken = _place_json(client, proposal.id, scene.main_hall, at(13, 30), _lock(db, scene))
    assert taken.status_code == 422
    assert taken.json["error"] == "Refused"
    assert taken.json["description"] == (
        "“Main Hall” is already taken then by “Zero-downtime deploys”. Move that talk first."
    )
    # 16:30 in Side Room: the talk would end after the block.
    late = _place_json(client, proposal.id, scene.side_room, at(16, 30), _lock(db, scene))
    assert late.status_code == 422
    assert late.json["description"] == (
        "A 45-minute talk cannot start then: it must start on the slot grid and end inside one session block."
    )
    closed = _place_json(client, proposal.id, scene.closed_room, at(10), _lock(db, scene))
    assert closed.status_code == 422 and "is not open during the block" in closed.json["description"]
    assert _row(db, scene, proposal.id) is None


def test_place_by_drag_and_drop_from_a_stale_page_is_a_409_in_json(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene)
    stale = _lock(db, scene)
    assert _move(client, scene.talk, scene.side_room, at(10), stale).status_code == 302
    response = _place_json(client, proposal.id, scene.side_room, at(11), stale)
    assert response.status_code == 409
    assert response.json["description"].startswith(
        "Someone changed the draft since you loaded this page, so nothing was changed."
    )
    assert _row(db, scene, proposal.id) is None


def test_place_by_drag_and_drop_with_a_start_that_is_no_time_is_refused_in_json(client, db, scene, organiser):
    proposal = _unplaced_proposal(db, scene)
    response = client.post(
        f"{EDITOR}/proposals/{proposal.id}/place",
        data={"room_id": scene.side_room.id, "starts_at": "tomorrow-ish", "lock_version": _lock(db, scene)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.json["description"] == "Choose a room and one of the listed start times."
