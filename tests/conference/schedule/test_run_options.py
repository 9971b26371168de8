"""A solver run stores what it was asked: the re-optimise choice and the talks it concerned.

The worker reads the choice from the run's row (a task carries only the run's id, so a
restarted consumer keeps it), the run page and the list of runs show it as the run recorded
it, "Try again" starts from it, and "Largest schedulable subset" keeps the choice of the run
it follows. Runs go the way production runs go: a form queues a task, which is serialised for
the queue, read back and executed as the consumer would.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from conference.conferences.models import Role
from conference.core.types import utcnow
from conference.schedule import jobs
from conference.schedule.models import RunKind, RunState, ScheduledTalk, ScheduleVersion, SolverRun
from tests.conference.drafts.conftest import add_talk, at, make_scene
from tests.conference.organisers.conftest import make_user
from tests.conference.schedule.factories import ScheduleSettingsFactory
from tests.conference.schedule.test_reoptimise_choice import (
    BUILD,
    CHECKBOX,
    RUNS,
    _draft_proposals,
    _run_form,
    _solve_queued,
    _start,
    _take_out_of_the_draft,
)
from tests.factories import (
    ConferenceFactory,
    RoleFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SolverRunFactory,
)

ZERO_DOWNTIME = "“Zero-downtime deploys”"
KEPT_OUT = f"Talks not in the draft were kept out: {ZERO_DOWNTIME}."
_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')


@pytest.fixture
def scene(db):
    """The drafts scene (one talk in the draft) with a second talk, and quick solves."""
    scene = make_scene(db)
    ScheduleSettingsFactory(conference_id=scene.conference.id, slot_minutes=15, time_limit_seconds=5)
    scene.kept = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.commit()
    return scene


@pytest.fixture
def organiser(login, scene, db):
    role = RoleFactory(conference=scene.conference, user=make_user(), role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)


def _submitted(form: str) -> dict[str, str]:
    """What a browser sends for ``form``: its hidden inputs and ticked checkboxes."""
    data = {}
    for match in _INPUT.finditer(form):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        if attributes.get("type") == "hidden" or (attributes.get("type") == "checkbox" and "checked" in attributes):
            data[attributes["name"]] = attributes.get("value") or "y"
    return data


def _run_page(client, run_id: int) -> str:
    return client.get(f"{RUNS}/{run_id}").get_data(as_text=True)


def _mark(db, run_id: int, **values) -> None:
    """Set the run's outcome as the worker would have written it."""
    db.session.execute(update(SolverRun).where(SolverRun.id == run_id).values(**values))
    db.session.commit()


# --- the run stores its choice and the worker reads it from there -------------------------------


def test_a_queued_re_optimise_run_stores_its_choice_and_the_talks_not_in_the_draft(
        client, db, scene, organiser, enqueued):
    taken_out = _take_out_of_the_draft(client, db, scene, scene.talk)

    _start(client, kind="reoptimise")

    run = db.session.scalar(select(SolverRun))
    assert run.options == {"place_talks_not_in_draft": False,
                           "not_in_draft": [{"proposal_id": taken_out, "title": "Zero-downtime deploys"}]}
    assert "Talks not in the draft will be kept out: “Zero-downtime deploys”." in _run_page(client, run.id)


def test_the_queued_task_carries_only_the_run_id_so_a_restarted_consumer_keeps_the_choice(
        client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    _take_out_of_the_draft(client, db, scene, scene.talk)
    _start(client, kind="reoptimise")
    [task] = enqueued
    assert task.args == (db.session.scalar(select(SolverRun.id)),) and task.kwargs == {}

    # A consumer that restarts reads the task back from the queue: only the id survives.
    restarted = jobs.run_solver_task.s(task.args[0])
    enqueued.append(restarted)
    run = _solve_queued(enqueued)

    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept}


def test_a_task_queued_before_runs_stored_their_choice_still_keeps_it(client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    _take_out_of_the_draft(client, db, scene, scene.talk)
    run = SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=RunState.QUEUED,
                           result={}, options={})
    db.session.commit()

    enqueued.append(jobs.run_solver_task.s(run.id, place_talks_not_in_draft=False))
    run = _solve_queued(enqueued)

    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept}
    assert KEPT_OUT in _run_page(client, run.id)


# --- the run page shows the talks the run used ----------------------------------------------------


def test_the_run_page_lists_the_talks_the_run_kept_out_not_the_draft_as_it_is_now(
        client, db, scene, organiser, enqueued):
    third = add_talk(db, scene.draft, scene.side_room, at(11), "Rust for the rest of us", block=scene.block)
    db.session.commit()
    _take_out_of_the_draft(client, db, scene, scene.talk)
    _start(client, kind="reoptimise")
    # Taken out after the run was queued and before the solver read the draft: the run keeps it out too.
    _take_out_of_the_draft(client, db, scene, third)

    run = _solve_queued(enqueued)
    assert run.state is RunState.SUCCEEDED, run.error
    # Changed after the run: the run page still lists what the run kept out.
    [later] = db.session.get(ScheduleVersion, scene.draft.id).talks
    _take_out_of_the_draft(client, db, scene, later)

    options = _run_page(client, run.id).split('<p id="run-options">')[1].split("</p>")[0]
    assert options == "Talks not in the draft were kept out: “Rust for the rest of us”, “Zero-downtime deploys”."


def test_the_run_page_says_the_talks_not_in_the_draft_were_placed_when_ticked(client, db, scene, organiser, enqueued):
    _take_out_of_the_draft(client, db, scene, scene.talk)
    _start(client, kind="reoptimise", place_talks_not_in_draft="y")

    run = _solve_queued(enqueued)

    assert run.state is RunState.SUCCEEDED, run.error
    assert f"Talks not in the draft were placed too: {ZERO_DOWNTIME}." in _run_page(client, run.id)


def test_the_run_page_of_a_re_optimise_run_from_the_editor_shows_its_choice(client, db, scene, organiser, enqueued):
    _take_out_of_the_draft(client, db, scene, scene.talk)
    response = client.post("/c/devcon/manage/schedule/draft/reoptimise", data={})
    assert response.status_code == 302

    run = _solve_queued(enqueued)

    assert run.options["place_talks_not_in_draft"] is False
    assert KEPT_OUT in _run_page(client, run.id)


def test_the_list_of_runs_shows_each_runs_kind_and_options(client, db, scene, organiser):
    talk = {"proposal_id": scene.talk.proposal_id, "title": "Zero-downtime deploys"}
    build = SolverRunFactory(conference=scene.conference, kind=RunKind.BUILD, state=RunState.SUCCEEDED, result={})
    kept_out = SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=RunState.INFEASIBLE,
                                result={}, options={"place_talks_not_in_draft": False, "not_in_draft": [talk]})
    SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=RunState.SUCCEEDED, result={},
                     options={"place_talks_not_in_draft": True, "not_in_draft": [talk]})
    SolverRunFactory(conference=scene.conference, kind=RunKind.LARGEST_SUBSET, state=RunState.SUCCEEDED, result={},
                     options={"follows_run_id": kept_out.id, "place_talks_not_in_draft": False,
                              "not_in_draft": [talk]})
    SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=RunState.FAILED, result={})
    db.session.commit()

    table = client.get(BUILD).get_data(as_text=True).split('id="runs-heading"')[1]
    rows = [re.sub(r"<[^>]+>", "|", row) for row in table.split("<tr>")[2:]]

    def cells(row: str) -> list[str]:
        return [cell.strip() for cell in row.split("|") if cell.strip()]

    assert "<th scope=\"col\">Options</th>" in table
    assert [cells(row)[1:3] for row in rows] == [
        ["Re-optimise the draft", "Not recorded"],
        ["Largest schedulable subset", f"Follows run {kept_out.id}; talks not in the draft kept out (1)"],
        ["Re-optimise the draft", "Talks not in the draft placed too (1)"],
        ["Re-optimise the draft", "Talks not in the draft kept out (1)"],
        ["Build schedule", "Every talk"],
    ]
    assert cells(rows[-1])[0] == f"Run {build.id}"


# --- "Try again" starts from the failed run's choice ---------------------------------------------


@pytest.mark.parametrize("place", [True, False])
@pytest.mark.parametrize("state", [RunState.FAILED, RunState.ABANDONED])
def test_try_again_starts_from_the_failed_runs_choice(client, db, scene, organiser, state, place):
    _take_out_of_the_draft(client, db, scene, scene.talk)
    talk = {"proposal_id": scene.talk.proposal_id, "title": "Zero-downtime deploys"}
    failed = SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=state, result={},
                              error="No schedule was found within the time limit of 5 s.",
                              options={"place_talks_not_in_draft": place, "not_in_draft": [talk]})
    db.session.commit()

    page = _run_page(client, failed.id)

    form = _run_form(page, "reoptimise")
    assert CHECKBOX in form and ("checked" in form) is place
    assert "“Try again” starts with this run's choice; change it below if you like." in page
    assert (f"Talks not in the draft were to be placed too: {ZERO_DOWNTIME}." if place else KEPT_OUT) in page


def test_try_again_of_a_stale_run_keeps_its_choice_and_places_the_talk(client, db, scene, organiser, enqueued):
    kept, taken_out = scene.kept.proposal_id, _take_out_of_the_draft(client, db, scene, scene.talk)
    _start(client, kind="reoptimise", place_talks_not_in_draft="y")
    stale = db.session.scalar(select(SolverRun))
    enqueued.clear()
    # Its worker died: no heartbeat for longer than the timeout.
    long_ago = utcnow() - jobs.HEARTBEAT_TIMEOUT - timedelta(seconds=5)
    _mark(db, stale.id, state=RunState.RUNNING, started_at=long_ago, heartbeat_at=long_ago, worker="elsewhere:1")

    page = _run_page(client, stale.id)
    assert "The run did not finish" in page
    form = _run_form(page, "reoptimise")
    assert _submitted(form) == {"csrf_token": _submitted(form)["csrf_token"], "kind": "reoptimise",
                                "place_talks_not_in_draft": "y"}

    landed = _start(client, **_submitted(form))
    run = _solve_queued(enqueued)

    assert "It places the talk not in the draft too." in landed
    assert run.id != stale.id and run.place_talks_not_in_draft is True
    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept, taken_out}


def test_try_again_keeps_a_ticked_choice_when_no_talk_is_left_out_now(client, db, scene, organiser, enqueued):
    failed = SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=RunState.FAILED,
                              result={}, error="No schedule was found within the time limit of 5 s.",
                              options={"place_talks_not_in_draft": True, "not_in_draft": []})
    db.session.commit()

    form = _run_form(_run_page(client, failed.id), "reoptimise")

    assert CHECKBOX not in form
    _start(client, **_submitted(form))
    assert db.session.scalar(select(SolverRun).where(SolverRun.id != failed.id)).place_talks_not_in_draft is True


# --- a largest subset keeps the choice of the run it follows -------------------------------------


def _infeasible_re_optimise_run(client, db, scene, enqueued, **form) -> SolverRun:
    """A re-optimise run queued from the Build page that found no schedule satisfying every rule."""
    _start(client, kind="reoptimise", **form)
    enqueued.clear()
    run = db.session.scalar(select(SolverRun))
    _mark(db, run.id, state=RunState.INFEASIBLE, finished_at=utcnow(),
          result={"status": "INFEASIBLE", "explanation": {"findings": [], "conflicts": []}})
    return run


def test_the_largest_subset_after_a_re_optimise_run_keeps_the_talks_not_in_the_draft_out(
        client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    _take_out_of_the_draft(client, db, scene, scene.talk)
    infeasible = _infeasible_re_optimise_run(client, db, scene, enqueued)

    page = _run_page(client, infeasible.id)
    assert "The subset keeps this run's choice: the talks not in the draft stay out, and it moves as few draft talks as possible." in page
    form = _run_form(page, "largest_subset")
    assert _submitted(form)["follows"] == str(infeasible.id)

    landed = _start(client, **_submitted(form))
    run = _solve_queued(enqueued)

    assert f"It keeps the choice of run {infeasible.id}: Talks not in the draft will be kept out" in landed
    assert run.kind is RunKind.LARGEST_SUBSET and run.state is RunState.SUCCEEDED, run.error
    assert run.follows_run_id == infeasible.id and run.place_talks_not_in_draft is False
    assert _draft_proposals(db, scene) == {kept}
    page = _run_page(client, run.id)
    assert f"run {infeasible.id}</a> (Re-optimise the draft) and keeps its choice. {KEPT_OUT}" in page


def test_the_largest_subset_after_a_ticked_re_optimise_run_places_the_talks_not_in_the_draft(
        client, db, scene, organiser, enqueued):
    kept, taken_out = scene.kept.proposal_id, _take_out_of_the_draft(client, db, scene, scene.talk)
    infeasible = _infeasible_re_optimise_run(client, db, scene, enqueued, place_talks_not_in_draft="y")

    page = _run_page(client, infeasible.id)
    assert "The subset keeps this run's choice: the talks not in the draft are placed too, and it moves as few draft talks as possible." in page
    _start(client, **_submitted(_run_form(page, "largest_subset")))
    run = _solve_queued(enqueued)

    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept, taken_out}


def test_the_largest_subset_after_a_build_places_every_talk(client, db, scene, organiser, enqueued):
    kept, taken_out = scene.kept.proposal_id, _take_out_of_the_draft(client, db, scene, scene.talk)
    infeasible = SolverRunFactory(conference=scene.conference, kind=RunKind.BUILD, state=RunState.INFEASIBLE,
                                  result={"status": "INFEASIBLE", "explanation": {}})
    db.session.commit()

    page = _run_page(client, infeasible.id)
    assert "The subset keeps this run's choice" not in page
    _start(client, **_submitted(_run_form(page, "largest_subset")))
    run = _solve_queued(enqueued)

    assert run.options == {"follows_run_id": infeasible.id}
    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept, taken_out}


def test_try_again_of_a_failed_largest_subset_follows_the_same_run(client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    _take_out_of_the_draft(client, db, scene, scene.talk)
    infeasible = _infeasible_re_optimise_run(client, db, scene, enqueued)
    _start(client, **_submitted(_run_form(_run_page(client, infeasible.id), "largest_subset")))
    failed = db.session.scalar(select(SolverRun).where(SolverRun.kind == RunKind.LARGEST_SUBSET))
    enqueued.clear()
    _mark(db, failed.id, state=RunState.FAILED, finished_at=utcnow(), error="No schedule was found.")

    page = _run_page(client, failed.id)
    assert "“Try again” keeps the same choice: the talks not in the draft stay out." in page
    _start(client, **_submitted(_run_form(page, "largest_subset")))
    run = _solve_queued(enqueued)

    assert run.follows_run_id == infeasible.id and run.place_talks_not_in_draft is False
    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept}


@pytest.mark.parametrize("follows", ["abc", "0", "-3", "99999999999999999999"])
def test_a_largest_subset_following_no_valid_run_is_refused_with_nothing_written(
        client, db, scene, organiser, enqueued, follows):
    response = client.post(RUNS, data={"kind": "largest_subset", "follows": follows}, follow_redirects=True)

    assert response.status_code == 200
    assert "That request could not be understood" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SolverRun.id))) == 0 and enqueued == []


def test_a_largest_subset_cannot_follow_a_run_of_another_conference(client, db, scene, organiser, enqueued):
    elsewhere = SolverRunFactory(conference=ConferenceFactory(slug="other"), kind=RunKind.REOPTIMISE,
                                 state=RunState.INFEASIBLE, result={}, options={"place_talks_not_in_draft": False})
    db.session.commit()

    response = client.post(RUNS, data={"kind": "largest_subset", "follows": str(elsewhere.id)})

    assert response.status_code == 404
    assert db.session.scalar(select(func.count(SolverRun.id))) == 1 and enqueued == []


def _placement(db, scene, proposal_id: int) -> tuple[int, object]:
    db.session.expire_all()
    talk = db.session.scalar(select(ScheduledTalk).where(ScheduledTalk.version_id == scene.draft.id,
                                                        ScheduledTalk.proposal_id == proposal_id))
    return talk.room_id, talk.starts_at


def test_the_largest_subset_after_a_re_optimise_run_moves_as_few_draft_talks_as_it_does(
        client, db, scene, organiser, enqueued):
    """Re-optimising keeps the draft's placements where it can; so does the subset following it,
    even where the published schedule placed a talk elsewhere."""
    kept = scene.kept.proposal_id
    published = ScheduleVersionFactory(conference=scene.conference, is_draft=False, number=1,
                                       published_at=utcnow())
    ScheduledTalkFactory(version=published, proposal=scene.kept.proposal, room=scene.main_hall,
                         block=scene.block, starts_at=at(15), ends_at=at(15, 30))
    db.session.commit()
    in_draft = _placement(db, scene, kept)
    _take_out_of_the_draft(client, db, scene, scene.talk)
    infeasible = _infeasible_re_optimise_run(client, db, scene, enqueued)

    page = _run_page(client, infeasible.id)
    assert "and it moves as few draft talks as possible" in page
    _start(client, **_submitted(_run_form(page, "largest_subset")))
    run = _solve_queued(enqueued)

    assert run.state is RunState.SUCCEEDED, run.error
    assert _placement(db, scene, kept) == in_draft != (scene.main_hall.id, at(15))


def test_the_largest_subset_after_a_build_stays_close_to_the_published_schedule(
        client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    published = ScheduleVersionFactory(conference=scene.conference, is_draft=False, number=1,
                                       published_at=utcnow())
    ScheduledTalkFactory(version=published, proposal=scene.kept.proposal, room=scene.main_hall,
                         block=scene.block, starts_at=at(15), ends_at=at(15, 30))
    infeasible = SolverRunFactory(conference=scene.conference, kind=RunKind.BUILD, state=RunState.INFEASIBLE,
                                  result={"status": "INFEASIBLE", "explanation": {}})
    db.session.commit()

    page = _run_page(client, infeasible.id)
    assert "moves as few draft talks as possible" not in page
    _start(client, **_submitted(_run_form(page, "largest_subset")))
    run = _solve_queued(enqueued)

    assert run.state is RunState.SUCCEEDED, run.error
    assert _placement(db, scene, kept) == (scene.main_hall.id, at(15))
