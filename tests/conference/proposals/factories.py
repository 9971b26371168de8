"""Factories for the speaker side: a proposal with its submitter in one call."""

from __future__ import annotations

from conference.proposals.models import InvitationState, ProposalState, SpeakerRole
from tests.factories import ProposalFactory, ProposalSpeakerFactory


def proposal_of(user, conference, state=ProposalState.SUBMITTED, **fields):
    """A proposal at ``conference`` submitted by ``user`` (its first format and track unless
    ``fields`` say otherwise)."""
    fields = {
        "session_format": conference.session_formats[0],
        "track": conference.tracks[0] if conference.tracks else None,
        **fields,
    }
    proposal = ProposalFactory(conference=conference, state=state, **fields)
    ProposalSpeakerFactory(
        proposal=proposal, user=user, role=SpeakerRole.SUBMITTER,
        invitation_state=InvitationState.ACCEPTED,
    )
    return proposal
