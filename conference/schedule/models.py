"""The schedule grid, solver runs, the draft and published versions of the schedule."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.conferences.models import Conference, Hub, Room
    from conference.proposals.models import Proposal


def _enum(enum_class: type[enum.Enum]) -> Enum:
    return Enum(enum_class, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class ScheduleSettings(db.Model):
    """How the solver sees a conference: slot length, goal weights, which rules are hard."""

    __tablename__ = "schedule_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), unique=True
    )
    slot_minutes: Mapped[int] = mapped_column(default=15)
    # Soft-term name -> weight, and hard-rule name -> weight when relaxed (scheduler names).
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    relaxed_rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The penalty per break of a relaxed rule, kept while no rule is relaxed; None = the default.
    relaxed_weight: Mapped[int | None] = mapped_column(default=None)
    time_limit_seconds: Mapped[int] = mapped_column(default=60)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    conference: Mapped[Conference] = relationship()


class ScheduleBlock(db.Model):
    """A session of consecutive slots; its start and end were entered in a hub's zone."""

    __tablename__ = "schedule_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # The hub whose local clock the organiser used; None for the conference's own zone.
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    conference: Mapped[Conference] = relationship()
    hub: Mapped[Hub | None] = relationship()
    rooms: Mapped[list[Room]] = relationship(secondary="schedule_block_rooms", order_by="Room.name")


class ScheduleBlockRoom(db.Model):
    """A room or online stream open during a block."""

    __tablename__ = "schedule_block_rooms"
    __table_args__ = (UniqueConstraint("block_id", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("schedule_blocks.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))


class RunState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    INFEASIBLE = "infeasible"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ABANDONED = "abandoned"

    @property
    def is_active(self) -> bool:
        return self in (RunState.QUEUED, RunState.RUNNING)


class RunKind(enum.StrEnum):
    BUILD = "build"
    REOPTIMISE = "reoptimise"
    LARGEST_SUBSET = "largest_subset"


class SolverRun(db.Model):
    """One "Build schedule" press: queued on the task queue, with live progress."""

    __tablename__ = "solver_runs"
    __table_args__ = (
        # At most one queued or running solve per conference, enforced by the database.
        Index(
            "uq_solver_runs_one_active",
            "conference_id",
            unique=True,
            postgresql_where=text("state IN ('queued', 'running')"),
            sqlite_where=text("state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RunKind] = mapped_column(_enum(RunKind), default=RunKind.BUILD)
    state: Mapped[RunState] = mapped_column(_enum(RunState), default=RunState.QUEUED)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    task_id: Mapped[str | None] = mapped_column(String(64))
    # The consumer process that holds the run, so a dead consumer's run can be found.
    worker: Mapped[str | None] = mapped_column(String(200))
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    best_objective: Mapped[float | None]
    best_bound: Mapped[float | None]
    elapsed_seconds: Mapped[float | None]
    time_limit_seconds: Mapped[int] = mapped_column(default=60)
    # Summary of the result: status, terms, violations, unscheduled talks, explanation.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    # What the run was asked, read by the worker from here (a restarted consumer keeps it):
    # "place_talks_not_in_draft" (re-optimising, and a largest subset following such a run),
    # "not_in_draft" (the talks the draft did not place, [{"proposal_id", "title"}], written when
    # queued and again when the solver reads the draft) and "follows_run_id" (a largest subset).
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    conference: Mapped[Conference] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def place_talks_not_in_draft(self) -> bool | None:
        """Whether the run places the talks the draft does not; None when not asked (a build)."""
        value = (self.options or {}).get("place_talks_not_in_draft")
        return value if isinstance(value, bool) else None

    @property
    def talks_not_in_draft(self) -> list[dict[str, Any]]:
        """The talks the draft did not place when the run read it: kept out, or placed too."""
        return list((self.options or {}).get("not_in_draft") or [])

    @property
    def follows_run_id(self) -> int | None:
        """The run a largest-subset run follows and takes its choice from."""
        value = (self.options or {}).get("follows_run_id")
        return value if isinstance(value, int) else None


class ScheduleVersion(db.Model):
    """The conference's single draft (number is None) or an immutable published version."""

    __tablename__ = "schedule_versions"
    __table_args__ = (
        UniqueConstraint("conference_id", "number"),
        # Exactly one draft per conference, enforced by the database.
        Index(
            "uq_schedule_versions_one_draft",
            "conference_id",
            unique=True,
            postgresql_where=text("is_draft"),
            sqlite_where=text("is_draft = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    is_draft: Mapped[bool] = mapped_column(default=True)
    number: Mapped[int | None] = mapped_column(Integer)
    solver_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("solver_runs.id", ondelete="SET NULL")
    )
    # The draft a published version was made from carries on; this records the lineage.
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    conference: Mapped[Conference] = relationship()
    talks: Mapped[list[ScheduledTalk]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ScheduledTalk.starts_at"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class ScheduledTalk(db.Model):
    """A talk placed in a room at a time, in one version of the schedule."""

    __tablename__ = "scheduled_talks"
    __table_args__ = (UniqueConstraint("version_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="RESTRICT"))
    block_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_blocks.id", ondelete="SET NULL")
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pinned: Mapped[bool] = mapped_column(default=False)

    version: Mapped[ScheduleVersion] = relationship(back_populates="talks")
    proposal: Mapped[Proposal] = relationship()
    room: Mapped[Room] = relationship()
    block: Mapped[ScheduleBlock | None] = relationship()


class CalendarEntry(db.Model):
    """What calendar clients were last told about a talk: keeps UIDs stable, SEQUENCE rising."""

    __tablename__ = "calendar_entries"
    __table_args__ = (UniqueConstraint("conference_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(200), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    # Room, start, end and status as last published; a change bumps the sequence.
    fingerprint: Mapped[str] = mapped_column(String(200), default="")
    cancelled: Mapped[bool] = mapped_column(default=False)
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Last published placement, kept so a cancelled talk still has a time in the feed.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    proposal: Mapped[Proposal] = relationship()
