"""Writing the activity log. Operations of other areas call `record` beside the change they
make, so the entry is flushed in the same transaction and commits or rolls back with it."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from conference.accounts.models import User
from conference.activity.models import ActivityAction, ActivityEntry
from conference.conferences.models import Conference
from conference.core.types import utcnow
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalState
from conference.proposals.questions import stored_answers


class _RequestUser:
    """`record`'s default actor: whoever is logged in for this request."""


REQUEST_USER = _RequestUser()


def acting_user() -> User | None:
    """The logged-in person behind this request; None outside a request (commands, jobs)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user._get_current_object()


def record(
    conference: Conference,
    action: ActivityAction,
    *,
    proposal: Proposal | None = None,
    actor: User | None | _RequestUser = REQUEST_USER,
    details: dict[str, Any] | None = None,
) -> ActivityEntry:
    """Add one entry to the session the change is in (flushed, never committed here).

    ``actor`` None means the system did it; left out, it is the person logged in, if any.
    """
    if isinstance(actor, _RequestUser):
        actor = acting_user()
    entry = ActivityEntry(
        conference_id=conference.id,
        proposal_id=proposal.id if proposal is not None else None,
        actor_id=actor.id if actor is not None else None,
        by_system=actor is None,
        action=action,
        details=details or {},
        created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


# The proposal's fields a speaker edits, by the name the log shows.
_EDITED_FIELDS = {
    "title": "title",
    "abstract": "abstract",
    "session_format_id": "session_format",
    "track_id": "track",
    "audience_level": "audience_level",
    "notes_to_organisers": "notes_to_organisers",
}


def proposal_snapshot(proposal: Proposal) -> dict[str, Any]:
    """What a speaker's save may change, taken before it: `record_proposal_saved` compares."""
    snapshot = {field: getattr(proposal, field) for field in _EDITED_FIELDS}
    snapshot["answers"] = stored_answers(proposal)
    snapshot["state"] = proposal.state
    return snapshot


def record_proposal_saved(proposal: Proposal, before: dict[str, Any]) -> ActivityEntry | None:
    """Record a speaker's save of ``proposal`` against its ``before`` snapshot.

    A draft is the speakers' alone, so its edits are not recorded; submitting it is. A save of
    a submitted proposal records which fields changed (the title old and new), or nothing.
    """
    if before["state"] is ProposalState.DRAFT:
        if proposal.state is ProposalState.SUBMITTED:
            return record(proposal.conference, ActivityAction.PROPOSAL_SUBMITTED, proposal=proposal)
        return None
    changed = [name for field, name in _EDITED_FIELDS.items() if getattr(proposal, field) != before[field]]
    if stored_answers(proposal) != before["answers"]:
        changed.append("answers")
    if not changed:
        return None
    details: dict[str, Any] = {"fields": changed}
    if "title" in changed:
        details["title"] = [before["title"], proposal.title]
    return record(proposal.conference, ActivityAction.PROPOSAL_EDITED, proposal=proposal, details=details)
