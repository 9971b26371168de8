"""The one place that names every scheduling rule.

Model building, the independent checker and the explanations all refer to these
constants, so an organiser sees the same words everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A named rule: `name` is the stable identifier, `label` reads as a sentence."""

    name: str
    label: str
    hard: bool
    relaxable: bool = True


# Hard rules.
RULE_TALK_ONCE = "talk-once"
RULE_ROOM_DOUBLE_BOOKED = "room-double-booked"
RULE_PERSON_CLASH = "person-clash"
RULE_PERSON_UNAVAILABLE = "person-unavailable"
RULE_ROOM_UNAVAILABLE = "room-unavailable"
RULE_ROOM_NOT_ALLOWED = "room-not-allowed"
RULE_MISSING_FEATURE = "missing-room-feature"
RULE_WRONG_HUB = "wrong-hub"
RULE_ROOM_TOO_SMALL = "room-too-small"
RULE_PIN_BROKEN = "pin-broken"

# Soft terms.
RULE_ATTENDEE_CONFLICT = "attendee-conflict"
RULE_SIMILAR_TRACK_CLASH = "similar-track-clash"
RULE_SPEAKER_LOCAL_HOURS = "speaker-local-hours"
RULE_REMOTE_AUDIENCE_HOURS = "remote-audience-hours"
RULE_ROOM_PREFERENCE = "room-preference"
RULE_BLOCK_PREFERENCE = "block-preference"
RULE_TRACK_COHESION = "track-cohesion"
RULE_TRACK_ORDER = "track-order"
RULE_CAPACITY_OVERFLOW = "capacity-overflow"
RULE_STABILITY = "stability"
RULE_UNSCHEDULED = "unscheduled"

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(RULE_TALK_ONCE, "Every talk is scheduled exactly once", hard=True, relaxable=False),
        Rule(RULE_ROOM_DOUBLE_BOOKED, "A room hosts two talks at once", hard=True, relaxable=False),
        Rule(RULE_PERSON_CLASH, "A speaker or track chair is needed in two places at once", hard=True),
        Rule(RULE_PERSON_UNAVAILABLE, "A speaker or track chair is scheduled outside their availability", hard=True),
        Rule(RULE_ROOM_UNAVAILABLE, "A room is used in a block it is not available for", hard=True),
        Rule(RULE_ROOM_NOT_ALLOWED, "A talk is placed in a room it does not allow", hard=True),
        Rule(RULE_MISSING_FEATURE, "A talk is placed in a room lacking a required feature", hard=True),
        Rule(RULE_WRONG_HUB, "An in-person or hybrid talk is placed outside its hub", hard=True),
        Rule(RULE_ROOM_TOO_SMALL, "A talk's expected audience exceeds the room capacity", hard=True),
        Rule(RULE_PIN_BROKEN, "A pinned talk is not at its pinned room and time", hard=True),
        Rule(RULE_ATTENDEE_CONFLICT, "An attendee wants two talks running at the same time", hard=False),
        Rule(RULE_SIMILAR_TRACK_CLASH, "Two similar tracks run in parallel", hard=False),
        Rule(RULE_SPEAKER_LOCAL_HOURS, "A speaker presents at an unsuitable local hour", hard=False),
        Rule(RULE_REMOTE_AUDIENCE_HOURS, "Remote audience watches outside civilised local hours", hard=False),
        Rule(RULE_ROOM_PREFERENCE, "A talk is in a room it prefers less", hard=False),
        Rule(RULE_BLOCK_PREFERENCE, "A talk is in a block it prefers less", hard=False),
        Rule(RULE_TRACK_COHESION, "A cohesive track is spread over several rooms within a block", hard=False),
        Rule(RULE_TRACK_ORDER, "Talks of a track run out of their requested order", hard=False),
        Rule(RULE_CAPACITY_OVERFLOW, "Expected audience exceeds room capacity (people over)", hard=False),
        Rule(RULE_STABILITY, "A talk moved compared with the published schedule", hard=False),
        Rule(RULE_UNSCHEDULED, "A talk was left out of the schedule (priority-weighted)", hard=False),
    )
}

HARD_RULES = tuple(name for name, rule in RULES.items() if rule.hard)
RELAXABLE_RULES = tuple(name for name, rule in RULES.items() if rule.hard and rule.relaxable)
SOFT_TERMS = tuple(name for name, rule in RULES.items() if not rule.hard)


def label(rule_name: str) -> str:
    """Human-readable sentence for a rule name."""
    return RULES[rule_name].label


def quoted(ids) -> str:
    """Ids in double quotes, comma-separated, so whoever shows a message can put names in their place."""
    return ", ".join(f'"{i}"' for i in ids)
