"""Organisers write one e-mail to a group: speakers (by the state and track of their proposals),
reviewers, attendees or organisers. Each person gets their own copy through the outbox, with
placeholders filled in for them; a send is keyed by the form's batch id, so sending the same
form twice queues nothing new. Operations flush; the request commits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from conference.accounts.models import User
from conference.activity.models import ActivityAction
from conference.activity.operations import record
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.core.text import folded
from conference.extensions import db
from conference.mail.models import OutboxMessage
from conference.mail.operations import queue_email
from conference.mail.templates import render_text
from conference.proposals.models import InvitationState, Proposal, ProposalSpeaker, ProposalState

PLACEHOLDERS = ("name", "conference", "proposals", "link")
# Speakers are chosen by their proposals' state; drafts are the speakers' own business.
SPEAKER_STATES = tuple(state for state in ProposalState if state is not ProposalState.DRAFT)


class Audience(enum.StrEnum):
    SPEAKERS = "speakers"
    REVIEWERS = "reviewers"
    ATTENDEES = "attendees"
    ORGANISERS = "organisers"

    @property
    def label(self) -> str:
        return {
            Audience.SPEAKERS: "Speakers of proposals (choose their states and track below)",
            Audience.REVIEWERS: "Reviewers",
            Audience.ATTENDEES: "Attendees",
            Audience.ORGANISERS: "Organisers",
        }[self]


ROLE_OF = {Audience.REVIEWERS: Role.REVIEWER, Audience.ATTENDEES: Role.ATTENDEE, Audience.ORGANISERS: Role.ORGANISER}


@dataclass
class Recipient:
    user: User
    proposals: list[str] = field(default_factory=list)  # titles, for speakers

    def context(self, conference: Conference, link: str) -> dict[str, str]:
        return {
            "name": self.user.display_name,
            "conference": conference.name,
            "proposals": "\n".join(f"- {title}" for title in self.proposals),
            "link": link,
        }


def recipients(
    conference: Conference, audience: Audience, states: list[ProposalState] | None = None,
    track_id: int | None = None,
) -> list[Recipient]:
    """The people ``audience`` names at ``conference``, each once, by name. Speakers are those
    who accepted to present a proposal in one of ``states`` (in ``track_id`` if given), with
    those proposals' titles."""
    found: dict[int, Recipient] = {}
    if audience is Audience.SPEAKERS:
        query = (
            select(User, Proposal.title)
            .join(ProposalSpeaker, ProposalSpeaker.user_id == User.id)
            .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
            .where(
                Proposal.conference_id == conference.id,
                Proposal.state.in_(states or ()),
                ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
                ~Proposal.speakers_only,
            )
            .order_by(Proposal.title, Proposal.id)
        )
        if track_id is not None:
            query = query.where(Proposal.track_id == track_id)
        for user, title in db.session.execute(query):
            found.setdefault(user.id, Recipient(user)).proposals.append(title)
    else:
        query = (
            select(User)
            .join(ConferenceRole, ConferenceRole.user_id == User.id)
            .where(ConferenceRole.conference_id == conference.id, ConferenceRole.role == ROLE_OF[audience])
        )
        for user in db.session.scalars(query):
            found.setdefault(user.id, Recipient(user))
    return sorted(found.values(), key=lambda recipient: (folded(recipient.user.display_name), recipient.user.id))


@dataclass(frozen=True)
class Sent:
    queued: int  # new e-mails in the outbox
    already: int  # queued by an earlier send of the same form


def send(conference: Conference, people: list[Recipient], subject: str, body: str, batch: str,
         link: str, group: dict[str, Any] | None = None) -> Sent:
    """Queue one e-mail per person (rendered for them); raises TemplateProblem before queuing
    anything if the text does not render for someone. People an earlier send of the same
    ``batch`` reached are skipped. The activity log records the send with ``group`` (who the
    people are, as `group_details` says), the subject as written and how many were queued."""
    rendered = [(person, render_text(subject, body, person.context(conference, link))) for person in people]
    prefix = f"compose:{conference.id}:{batch}:"
    earlier = set(db.session.scalars(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.startswith(prefix, autoescape=True))
    ))
    queued = 0
    for person, (their_subject, their_body) in rendered:
        key = f"{prefix}{person.user.id}"
        if key not in earlier:
            queue_email(person.user.email, their_subject, their_body, key, conference_id=conference.id)
            queued += 1
    db.session.flush()
    if queued:
        record(conference, ActivityAction.GROUP_EMAIL_QUEUED,
               details={**(group or {}), "subject": subject, "count": queued})
    return Sent(queued, len(rendered) - queued)


def group_details(conference: Conference, audience: Audience, states: list[ProposalState] | None = None,
                  track_id: int | None = None) -> dict[str, Any]:
    """Who a group e-mail went to, for the activity log: the audience, and for speakers the
    proposals' states and track (by name, as it was then); never anyone's address."""
    details: dict[str, Any] = {"audience": audience.value}
    if audience is Audience.SPEAKERS:
        details["states"] = [state.value for state in states or ()]
        track = next((track for track in conference.tracks if track.id == track_id), None)
        if track is not None:
            details["track"] = track.name
    return details
