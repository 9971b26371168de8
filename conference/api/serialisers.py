"""Rows as the API's JSON: plain dicts, instants in UTC (``Z``), ids for every reference.

Text is given as stored (abstracts and bios as their Markdown source): a JSON string needs no
escaping beyond what the encoder does, and clients render it as they need.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from conference.accounts.models import User
from conference.agenda.queries import room_mode
from conference.api.models import ApiToken
from conference.conferences.models import Conference, Hub, Room, SessionFormat, Track
from conference.core.timezones import to_zone
from conference.decisions import ranking
from conference.feeds.links import join_url
from conference.interest.operations import PUBLIC_STATES
from conference.proposals import questions
from conference.proposals.models import CfpQuestion, InvitationState, Proposal, SpeakerProfile
from conference.reviews.models import Review
from conference.schedule.models import ScheduledTalk, ScheduleVersion

SCORE_DIGITS = 2


def utc_text(instant: datetime | None) -> str | None:
    """``2027-03-28T09:00:00Z``: ISO 8601 in UTC, to the second."""
    if instant is None:
        return None
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_text(instant: datetime, zone_name: str) -> str:
    """``2027-03-28T10:00:00+01:00``: the wall time in ``zone_name`` with that day's offset."""
    return to_zone(instant, zone_name).isoformat(timespec="seconds")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, SCORE_DIGITS)


def hub_json(hub: Hub | None) -> dict | None:
    if hub is None:
        return None
    return {"id": hub.id, "name": hub.name, "time_zone": hub.time_zone}


def track_json(track: Track | None) -> dict | None:
    if track is None:
        return None
    return {"id": track.id, "name": track.name}


def format_json(session_format: SessionFormat) -> dict:
    return {
        "id": session_format.id,
        "name": session_format.name,
        "duration_minutes": session_format.duration_minutes,
    }


def conference_json(conference: Conference, endpoints: dict[str, str]) -> dict:
    return {
        "slug": conference.slug,
        "name": conference.name,
        "description": conference.description,
        "time_zone": conference.time_zone,
        "starts_on": conference.starts_on.isoformat(),
        "ends_on": conference.ends_on.isoformat(),
        "anonymised_review": bool(conference.setting("anonymised_review")),
        "endpoints": endpoints,
    }


# --- proposals -----------------------------------------------------------------------------


def _answer_json(answer: questions.ShownAnswer) -> dict:
    return {
        "question_id": answer.question.id,
        "question": answer.question.text,
        "kind": answer.question.kind.value,
        "answer": answer.value,
        # Retired questions keep their answers; an answer may predate the question being
        # limited to other formats or tracks (the organisers' proposal page marks both).
        "retired": answer.retired,
        "applies": answer.applies,
    }


def proposal_json(
    proposal: Proposal,
    statistics: ranking.ProposalStatistics,
    all_questions: list[CfpQuestion],
    tag_names: Sequence[str] = (),
) -> dict:
    """A proposal as organisers see it: speakers with e-mails, every answer, review summary,
    the organisers' tags."""
    return {
        "id": proposal.id,
        "title": proposal.title,
        "abstract": proposal.abstract,
        "state": proposal.state.value,
        "format": format_json(proposal.session_format),
        "track": track_json(proposal.track),
        "audience_level": proposal.audience_level.value,
        "notes_to_organisers": proposal.notes_to_organisers,
        "speakers": [
            {
                "id": speaker.user.id,
                "name": speaker.user.display_name,
                "email": speaker.user.email,
                "role": speaker.role.value,
            }
            for speaker in proposal.speakers
            if speaker.user is not None and speaker.invitation_state is InvitationState.ACCEPTED
        ],
        "submitted_at": utc_text(proposal.submitted_at),
        "review": {
            "count": statistics.review_count,
            # Mean of the reviews' weighted scores on 0-100, and the reviewer-normalised
            # (z-score) mean the ranking sorts by.
            "mean_score": _rounded(statistics.mean_score),
            "normalised_score": _rounded(statistics.normalised_score),
        },
        # Set-aside answers (to questions that do not apply to the proposal) are its speakers'
        # alone, as on the organisers' pages and in the CSV.
        "answers": [
            _answer_json(answer) for answer in questions.shown_answers(proposal, all_questions)
            if answer.applies
        ],
        "tags": list(tag_names),
    }


# --- speakers ------------------------------------------------------------------------------


def speaker_json(user: User, profile: SpeakerProfile | None, proposal_ids: list[int]) -> dict:
    return {
        "id": user.id,
        "name": user.display_name,
        "email": user.email,
        "time_zone": user.time_zone,
        "bio": profile.bio if profile else "",
        "presentation_mode": profile.presentation_mode.value if profile else None,
        "hub": hub_json(profile.hub) if profile else None,
        "proposals": proposal_ids,
    }


# --- reviews -------------------------------------------------------------------------------


def review_json(review: Review, counted: bool, z_score: float | None, anonymised: bool) -> dict:
    """A review; with anonymised review, its reviewer by id only (see the API documentation)."""
    reviewer = {"id": review.reviewer_id}
    if not anonymised:
        reviewer["name"] = review.reviewer.display_name
    scores = sorted(
        (score for score in review.scores if score.criterion.conference_id == review.conference_id),
        key=lambda score: (score.criterion.position, score.criterion.id),
    )
    return {
        "id": review.id,
        "proposal_id": review.proposal_id,
        "reviewer": reviewer,
        "counted": counted,
        "normalised_score": _rounded(z_score),
        "score": _rounded(
            ranking.review_score(
                [
                    ranking.CriterionValue(
                        score.value,
                        score.criterion.scale_min,
                        score.criterion.scale_max,
                        score.criterion.weight,
                    )
                    for score in scores
                ]
            )
        ),
        "scores": [
            {
                "criterion_id": score.criterion.id,
                "criterion": score.criterion.name,
                "value": score.value,
                "scale_min": score.criterion.scale_min,
                "scale_max": score.criterion.scale_max,
                "weight": score.criterion.weight,
            }
            for score in scores
        ],
        "comment_for_organisers": review.comment_for_organisers,
        "comment_for_speaker": review.comment_for_speaker,
        "created_at": utc_text(review.created_at),
        "updated_at": utc_text(review.updated_at),
    }


# --- schedule, rooms, tracks ---------------------------------------------------------------


def version_json(version: ScheduleVersion, latest: bool) -> dict:
    return {
        "number": version.number,
        "published_at": utc_text(version.published_at),
        "latest": latest,
    }


def scheduled_talk_json(talk: ScheduledTalk, conference: Conference) -> dict:
    """A talk as the version placed it; local times in its hub's zone (online: the conference's)."""
    proposal, room = talk.proposal, talk.room
    zone_name = room.hub.time_zone if room.hub is not None else conference.time_zone
    return {
        "id": proposal.id,
        "title": proposal.title,
        "starts_at": utc_text(talk.starts_at),
        "ends_at": utc_text(talk.ends_at),
        "time_zone": zone_name,
        "local_starts_at": local_text(talk.starts_at, zone_name),
        "local_ends_at": local_text(talk.ends_at, zone_name),
        "room": {"id": room.id, "name": room.name},
        "hub": hub_json(room.hub),
        "mode": room_mode(room).value,
        "join_url": join_url(room),
        "track": track_json(proposal.track),
        "format": format_json(proposal.session_format),
        "speakers": [
            {"id": speaker.user_id, "name": speaker.user.display_name}
            for speaker in proposal.accepted_speakers
            if speaker.user is not None
        ],
        # Declined or withdrawn since this version was published: the agenda no longer shows it.
        "cancelled": proposal.state not in PUBLIC_STATES,
    }


def room_json(room: Room) -> dict:
    return {
        "id": room.id,
        "name": room.name,
        "capacity": room.capacity,
        "online": room.is_online,
        "hub": hub_json(room.hub),
        "has_streaming": room.has_streaming,
        "has_recording": room.has_recording,
        "join_url": join_url(room),
    }


def full_track_json(track: Track) -> dict:
    return {
        "id": track.id,
        "name": track.name,
        "description": track.description,
        "colour": track.colour,
    }


def token_json(token: ApiToken) -> dict:
    """What the token itself may know about itself (never its secret or hash)."""
    return {"name": token.name, "hint": token.hint, "created_at": utc_text(token.created_at)}
