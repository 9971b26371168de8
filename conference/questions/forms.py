"""Forms of the questions area: asking, the vote button, and the organisers' settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange

from conference.core.forms import stripped_text
from conference.questions.models import MAX_QUESTION_LENGTH
from conference.questions.operations import CLOSES_AFTER_RANGE, OPENS_BEFORE_RANGE
from conference.questions.queries import (
    MAX_CLOSES_HOURS_AFTER,
    MAX_OPENS_MINUTES_BEFORE,
    QuestionSettings,
)

VOTE, UNVOTE = "yes", "no"


class AskForm(FlaskForm):
    text = TextAreaField(
        "Your question",
        filters=[stripped_text],
        validators=[
            DataRequired(message="Write your question first."),
            Length(
                max=MAX_QUESTION_LENGTH,
                message=f"Keep your question to {MAX_QUESTION_LENGTH} characters.",
            ),
        ],
        render_kw={"maxlength": MAX_QUESTION_LENGTH, "rows": 3},
    )
    anonymous = BooleanField("Ask anonymously (only the organisers see who asked)")


class VoteForm(FlaskForm):
    """Says which state is wanted, so a double submit cannot undo itself."""

    voted = HiddenField(validators=[AnyOf([VOTE, UNVOTE], message="Choose to vote or to take your vote back.")])


class WholeNumberField(IntegerField):
    """A whole number; anything else reads as no number, so the range's own message explains."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None


class QuestionSettingsForm(FlaskForm):
    enabled = BooleanField("Audience questions are on for this conference")
    opens_minutes_before = WholeNumberField(
        "Asking opens this many minutes before a talk starts",
        validators=[
            InputRequired(message=OPENS_BEFORE_RANGE),
            NumberRange(0, MAX_OPENS_MINUTES_BEFORE, message=OPENS_BEFORE_RANGE),
        ],
        render_kw={"min": 0, "max": MAX_OPENS_MINUTES_BEFORE, "inputmode": "numeric"},
    )
    closes_hours_after = WholeNumberField(
        "Asking closes this many hours after a talk ends",
        validators=[
            InputRequired(message=CLOSES_AFTER_RANGE),
            NumberRange(0, MAX_CLOSES_HOURS_AFTER, message=CLOSES_AFTER_RANGE),
        ],
        render_kw={"min": 0, "max": MAX_CLOSES_HOURS_AFTER, "inputmode": "numeric"},
    )

    def question_settings(self) -> QuestionSettings:
        return QuestionSettings(
            enabled=bool(self.enabled.data),
            opens_minutes_before=self.opens_minutes_before.data,
            closes_hours_after=self.closes_hours_after.data,
        )
