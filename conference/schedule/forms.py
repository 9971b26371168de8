"""Forms of the schedule setup: solver settings and the blocks of the grid."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from conference.core.types import MAX_ID
from conference.schedule.mapping import DEFAULT_RELAXED_WEIGHT, DEFAULT_WEIGHTS, WEIGHED_TERMS
from scheduler.rules import RELAXABLE_RULES

# Each goal in plain words, next to its weight.
TERM_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "attendee-conflict": ("Attendee clashes", "A person who wants two talks that run at the same time (per person and slot)."),
    "similar-track-clash": ("Similar tracks in parallel", "Two tracks marked as similar run at the same time."),
    "speaker-local-hours": ("Speakers' local hours", "A speaker presents early in the morning or late at night in their own time zone."),
    "remote-audience-hours": ("Remote audience hours", "People watching remotely would have to watch outside 08:00–20:00 their time."),
    "room-preference": ("Room preferences", "A talk is placed in a room it likes less."),
    "block-preference": ("Block preferences", "A talk is placed in a session it likes less."),
    "track-cohesion": ("Keep tracks together", "A track is spread over several rooms within one session."),
    "track-order": ("Track order", "Talks of a track run out of their intended order."),
    "capacity-overflow": ("Full rooms", "More people are expected than the room holds (per person over)."),
    "stability": ("Few changes", "A talk moves compared with the last published schedule."),
}

RULE_EXPLANATIONS: dict[str, str] = {
    "person-clash": "A speaker may be scheduled in two talks at once.",
    "person-unavailable": "A speaker may present outside the times they said they are available.",
    "room-unavailable": "A talk may use a room in a session where the room is closed.",
    "room-not-allowed": "A talk may use a room it does not allow.",
    "missing-room-feature": "A talk may use a room without streaming even though a remote speaker needs it.",
    "wrong-hub": "An in-person talk may be placed at another hub than its speaker's.",
    "room-too-small": "A talk may be placed in a room smaller than its expected audience.",
    "pin-broken": "A pinned talk may be moved.",
}


def weight_field_name(rule_name: str) -> str:
    return "weight_" + rule_name.replace("-", "_")


def relax_field_name(rule_name: str) -> str:
    return "relax_" + rule_name.replace("-", "_")


class ScheduleSettingsForm(FlaskForm):
    """Slot length, time limit, goal weights and which hard rules become soft."""

    slot_minutes = IntegerField(
        "Slot length (minutes)",
        validators=[InputRequired(), NumberRange(min=5, max=60, message="Choose between 5 and 60 minutes.")],
        description="Every talk starts on a slot boundary; every session format's length must be a whole number of slots.",
    )
    time_limit_seconds = IntegerField(
        "Time limit (seconds)",
        validators=[InputRequired(), NumberRange(min=5, max=3600, message="Choose between 5 and 3600 seconds.")],
        description="How long the solver may search; it keeps the best schedule found so far.",
    )
    include_accepted = BooleanField(
        "Also schedule accepted talks whose speakers have not confirmed yet",
        default=True,
    )
    relaxed_weight = IntegerField(
        "Penalty for each broken relaxed rule",
        default=DEFAULT_RELAXED_WEIGHT,
        validators=[InputRequired(), NumberRange(min=1, max=10_000_000, message="Choose between 1 and 10 000 000.")],
        description="Large, so a relaxed rule is only broken when nothing else works.",
    )


for _name in WEIGHED_TERMS:
    setattr(
        ScheduleSettingsForm,
        weight_field_name(_name),
        IntegerField(
            TERM_EXPLANATIONS.get(_name, (_name, ""))[0],
            default=DEFAULT_WEIGHTS[_name],
            validators=[InputRequired(), NumberRange(min=0, max=100_000, message="Choose between 0 and 100 000.")],
            description=TERM_EXPLANATIONS.get(_name, ("", ""))[1],
        ),
    )
for _name in RELAXABLE_RULES:
    setattr(
        ScheduleSettingsForm,
        relax_field_name(_name),
        BooleanField(RULE_EXPLANATIONS.get(_name, _name), default=False),
    )


class BlockForm(FlaskForm):
    """A session of the grid, entered in local time at a hub (or the conference's zone)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    day = DateField("Day", validators=[InputRequired(message="Enter the day as YYYY-MM-DD.")])
    starts = TimeField("Starts (local time)", validators=[InputRequired(message="Enter a time as HH:MM.")])
    ends = TimeField("Ends (local time)", validators=[InputRequired(message="Enter a time as HH:MM.")])
    zone = SelectField("Local time of", choices=[], validate_choice=True)

    def validate_ends(self, field) -> None:
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError("The end must be after the start (blocks cannot run past midnight).")


class RunForm(FlaskForm):
    """Which kind of solver run a button starts, and the run a largest subset follows."""

    kind = HiddenField(validators=[DataRequired()])
    # A largest-subset run keeps the re-optimise choice of the run it follows.
    follows = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
