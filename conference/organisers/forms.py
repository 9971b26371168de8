"""Forms organisers fill in to set up a conference."""

from __future__ import annotations

from datetime import time, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import ColorField, SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from conference.conferences.models import Role
from conference.core.forms import (
    ConfirmForm,  # noqa: F401 - re-exported for this area
    time_zone_field,
)
from conference.core.timezones import FIRST_YEAR, LAST_YEAR, skipped_wall_time_message

MAX_CONFERENCE_DAYS = 14
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
ONLINE_STREAM = ""  # the room form's hub choice for a room without a hub


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ConferenceSettingsForm(FlaskForm):
    """Everything about a conference an organiser may change after creating it."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    description = TextAreaField("Description", validators=[Length(max=5000)], filters=[_strip])
    starts_on = DateField("First day", validators=[DataRequired(message="Enter the first day.")])
    ends_on = DateField("Last day", validators=[DataRequired(message="Enter the last day.")])
    time_zone = time_zone_field(
        "Conference time zone",
        description="An IANA name such as Europe/London; the call-for-proposals times below are in this zone.",
    )
    cfp_opens_at = DateTimeLocalField(
        "Call for proposals opens (conference time zone)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    cfp_closes_at = DateTimeLocalField(
        "Call for proposals closes (conference time zone)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    anonymised_review = BooleanField("Anonymised review (reviewers do not see speakers' names)")
    reviewers_per_proposal = IntegerField(
        "Reviewers per proposal",
        validators=[
            InputRequired(message="Enter a number from 1 to 10."),
            NumberRange(min=1, max=10, message="Enter a number from 1 to 10."),
        ],
        default=3,
    )

    def label_times_with_zone(self, zone_name: str) -> None:
        """Name the zone the call-for-proposals times are entered in."""
        self.cfp_opens_at.label.text = f"Call for proposals opens ({zone_name})"
        self.cfp_closes_at.label.text = f"Call for proposals closes ({zone_name})"

    def validate_starts_on(self, field) -> None:
        # A mistyped year (0001, 9500) would pass every other check and break time arithmetic later.
        if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(f"Enter a day in the years {FIRST_YEAR} to {LAST_YEAR}.")

    def validate_ends_on(self, field) -> None:
        if not field.data or not self.starts_on.data:
            return
        if field.data < self.starts_on.data:
            raise ValidationError("The last day cannot be before the first day.")
        if field.data - self.starts_on.data >= timedelta(days=MAX_CONFERENCE_DAYS):
            raise ValidationError(f"A conference lasts at most {MAX_CONFERENCE_DAYS} days.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here, not inline: Optional() skips inline validators of an empty field.
        opens, closes = self.cfp_opens_at, self.cfp_closes_at
        if opens.errors or closes.errors:
            return valid
        if (opens.data is None) != (closes.data is None):
            closes.errors.append(
                "Give both the opening and the closing time of the call for proposals, or neither."
            )
            return False
        if opens.data is not None and closes.data <= opens.data:
            closes.errors.append("The call for proposals must close after it opens.")
            return False
        if not self.time_zone.errors and self.time_zone.data:
            for field in (opens, closes):
                if field.data is None:
                    continue
                message = skipped_wall_time_message(
                    field.data.date(), field.data.time(), self.time_zone.data
                )
                if message:
                    field.errors.append(message)
                    valid = False
        return valid


class CreateConferenceForm(ConferenceSettingsForm):
    slug = StringField(
        "Short name in addresses",
        validators=[
            DataRequired(),
            Length(min=2, max=64),
            Regexp(SLUG_PATTERN, message="Use lowercase letters, digits and single hyphens only."),
        ],
        filters=[_strip],
        description="Used in links, e.g. devcon-2027. Lowercase letters, digits and hyphens.",
    )


class AddRoleForm(FlaskForm):
    email = EmailField(
        "E-mail of an existing account",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[_strip],
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        default=Role.REVIEWER.value,
    )


class DeleteTrackForm(ConfirmForm):
    # "yes" once the organiser has seen how many proposals lose their track.
    confirmed = HiddenField()


class HubForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)], filters=[_strip])
    time_zone = time_zone_field(
        "Hub time zone", description="An IANA name such as America/New_York."
    )
    working_day_starts = TimeField(
        "Working day starts (hub local time)",
        validators=[DataRequired(message="Enter a time such as 09:00.")],
        default=time(9, 0),
    )
    working_day_ends = TimeField(
        "Working day ends (hub local time)",
        validators=[DataRequired(message="Enter a time such as 17:30.")],
        default=time(17, 30),
    )

    def validate_working_day_ends(self, field) -> None:
        starts = self.working_day_starts.data
        if starts is not None and field.data is not None and field.data <= starts:
            raise ValidationError("The working day must end after it starts.")


class RoomForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)], filters=[_strip])
    hub = SelectField("Hub", choices=[], validate_choice=True)
    capacity = IntegerField(
        "Capacity (people)",
        validators=[
            InputRequired(message="Enter a number from 1 to 10000."),
            NumberRange(min=1, max=10000, message="Enter a number from 1 to 10000."),
        ],
    )
    has_streaming = BooleanField("Can stream sessions")
    has_recording = BooleanField("Can record sessions")

    def offer_hubs(self, hubs) -> None:
        """Choices: this conference's hubs, plus an online stream without a hub."""
        self.hub.choices = [SelectChoice(ONLINE_STREAM, "Online stream (no hub)")] + [
            SelectChoice(str(hub.id), f"{hub.name} ({hub.time_zone})") for hub in hubs
        ]


class TrackForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)], filters=[_strip])
    description = TextAreaField("Description", validators=[Length(max=5000)], filters=[_strip])
    colour = ColorField(
        "Colour",
        validators=[
            DataRequired(),
            Regexp(COLOUR_PATTERN, message="Use a colour written as #rrggbb, e.g. #4a6fa5."),
        ],
        filters=[_strip],
        default="#4a6fa5",
        description="Written as #rrggbb.",
    )


class SessionFormatForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)], filters=[_strip])
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            InputRequired(message="Enter a duration from 5 to 480 minutes."),
            NumberRange(min=5, max=480, message="Enter a duration from 5 to 480 minutes."),
        ],
        description="5 to 480 minutes, in steps of 5.",
    )

    def validate_duration_minutes(self, field) -> None:
        if field.data is not None and field.data % 5:
            raise ValidationError("Use a multiple of 5 minutes.")
