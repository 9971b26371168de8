"""Solver runs as background jobs: queue a run, then solve it in the huey consumer.

The consumer marks the run running, builds the problem, solves it while a watcher thread
writes progress and the heartbeat (about once a second, each write its own short
transaction) and turns a requested cancel into the solver's stop event. The result replaces
the draft's placements in ONE transaction, so a killed worker never leaves half a draft.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import scheduler
from conference.activity.models import ActivityAction
from conference.activity.operations import record
from conference.conferences.models import Conference
from conference.core.types import utcnow
from conference.extensions import db
from conference.schedule import mapping, versions
from conference.schedule.models import (
    RunKind,
    RunState,
    ScheduledTalk,
    ScheduleVersion,
    SolverRun,
)
from conference.tasks import app_context, huey
from scheduler import anneal_kernel

log = logging.getLogger(__name__)

HEARTBEAT_TIMEOUT = timedelta(seconds=60)
PROGRESS_INTERVAL = 1.0
CANCEL_POLL_INTERVAL = 0.25
# Re-optimising should move as few talks as possible compared with the current draft.
REOPTIMISE_STABILITY_WEIGHT = 1_000
SOLVER_WORKERS = 2


QUEUE_UNAVAILABLE_MESSAGE = (
    "The task queue cannot be reached, so the solver run was not started. "
    "Nothing was changed; try again in a minute, and tell the site administrators if it persists "
    "(the queue server, e.g. Redis at REDIS_URL, may be down)."
)


class QueueUnavailable(Exception):
    """The task queue (Redis, or the SQLite queue file) does not answer."""


class RunAlreadyActive(Exception):
    """The conference already has a queued or running solver run."""

    def __init__(self, run: SolverRun | None):
        super().__init__("A solver run is already in progress.")
        self.run = run


def active_run(conference: Conference) -> SolverRun | None:
    """The conference's queued or running run, if any."""
    return db.session.scalar(
        select(SolverRun).where(
            SolverRun.conference_id == conference.id,
            SolverRun.state.in_((RunState.QUEUED, RunState.RUNNING)),
        )
    )


def worker_name() -> str:
    """How a run records the process solving it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def worker_is_gone(worker: str | None) -> bool:
    """True when ``worker`` names a process on this host that no longer exists.

    A worker on another host is never judged here; its heartbeat going stale tells instead.
    """
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    return False


def is_abandoned(run: SolverRun, now=None) -> bool:
    """A running run whose worker process is gone or has not written a heartbeat for a minute."""
    if run.state is not RunState.RUNNING:
        return False
    if worker_is_gone(run.worker):
        return True
    last = run.heartbeat_at or run.started_at or run.created_at
    return (now or utcnow()) - last > HEARTBEAT_TIMEOUT


ABANDONED_MESSAGE = "The solver stopped responding (its worker was probably restarted). Start a new run."


def mark_abandoned_runs(conference: Conference | None = None) -> list[SolverRun]:
    """Mark running runs (of ``conference``, or all) whose worker died as abandoned; flushes."""
    query = select(SolverRun).where(SolverRun.state == RunState.RUNNING)
    if conference is not None:
        query = query.where(SolverRun.conference_id == conference.id)
    found = []
    for run in db.session.scalars(query):
        if is_abandoned(run):
            run.state = RunState.ABANDONED
            run.finished_at = utcnow()
            run.error = ABANDONED_MESSAGE
            found.append(run)
    db.session.flush()
    return found


@huey.on_startup()
def mark_runs_of_dead_workers() -> None:
    """When a consumer starts (often right after one was killed), close the runs it left behind."""
    with app_context():
        found = [run.id for run in mark_abandoned_runs()]
        db.session.commit()
    if found:
        log.warning("Marked solver runs %s as abandoned: their worker is gone", found)


@huey.on_startup()
def compile_solver_kernel() -> None:
    """Load (or compile, the first time) the annealer's kernel before the first solve needs it,
    so that a solve's time limit is not spent compiling (`python -m scheduler compile`)."""
    anneal_kernel.warm()
    if anneal_kernel.COMPILED and not anneal_kernel.CACHED:
        log.warning(anneal_kernel.NO_CACHE_MESSAGE)


def check_queue() -> None:
    """Raise `QueueUnavailable` unless the task queue answers (a cheap read of its length)."""
    try:
        huey.pending_count()
    except Exception as error:
        log.warning("The task queue does not answer: %s", error)
        raise QueueUnavailable(QUEUE_UNAVAILABLE_MESSAGE) from error


def run_options(conference: Conference, kind: RunKind, *, place_talks_not_in_draft: bool = True,
                follows: SolverRun | None = None) -> dict[str, Any]:
    """What a new run records on its row: the re-optimise choice and the talks it concerns.

    A largest-subset run takes the choice of the run it ``follows`` (itself possibly inherited);
    after a build, or with nothing to follow, it places every talk as a build does.
    """
    options: dict[str, Any] = {}
    if kind is RunKind.REOPTIMISE:
        options["place_talks_not_in_draft"] = bool(place_talks_not_in_draft)
    elif kind is RunKind.LARGEST_SUBSET and follows is not None:
        options["follows_run_id"] = follows.id
        if follows.place_talks_not_in_draft is not None:
            options["place_talks_not_in_draft"] = follows.place_talks_not_in_draft
    if "place_talks_not_in_draft" in options:
        options["not_in_draft"] = mapping.talks_not_in_draft(conference)
    return options


def enqueue_solver_run(conference: Conference, kind: RunKind, requested_by, *,
                       place_talks_not_in_draft: bool = True, follows: SolverRun | None = None) -> SolverRun:
    """Create a queued run and enqueue its task once the request commits.

    A re-optimising run with ``place_talks_not_in_draft`` False keeps the talks the draft does
    not place out of the new draft; a largest-subset run keeps the choice of the run it
    ``follows``. The choice is stored on the run (see `run_options`), where the worker reads it.
    Raises `QueueUnavailable` (nothing written) when the queue does not answer, and
    `RunAlreadyActive` when the database refuses a second active run.
    """
    check_queue()
    mark_abandoned_runs(conference)
    settings = mapping.schedule_settings(conference)
    options = run_options(conference, kind, place_talks_not_in_draft=place_talks_not_in_draft, follows=follows)
    try:
        with db.session.begin_nested():
            run = SolverRun(
                conference_id=conference.id,
                kind=kind,
                state=RunState.QUEUED,
                requested_by_id=requested_by.id if requested_by is not None else None,
                time_limit_seconds=settings.time_limit_seconds if settings else 60,
                result={},
                error="",
                options=options,
            )
            db.session.add(run)
    except IntegrityError:
        raise RunAlreadyActive(active_run(conference)) from None
    # Only the id travels with the task: the worker reads what the run was asked from its row.
    task = run_solver_task.s(run.id)
    run.task_id = task.id
    db.session.flush()
    record(conference, ActivityAction.SOLVER_RUN_STARTED, actor=requested_by, details={"kind": kind.value})
    # Enqueue only after the run row is committed, or the worker could look before it exists.
    run_id = run.id
    event.listen(db.session(), "after_commit", lambda _session: _enqueue(task, run_id), once=True)
    return run


def _enqueue(task, run_id: int) -> None:
    try:
        huey.enqueue(task)
    except Exception:
        log.exception("Could not put solver task %s on the queue", task.id)
        # The queue went away after check_queue(): a run left queued without its task would
        # block every later run, so it fails at once with the reason (its own transaction).
        with db.engine.begin() as connection:
            connection.execute(
                update(SolverRun)
                .where(SolverRun.id == run_id, SolverRun.state == RunState.QUEUED)
                .values(state=RunState.FAILED, finished_at=utcnow(), error=QUEUE_UNAVAILABLE_MESSAGE)
            )


def request_cancel(run: SolverRun) -> None:
    """Ask a queued or running run to stop; a queued run is cancelled at once."""
    if run.state is RunState.QUEUED:
        run.cancel_requested = True
        run.state = RunState.CANCELLED
        run.finished_at = utcnow()
    elif run.state is RunState.RUNNING:
        run.cancel_requested = True
    db.session.flush()


@huey.task()
def run_solver_task(run_id: int, place_talks_not_in_draft: bool | None = None) -> str | None:
    """The huey task: solve run ``run_id`` inside an app context.

    ``place_talks_not_in_draft`` is only read for tasks queued before runs stored their choice.
    """
    with app_context():
        return run_solver(run_id, legacy_place_talks_not_in_draft=place_talks_not_in_draft)


class _Watcher(threading.Thread):
    """Writes the latest progress and the heartbeat, and turns a cancel request into `stop`."""

    def __init__(self, engine: Engine, run_id: int):
        super().__init__(daemon=True, name=f"solver-run-{run_id}")
        self.engine = engine
        self.run_id = run_id
        self.stop_solver = threading.Event()
        self.finished = threading.Event()
        self.lock = threading.Lock()
        self.progress: scheduler.Progress | None = None
        self.written: scheduler.Progress | None = None

    def on_progress(self, progress: scheduler.Progress) -> None:
        with self.lock:
            self.progress = progress

    def run(self) -> None:
        last_write = 0.0
        while not self.finished.wait(CANCEL_POLL_INTERVAL):
            try:
                if time.monotonic() - last_write >= PROGRESS_INTERVAL:
                    self.write()
                    last_write = time.monotonic()
                with self.engine.connect() as connection:
                    cancel = connection.scalar(
                        select(SolverRun.cancel_requested).where(SolverRun.id == self.run_id)
                    )
                if cancel:
                    self.stop_solver.set()
            except Exception:  # noqa: BLE001 - a failed progress write must not kill the run
                log.warning("Could not write progress of solver run %s", self.run_id, exc_info=True)

    def write(self) -> None:
        with self.lock:
            progress = self.progress
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if progress is not None:
            values.update(
                best_objective=progress.objective,
                best_bound=progress.bound,
                elapsed_seconds=round(progress.elapsed_seconds, 2),
            )
        with self.engine.begin() as connection:
            connection.execute(
                update(SolverRun)
                .where(SolverRun.id == self.run_id, SolverRun.state == RunState.RUNNING)
                .values(**values)
            )


def _start(run_id: int) -> SolverRun | None:
    """Mark the run running; None when it was cancelled or already taken."""
    run = db.session.get(SolverRun, run_id)
    if run is None or run.state is not RunState.QUEUED:
        return None
    now = utcnow()
    if run.cancel_requested:
        run.state = RunState.CANCELLED
        run.finished_at = now
        db.session.commit()
        return None
    run.state = RunState.RUNNING
    run.started_at = now
    run.heartbeat_at = now
    run.worker = worker_name()
    db.session.commit()
    return run


def run_solver(run_id: int, *, legacy_place_talks_not_in_draft: bool | None = None) -> str | None:
    """Solve run ``run_id`` and record the outcome; returns the final state's value.

    What the run was asked is read from its row: re-optimising (or a largest subset following
    such a run) without ``place_talks_not_in_draft`` schedules only the talks the draft places,
    and both keep draft talks where they are when they can.
    """
    run = _start(run_id)
    if run is None:
        return None
    conference = run.conference
    kind = run.kind
    time_limit = run.time_limit_seconds
    place_all = run.place_talks_not_in_draft
    if place_all is None and kind is RunKind.REOPTIMISE:
        place_all = True if legacy_place_talks_not_in_draft is None else legacy_place_talks_not_in_draft
    try:
        if kind is RunKind.REOPTIMISE:
            mapped = mapping.build_problem(
                conference, previous="draft", stability_weight=REOPTIMISE_STABILITY_WEIGHT,
                only_draft_talks=not place_all,
            )
        elif kind is RunKind.LARGEST_SUBSET and place_all is not None:
            # Following a re-optimise run, the subset re-optimises too: it keeps that run's
            # choice and moves as few draft talks as possible (not "stays near the published").
            mapped = mapping.build_problem(
                conference, previous="draft", stability_weight=REOPTIMISE_STABILITY_WEIGHT,
                only_draft_talks=not place_all,
            )
        else:
            mapped = mapping.build_problem(conference)
        if place_all is not None:
            _record_talks_not_in_draft(run, place_all, mapped)
        if not mapped.problem.talks and place_all is False:
            raise _ReadableError(
                ("The draft has no talks to re-optimise." if kind is RunKind.REOPTIMISE else
                 "The draft has no talks, and this run keeps the talks not in the draft out as the run it follows did.")
                + " To place the talks not in the draft, "
                "re-optimise again with “Also place the talks not in the draft” ticked."
            )
        if not mapped.problem.talks:
            raise _ReadableError("There are no accepted or confirmed talks to schedule.")
        if not mapped.problem.blocks:
            raise _ReadableError("The grid has no blocks yet: add blocks on the schedule setup page.")
        if not mapped.problem.rooms:
            raise _ReadableError("The conference has no rooms or online streams yet.")
    except _ReadableError as error:
        return _finish_failed(run_id, str(error))
    except scheduler.ProblemError as error:
        return _finish_failed(run_id, "The grid or the talks cannot be scheduled as set up: " + "; ".join(error.errors[:5]))
    except Exception:
        log.exception("Building the problem of solver run %s failed", run_id)
        return _finish_failed(run_id, "The schedule problem could not be built from the conference data.")
    # Release the session's transaction so the watcher's writes never wait on it (SQLite).
    db.session.commit()

    watcher = _Watcher(db.engine, run_id)
    watcher.start()
    try:
        options = {"time_limit": float(time_limit), "workers": SOLVER_WORKERS,
                   "on_progress": watcher.on_progress, "stop": watcher.stop_solver}
        if kind is RunKind.LARGEST_SUBSET:
            solution = scheduler.largest_subset(mapped.problem, **options)
        else:
            solution = scheduler.solve(mapped.problem, **options)
    except scheduler.ProblemError as error:
        return _finish_failed(run_id, "The grid or the talks cannot be scheduled as set up: "
                              + "; ".join(mapped.readable_error(message) for message in error.errors[:5]))
    except Exception:
        log.exception("Solver run %s failed", run_id)
        return _finish_failed(run_id, "The solver stopped with an internal error. Try again; if it persists, tell the site administrators.")
    finally:
        watcher.finished.set()
        watcher.join(timeout=5)

    if solution.status == "CANCELLED" or watcher.stop_solver.is_set() or _cancel_requested(run_id):
        # A cancelled run leaves the draft as it was, even if it had found a schedule.
        return _finish(run_id, RunState.CANCELLED, {"status": "CANCELLED"})
    if solution.has_schedule:
        return _finish_with_schedule(run_id, mapped, solution)
    if solution.status == "INFEASIBLE":
        return _finish_infeasible(run_id, mapped)
    return _finish(
        run_id,
        RunState.FAILED,
        {"status": solution.status},
        error=f"No schedule was found within the time limit of {time_limit} s. "
        "Allow more time, or relax some rules on the setup page.",
    )


class _ReadableError(Exception):
    pass


def _record_talks_not_in_draft(run: SolverRun, place_all: bool, mapped: mapping.MappedProblem) -> None:
    """Write the talks the draft did not place as the solver read it (kept out or placed): the run
    page lists these, not the draft's later state. Committed at once, so a failure keeps them."""
    run.options = {**(run.options or {}), "place_talks_not_in_draft": place_all,
                   "not_in_draft": mapped.not_in_draft}
    db.session.commit()


def _cancel_requested(run_id: int) -> bool:
    db.session.rollback()
    return bool(db.session.scalar(select(SolverRun.cancel_requested).where(SolverRun.id == run_id)))


def _finish(run_id: int, state: RunState, result: dict[str, Any], error: str = "") -> str:
    db.session.rollback()
    run = db.session.get(SolverRun, run_id)
    run.state = state
    run.result = result
    run.error = error
    run.finished_at = utcnow()
    run.heartbeat_at = run.finished_at
    db.session.commit()
    return state.value


def _finish_failed(run_id: int, message: str) -> str:
    return _finish(run_id, RunState.FAILED, {}, error=message)


def _finish_infeasible(run_id: int, mapped: mapping.MappedProblem) -> str:
    try:
        explanation = scheduler.explain(mapped.problem, time_limit=10.0)
    except Exception:
        log.exception("Explaining solver run %s failed", run_id)
        explanation = scheduler.Explanation(feasible=False)
    result = {
        "status": "INFEASIBLE",
        "explanation": {
            "findings": [_readable(mapped, finding) for finding in explanation.findings],
            "conflicts": [
                {
                    "rule": conflict.rule,
                    "label": scheduler.RULES[conflict.rule].label if conflict.rule in scheduler.RULES else conflict.rule,
                    "message": _readable(mapped, conflict.message),
                    "subject": mapped.names.get(conflict.subject, conflict.subject),
                }
                for conflict in explanation.conflicts
            ],
        },
    }
    return _finish(run_id, RunState.INFEASIBLE, result)


def _readable(mapped: mapping.MappedProblem, message: str) -> str:
    return mapped.readable(message)


def summarise(mapped: mapping.MappedProblem, solution: scheduler.Solution) -> dict[str, Any]:
    """The run result shown to organisers: figures, every soft term, violations, left-out talks."""
    return {
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.best_bound,
        "gap": solution.gap,
        "wall_time": round(solution.wall_time, 2),
        "soft_terms": {name: int(value) for name, value in solution.soft_terms.items()},
        "violations": [
            {"rule": v.rule, "message": _readable(mapped, v.message)} for v in solution.violations
        ],
        "unscheduled": [
            {"proposal_id": mapped.proposal_of_talk[t], "title": mapped.talk_title(t)}
            for t in solution.unscheduled
        ],
        "scheduled": len(solution.assignments),
    }


DRAFT_CHANGED_MESSAGE = (
    "The draft was changed while the solver ran (a talk was moved or pinned), so this result was "
    "not saved and the draft keeps those changes. Run again to start from the changed draft."
)


def _finish_with_schedule(run_id: int, mapped: mapping.MappedProblem, solution: scheduler.Solution) -> str:
    """Replace the draft's placements with the solution and close the run, in ONE transaction.

    Only over the draft the problem was read from: edits made in the editor while the solver
    ran (pins above all) are never silently replaced by a result that did not know them.
    """
    db.session.rollback()
    try:
        run = db.session.get(SolverRun, run_id)
        draft = versions.current_draft(run.conference_id)
        read_from = (mapped.draft_id, mapped.draft_lock_version)
        if draft is not None and (draft.id, draft.lock_version) != read_from:
            db.session.rollback()
            return _finish_failed(run_id, DRAFT_CHANGED_MESSAGE)
        if draft is None:
            draft = ScheduleVersion(conference_id=run.conference_id, is_draft=True, note="")
            db.session.add(draft)
        draft.solver_run_id = run.id
        draft.updated_at = utcnow()
        db.session.flush()
        db.session.execute(delete(ScheduledTalk).where(ScheduledTalk.version_id == draft.id))
        rows = mapping.solution_to_rows(mapped, solution)
        if rows:
            db.session.execute(insert(ScheduledTalk), [{**row, "version_id": draft.id} for row in rows])
        run.state = RunState.SUCCEEDED
        run.result = summarise(mapped, solution)
        run.best_objective = solution.objective
        run.best_bound = solution.best_bound
        run.elapsed_seconds = round(solution.wall_time, 2)
        run.finished_at = utcnow()
        run.heartbeat_at = run.finished_at
        run.error = ""
        record(run.conference, ActivityAction.DRAFT_SCHEDULE_BUILT, actor=None, details={"scheduled": len(rows)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("Saving the draft of solver run %s failed", run_id)
        return _finish_failed(run_id, "The schedule was found but could not be saved as the draft. Try again.")
    return RunState.SUCCEEDED.value
