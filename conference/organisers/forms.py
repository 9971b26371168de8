"""Forms organisers fill in to set up a conference."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
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
from wtforms.widgets import CheckboxInput, ListWidget

from conference.conferences.models import Role
from conference.core.forms import (
    ConfirmForm,  # noqa: F401 - re-exported for this area
    chosen_wall_time,
    label_occurrence_choices,
    occurrence_field,
    repeated_instants,
    time_zone_field,
    wall_time_error,
)
from conference.core.timezones import FIRST_YEAR, LAST_YEAR, is_valid_time_zone, local_to_utc
from conference.proposals.models import CfpQuestionKind, ReviewerVisibility
from conference.proposals.questions import (
    HELP_TEXT_MAX,
    MAX_OPTIONS,
    OPTION_MAX,
    QUESTION_TEXT_MAX,
)

MAX_CONFERENCE_DAYS = 14
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
ONLINE_STREAM = ""  # the room form's hub choice for a room without a hub
# Each call-for-proposals time and the field saying which occurrence of it is meant.
CFP_OCCURRENCE_FIELDS = {"cfp_opens_at": "cfp_opens_occurrence", "cfp_closes_at": "cfp_closes_occurrence"}


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
    # Shown only when the time above happens twice (the night the clocks go back).
    cfp_opens_occurrence = occurrence_field()
    cfp_closes_occurrence = occurrence_field()
    anonymised_review = BooleanField("Anonymised review (reviewers do not see speakers' names)")
    reviewers_per_proposal = IntegerField(
        "Reviewers per proposal",
        validators=[
            InputRequired(message="Enter a number from 1 to 10."),
            NumberRange(min=1, max=10, message="Enter a number from 1 to 10."),
        ],
        default=3,
    )

    def entered_zone(self) -> str | None:
        """The zone the call-for-proposals times are entered in, when it is a zone we know."""
        zone_name = (self.time_zone.data or "").strip()
        return zone_name if is_valid_time_zone(zone_name) else None

    def label_times_with_zone(self, zone_name: str) -> None:
        """Name the zone the call-for-proposals times are entered in, and label the occurrences
        of a time that happens twice there."""
        self.cfp_opens_at.label.text = f"Call for proposals opens ({zone_name})"
        self.cfp_closes_at.label.text = f"Call for proposals closes ({zone_name})"
        label_occurrence_choices(self.cfp_opens_occurrence, self.cfp_opens_at.data, zone_name)
        label_occurrence_choices(self.cfp_closes_occurrence, self.cfp_closes_at.data, zone_name)

    def occurrence_question(self, field) -> RadioField | None:
        """The occurrence field to show below ``field`` when its time happens twice, else None."""
        occurrence = self[CFP_OCCURRENCE_FIELDS[field.name]]
        return occurrence if repeated_instants(field.data, self.entered_zone()) else None

    def cfp_opens_local(self) -> datetime | None:
        """The entered opening wall time; ``fold=1`` when its second occurrence is chosen."""
        return chosen_wall_time(self.cfp_opens_at.data, self.cfp_opens_occurrence.data)

    def cfp_closes_local(self) -> datetime | None:
        """The entered closing wall time; ``fold=1`` when its second occurrence is chosen."""
        return chosen_wall_time(self.cfp_closes_at.data, self.cfp_closes_occurrence.data)

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
        zone_name = None if self.time_zone.errors else self.entered_zone()
        for field, occurrence in (
            (opens, self.cfp_opens_occurrence),
            (closes, self.cfp_closes_occurrence),
        ):
            message = wall_time_error(field.data, occurrence.data, zone_name)
            if message:
                field.errors.append(message)
                valid = False
        if opens.data is None or opens.errors or closes.errors:
            return valid
        opens_local, closes_local = self.cfp_opens_local(), self.cfp_closes_local()
        if zone_name:
            # Compared as instants: 02:45 the first time comes before 02:30 the second time.
            opens_local = local_to_utc(opens_local.date(), opens_local.time(), zone_name)
            closes_local = local_to_utc(closes_local.date(), closes_local.time(), zone_name)
        if closes_local <= opens_local:
            closes.errors.append("The call for proposals must close after it opens.")
            return False
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
    seat_limit = IntegerField(
        "Seats per day for people attending in person",
        validators=[
            Optional(),
            NumberRange(min=0, max=100_000, message="Enter a number from 0 to 100,000, or leave it empty."),
        ],
        description="Empty for no limit. When a day is full, new requests join its waiting list; "
        "raising the limit gives the new seats to the people waiting.",
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
    requires_access_code = BooleanField(
        "Only with an access code (not offered on the ordinary proposal form)"
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
    requires_access_code = BooleanField(
        "Only with an access code (not offered on the ordinary proposal form)"
    )

    def validate_duration_minutes(self, field) -> None:
        if field.data is not None and field.data % 5:
            raise ValidationError("Use a multiple of 5 minutes.")


# Room for MAX_OPTIONS options of OPTION_MAX characters, one per line.
OPTIONS_TEXT_MAX = MAX_OPTIONS * (OPTION_MAX + 2)


class CfpQuestionScopeForm(FlaskForm):
    """Which proposals a question of the call for proposals is asked of: none ticked, all."""

    session_format_ids = SelectMultipleField(
        "Session formats",
        coerce=int,
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    track_ids = SelectMultipleField(
        "Tracks",
        coerce=int,
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def offer_scopes(self, conference) -> None:
        """The conference's formats and tracks, to ask the question of only some of them."""
        self.session_format_ids.choices = [
            SelectChoice(item.id, f"{item.name} ({item.duration_minutes} min)")
            for item in conference.session_formats
        ]
        self.track_ids.choices = [SelectChoice(track.id, track.name) for track in conference.tracks]


class CfpQuestionForm(CfpQuestionScopeForm):
    """A question of the call for proposals, as organisers write it."""

    text = StringField(
        "Question",
        validators=[
            DataRequired(message="Write the question."),
            Length(
                max=QUESTION_TEXT_MAX,
                message=f"Keep the question under {QUESTION_TEXT_MAX} characters.",
            ),
        ],
        filters=[_strip],
    )
    help_text = TextAreaField(
        "Help text (optional)",
        validators=[
            Length(
                max=HELP_TEXT_MAX,
                message=f"Keep the help text under {HELP_TEXT_MAX:,} characters.",
            )
        ],
        filters=[_strip],
        render_kw={"rows": 3},
        description="Shown under the question on the proposal form.",
    )
    kind = SelectField(
        "Kind of answer",
        choices=[SelectChoice(kind.value, kind.label) for kind in CfpQuestionKind],
        default=CfpQuestionKind.SHORT_TEXT.value,
    )
    options = TextAreaField(
        "Options, one per line",
        validators=[
            Length(
                max=OPTIONS_TEXT_MAX,
                message=f"Keep the options under {OPTIONS_TEXT_MAX:,} characters in all.",
            )
        ],
        render_kw={"rows": 5},
        description=(
            f"Only for single-choice questions: 2 to {MAX_OPTIONS} options, each under "
            f"{OPTION_MAX} characters. Answers already given keep their text when you change them."
        ),
    )
    required = BooleanField("Speakers must answer it to submit (drafts may leave it empty)")
    reviewer_visibility = RadioField(
        "Who reads the answers",
        choices=[SelectChoice(item.value, item.label) for item in ReviewerVisibility],
        default=ReviewerVisibility.ALWAYS.value,
    )

    def option_list(self) -> list[str]:
        """The options as entered, one a line, without blank lines or surrounding spaces."""
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field) -> None:
        if field.errors:
            return
        options = self.option_list()
        if self.kind.data != CfpQuestionKind.CHOICE.value:
            if options:
                raise ValidationError(
                    "Options are only for single-choice questions: clear them, or choose "
                    f"“{CfpQuestionKind.CHOICE.label}”."
                )
            return
        if len(options) < 2:
            raise ValidationError("Give at least two options, one per line.")
        if len(options) > MAX_OPTIONS:
            raise ValidationError(f"Give at most {MAX_OPTIONS} options ({len(options)} given).")
        for option in options:
            if len(option) > OPTION_MAX:
                raise ValidationError(
                    f"Keep each option under {OPTION_MAX} characters; "
                    f"“{option[:40]}…” has {len(option):,}."
                )
        seen: set[str] = set()
        for option in options:
            if option.casefold() in seen:
                raise ValidationError(f"“{option}” is listed twice.")
            seen.add(option.casefold())


class RestoreCfpQuestionForm(CfpQuestionScopeForm):
    """Ask a retired question again, of the formats and tracks chosen on the restore page."""

    # Sent only by the restore page: a bare "Ask again" (from a page of before) shows that page
    # instead of asking the question of every proposal unseen.
    scope_chosen = HiddenField(default="yes")
