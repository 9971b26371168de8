"""The demo's published agenda: grid, one deterministic solver run, two published versions.

Version 1 is the solver's schedule; version 2 moves a few talks to other free slots, so the
public changelog and the calendar feeds (SEQUENCE) have something to show. Flushes only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import insert, select

import scheduler
from conference.accounts.models import User
from conference.conferences.models import Conference, Room
from conference.core.types import utcnow
from conference.drafts import operations as drafts
from conference.extensions import db
from conference.feeds.links import public_base_url
from conference.schedule import jobs, mapping
from conference.schedule.models import (
    RunKind,
    RunState,
    ScheduledTalk,
    ScheduleVersion,
    SolverRun,
)
from conference.schedule.operations import ensure_schedule_settings, generate_typical_grid

# Deterministic time (CP-SAT's own work units), so every machine builds the same schedule.
SOLVER_TIME_LIMIT = 1.0
SOLVER_SEED = 0
MOVED_TALKS = 3
FIRST_NOTE = "The first schedule of the summit."
SECOND_NOTE = "Three talks moved at their speakers' request."


class DemoScheduleError(RuntimeError):
    """The demo could not be scheduled completely (a bug in the demo data)."""


@dataclass(frozen=True)
class DemoSchedule:
    first: ScheduleVersion
    second: ScheduleVersion
    moved_proposal_ids: tuple[int, ...]


def schedule_demo(conference: Conference, publisher: User) -> DemoSchedule:
    """Grid, solver run, draft, version 1, three moves, version 2."""
    ensure_schedule_settings(conference)
    generate_typical_grid(conference)
    mapped = mapping.build_problem(conference)
    solution = scheduler.solve(
        mapped.problem, time_limit=SOLVER_TIME_LIMIT, workers=2, seed=SOLVER_SEED, deterministic=True
    )
    if not solution.has_schedule or solution.unscheduled:
        raise DemoScheduleError(
            f"The demo conference cannot be scheduled completely (solver status {solution.status})."
        )
    draft = write_draft(conference, publisher, mapped, solution)
    first = publish(conference, publisher, FIRST_NOTE)
    moved = move_some_talks(conference, draft, mapped, solution)
    second = publish(conference, publisher, SECOND_NOTE)
    return DemoSchedule(first, second, moved)


def write_draft(conference: Conference, requested_by: User, mapped: mapping.MappedProblem,
                solution: scheduler.Solution) -> ScheduleVersion:
    """Record a finished build run and put its schedule in the draft."""
    now = utcnow()
    run = SolverRun(
        conference_id=conference.id, kind=RunKind.BUILD, state=RunState.SUCCEEDED,
        requested_by_id=requested_by.id, started_at=now, heartbeat_at=now, finished_at=now,
        worker="flask demo", time_limit_seconds=int(SOLVER_TIME_LIMIT), result=jobs.summarise(mapped, solution),
        best_objective=solution.objective, best_bound=solution.best_bound,
        elapsed_seconds=round(solution.wall_time, 2), error="",
    )
    db.session.add(run)
    db.session.flush()
    draft = mapping.current_draft(conference)
    if draft is None:
        draft = ScheduleVersion(conference_id=conference.id, is_draft=True, note="")
        db.session.add(draft)
    draft.solver_run_id = run.id
    draft.updated_at = now
    db.session.flush()
    rows = mapping.solution_to_rows(mapped, solution)
    db.session.execute(insert(ScheduledTalk), [{**row, "version_id": draft.id} for row in rows])
    db.session.flush()
    return draft


def publish(conference: Conference, publisher: User, note: str) -> ScheduleVersion:
    """Publish the draft as a real organiser would: speakers' e-mails are queued too."""
    base = f"{public_base_url()}/c/{conference.slug}"
    return drafts.publish_schedule(
        conference, publisher, note,
        after_publish=lambda new, previous: drafts.queue_schedule_emails(
            new, previous, f"{base}/agenda/", f"{base}/changelog"
        ),
    )


def move_some_talks(conference: Conference, draft: ScheduleVersion, mapped: mapping.MappedProblem,
                    solution: scheduler.Solution) -> tuple[int, ...]:
    """Move `MOVED_TALKS` talks to other free slots that break no hard rule; their proposal ids.

    Each move is checked by the independent checker first, then made with the draft
    editor's own `move_talk`, which refuses anything outside the grid's rules.
    """
    problem = mapped.problem
    slot_minutes = problem.slot_minutes
    slot = timedelta(minutes=slot_minutes)
    blocks = {block.id: block for block in problem.blocks}
    talks = {talk.id: talk for talk in problem.talks}
    rooms = {room.id: room for room in problem.rooms}
    assignments = {a.talk: a for a in solution.assignments}
    moved: list[int] = []
    # Talks later in the conference move, in a fixed order: the schedule is deterministic.
    for assignment in sorted(solution.assignments, key=lambda a: (a.starts_at or blocks[a.block].start, a.talk),
                             reverse=True):
        if len(moved) == MOVED_TALKS:
            break
        candidate = _free_place(problem, assignments, assignment, talks, rooms, blocks)
        if candidate is None:
            continue
        assignments[assignment.talk] = candidate
        row = db.session.scalar(
            select(ScheduledTalk).where(
                ScheduledTalk.version_id == draft.id,
                ScheduledTalk.proposal_id == mapped.proposal_of_talk[assignment.talk],
            )
        )
        room = db.session.get(Room, mapped.room_of[candidate.room])
        starts_at = blocks[candidate.block].start + slot * candidate.start_slot
        drafts.move_talk(draft, row, room, starts_at, draft.lock_version, slot_minutes)
        moved.append(row.proposal_id)
    if len(moved) < MOVED_TALKS:
        raise DemoScheduleError("Could not find free slots to move demo talks to.")
    return tuple(moved)


def _free_place(problem, assignments, current, talks, rooms, blocks) -> scheduler.Assignment | None:
    """The first other place for ``current``'s talk that keeps the schedule free of hard violations."""
    talk = talks[current.talk]
    slot = timedelta(minutes=problem.slot_minutes)
    room_ids = [current.room] + [room_id for room_id in rooms if room_id != current.room]
    block_ids = [current.block] + [b for b in blocks if b != current.block]
    # The same room first (later or earlier that block, then in other blocks), then others.
    for room_id in room_ids:
        for block_id in block_ids:
            block = blocks[block_id]
            if block_id not in rooms[room_id].available_blocks:
                continue
            for start in range(block.slots - talk.slots + 1):
                if (room_id, block_id, start) == (current.room, current.block, current.start_slot):
                    continue
                starts_at = block.start + slot * start
                candidate = replace(current, room=room_id, block=block_id, start_slot=start,
                                    starts_at=starts_at, ends_at=starts_at + slot * talk.slots)
                trial = scheduler.Solution(
                    status="FEASIBLE",
                    assignments=tuple(candidate if a.talk == current.talk else a for a in assignments.values()),
                )
                if scheduler.check(problem, trial).ok:
                    return candidate
    return None


def schedule_seeded_demo() -> DemoSchedule:
    """`schedule_demo` for the seeded summit, published by the demo organiser."""
    from conference.demo import data

    conference = db.session.scalar(select(Conference).where(Conference.slug == data.CONFERENCE_SLUG))
    organiser = db.session.scalar(select(User).where(User.email == data.DEMO_ORGANISER.email))
    if conference is None or organiser is None:
        raise DemoScheduleError("Seed the demo conference before scheduling it.")
    return schedule_demo(conference, organiser)
