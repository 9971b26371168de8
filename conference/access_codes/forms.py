"""Forms organisers fill in to make, change and send access codes."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from conference.access_codes.models import NOTE_MAX
from conference.core.forms import (
    chosen_wall_time,
    label_occurrence_choices,
    occurrence_field,
    repeated_instants,
    wall_time_error,
)
from conference.core.timezones import local_to_utc

ANY = 0  # the track or format choice of a code not limited to one
MAX_USES_LIMIT = 10_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AccessCodeForm(FlaskForm):
    note = StringField(
        "Who it is for",
        validators=[
            DataRequired(message="Say whom the code is for, e.g. “Keynote: Ada Lovelace”."),
            Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX} characters."),
        ],
        filters=[_strip],
        description="Organisers see it in the list and on the proposals submitted with the code.",
    )
    track_id = SelectField("Limited to the track", coerce=int, validate_choice=True)
    session_format_id = SelectField("Limited to the session format", coerce=int, validate_choice=True)
    valid_until = DateTimeLocalField(
        "Valid until (conference time zone)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description="Leave empty for a code that does not expire.",
    )
    # Shown only when the time above happens twice (the night the clocks go back).
    valid_until_occurrence = occurrence_field()
    max_uses = IntegerField(
        "Maximum uses",
        validators=[
            Optional(),
            NumberRange(
                min=1, max=MAX_USES_LIMIT, message=f"Enter a number from 1 to {MAX_USES_LIMIT:,}."
            ),
        ],
        description="Proposals that can be submitted with the code; empty for no limit.",
    )

    def __init__(self, *args, zone_name: str, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        self.now = now
        self.valid_until.label.text = f"Valid until ({zone_name})"
        label_occurrence_choices(self.valid_until_occurrence, self.valid_until.data, zone_name)

    def offer_limits(self, conference) -> None:
        self.track_id.choices = [SelectChoice(ANY, "Any track")] + [
            SelectChoice(
                track.id, track.name + (" (only with an access code)" if track.requires_access_code else "")
            )
            for track in conference.tracks
        ]
        self.session_format_id.choices = [SelectChoice(ANY, "Any session format")] + [
            SelectChoice(
                item.id,
                f"{item.name} ({item.duration_minutes} min)"
                + (" (only with an access code)" if item.requires_access_code else ""),
            )
            for item in conference.session_formats
        ]

    def occurrence_question(self) -> RadioField | None:
        """The occurrence field to show when the entered time happens twice, else None."""
        return self.valid_until_occurrence if repeated_instants(self.valid_until.data, self.zone_name) else None

    def valid_until_instant(self) -> datetime | None:
        """The entered wall time in the conference's zone, as an instant."""
        local = chosen_wall_time(self.valid_until.data, self.valid_until_occurrence.data)
        if local is None:
            return None
        return local_to_utc(local.date(), local.time(), self.zone_name)

    def validate_valid_until(self, field) -> None:
        message = wall_time_error(field.data, self.valid_until_occurrence.data, self.zone_name)
        if message:
            raise ValidationError(message)
        instant = self.valid_until_instant()
        if instant is not None and instant <= self.now:
            raise ValidationError(
                "That time has passed, so the code would never work. Choose a later time, "
                "or revoke the code to stop it working."
            )


class SendAccessCodeForm(FlaskForm):
    email = EmailField(
        "Send the link to",
        validators=[
            DataRequired(message="Enter the e-mail address to send the link to."),
            Email(check_deliverability=False, message="Enter an e-mail address such as ada@example.com."),
            Length(max=254),
        ],
        filters=[_strip],
    )
