"""Imports every area's models so SQLAlchemy and Alembic see the whole schema."""

from conference.accounts.models import User
from conference.conferences.models import (
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.interest.models import InterestMark
from conference.mail.models import EmailTemplate, OutboxMessage
from conference.proposals.models import (
    AvailabilityWindow,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)
from conference.reviews.models import (
    Conflict,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerTrackPreference,
    ReviewScore,
)

__all__ = [
    "AvailabilityWindow",
    "Conference",
    "ConferenceRole",
    "Conflict",
    "EmailTemplate",
    "Hub",
    "InterestMark",
    "OutboxMessage",
    "Proposal",
    "ProposalSpeaker",
    "Review",
    "ReviewAssignment",
    "ReviewCriterion",
    "ReviewerTrackPreference",
    "ReviewScore",
    "Role",
    "Room",
    "SessionFormat",
    "SpeakerProfile",
    "Track",
    "User",
]
