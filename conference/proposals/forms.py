"""Forms of the speaker side of the call for proposals."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError
from wtforms.widgets import HiddenInput

from conference.core.forms import (
    ConfirmForm,  # noqa: F401 - re-exported for this area
    time_zone_field,
)
from conference.proposals.models import AudienceLevel, PresentationMode

TITLE_MAX = 200
ABSTRACT_MAX = 10_000
NOTES_MAX = 5_000
BIO_MAX = 2_000
MAX_RANGES_PER_DAY = 2
NO_CHOICE = 0


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SpeakerProfileForm(FlaskForm):
    display_name = StringField(
        "Your name", validators=[DataRequired(), Length(max=120)], filters=[_strip]
    )
    bio = TextAreaField(
        "Short bio",
        validators=[Length(max=BIO_MAX, message=f"Keep the bio under {BIO_MAX:,} characters.")],
        render_kw={"rows": 6},
    )
    time_zone = time_zone_field("Your time zone")
    hub_id = SelectField("Home hub", coerce=int, validate_choice=True)
    presentation_mode = RadioField(
        "How you will present",
        choices=[SelectChoice(mode.value, mode.label) for mode in PresentationMode],
        default=PresentationMode.IN_PERSON.value,
        validators=[InputRequired()],
    )
    recording_consent = BooleanField("You may record my session and publish the recording")

    def offer_hubs(self, hubs) -> None:
        self.hub_id.choices = [SelectChoice(NO_CHOICE, "No hub")] + [
            SelectChoice(hub.id, f"{hub.name} ({hub.time_zone})") for hub in hubs
        ]

    def validate_hub_id(self, field) -> None:
        if self.presentation_mode.data == PresentationMode.IN_PERSON.value and not field.data:
            raise ValidationError("Choose the hub where you will present in person.")


class ProposalForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[
            DataRequired(),
            Length(max=TITLE_MAX, message=f"Keep the title under {TITLE_MAX} characters."),
        ],
        filters=[_strip],
    )
    abstract = TextAreaField(
        "Abstract",
        validators=[
            Length(max=ABSTRACT_MAX, message=f"Keep the abstract under {ABSTRACT_MAX:,} characters.")
        ],
        render_kw={"rows": 10},
    )
    session_format_id = SelectField("Session format", coerce=int, validate_choice=True)
    track_id = SelectField("Track", coerce=int, validate_choice=True)
    audience_level = SelectField(
        "Audience level",
        choices=[SelectChoice(level.value, level.value.capitalize()) for level in AudienceLevel],
        default=AudienceLevel.INTERMEDIATE.value,
    )
    notes_to_organisers = TextAreaField(
        "Notes to the organisers (not shown to reviewers or the public)",
        validators=[Length(max=NOTES_MAX, message=f"Keep the notes under {NOTES_MAX:,} characters.")],
        render_kw={"rows": 4},
    )
    # The version the speaker started editing from (optimistic locking).
    lock_version = IntegerField(widget=HiddenInput(), default=0)
    save_draft = SubmitField("Save as draft")
    submit = SubmitField("Submit")

    def offer_choices(self, conference) -> None:
        self.session_format_id.choices = [
            SelectChoice(item.id, f"{item.name} ({item.duration_minutes} min)")
            for item in conference.session_formats
        ]
        self.track_id.choices = [SelectChoice(NO_CHOICE, "No particular track")] + [
            SelectChoice(track.id, track.name) for track in conference.tracks
        ]

    @property
    def wants_submission(self) -> bool:
        return bool(self.submit.data)

    def __init__(self, *args, submitted: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Editing a proposal already submitted: saving keeps it submitted, so the rules of
        # submitting hold for every save.
        self.already_submitted = submitted

    def validate_abstract(self, field) -> None:
        if (self.wants_submission or self.already_submitted) and not (field.data or "").strip():
            raise ValidationError("An abstract is needed to submit; save as draft to finish later.")


class InviteCoSpeakerForm(FlaskForm):
    email = EmailField(
        "Co-speaker's e-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[_strip],
    )



class InvitationAnswerForm(FlaskForm):
    accept = SubmitField("Accept")
    decline = SubmitField("Decline")


_TIME_PATTERN = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def parse_quarter_hour(text: str, allow_midnight_end: bool = False) -> int:
    """Minutes since midnight for "HH:MM" on a 15-minute grid; ValueError with a readable reason."""
    match = _TIME_PATTERN.match(text or "")
    if not match:
        raise ValueError(f"“{(text or '')[:10]}” is not a time; use HH:MM, e.g. 09:30.")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 24 * 60 or (minutes == 24 * 60 and not allow_midnight_end):
        raise ValueError(f"{text} is not within the day (00:00 to 24:00).")
    if minutes % 15:
        raise ValueError(f"{text} is not on a quarter hour; use :00, :15, :30 or :45.")
    return minutes


class DayAvailabilityForm(Form):
    """One conference day: up to two time ranges, or not available at all."""

    day = HiddenField()
    unavailable = BooleanField("Not available that day")
    start_1 = StringField("From", render_kw={"type": "time", "step": 900})
    end_1 = StringField("To", render_kw={"type": "time", "step": 900})
    start_2 = StringField("From (second range)", render_kw={"type": "time", "step": 900})
    end_2 = StringField("To (second range)", render_kw={"type": "time", "step": 900})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ranges: list[tuple[int, int]] = []

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.ranges = []
        if self.unavailable.data:
            return True
        ok = True
        pairs = [(self.start_1, self.end_1), (self.start_2, self.end_2)]
        for start_field, end_field in pairs:
            start_text = (start_field.data or "").strip()
            end_text = (end_field.data or "").strip()
            if not start_text and not end_text:
                continue
            if not start_text or not end_text:
                (start_field if not start_text else end_field).errors.append(
                    "Give both a start and an end time, or neither."
                )
                ok = False
                continue
            try:
                start = parse_quarter_hour(start_text)
            except ValueError as error:
                start_field.errors.append(str(error))
                ok = False
                continue
            try:
                end = parse_quarter_hour(end_text, allow_midnight_end=True)
            except ValueError as error:
                end_field.errors.append(str(error))
                ok = False
                continue
            if end <= start:
                end_field.errors.append("The end must be after the start.")
                ok = False
                continue
            self.ranges.append((start, end))
        if not ok:
            return False
        if not self.ranges:
            self.start_1.errors.append(
                "Give at least one time range, or tick “Not available that day”."
            )
            return False
        self.ranges.sort()
        if len(self.ranges) == MAX_RANGES_PER_DAY and self.ranges[1][0] < self.ranges[0][1]:
            self.start_2.errors.append("The two ranges overlap; merge them into one.")
            return False
        return True


class AvailabilityForm(FlaskForm):
    days = FieldList(FormField(DayAvailabilityForm))
