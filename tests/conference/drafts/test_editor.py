"""The draft editor: the grid in a chosen zone, moves, optimistic locking, pins, access."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from conference.extensions import db as _db
from conference.proposals.operations import replace_availability
from conference.schedule.models import ScheduleBlockRoom, ScheduledTalk, ScheduleVersion, SolverRun
from tests.conference.drafts.conftest import add_talk, at, make_scene
from tests.factories import ScheduleBlockFactory

EDITOR = "/c/devcon/manage/schedule/draft"


def _move_url(talk, tz=None):
    return f"{EDITOR}/talks/{talk.id}/move" + (f"?tz={tz}" if tz else "")


def _draft(db, scene):
    db.session.expire_all()
    return db.session.get(ScheduleVersion, scene.draft.id)


def _talk(db, talk):
    db.session.expire_all()
    return db.session.get(ScheduledTalk, talk.id)


def _move(client, scene, talk, room, starts_at, lock_version, **headers):
    return client.post(
        _move_url(talk),
        data={"room_id": room.id, "starts_at": starts_at.isoformat(), "lock_version": lock_version},
        headers=headers,
    )


def test_editor_grid_shows_times_in_new_york_with_the_zone_label(client, scene, organiser):
    page = client.get(f"{EDITOR}?tz=America/New_York").get_data(as_text=True)
    assert "Zero-downtime deploys" in page
    assert '<small class="talk-time">10:00–10:30</small>' in page  # 14:00 UTC in March = EDT
    assert "America/New_York" in page and 'class="tz-label"' in page


def test_editor_grid_shows_times_in_kolkata(client, scene, organiser):
    page = client.get(f"{EDITOR}?tz=Asia/Kolkata").get_data(as_text=True)
    assert '<small class="talk-time">19:30–20:00</small>' in page
    assert '<span class="tz-label">Asia/Kolkata</span>' in page


def test_editor_grid_shows_nine_in_new_york_outside_daylight_saving(client, db, scene, organiser):
    # 14:00 UTC is 09:00 in New York in winter (EST, UTC-5).
    winter = scene.talk.starts_at.replace(month=1, day=13)
    talk = _talk(db, scene.talk)
    talk.starts_at, talk.ends_at = winter, winter.replace(minute=30)
    db.session.commit()
    page = client.get(f"{EDITOR}?tz=America/New_York").get_data(as_text=True)
    assert '<small class="talk-time">09:00–09:30</small>' in page


def test_editor_defaults_to_the_conference_zone_and_shows_cell_details(client, scene, organiser):
    page = client.get(EDITOR).get_data(as_text=True)
    assert '<small class="talk-time">14:00–14:30</small>' in page  # London is still on GMT on 24 March 2027
    assert "Asha Rao" in page and "Platform" in page
    # The cell carries its track's colour class; the conference's track stylesheet defines it.
    track = scene.talk.proposal.track
    assert f"track-colour-{track.id}" in page
    assert "#aa3300" in client.get(f"/c/{scene.conference.slug}/tracks.css").get_data(as_text=True)
    # The Kolkata speaker presents at 19:30 local time: the cell warns about it.
    assert "Asha Rao presents at 19:30 local time (Asia/Kolkata)" in page
    assert "Goals (lower is better)" in page


def test_editor_cells_warn_about_speakers_outside_their_stated_availability(client, db, scene, organiser):
    conference, speaker = scene.conference, scene.speaker
    day = scene.talk.starts_at.date()
    replace_availability(conference, speaker, {day: [(0, 60)]})  # 00:00-01:00 in Kolkata only
    db.session.commit()
    page = client.get(EDITOR).get_data(as_text=True)
    assert "Asha Rao is not available then" in page
    replace_availability(conference, speaker, {d: [] for d in conference.days()})
    db.session.commit()
    page = client.get(EDITOR).get_data(as_text=True)
    assert "Asha Rao said they are not available on any day" in page
    assert "Asha Rao is not available then" not in page


def test_editor_refuses_a_time_zone_not_offered(client, scene, organiser):
    assert client.get(f"{EDITOR}?tz=Mars/Olympus").status_code == 400
    assert client.get(f"{EDITOR}?tz=Europe/Paris").status_code == 400


def test_editor_shows_the_checkers_hard_violations(client, db, scene, organiser):
    speaker = scene.speaker
    add_talk(db, _draft(db, scene), scene.side_room, at(14), "Clashing talk", speaker=speaker,
             track=scene.track, session_format=scene.session_format, block=scene.block)
    db.session.commit()
    page = client.get(EDITOR).get_data(as_text=True)
    assert "broken rule(s)" in page
    assert "Speaker clash with “Clashing talk”" in page


def test_move_to_a_free_slot_moves_and_bumps_the_lock_version(client, db, scene, organiser):
    before = _draft(db, scene).lock_version
    response = _move(client, scene, scene.talk, scene.side_room, at(10), before)
    assert response.status_code == 302
    talk = _talk(db, scene.talk)
    assert (talk.room_id, talk.starts_at, talk.ends_at) == (scene.side_room.id, at(10), at(10, 30))
    assert talk.block_id == scene.block.id
    assert _draft(db, scene).lock_version == before + 1


def test_move_by_drag_and_drop_answers_json(client, db, scene, organiser):
    lock = _draft(db, scene).lock_version
    response = _move(client, scene, scene.talk, scene.main_hall, at(9, 15), lock, Accept="application/json")
    assert response.status_code == 200 and response.json["ok"] is True
    assert response.json["lock_version"] == lock + 1


def test_move_onto_an_occupied_slot_is_refused_with_the_other_talk_named(client, db, scene, organiser):
    other = add_talk(db, _draft(db, scene), scene.side_room, at(10), "Kubernetes at scale",
                     block=scene.block)
    db.session.commit()
    lock = _draft(db, scene).lock_version
    response = _move(client, scene, scene.talk, scene.side_room, at(10, 15), lock)
    assert response.status_code == 422
    assert "already taken then by “Kubernetes at scale”" in response.get_data(as_text=True)
    assert _talk(db, scene.talk).starts_at == at(14)
    assert _talk(db, other).starts_at == at(10)


def test_move_outside_every_block_is_refused(client, db, scene, organiser):
    lock = _draft(db, scene).lock_version
    response = _move(client, scene, scene.talk, scene.main_hall, at(16, 45), lock)
    # 16:45 is not a listed start (the talk would end after the block), so the form refuses it.
    assert response.status_code == 422
    assert _talk(db, scene.talk).starts_at == at(14)


def test_move_into_a_room_closed_in_the_block_is_refused(client, db, scene, organiser):
    lock = _draft(db, scene).lock_version
    response = _move(client, scene, scene.talk, scene.closed_room, at(10), lock)
    assert response.status_code == 422
    assert "is not open during the block" in response.get_data(as_text=True)
    assert _talk(db, scene.talk).room_id == scene.main_hall.id


def test_move_with_a_stale_lock_version_is_a_409_and_changes_nothing(client, db, scene, organiser):
    stale = _draft(db, scene).lock_version
    assert _move(client, scene, scene.talk, scene.side_room, at(10), stale).status_code == 302
    response = _move(client, scene, scene.talk, scene.main_hall, at(11), stale)
    assert response.status_code == 409
    assert "Someone changed the draft" in response.get_data(as_text=True)
    assert _talk(db, scene.talk).room_id == scene.side_room.id


def test_move_page_lists_starts_in_the_chosen_zone(client, scene, organiser):
    page = client.get(_move_url(scene.talk, "Asia/Kolkata")).get_data(as_text=True)
    assert "Wed 24 Mar 2027, 19:30 Asia/Kolkata" in page
    assert 'name="lock_version"' in page


def test_move_form_with_missing_fields_re_renders_with_a_message(client, db, scene, organiser):
    response = client.post(_move_url(scene.talk), data={"room_id": scene.side_room.id})
    assert response.status_code == 422
    assert "Choose a room and one of the listed start times." in response.get_data(as_text=True)


def test_pin_and_unpin_toggle_the_pinned_state(client, db, scene, organiser):
    lock = _draft(db, scene).lock_version
    assert client.post(f"{EDITOR}/talks/{scene.talk.id}/pin", data={"lock_version": lock}).status_code == 302
    assert _talk(db, scene.talk).pinned is True
    assert "📌 Pinned" in client.get(EDITOR).get_data(as_text=True)
    response = client.post(f"{EDITOR}/talks/{scene.talk.id}/unpin", data={"lock_version": lock + 1})
    assert response.status_code == 302
    assert _talk(db, scene.talk).pinned is False


def test_pin_with_a_stale_lock_version_is_a_409(client, db, scene, organiser):
    lock = _draft(db, scene).lock_version
    response = client.post(f"{EDITOR}/talks/{scene.talk.id}/pin", data={"lock_version": lock - 1})
    assert response.status_code == 409
    assert _talk(db, scene.talk).pinned is False


def test_pin_is_post_only(client, scene, organiser):
    assert client.get(f"{EDITOR}/talks/{scene.talk.id}/pin").status_code == 405


def test_reoptimise_queues_a_reoptimise_run_and_shows_it(client, db, scene, organiser, enqueued):
    response = client.post(f"{EDITOR}/reoptimise")
    assert response.status_code == 302 and "/manage/schedule/runs/" in response.headers["Location"]
    db.session.expire_all()
    run = db.session.scalar(_db.select(SolverRun))
    assert run.kind.value == "reoptimise" and run.requested_by_id == organiser.id
    assert len(enqueued) == 1


def test_reoptimise_while_a_run_is_active_is_refused_with_a_message(client, db, scene, organiser):
    client.post(f"{EDITOR}/reoptimise")
    response = client.post(f"{EDITOR}/reoptimise", follow_redirects=True)
    assert "already queued or running" in response.get_data(as_text=True)
    assert db.session.scalar(_db.select(_db.func.count(SolverRun.id))) == 1


def test_talk_of_another_conferences_draft_is_a_404(client, db, scene, organiser):
    other = make_scene(db, slug="othercon")
    assert client.get(_move_url(other.talk)).status_code == 404
    response = client.post(f"{EDITOR}/talks/{other.talk.id}/pin", data={"lock_version": 1})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ScheduledTalk, other.talk.id).pinned is False


def test_move_talk_operation_refuses_a_time_outside_every_block(db, scene):
    import pytest

    from conference.drafts import operations

    draft = _draft(db, scene)
    with pytest.raises(operations.MoveRefused, match="outside every session block"):
        operations.move_talk(draft, _talk(db, scene.talk), scene.main_hall, at(16, 45), draft.lock_version, 15)
    with pytest.raises(operations.MoveRefused, match="15-minute grid"):
        operations.move_talk(draft, _talk(db, scene.talk), scene.main_hall, at(10, 5), draft.lock_version, 15)


def _fall_back_block(db, scene):
    """A block across New York's fall-back night: 01:00-02:00 local happens twice (EDT, then EST)."""
    starts_at = datetime(2027, 11, 7, 4, 30, tzinfo=UTC)  # 00:30 EDT
    block = ScheduleBlockFactory(conference=scene.conference, name="Bengaluru morning", starts_at=starts_at,
                                 ends_at=datetime(2027, 11, 7, 7, 30, tzinfo=UTC))  # 02:30 EST
    db.session.flush()
    db.session.add(ScheduleBlockRoom(block_id=block.id, room_id=scene.main_hall.id))
    db.session.commit()
    return block


def test_move_page_tells_the_two_one_oclocks_of_a_fall_back_night_apart(client, db, scene, organiser):
    _fall_back_block(db, scene)
    page = client.get(_move_url(scene.talk, "America/New_York")).get_data(as_text=True)
    labels = re.findall(r'<option[^>]*value="2027-11-07T[^"]*">([^<]*)</option>', page)
    assert len(labels) == len(set(labels)), labels
    assert "Sun 07 Nov 2027, 01:00 America/New_York (UTC-04:00)" in labels
    assert "Sun 07 Nov 2027, 01:00 America/New_York (UTC-05:00)" in labels
    # Days without a clock change keep the plain labels.
    assert "Wed 24 Mar 2027, 10:00 America/New_York" in page


def test_editor_grid_labels_the_rows_of_a_fall_back_night_with_their_offsets(client, db, scene, organiser):
    _fall_back_block(db, scene)
    page = client.get(f"{EDITOR}?tz=America/New_York").get_data(as_text=True)
    night = page.split("Sunday 07 November 2027")[1]
    rows = re.findall(r'<th scope="row">([^<]*)</th>', night)
    assert len(rows) == len(set(rows)), rows
    assert "01:00 UTC-04:00" in rows and "01:00 UTC-05:00" in rows
    # The other day's rows stay plain.
    march = page.split("Wednesday 24 March 2027")[1].split("Sunday 07 November 2027")[0]
    assert '<th scope="row">10:00</th>' in march
