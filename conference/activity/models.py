"""Entries of the activity log and the fixed set of actions they record."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from conference.core.timezones import span_text
from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.conferences.models import Conference
    from conference.proposals.models import Proposal


class ActivityAction(enum.StrEnum):
    """What happened; each action reads as the end of a sentence that starts with who did it."""

    PROPOSAL_CREATED = "proposal_created"
    PROPOSAL_SUBMITTED = "proposal_submitted"
    PROPOSAL_EDITED = "proposal_edited"
    PROPOSAL_WITHDRAWN = "proposal_withdrawn"
    CO_SPEAKER_INVITED = "co_speaker_invited"
    CO_SPEAKER_ACCEPTED = "co_speaker_accepted"
    CO_SPEAKER_DECLINED = "co_speaker_declined"
    CO_SPEAKER_REMOVED = "co_speaker_removed"
    PROPOSAL_ACCEPTED = "proposal_accepted"
    PROPOSAL_REJECTED = "proposal_rejected"
    PROPOSAL_WAITLISTED = "proposal_waitlisted"
    # Every decision before each outcome had its own action; the migration c5d1a0e7f301 gave
    # those whose outcome is known their outcome's action, so only entries without one are left.
    PROPOSAL_DECIDED = "proposal_decided"
    DECISION_EMAILS_QUEUED = "decision_emails_queued"
    CONFIRMATION_REMINDERS_QUEUED = "confirmation_reminders_queued"
    TALK_CONFIRMED = "talk_confirmed"
    TALK_DECLINED = "talk_declined"
    REVIEW_SUBMITTED = "review_submitted"
    REVIEW_CHANGED = "review_changed"
    REVIEW_REMINDERS_QUEUED = "review_reminders_queued"
    FEEDBACK_REMINDERS_QUEUED = "feedback_reminders_queued"
    GROUP_EMAIL_QUEUED = "group_email_queued"
    SOLVER_RUN_STARTED = "solver_run_started"
    DRAFT_SCHEDULE_BUILT = "draft_schedule_built"
    DRAFT_TALK_MOVED = "draft_talk_moved"
    DRAFT_TALK_PLACED = "draft_talk_placed"
    DRAFT_TALK_UNSCHEDULED = "draft_talk_unscheduled"
    DRAFT_TALK_PINNED = "draft_talk_pinned"
    DRAFT_TALK_UNPINNED = "draft_talk_unpinned"
    SCHEDULE_PUBLISHED = "schedule_published"

    @property
    def sentence(self) -> str:
        return _SENTENCES[self]

    @property
    def label(self) -> str:
        """The action's name in the filter of the activity page."""
        return _LABELS[self]

    @property
    def is_legacy(self) -> bool:
        """No longer written: offered in the filter only where old entries still have it."""
        return self in LEGACY_ACTIONS


@dataclass(frozen=True)
class UnknownAction:
    """An action code this version does not know (written by a newer one, say): the entry is
    still listed, as an action with the code for its name, rather than breaking the page."""

    value: str

    @property
    def sentence(self) -> str:
        return f"did something this version of the planner cannot describe (“{self.value}”)"

    @property
    def label(self) -> str:
        return self.value

    is_legacy = False


_SENTENCES = {
    ActivityAction.PROPOSAL_CREATED: "created the proposal as a draft",
    ActivityAction.PROPOSAL_SUBMITTED: "submitted the proposal",
    ActivityAction.PROPOSAL_EDITED: "edited the proposal",
    ActivityAction.PROPOSAL_WITHDRAWN: "withdrew the proposal",
    ActivityAction.CO_SPEAKER_INVITED: "invited a co-speaker",
    ActivityAction.CO_SPEAKER_ACCEPTED: "accepted the invitation to co-present",
    ActivityAction.CO_SPEAKER_DECLINED: "declined the invitation to co-present",
    ActivityAction.CO_SPEAKER_REMOVED: "withdrew a co-speaker's invitation",
    ActivityAction.PROPOSAL_ACCEPTED: "accepted the proposal",
    ActivityAction.PROPOSAL_REJECTED: "rejected the proposal",
    ActivityAction.PROPOSAL_WAITLISTED: "put the proposal on the waiting list",
    ActivityAction.PROPOSAL_DECIDED: "decided on the proposal",
    ActivityAction.DECISION_EMAILS_QUEUED: "queued the decision e-mail",
    ActivityAction.CONFIRMATION_REMINDERS_QUEUED: "reminded the speakers to confirm the accepted talk",
    ActivityAction.TALK_CONFIRMED: "confirmed the accepted talk",
    ActivityAction.TALK_DECLINED: "declined the accepted talk",
    ActivityAction.REVIEW_SUBMITTED: "submitted a review",
    ActivityAction.REVIEW_CHANGED: "changed their review",
    ActivityAction.REVIEW_REMINDERS_QUEUED: "reminded the reviewers of their open reviews",
    ActivityAction.FEEDBACK_REMINDERS_QUEUED: "asked the attendees who starred the talk for feedback",
    ActivityAction.GROUP_EMAIL_QUEUED: "e-mailed a group",
    ActivityAction.SOLVER_RUN_STARTED: "started the schedule solver",
    ActivityAction.DRAFT_SCHEDULE_BUILT: "saved the solver's result as the draft schedule",
    ActivityAction.DRAFT_TALK_MOVED: "moved the talk in the draft schedule",
    ActivityAction.DRAFT_TALK_PLACED: "placed the talk in the draft schedule",
    ActivityAction.DRAFT_TALK_UNSCHEDULED: "took the talk out of the draft schedule",
    ActivityAction.DRAFT_TALK_PINNED: "pinned the talk in the draft schedule",
    ActivityAction.DRAFT_TALK_UNPINNED: "unpinned the talk in the draft schedule",
    ActivityAction.SCHEDULE_PUBLISHED: "published the schedule",
}

_LABELS = {
    ActivityAction.PROPOSAL_CREATED: "Proposal created",
    ActivityAction.PROPOSAL_SUBMITTED: "Proposal submitted",
    ActivityAction.PROPOSAL_EDITED: "Proposal edited",
    ActivityAction.PROPOSAL_WITHDRAWN: "Proposal withdrawn",
    ActivityAction.CO_SPEAKER_INVITED: "Co-speaker invited",
    ActivityAction.CO_SPEAKER_ACCEPTED: "Co-speaker accepted",
    ActivityAction.CO_SPEAKER_DECLINED: "Co-speaker declined",
    ActivityAction.CO_SPEAKER_REMOVED: "Co-speaker invitation withdrawn",
    ActivityAction.PROPOSAL_ACCEPTED: "Proposal accepted",
    ActivityAction.PROPOSAL_REJECTED: "Proposal rejected",
    ActivityAction.PROPOSAL_WAITLISTED: "Proposal waitlisted",
    ActivityAction.PROPOSAL_DECIDED: "Decision (outcome not recorded)",
    ActivityAction.DECISION_EMAILS_QUEUED: "Decision e-mail queued",
    ActivityAction.CONFIRMATION_REMINDERS_QUEUED: "Confirmation reminder queued",
    ActivityAction.TALK_CONFIRMED: "Talk confirmed",
    ActivityAction.TALK_DECLINED: "Talk declined",
    ActivityAction.REVIEW_SUBMITTED: "Review submitted",
    ActivityAction.REVIEW_CHANGED: "Review changed",
    ActivityAction.REVIEW_REMINDERS_QUEUED: "Review reminders queued",
    ActivityAction.FEEDBACK_REMINDERS_QUEUED: "Feedback reminders queued",
    ActivityAction.GROUP_EMAIL_QUEUED: "Group e-mail queued",
    ActivityAction.SOLVER_RUN_STARTED: "Solver run started",
    ActivityAction.DRAFT_SCHEDULE_BUILT: "Draft schedule built",
    ActivityAction.DRAFT_TALK_MOVED: "Draft: talk moved",
    ActivityAction.DRAFT_TALK_PLACED: "Draft: talk placed",
    ActivityAction.DRAFT_TALK_UNSCHEDULED: "Draft: talk taken out",
    ActivityAction.DRAFT_TALK_PINNED: "Draft: talk pinned",
    ActivityAction.DRAFT_TALK_UNPINNED: "Draft: talk unpinned",
    ActivityAction.SCHEDULE_PUBLISHED: "Schedule published",
}

# Each decision's own action, by the state it gives the proposal.
DECISION_ACTIONS = {
    "accepted": ActivityAction.PROPOSAL_ACCEPTED,
    "rejected": ActivityAction.PROPOSAL_REJECTED,
    "waitlisted": ActivityAction.PROPOSAL_WAITLISTED,
}
LEGACY_ACTIONS = (ActivityAction.PROPOSAL_DECIDED,)
# Entries an organiser who speaks on a proposal never sees for it, as they never see its reviews.
REVIEW_ACTIONS = (ActivityAction.REVIEW_SUBMITTED, ActivityAction.REVIEW_CHANGED)


class ActionCode(TypeDecorator):
    """The action column: its code as text. A code this version does not know reads as an
    `UnknownAction`, so an entry written by a newer version never breaks a page."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, UnknownAction):
            return value.value
        return ActivityAction(value).value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return ActivityAction(value)
        except ValueError:
            return UnknownAction(value)


class ActivityEntry(db.Model):
    """One thing someone (or the system) did at a conference, written with the change itself."""

    __tablename__ = "activity_entries"
    __table_args__ = (
        # The conference's log and a proposal's history, both newest first.
        Index("ix_activity_entries_conference_id_created_at", "conference_id", "created_at", "id"),
        Index("ix_activity_entries_proposal_id_created_at", "proposal_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    # A proposal's history goes with it, as its answers and discussion do.
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    # Kept when the person's account is deleted: the entry then names "a former member".
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Done by the system (a background job, a command), not by a person.
    by_system: Mapped[bool] = mapped_column(default=False)
    action: Mapped[ActivityAction | UnknownAction] = mapped_column(ActionCode())
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conference: Mapped[Conference] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    actor: Mapped[User | None] = relationship()

    @property
    def actor_name(self) -> str:
        if self.actor is not None:
            return self.actor.display_name
        return "System" if self.by_system else "A former member"

    @property
    def sentence(self) -> str:
        """The action with its details, e.g. "edited the proposal: title (“A” → “B”), abstract";
        times in UTC (pages use `sentence_in` for the viewer's zone)."""
        return _plain(_sentence_parts(self.action, self.details or {}), "UTC")

    def sentence_in(self, zone_name: str) -> Markup:
        """`sentence` for a page: times in ``zone_name``, labelled as the page labels times."""
        return _marked_up(_sentence_parts(self.action, self.details or {}), zone_name)

    def __repr__(self) -> str:
        return f"<ActivityEntry {self.id} {self.action.value}>"


# --- sentences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """Where and when a talk was in the draft: written in the reader's zone when shown."""

    room: str
    starts_at: datetime
    ends_at: datetime

    def text(self, zone_name: str) -> str:
        when = span_text(self.starts_at, self.ends_at, zone_name, "%a %d %b %Y")
        return f"{self.room}, {when}" if self.room else when


_Part = str | _Place


def _place(value: Any) -> _Place | None:
    """A place from an entry's details ({"room", "starts_at", "ends_at"}, UTC ISO strings);
    None for anything else, so a malformed entry reads without its place instead of failing."""
    if not isinstance(value, dict):
        return None
    try:
        starts_at = datetime.fromisoformat(value["starts_at"])
        ends_at = datetime.fromisoformat(value["ends_at"])
    except (KeyError, TypeError, ValueError):
        return None
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        return None
    return _Place(str(value.get("room") or ""), starts_at, ends_at)


def _last_place(parts: list[_Part]) -> int:
    """Where the zone's label goes: after the sentence's last time, -1 when it has none."""
    return max((index for index, part in enumerate(parts) if isinstance(part, _Place)), default=-1)


def _plain(parts: list[_Part], zone_name: str) -> str:
    last, text = _last_place(parts), ""
    for index, part in enumerate(parts):
        text += part.text(zone_name) if isinstance(part, _Place) else part
        if index == last:
            text += f" ({zone_name})"
    return text


def _marked_up(parts: list[_Part], zone_name: str) -> Markup:
    last, text = _last_place(parts), Markup("")
    for index, part in enumerate(parts):
        text += escape(part.text(zone_name) if isinstance(part, _Place) else part)
        if index == last:
            text += Markup(' <span class="tz-label">({})</span>').format(zone_name)
    return text


def _counted(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _count(details: dict[str, Any], key: str) -> int | None:
    value = details.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_AUDIENCES = {"speakers": "speaker", "reviewers": "reviewer", "attendees": "attendee", "organisers": "organiser"}


def _sentence_parts(action: ActivityAction | UnknownAction, details: dict[str, Any]) -> list[_Part]:
    """The sentence after the actor's name, as text and places (their times not yet written)."""
    if isinstance(action, UnknownAction):
        return [action.sentence]
    parts: list[_Part] = [action.sentence]
    if action is ActivityAction.PROPOSAL_EDITED and details.get("fields"):
        names = []
        for name in details["fields"]:
            if name == "title" and "title" in details:
                old, new = details["title"]
                names.append(f"title (“{old}” → “{new}”)")
            else:
                names.append(str(name).replace("_", " "))
        parts.append(": " + ", ".join(names))
    elif action in DECISION_ACTIONS.values():
        # A changed decision says what it was; a first one ("was submitted") goes without saying.
        if details.get("previous") in DECISION_ACTIONS:
            parts.append(f" (it was {details['previous']})")
    elif action in (ActivityAction.PROPOSAL_DECIDED, ActivityAction.DECISION_EMAILS_QUEUED) and details.get("state"):
        text = f": {details['state']}"
        if details.get("previous"):
            text += f" (was {details['previous']})"
        if count := _count(details, "count"):
            text += f", to {_counted(count, 'speaker')}"
        parts.append(text)
    elif action is ActivityAction.CONFIRMATION_REMINDERS_QUEUED and (count := _count(details, "count")):
        parts = [f"reminded {_counted(count, 'speaker')} to confirm the accepted talk"]
    elif action is ActivityAction.REVIEW_REMINDERS_QUEUED and (count := _count(details, "reviewers")):
        parts = [f"reminded {_counted(count, 'reviewer')}"]
        if open_reviews := _count(details, "open_reviews"):
            parts.append(f" of {_counted(open_reviews, 'open review')}")
    elif action is ActivityAction.FEEDBACK_REMINDERS_QUEUED and (count := _count(details, "count")):
        parts = [f"asked {_counted(count, 'attendee')} who starred the talk for feedback"]
    elif action is ActivityAction.GROUP_EMAIL_QUEUED and (count := _count(details, "count")):
        noun = _AUDIENCES.get(details.get("audience"), "person")
        text = f"e-mailed {_counted(count, noun, 'people' if noun == 'person' else None)}"
        if states := details.get("states"):
            text += f" of {' or '.join(str(state) for state in states)} proposals"
        if details.get("track"):
            text += f" in the track “{details['track']}”"
        if details.get("subject"):
            text += f": “{details['subject']}”"
        parts = [text]
    elif action in (ActivityAction.CO_SPEAKER_INVITED, ActivityAction.CO_SPEAKER_REMOVED) and details.get("email"):
        parts.append(f" ({details['email']})")
    elif action is ActivityAction.SCHEDULE_PUBLISHED and details.get("number"):
        parts.append(f" as version {details['number']}")
    elif action is ActivityAction.SOLVER_RUN_STARTED and details.get("kind"):
        if details["kind"] == "reoptimise":
            parts = ["asked the solver to re-optimise the draft schedule"]
        elif details["kind"] == "largest_subset":
            parts = ["asked the solver for the largest schedulable subset of the talks"]
        else:
            parts.append(f" ({str(details['kind']).replace('_', ' ')})")
    elif action is ActivityAction.DRAFT_SCHEDULE_BUILT and "scheduled" in details:
        parts.append(f" ({details['scheduled']} talks placed)")
    elif action is ActivityAction.DRAFT_TALK_MOVED:
        parts += _move_parts(_place(details.get("from")), _place(details.get("to")))
    elif action in (ActivityAction.DRAFT_TALK_PLACED, ActivityAction.DRAFT_TALK_PINNED,
                    ActivityAction.DRAFT_TALK_UNPINNED) and (place := _place(details.get("at"))):
        parts += [": ", place]
    elif action is ActivityAction.DRAFT_TALK_UNSCHEDULED and (place := _place(details.get("at"))):
        parts += [", where it was in ", place]
        if details.get("pinned"):
            parts.append("; its pin is dropped")
    return parts


def _move_parts(old: _Place | None, new: _Place | None) -> list[_Part]:
    """" from A to B", naming twice only what changed: a move within one room names it once."""
    if new is None:
        return []
    if old is None:
        return [" to ", new]
    if old.room == new.room:
        return [" from ", _Place("", old.starts_at, old.ends_at), " to ", _Place("", new.starts_at, new.ends_at),
                f", in {new.room}" if new.room else ""]
    if (old.starts_at, old.ends_at) == (new.starts_at, new.ends_at):
        return [f" from {old.room} to ", new]
    return [" from ", old, " to ", new]
