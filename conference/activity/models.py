"""Entries of the activity log and the fixed set of actions they record."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Enum, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    PROPOSAL_DECIDED = "proposal_decided"
    DECISION_EMAILS_QUEUED = "decision_emails_queued"
    TALK_CONFIRMED = "talk_confirmed"
    TALK_DECLINED = "talk_declined"
    REVIEW_SUBMITTED = "review_submitted"
    REVIEW_CHANGED = "review_changed"
    SOLVER_RUN_STARTED = "solver_run_started"
    DRAFT_SCHEDULE_BUILT = "draft_schedule_built"
    SCHEDULE_PUBLISHED = "schedule_published"

    @property
    def sentence(self) -> str:
        return _SENTENCES[self]

    @property
    def label(self) -> str:
        """The action's name in the filter of the activity page."""
        return _LABELS[self]


_SENTENCES = {
    ActivityAction.PROPOSAL_CREATED: "created the proposal as a draft",
    ActivityAction.PROPOSAL_SUBMITTED: "submitted the proposal",
    ActivityAction.PROPOSAL_EDITED: "edited the proposal",
    ActivityAction.PROPOSAL_WITHDRAWN: "withdrew the proposal",
    ActivityAction.CO_SPEAKER_INVITED: "invited a co-speaker",
    ActivityAction.CO_SPEAKER_ACCEPTED: "accepted the invitation to co-present",
    ActivityAction.CO_SPEAKER_DECLINED: "declined the invitation to co-present",
    ActivityAction.CO_SPEAKER_REMOVED: "withdrew a co-speaker's invitation",
    ActivityAction.PROPOSAL_DECIDED: "decided on the proposal",
    ActivityAction.DECISION_EMAILS_QUEUED: "queued the decision e-mail",
    ActivityAction.TALK_CONFIRMED: "confirmed the accepted talk",
    ActivityAction.TALK_DECLINED: "declined the accepted talk",
    ActivityAction.REVIEW_SUBMITTED: "submitted a review",
    ActivityAction.REVIEW_CHANGED: "changed their review",
    ActivityAction.SOLVER_RUN_STARTED: "started the schedule solver",
    ActivityAction.DRAFT_SCHEDULE_BUILT: "saved the solver's result as the draft schedule",
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
    ActivityAction.PROPOSAL_DECIDED: "Decision",
    ActivityAction.DECISION_EMAILS_QUEUED: "Decision e-mail queued",
    ActivityAction.TALK_CONFIRMED: "Talk confirmed",
    ActivityAction.TALK_DECLINED: "Talk declined",
    ActivityAction.REVIEW_SUBMITTED: "Review submitted",
    ActivityAction.REVIEW_CHANGED: "Review changed",
    ActivityAction.SOLVER_RUN_STARTED: "Solver run started",
    ActivityAction.DRAFT_SCHEDULE_BUILT: "Draft schedule built",
    ActivityAction.SCHEDULE_PUBLISHED: "Schedule published",
}

# Entries an organiser who speaks on a proposal never sees for it, as they never see its reviews.
REVIEW_ACTIONS = (ActivityAction.REVIEW_SUBMITTED, ActivityAction.REVIEW_CHANGED)


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
    action: Mapped[ActivityAction] = mapped_column(
        Enum(ActivityAction, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
    )
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
        """The action with its details, e.g. "edited the proposal: title (“A” → “B”), abstract"."""
        return self.action.sentence + _details_text(self.action, self.details or {})

    def __repr__(self) -> str:
        return f"<ActivityEntry {self.id} {self.action.value}>"


def _details_text(action: ActivityAction, details: dict[str, Any]) -> str:
    if action is ActivityAction.PROPOSAL_EDITED and details.get("fields"):
        parts = []
        for name in details["fields"]:
            if name == "title" and "title" in details:
                old, new = details["title"]
                parts.append(f"title (“{old}” → “{new}”)")
            else:
                parts.append(name.replace("_", " "))
        return ": " + ", ".join(parts)
    if action in (ActivityAction.PROPOSAL_DECIDED, ActivityAction.DECISION_EMAILS_QUEUED) and details.get("state"):
        text = f": {details['state']}"
        if details.get("previous"):
            text += f" (was {details['previous']})"
        if details.get("count"):
            count = details["count"]
            text += f", to {count} speaker{'' if count == 1 else 's'}"
        return text
    if action in (ActivityAction.CO_SPEAKER_INVITED, ActivityAction.CO_SPEAKER_REMOVED) and details.get("email"):
        return f" ({details['email']})"
    if action is ActivityAction.SCHEDULE_PUBLISHED and details.get("number"):
        return f" as version {details['number']}"
    if action is ActivityAction.SOLVER_RUN_STARTED and details.get("kind"):
        return f" ({details['kind'].replace('_', ' ')})"
    if action is ActivityAction.DRAFT_SCHEDULE_BUILT and "scheduled" in details:
        return f" ({details['scheduled']} talks placed)"
    return ""
