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
from conference.proposals.models import (
    AvailabilityWindow,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)

__all__ = [
    "AvailabilityWindow",
    "Conference",
    "ConferenceRole",
    "Hub",
    "Proposal",
    "ProposalSpeaker",
    "Role",
    "Room",
    "SessionFormat",
    "SpeakerProfile",
    "Track",
    "User",
]
