import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from conference.conferences.models import Role
from conference.drafts.checks import draft_warnings
from conference.schedule.forms import weight_field_name
from conference.schedule.mapping import WEIGHED_TERMS, hard_rules_from
from conference.schedule.models import (
    RunKind,
    RunState,
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleSettings,
    ScheduleVersion,
    SolverRun,
)
from tests.conference.schedule.factories import small_conference
from tests.factories import (
    ConferenceFactory,
    RoleFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    SolverRunFactory,
    UserFactory,
)


def _pages(app, setup, run_id):
    """Every route of the schedule area, generated from the URL map so none is missed."""
    ids = {"run_id": run_id, "block_id": setup.blocks[0].id}
    pages = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("schedule."):
            values = {"slug": setup.conference.slug, **{name: ids[name] for name in rule.arguments if name in ids}}
            pages.append(("get" if "GET" in rule.methods else "post", rule.build(values)[1]))
    assert len(pages) >= 11
    return pages


def test_schedule_pages_anonymous_redirect_to_login(app, client, db):
    setup = small_conference()
    run = SolverRunFactory(conference=setup.conference, state=RunState.SUCCEEDED, result={})
    db.session.commit()
    for method, path in _pages(app, setup, run.id):
        response = getattr(client, method)(path)
        assert response.status_code in (302, 401), path
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], path


def test_schedule_pages_forbid_attendees_and_other_organisers(app, client, db, login):
    setup = small_conference()
    run = SolverRunFactory(conference=setup.conference, state=RunState.SUCCEEDED, result={})
    attendee = UserFactory()
    RoleFactory(conference=setup.conference, user=attendee, role=Role.ATTENDEE)
    RoleFactory(conference=setup.conference, user=attendee, role=Role.SPEAKER)
    other_organiser = UserFactory()
    RoleFactory(conference=ConferenceFactory(), user=other_organiser, role=Role.ORGANISER)
    for user in (attendee, other_organiser):
        login(user)
        for method, path in _pages(app, setup, run.id):
            assert getattr(client, method)(path).status_code == 403, (user.email, path)


def test_runs_of_another_conference_are_not_found(client, db, login):
    setup = small_conference()
    other = small_conference()
    foreign = SolverRunFactory(conference=other.conference, state=RunState.RUNNING)
    login(setup.organiser)
    slug = setup.conference.slug
    assert client.get(f"/c/{slug}/manage/schedule/runs/{foreign.id}").status_code == 404
    assert client.get(f"/c/{slug}/manage/schedule/runs/{foreign.id}.json").status_code == 404
    assert client.post(f"/c/{slug}/manage/schedule/runs/{foreign.id}/cancel").status_code == 404
    db.session.expire_all()
    assert db.session.get(SolverRun, foreign.id).cancel_requested is False


def test_organiser_sees_build_and_setup_pages(client, db, login):
    setup = small_conference()
    login(setup.organiser)
    build = client.get(f"/c/{setup.conference.slug}/manage/schedule/")
    assert build.status_code == 200
    assert "6 talks to schedule" in build.get_data(as_text=True)
    page = client.get(f"/c/{setup.conference.slug}/manage/schedule/setup").get_data(as_text=True)
    assert "Attendee clashes" in page and "A person who wants two talks" in page
    assert "Morning" in page and "Online stream" in page


def test_build_button_queues_a_run_and_a_second_press_is_refused(client, db, login, enqueued):
    setup = small_conference()
    login(setup.organiser)
    path = f"/c/{setup.conference.slug}/manage/schedule/runs"
    first = client.post(path, data={"kind": "build"})
    assert first.status_code == 302
    run = db.session.scalar(select(SolverRun))
    assert first.headers["Location"].endswith(f"/manage/schedule/runs/{run.id}")
    assert run.state is RunState.QUEUED and run.requested_by_id == setup.organiser.id
    assert len(enqueued) == 1
    second = client.post(path, data={"kind": "build"}, follow_redirects=True)
    assert "already in progress" in second.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.scalars(select(SolverRun)).all()) == 1
    assert len(enqueued) == 1


def test_unknown_run_kind_is_refused(client, db, login, enqueued):
    setup = small_conference()
    login(setup.organiser)
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/runs", data={"kind": "everything"})
    assert response.status_code == 302
    assert db.session.scalar(select(SolverRun)) is None


def test_progress_json_reports_the_live_figures(client, db, login):
    setup = small_conference()
    run = SolverRunFactory(conference=setup.conference, state=RunState.RUNNING, best_objective=120.0,
                           best_bound=90.0, elapsed_seconds=3.5, time_limit_seconds=60,
                           heartbeat_at=datetime.now(UTC), result={}, started_at=datetime.now(UTC))
    login(setup.organiser)
    response = client.get(f"/c/{setup.conference.slug}/manage/schedule/runs/{run.id}.json")
    assert response.status_code == 200
    status = response.get_json()
    assert status["state"] == "running" and status["active"] is True
    assert (status["best_objective"], status["best_bound"], status["elapsed_seconds"]) == (120.0, 90.0, 3.5)
    assert status["gap"] == 0.25
    page = client.get(f"/c/{setup.conference.slug}/manage/schedule/runs/{run.id}").get_data(as_text=True)
    assert "data-status-url" in page and "schedule-progress.js" in page and "Cancel this run" in page


def test_a_run_without_heartbeat_is_shown_as_abandoned(client, db, login):
    setup = small_conference()
    run = SolverRunFactory(conference=setup.conference, state=RunState.RUNNING, result={},
                           heartbeat_at=datetime(2026, 1, 1, tzinfo=UTC))
    login(setup.organiser)
    status = client.get(f"/c/{setup.conference.slug}/manage/schedule/runs/{run.id}.json").get_json()
    assert status["state"] == "abandoned" and "stopped responding" in status["error"]
    db.session.expire_all()
    assert db.session.get(SolverRun, run.id).state is RunState.ABANDONED


def test_a_long_queued_run_hints_at_a_missing_worker(client, db, login):
    setup = small_conference()
    run = SolverRunFactory(conference=setup.conference, state=RunState.QUEUED, result={},
                           created_at=datetime(2026, 1, 1, tzinfo=UTC))
    login(setup.organiser)
    page = client.get(f"/c/{setup.conference.slug}/manage/schedule/runs/{run.id}").get_data(as_text=True)
    assert "No worker has picked this run up yet" in page


def test_cancel_button_requests_cancellation(client, db, login):
    setup = small_conference()
    run = SolverRunFactory(conference=setup.conference, state=RunState.RUNNING, result={},
                           heartbeat_at=datetime.now(UTC))
    login(setup.organiser)
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/runs/{run.id}/cancel")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SolverRun, run.id).cancel_requested is True


def test_infeasible_run_page_shows_the_conflicts_and_a_subset_button(client, db, login):
    setup = small_conference()
    run = SolverRunFactory(conference=setup.conference, state=RunState.INFEASIBLE, kind=RunKind.BUILD, result={
        "status": "INFEASIBLE",
        "explanation": {"findings": [], "conflicts": [
            {"rule": "person-unavailable", "label": "A speaker is scheduled outside their availability",
             "message": "person “<b>Ada</b>” is only available on Friday", "subject": "Ada"}]},
    })
    login(setup.organiser)
    page = client.get(f"/c/{setup.conference.slug}/manage/schedule/runs/{run.id}").get_data(as_text=True)
    assert "only available on Friday" in page and "&lt;b&gt;Ada" in page
    assert 'value="largest_subset"' in page


def test_slot_length_must_divide_every_session_format(client, db, login):
    setup = small_conference()
    SessionFormatFactory(conference=setup.conference, name="Lightning", duration_minutes=10)
    login(setup.organiser)
    data = {"slot_minutes": "15", "time_limit_seconds": "30", "relaxed_weight": "10000"}
    data.update({weight_field_name(name): "10" for name in WEIGHED_TERMS})
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/settings", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "do not divide every session format" in page and "Lightning (10 min)" in page
    assert 'value="15"' in page


def test_weights_out_of_range_are_form_errors(client, db, login):
    setup = small_conference()
    login(setup.organiser)
    data = {"slot_minutes": "3", "time_limit_seconds": "30", "relaxed_weight": "10000"}
    data.update({weight_field_name(name): "-1" for name in WEIGHED_TERMS})
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/settings", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose between 5 and 60 minutes." in page and "Choose between 0 and 100 000." in page


def test_saving_goals_stores_weights_and_relaxed_rules(client, db, login):
    setup = small_conference()
    login(setup.organiser)
    data = {"slot_minutes": "10", "time_limit_seconds": "30", "relaxed_weight": "50000",
            "relax_person_unavailable": "y"}
    data.update({weight_field_name(name): "7" for name in WEIGHED_TERMS})
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/settings", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.scalar(select(ScheduleSettings).where(ScheduleSettings.conference_id == setup.conference.id))
    assert saved.slot_minutes == 10 and saved.time_limit_seconds == 30
    assert saved.weights["attendee-conflict"] == 7
    assert saved.relaxed_rules == {"person-unavailable": 50000}
    assert db.session.get(type(setup.conference), setup.conference.id).settings["schedule_include_accepted"] is False


def test_the_relaxed_penalty_is_kept_while_no_rule_is_relaxed(client, db, login):
    setup = small_conference()
    login(setup.organiser)
    data = {"slot_minutes": "10", "time_limit_seconds": "30", "relaxed_weight": "50000"}
    data.update({weight_field_name(name): "7" for name in WEIGHED_TERMS})
    assert client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/settings", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.scalar(select(ScheduleSettings).where(ScheduleSettings.conference_id == setup.conference.id))
    assert saved.relaxed_rules == {} and hard_rules_from(saved).relaxed_weight == 50000
    page = client.get(f"/c/{setup.conference.slug}/manage/schedule/setup").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="relaxed_weight"[^>]*>', page).group(0)
    assert 'value="50000"' in field


def test_block_on_a_daylight_saving_day_is_stored_in_utc(client, db, login):
    setup = small_conference()
    setup.conference.ends_on = date(2027, 3, 28)
    login(setup.organiser)
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/blocks",
                           data={"name": "Night owls", "day": "2027-03-28", "starts": "00:00", "ends": "03:00",
                                 "zone": str(setup.hub.id)})
    assert response.status_code == 302, response.get_data(as_text=True)
    block = db.session.scalar(select(ScheduleBlock).where(ScheduleBlock.name == "Night owls"))
    # London springs forward at 01:00 GMT: 00:00-03:00 local lasts two hours.
    assert block.starts_at == datetime(2027, 3, 28, 0, tzinfo=UTC)
    assert block.ends_at == datetime(2027, 3, 28, 2, tzinfo=UTC)
    assert len(db.session.scalars(select(ScheduleBlockRoom).where(ScheduleBlockRoom.block_id == block.id)).all()) == 3


def test_block_starting_in_a_daylight_saving_gap_is_form_error(client, db, login):
    setup = small_conference()
    setup.conference.ends_on = date(2027, 3, 28)
    login(setup.organiser)
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/blocks",
                           data={"name": "Gap", "day": "2027-03-28", "starts": "01:30", "ends": "03:00",
                                 "zone": str(setup.hub.id)})
    assert response.status_code == 422
    assert "01:30 on 28 Mar 2027 does not exist in Europe/London" in response.get_data(as_text=True)
    assert db.session.scalar(select(ScheduleBlock).where(ScheduleBlock.name == "Gap")) is None


def test_block_errors_rerender_with_the_input(client, db, login):
    setup = small_conference()
    login(setup.organiser)
    path = f"/c/{setup.conference.slug}/manage/schedule/setup/blocks"
    cases = [
        ({"day": "2027-03-24", "starts": "10:00", "ends": "11:00"}, "overlaps"),
        ({"day": "2027-03-25", "starts": "10:00", "ends": "10:45"}, "not a whole number of 30-minute slots"),
        ({"day": "2027-03-25", "starts": "11:00", "ends": "10:00"}, "end must be after the start"),
        ({"day": "2030-01-01", "starts": "10:00", "ends": "11:00"}, "The conference runs from"),
        ({"day": "2027-03-25", "starts": "10:00", "ends": "11:00", "name": "x" * 101}, "Field cannot be longer"),
    ]
    for fields, message in cases:
        data = {"name": "Extra", "zone": "", **fields}
        response = client.post(path, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert message in page, (fields, message)
        assert 'value="2030-01-01"' in page or fields["day"] != "2030-01-01"
    assert len(db.session.scalars(select(ScheduleBlock)).all()) == 2


@pytest.mark.parametrize(("zone", "day", "starts", "ends"), [
    ("Asia/Tokyo", "0001-01-01", "00:00", "01:00"),  # before year 1 in UTC
    ("America/Los_Angeles", "9999-12-31", "17:00", "18:00"),  # after year 9999 in UTC
])
def test_block_on_a_mistyped_year_is_form_error_not_a_crash(client, db, login, zone, day, starts, ends):
    setup = small_conference()
    setup.conference.time_zone = zone
    db.session.commit()
    login(setup.organiser)
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/blocks",
                           data={"name": "Typo", "day": day, "starts": starts, "ends": ends, "zone": ""})
    assert response.status_code == 422
    assert "The conference runs from" in response.get_data(as_text=True)


def test_room_matrix_opens_exactly_the_checked_rooms(client, db, login):
    setup = small_conference()
    morning, afternoon = setup.blocks
    main, side, online = setup.rooms
    foreign = small_conference()
    login(setup.organiser)
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/rooms", data={"open": [
        f"{morning.id}:{main.id}", f"{afternoon.id}:{online.id}", f"{foreign.blocks[0].id}:{foreign.rooms[0].id}", "junk"]})
    assert response.status_code == 302
    pairs = {(b, r) for b, r in db.session.execute(select(ScheduleBlockRoom.block_id, ScheduleBlockRoom.room_id))}
    foreign_pairs = {(block.id, room.id) for block in foreign.blocks for room in foreign.rooms}
    assert pairs == {(morning.id, main.id), (afternoon.id, online.id)} | foreign_pairs


def test_closing_every_room_of_a_block_is_flagged_on_the_setup_page(client, db, login):
    setup = small_conference()
    morning, afternoon = setup.blocks
    login(setup.organiser)
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/rooms",
                           data={"open": [f"{morning.id}:{room.id}" for room in setup.rooms]}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "No talk can be scheduled in Afternoon: no room or stream is open there." in page
    assert page.count("(no room open: nothing can be scheduled here)") == 1
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/rooms", data={"open": [
        f"{block.id}:{setup.rooms[0].id}" for block in setup.blocks]}, follow_redirects=True)
    assert "nothing can be scheduled" not in response.get_data(as_text=True)


def test_typical_grid_adds_non_overlapping_blocks_from_working_hours(client, db, login):
    setup = small_conference()
    for block in setup.blocks:
        db.session.delete(block)
    db.session.flush()
    login(setup.organiser)
    response = client.post(f"/c/{setup.conference.slug}/manage/schedule/setup/typical-grid")
    assert response.status_code == 302
    blocks = db.session.scalars(select(ScheduleBlock).order_by(ScheduleBlock.starts_at)).all()
    assert len(blocks) == 6  # morning and afternoon on three days
    assert blocks[0].starts_at == datetime(2027, 3, 24, 9, tzinfo=UTC)
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert before.ends_at <= after.starts_at


def test_finished_run_page_shows_the_result_and_the_build_page_the_draft(client, db, login, enqueued):
    from conference.schedule import jobs

    setup = small_conference()
    run = jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    db.session.commit()
    assert jobs.run_solver(run.id) == "succeeded"
    login(setup.organiser)
    page = client.get(f"/c/{setup.conference.slug}/manage/schedule/runs/{run.id}").get_data(as_text=True)
    assert "The draft now holds 6 talks" in page
    assert "An attendee wants two talks running at the same time" in page
    build = client.get(f"/c/{setup.conference.slug}/manage/schedule/").get_data(as_text=True)
    assert "6 talks placed, 0 pinned" in build and "Re-optimise the draft" in build


def test_deleting_a_block_detaches_the_draft_talks_placed_in_it(client, db, login):
    setup = small_conference(talk_count=1)
    afternoon = setup.blocks[1]
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    talk = ScheduledTalkFactory(version=draft, proposal=setup.talks[0], room=setup.rooms[0], block=afternoon,
                                starts_at=datetime(2027, 3, 24, 14, tzinfo=UTC),
                                ends_at=datetime(2027, 3, 24, 14, 30, tzinfo=UTC))
    db.session.commit()
    login(setup.organiser)
    path = f"/c/{setup.conference.slug}/manage/schedule/setup/blocks"
    assert client.post(f"{path}/{afternoon.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(ScheduledTalk, talk.id).block_id is None
    # New blocks never inherit the talk (SQLite hands a deleted row's id to the next row): the
    # re-created afternoon holds it, and the checker finds nothing wrong.
    for name, day, starts, ends in (("Thursday", "2027-03-25", "09:00", "12:00"),
                                    ("Afternoon again", "2027-03-24", "13:00", "16:00")):
        response = client.post(path, data={"name": name, "day": day, "starts": starts, "ends": ends, "zone": ""})
        assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    checker = draft_warnings(setup.conference, db.session.get(ScheduleVersion, draft.id))
    assert checker.hard_violations == []
