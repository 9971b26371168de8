"""Forms of the review area: rubric, review settings, reviews, conflicts, preferences, assignments."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from conference.core.forms import (
    ConfirmForm,  # noqa: F401 - re-exported for this area
    chosen_wall_time,
    label_occurrence_choices,
    occurrence_field,
    repeated_instants,
    wall_time_error,
)
from conference.reviews.models import ReviewCriterion, TrackPreference

MAX_COMMENT = 5000
MAX_DESCRIPTION = 2000
SCALE_LIMIT = 100


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CriterionForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)], filters=[_strip])
    description = TextAreaField(
        "Description", validators=[Length(max=MAX_DESCRIPTION)], filters=[_strip]
    )
    weight = FloatField(
        "Weight",
        validators=[
            InputRequired(message="Enter a weight greater than 0."),
            NumberRange(
                min=0.01, max=100, message="Enter a weight greater than 0 and at most 100."
            ),
        ],
        default=1.0,
    )
    scale_min = IntegerField(
        "Lowest score",
        validators=[
            InputRequired(message="Enter the lowest score."),
            NumberRange(min=-SCALE_LIMIT, max=SCALE_LIMIT),
        ],
        default=1,
    )
    scale_max = IntegerField(
        "Highest score",
        validators=[
            InputRequired(message="Enter the highest score."),
            NumberRange(min=-SCALE_LIMIT, max=SCALE_LIMIT),
        ],
        default=5,
    )

    def validate_scale_max(self, field) -> None:
        if (
            self.scale_min.data is not None
            and field.data is not None
            and field.data <= self.scale_min.data
        ):
            raise ValidationError("The highest score must be greater than the lowest score.")


class ReviewSettingsForm(FlaskForm):
    review_closes_at = DateTimeLocalField(
        "Review phase closes",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description="Leave empty to keep reviews open.",
    )
    # Shown only when the closing time happens twice (the night the clocks go back).
    review_closes_occurrence = occurrence_field()
    anonymised_review = BooleanField(
        "Anonymised review (reviewers do not see speakers' names, bios or e-mail addresses)"
    )
    reviewers_per_proposal = IntegerField(
        "Reviewers per proposal",
        validators=[
            InputRequired(message="Enter a number from 1 to 10."),
            NumberRange(min=1, max=10, message="Enter a number from 1 to 10."),
        ],
        default=3,
    )

    def __init__(self, *args, zone_name: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The conference's zone, in which the closing time is entered.
        self.zone_name = zone_name

    def validate_review_closes_at(self, field) -> None:
        message = wall_time_error(field.data, self.review_closes_occurrence.data, self.zone_name)
        if message:
            raise ValidationError(message)

    def repeated_close_instants(self) -> tuple[datetime, datetime] | None:
        """Both instants of the entered closing time when the clocks show it twice, else None."""
        return repeated_instants(self.review_closes_at.data, self.zone_name)

    def label_occurrences(self) -> None:
        """Name each occurrence of a repeated closing time by its UTC offset, for the page."""
        label_occurrence_choices(self.review_closes_occurrence, self.review_closes_at.data, self.zone_name)

    def review_closes_local(self) -> datetime | None:
        """The entered wall-clock time; ``fold=1`` when the second of two occurrences is chosen."""
        return chosen_wall_time(self.review_closes_at.data, self.review_closes_occurrence.data)


class ReviewFormBase(FlaskForm):
    lock_version = HiddenField(default="0")
    comment_for_organisers = TextAreaField(
        "Comment for the organisers",
        validators=[
            Length(max=MAX_COMMENT, message=f"Keep the comment under {MAX_COMMENT} characters.")
        ],
        filters=[_strip],
    )
    comment_for_speaker = TextAreaField(
        "Comment for the speaker (optional)",
        validators=[
            Length(max=MAX_COMMENT, message=f"Keep the comment under {MAX_COMMENT} characters.")
        ],
        filters=[_strip],
    )

    criteria: list[ReviewCriterion] = []

    def score_fields(self):
        return [(criterion, self[score_field_name(criterion)]) for criterion in self.criteria]

    def scores(self) -> dict[int, int]:
        return {criterion.id: field.data for criterion, field in self.score_fields()}

    def submitted_lock_version(self) -> int:
        try:
            return int(self.lock_version.data or 0)
        except ValueError:
            return -1


def score_field_name(criterion: ReviewCriterion) -> str:
    return f"score_{criterion.id}"


def review_form_class(criteria: list[ReviewCriterion]) -> type[ReviewFormBase]:
    """A review form with one radio group per rubric criterion, limited to its scale."""

    class ReviewForm(ReviewFormBase):
        pass

    for criterion in criteria:
        scale = range(criterion.scale_min, criterion.scale_max + 1)
        message = f"Choose a score from {criterion.scale_min} to {criterion.scale_max}."
        setattr(
            ReviewForm,
            score_field_name(criterion),
            RadioField(
                criterion.name,
                choices=[SelectChoice(value, str(value)) for value in scale],
                coerce=int,
                validators=[
                    InputRequired(message=message),
                    NumberRange(criterion.scale_min, criterion.scale_max, message=message),
                ],
                validate_choice=False,
                description=criterion.description,
            ),
        )
    ReviewForm.criteria = list(criteria)
    return ReviewForm


class DeclareConflictForm(FlaskForm):
    reason = StringField("Reason (optional)", validators=[Length(max=200)], filters=[_strip])


class OrganiserConflictForm(FlaskForm):
    reviewer_id = SelectField("Reviewer", coerce=int, validators=[InputRequired()])
    proposal_id = SelectField("Proposal", coerce=int, validators=[Optional()])
    speaker_id = SelectField(
        "Or every proposal of this speaker", coerce=int, validators=[Optional()]
    )
    reason = StringField("Reason", validators=[Length(max=200)], filters=[_strip])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            return False
        if bool(self.proposal_id.data) == bool(self.speaker_id.data):
            self.speaker_id.errors.append("Choose either a proposal or a speaker, not both.")
            return False
        return True


PREFERENCE_CHOICES = [
    SelectChoice(TrackPreference.PREFER.value, "Prefer"),
    SelectChoice(TrackPreference.NEUTRAL.value, "Neutral"),
    SelectChoice(TrackPreference.AVOID.value, "Avoid"),
]


def preferences_form_class(tracks) -> type[FlaskForm]:
    class PreferencesForm(FlaskForm):
        pass

    for track in tracks:
        setattr(
            PreferencesForm,
            f"track_{track.id}",
            SelectField(
                track.name,
                choices=PREFERENCE_CHOICES,
                coerce=int,
                default=TrackPreference.NEUTRAL.value,
                validators=[InputRequired()],
            ),
        )
    return PreferencesForm


class AddAssignmentForm(FlaskForm):
    proposal_id = HiddenField(validators=[DataRequired()])
    reviewer_id = SelectField("Reviewer", coerce=int, validators=[InputRequired()])
