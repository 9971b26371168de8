import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import scheduler
from conference.core.types import utcnow
from conference.schedule import jobs
from conference.schedule.models import RunKind, RunState, ScheduledTalk, ScheduleVersion, SolverRun
from tests.conference.schedule.factories import (
    AvailabilityWindowFactory,
    add_talk,
    small_conference,
)
from tests.factories import ScheduledTalkFactory, ScheduleVersionFactory, UserFactory


def _run(db, setup, kind=RunKind.BUILD):
    run = jobs.enqueue_solver_run(setup.conference, kind, setup.organiser)
    db.session.commit()
    state = jobs.run_solver(run.id)
    db.session.expire_all()
    return db.session.get(SolverRun, run.id), state


def _draft_rows(db, conference):
    return {
        row.proposal_id: (row.room_id, row.starts_at, row.pinned)
        for row in db.session.scalars(
            select(ScheduledTalk).join(ScheduleVersion).where(
                ScheduleVersion.conference_id == conference.id, ScheduleVersion.is_draft.is_(True)
            )
        )
    }


def test_enqueue_queues_the_task_only_after_commit(db, enqueued):
    setup = small_conference()
    run = jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    assert run.state is RunState.QUEUED and run.time_limit_seconds == 5
    assert enqueued == []
    db.session.commit()
    assert [task.id for task in enqueued] == [run.task_id]
    assert enqueued[0].args == (run.id,)


def test_second_run_while_one_is_active_is_refused(db, enqueued):
    setup = small_conference()
    first = jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    with pytest.raises(jobs.RunAlreadyActive) as refused:
        jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    assert refused.value.run.id == first.id
    db.session.commit()
    assert len(enqueued) == 1
    assert db.session.scalar(select(func.count(SolverRun.id))) == 1


def test_successful_run_writes_exactly_one_draft(db, enqueued):
    setup = small_conference()
    old_draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    ScheduledTalkFactory(version=old_draft, proposal=setup.talks[0], room=setup.rooms[0], block=setup.blocks[0])
    run, state = _run(db, setup)
    assert state == "succeeded", run.error
    assert run.state is RunState.SUCCEEDED and run.finished_at is not None and run.worker
    drafts = db.session.scalars(select(ScheduleVersion).where(ScheduleVersion.conference_id == setup.conference.id)).all()
    assert [d.id for d in drafts] == [old_draft.id]
    assert drafts[0].solver_run_id == run.id
    assert set(_draft_rows(db, setup.conference)) == {talk.id for talk in setup.talks}
    assert run.result["status"] in ("OPTIMAL", "FEASIBLE")
    assert set(run.result["soft_terms"]) >= {"attendee-conflict", "stability"}
    assert run.result["unscheduled"] == [] and run.result["scheduled"] == 6


def test_a_new_draft_is_created_when_none_exists(db, enqueued):
    setup = small_conference(talk_count=2)
    run = jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    db.session.commit()
    # The huey task itself, run in this process.
    assert jobs.run_solver_task.call_local(run.id) == "succeeded"
    assert len(_draft_rows(db, setup.conference)) == 2


def test_cancel_requested_before_start_stops_without_touching_the_draft(db, enqueued):
    setup = small_conference()
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    ScheduledTalkFactory(version=draft, proposal=setup.talks[0], room=setup.rooms[0], block=setup.blocks[0])
    run = jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    db.session.commit()
    db.session.execute(update(SolverRun).where(SolverRun.id == run.id).values(cancel_requested=True))
    db.session.commit()
    before = _draft_rows(db, setup.conference)
    assert jobs.run_solver(run.id) is None
    db.session.expire_all()
    assert db.session.get(SolverRun, run.id).state is RunState.CANCELLED
    assert _draft_rows(db, setup.conference) == before


def test_cancelling_a_queued_run_cancels_it_at_once(db, enqueued):
    setup = small_conference()
    run = jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    jobs.request_cancel(run)
    assert run.state is RunState.CANCELLED and run.cancel_requested


def test_cancel_while_solving_sets_the_stop_event(db, enqueued):
    setup = small_conference(talk_count=1)
    run = jobs.enqueue_solver_run(setup.conference, RunKind.BUILD, setup.organiser)
    db.session.execute(update(SolverRun).where(SolverRun.id == run.id).values(state=RunState.RUNNING))
    db.session.commit()
    watcher = jobs._Watcher(db.engine, run.id)
    watcher.on_progress(scheduler.Progress(objective=12, bound=3, elapsed_seconds=0.5, solutions_found=1))
    watcher.start()
    try:
        engine = db.engine
        threading.Timer(0.3, lambda: _request_cancel(engine, run.id)).start()
        assert watcher.stop_solver.wait(5)
    finally:
        watcher.finished.set()
        watcher.join(5)
    db.session.expire_all()
    written = db.session.get(SolverRun, run.id)
    assert (written.best_objective, written.best_bound, written.elapsed_seconds) == (12, 3, 0.5)
    assert written.heartbeat_at is not None


def _request_cancel(engine, run_id):
    with engine.begin() as connection:
        connection.execute(update(SolverRun).where(SolverRun.id == run_id).values(cancel_requested=True))


def _unavailable_speaker(setup):
    speaker = UserFactory(display_name="Ada Busy")
    AvailabilityWindowFactory(conference_id=setup.conference.id, user=speaker,
                              starts_at=datetime(2027, 3, 26, 9, tzinfo=UTC), ends_at=datetime(2027, 3, 26, 10, tzinfo=UTC))
    return speaker


def test_infeasible_problem_is_explained_and_the_draft_left_alone(db, enqueued):
    setup = small_conference(talk_count=2)
    add_talk(setup, speaker=_unavailable_speaker(setup))
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    ScheduledTalkFactory(version=draft, proposal=setup.talks[0], room=setup.rooms[0], block=setup.blocks[0])
    before = _draft_rows(db, setup.conference)
    run, state = _run(db, setup)
    assert state == "infeasible", run.error
    explanation = run.result["explanation"]
    assert explanation["conflicts"][0]["rule"] == "person-unavailable"
    assert "Ada Busy" in explanation["conflicts"][0]["message"]
    assert _draft_rows(db, setup.conference) == before


def test_largest_subset_lists_left_out_talks(db, enqueued):
    setup = small_conference(talk_count=3)
    stuck = add_talk(setup, speaker=_unavailable_speaker(setup))
    run, state = _run(db, setup, RunKind.LARGEST_SUBSET)
    assert state == "succeeded", run.error
    assert run.result["unscheduled"] == [{"proposal_id": stuck.id, "title": stuck.title}]
    assert set(_draft_rows(db, setup.conference)) == {talk.id for talk in setup.talks[:3]}


def test_a_grid_without_blocks_fails_with_a_readable_error(db, enqueued):
    setup = small_conference()
    for block in setup.blocks:
        db.session.delete(block)
    db.session.flush()
    run, state = _run(db, setup)
    assert state == "failed"
    assert "no blocks" in run.error


def test_a_block_the_scheduler_refuses_is_named_in_the_error(db, enqueued):
    """A block saved before the web form checked years: the run fails naming it, not "blocks[0]"."""
    setup = small_conference()
    morning = setup.blocks[0]
    morning.starts_at, morning.ends_at = datetime(1850, 3, 24, 9, tzinfo=UTC), datetime(1850, 3, 24, 12, tzinfo=UTC)
    db.session.flush()
    run, state = _run(db, setup)
    assert state == "failed"
    assert "block “Morning” (start): the year must be between 1900 and 9000" in run.error
    assert "blocks[" not in run.error


def test_an_unexpected_solver_error_fails_without_a_traceback(db, enqueued, monkeypatch):
    setup = small_conference()

    def broken(*args, **kwargs):
        raise RuntimeError("boom in the solver")

    monkeypatch.setattr(scheduler, "solve", broken)
    run, state = _run(db, setup)
    assert state == "failed"
    assert "internal error" in run.error
    assert "boom" not in run.error and "Traceback" not in run.error
    assert _draft_rows(db, setup.conference) == {}


def test_reoptimise_keeps_pins_and_moves_few_talks(db, enqueued):
    setup = small_conference()
    run, state = _run(db, setup)
    assert state == "succeeded"
    draft = db.session.scalar(select(ScheduleVersion).where(ScheduleVersion.conference_id == setup.conference.id))
    pinned = db.session.scalar(select(ScheduledTalk).where(ScheduledTalk.version_id == draft.id,
                                                          ScheduledTalk.proposal_id == setup.talks[0].id))
    # The organiser moves and pins one talk, and adds a new talk.
    pinned.starts_at = datetime(2027, 3, 24, 15, 30, tzinfo=UTC)
    pinned.ends_at = pinned.starts_at + timedelta(minutes=30)
    pinned.block_id = setup.blocks[1].id
    pinned.pinned = True
    newcomer = add_talk(setup)
    db.session.commit()
    before = _draft_rows(db, setup.conference)
    run, state = _run(db, setup, RunKind.REOPTIMISE)
    assert state == "succeeded", run.error
    after = _draft_rows(db, setup.conference)
    assert after[setup.talks[0].id] == before[setup.talks[0].id]
    moved = [pid for pid, placement in before.items() if after[pid] != placement]
    assert moved == []
    assert newcomer.id in after


def test_stale_running_run_is_marked_abandoned(db):
    setup = small_conference()
    run = SolverRun(conference_id=setup.conference.id, kind=RunKind.BUILD, state=RunState.RUNNING,
                    heartbeat_at=utcnow() - timedelta(minutes=5), result={}, error="")
    db.session.add(run)
    db.session.flush()
    assert jobs.mark_abandoned_runs(setup.conference) == [run]
    assert run.state is RunState.ABANDONED and "stopped responding" in run.error
    assert jobs.active_run(setup.conference) is None


def test_the_consumer_compiles_the_annealer_kernel_when_it_starts():
    # Solves must not spend their time limit compiling: the consumer loads (or compiles) the
    # kernel in a start-up hook, which huey runs in each worker before its first task.
    from scheduler import anneal_kernel

    assert jobs.huey._startup["compile_solver_kernel"] is jobs.compile_solver_kernel
    jobs.compile_solver_kernel()
    assert anneal_kernel.COMPILED
    assert anneal_kernel.run.signatures and anneal_kernel.descend.signatures


def test_the_consumer_warns_when_numba_cannot_keep_the_kernel(monkeypatch, caplog):
    # Without a writable cache directory every worker compiles on start (about 12 s): the
    # organiser's operator is told how to fix it.
    from scheduler import anneal_kernel

    monkeypatch.setattr(anneal_kernel, "CACHED", False)
    with caplog.at_level("WARNING", logger=jobs.log.name):
        jobs.compile_solver_kernel()
    assert any("NUMBA_CACHE_DIR" in record.getMessage() for record in caplog.records)
    monkeypatch.setattr(anneal_kernel, "CACHED", True)
    caplog.clear()
    jobs.compile_solver_kernel()
    assert not any("NUMBA_CACHE_DIR" in record.getMessage() for record in caplog.records)


def test_a_run_leaves_alone_a_draft_an_organiser_edited_while_it_solved(db, enqueued, monkeypatch):
    setup = small_conference()
    run, state = _run(db, setup)
    assert state == "succeeded"
    real_solve = scheduler.solve

    def solve_while_an_organiser_pins_a_talk(problem, **options):
        solution = real_solve(problem, **options)
        # Meanwhile, in the draft editor (its own request and transaction), a talk is moved and pinned.
        with Session(db.engine) as editor:
            draft = editor.scalar(select(ScheduleVersion).where(ScheduleVersion.conference_id == setup.conference.id))
            talk = editor.scalar(select(ScheduledTalk).where(ScheduledTalk.version_id == draft.id,
                                                             ScheduledTalk.proposal_id == setup.talks[0].id))
            talk.room_id, talk.block_id = setup.rooms[2].id, setup.blocks[1].id
            talk.starts_at = datetime(2027, 3, 24, 15, 30, tzinfo=UTC)
            talk.ends_at = talk.starts_at + timedelta(minutes=30)
            talk.pinned = True
            draft.updated_at = utcnow()  # what every editor change does: bumps the lock version
            editor.commit()
        return solution

    monkeypatch.setattr(scheduler, "solve", solve_while_an_organiser_pins_a_talk)
    run, state = _run(db, setup, RunKind.REOPTIMISE)
    edited = _draft_rows(db, setup.conference)
    assert state == "failed"
    assert "changed while the solver ran" in run.error
    assert edited[setup.talks[0].id] == (setup.rooms[2].id, datetime(2027, 3, 24, 15, 30, tzinfo=UTC), True)
