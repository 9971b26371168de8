"""Forms of the feedback area: the attendee's feedback form and the organisers' question setup."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from conference.feedback.models import FeedbackQuestion, QuestionKind
from conference.feedback.queries import MAX_EDIT_DAYS
from conference.feedback.statistics import RATING_SCALE

MAX_PROMPT = 200
MAX_TEXT_ANSWER = 2000
MAX_COMMENT = 5000
RATING_LABELS = {1: "1 (poor)", 2: "2", 3: "3", 4: "4", 5: "5 (excellent)"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _rating(value) -> int | None:
    """The submitted rating as a number; anything that is not one becomes None (a form error)."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


class QuestionForm(FlaskForm):
    prompt = StringField(
        "Question",
        validators=[
            DataRequired(message="Write the question."),
            Length(max=MAX_PROMPT, message=f"Keep the question under {MAX_PROMPT} characters."),
        ],
        filters=[_strip],
    )
    kind = SelectField(
        "Kind of answer",
        choices=[SelectChoice(kind.value, kind.label) for kind in QuestionKind],
        default=QuestionKind.RATING.value,
    )
    required = BooleanField("Attendees must answer it", default=True)


class EditDaysForm(FlaskForm):
    edit_days = IntegerField(
        "Days after a talk ends during which attendees can give and change feedback",
        validators=[
            InputRequired(message=f"Enter a number of days from 1 to {MAX_EDIT_DAYS}."),
            NumberRange(
                1, MAX_EDIT_DAYS, message=f"Enter a number of days from 1 to {MAX_EDIT_DAYS}."
            ),
        ],
    )


class FeedbackFormBase(FlaskForm):
    lock_version = HiddenField(default="0")
    comment = TextAreaField(
        "Anything else you would like the speakers to know? (optional)",
        validators=[
            Length(max=MAX_COMMENT, message=f"Keep the comment under {MAX_COMMENT} characters.")
        ],
        filters=[_strip],
    )

    questions: list[FeedbackQuestion] = []

    def question_fields(self):
        return [(question, self[answer_field_name(question)]) for question in self.questions]

    def ratings(self) -> dict[int, int | None]:
        return {
            question.id: field.data
            for question, field in self.question_fields()
            if question.kind is QuestionKind.RATING
        }

    def texts(self) -> dict[int, str]:
        return {
            question.id: field.data or ""
            for question, field in self.question_fields()
            if question.kind is QuestionKind.TEXT
        }

    def submitted_lock_version(self) -> int:
        try:
            return int(self.lock_version.data or 0)
        except ValueError:
            return -1


def answer_field_name(question: FeedbackQuestion) -> str:
    return f"answer_{question.id}"


def _rating_field(question: FeedbackQuestion) -> RadioField:
    message = "Choose a rating from 1 to 5."
    presence = InputRequired(message=message) if question.required else Optional()
    return RadioField(
        question.prompt,
        choices=[SelectChoice(value, RATING_LABELS[value]) for value in RATING_SCALE],
        coerce=_rating,
        validators=[presence, NumberRange(min=1, max=5, message=message)],
        validate_choice=False,
    )


def _text_field(question: FeedbackQuestion) -> TextAreaField:
    presence = (
        DataRequired(message="Please answer this question.") if question.required else Optional()
    )
    return TextAreaField(
        question.prompt if question.required else f"{question.prompt} (optional)",
        validators=[
            presence,
            Length(
                max=MAX_TEXT_ANSWER, message=f"Keep the answer under {MAX_TEXT_ANSWER} characters."
            ),
        ],
        filters=[_strip],
    )


def feedback_form_class(questions: list[FeedbackQuestion]) -> type[FeedbackFormBase]:
    """A feedback form with one field per active question, in the organisers' order."""

    class FeedbackForm(FeedbackFormBase):
        pass

    for question in questions:
        field = (
            _rating_field(question)
            if question.kind is QuestionKind.RATING
            else _text_field(question)
        )
        setattr(FeedbackForm, answer_field_name(question), field)
    FeedbackForm.questions = list(questions)
    return FeedbackForm
