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
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from conference.core.forms import (
    ConfirmForm,  # noqa: F401 - re-exported for this area
    time_zone_field,
)
from conference.proposals.models import (
    AudienceLevel,
    CfpQuestion,
    CfpQuestionKind,
    PresentationMode,
)
from conference.proposals.operations import minutes_to_text
from conference.proposals.questions import YES_NO_LABELS, answer_problem

TITLE_MAX = 200
ABSTRACT_MAX = 10_000
NOTES_MAX = 5_000
BIO_MAX = 2_000
# Per day: more is very unlikely to be meant, and makes the page hard to read.
MAX_RANGES_PER_DAY = 12
NO_CHOICE = 0


def _strip(value):
    return value.strip() if isinstance(value, str) else value


RECORDING_CONSENT_CHOICES = {
    "yes": "Yes, recordings of my sessions may be published",
    "no": "No, do not publish recordings of my sessions",
}


def recording_consent_field(required: bool) -> RadioField:
    """The question whether recordings of the speaker's sessions here may be published: nothing
    is chosen beforehand, so an answer is always the speaker's own (see ``consent_from_choice``)."""
    return RadioField(
        "May recordings of your sessions be published?",
        choices=[SelectChoice(value, text) for value, text in RECORDING_CONSENT_CHOICES.items()],
        # Forged values get AnyOf's clear message rather than the generic "Not a valid choice".
        validate_choice=False,
        validators=[
            InputRequired(message="Answer whether recordings of your sessions may be published.")
            if required
            else Optional(),
            AnyOf(list(RECORDING_CONSENT_CHOICES), message="Answer yes or no."),
        ],
        description=(
            "Sessions in recorded rooms are filmed; a recording is published (on the talk page, in "
            "the archive and the recordings feed) only once every speaker of the talk has said yes. "
            "You can change your answer here at any time."
        ),
    )


def consent_from_choice(choice: str | None) -> bool | None:
    """The stored consent for a chosen "yes" or "no"; None when nothing was chosen."""
    return {"yes": True, "no": False}.get(choice or "")


def choice_from_consent(consent: bool | None) -> str | None:
    return None if consent is None else ("yes" if consent else "no")


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
    recording_consent = recording_consent_field(required=True)

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

    def offer_choices(self, conference, session_formats=None, tracks=None, any_track: bool = True) -> None:
        """Offer ``session_formats`` and ``tracks`` (all of the conference's unless given), and
        "no particular track" unless ``any_track`` is False (an access code for one track)."""
        self.session_format_id.choices = [
            SelectChoice(item.id, f"{item.name} ({item.duration_minutes} min)")
            for item in (conference.session_formats if session_formats is None else session_formats)
        ]
        self.track_id.choices = ([SelectChoice(NO_CHOICE, "No particular track")] if any_track else []) + [
            SelectChoice(track.id, track.name)
            for track in (conference.tracks if tracks is None else tracks)
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

    # --- answers to the organisers' questions (see proposal_form_class) ---

    questions: list[CfpQuestion] = []
    # Saved answers of the proposal being edited: a choice no longer offered may be kept.
    saved_answers: dict[int, str] = {}

    def question_fields(self) -> list[tuple[CfpQuestion, object]]:
        return [(question, self[answer_field_name(question)]) for question in self.questions]

    def answers(self) -> dict[int, str]:
        """The answer to each question, "" when left empty. An answer to a question the chosen
        format and track are not asked is kept set aside (see ``answers_set_aside``), unless it
        could not be saved: then the saved answer, if any, stays as it is (see
        ``answers_not_kept``)."""
        return {
            question.id: field.data or ""
            for question, field in self.question_fields()
            if self.asks(question) or not self._problem(question, field)
        }

    def answers_set_aside(self) -> list[CfpQuestion]:
        """The questions answered on the form that the chosen format and track are not asked:
        their answers are kept but set aside (not required, and nobody but the speakers sees
        them) until the proposal is in a format and track they apply to again."""
        return [
            question
            for question, field in self.question_fields()
            if not self.asks(question)
            and (field.data or "").strip()
            and not self._problem(question, field)
        ]

    def answers_not_kept(self) -> list[tuple[CfpQuestion, str]]:
        """(question, why) for each answer to a question the chosen format and track are not
        asked that could not be saved (hidden from the speaker, so it is no obstacle)."""
        return [
            (question, problem)
            for question, field in self.question_fields()
            if not self.asks(question) and (problem := self._problem(question, field))
        ]

    def _problem(self, question: CfpQuestion, field) -> str | None:
        return answer_problem(question, field.data or "", self.saved_answers.get(question.id))

    def keep_saved_answers(self, saved: dict[int, str]) -> None:
        """Know the proposal's saved answers, and offer a saved choice the organisers have
        since removed from the options, so that saving again keeps it.

        A question whose field was not sent at all keeps its saved answer: it was not on the
        page the speaker saw (asked again, say, while they were editing), so they did not
        take the answer back.
        """
        self.saved_answers = dict(saved)
        sent = self.is_submitted()
        for question, field in self.question_fields():
            value = saved.get(question.id)
            if question.kind is CfpQuestionKind.CHOICE and value and value not in question.options:
                field.choices = [
                    *field.choices, SelectChoice(value, f"{value} (no longer offered)")
                ]
            if sent and value and not field.raw_data:
                field.data = value

    def show_saved_answers(self) -> None:
        for question, field in self.question_fields():
            field.data = self.saved_answers.get(question.id, "")

    def asks(self, question: CfpQuestion) -> bool:
        """Whether the chosen format and track are asked ``question``: only then is it checked
        and required (if it is); otherwise its answer is set aside."""
        return question.is_asked_of(self.session_format_id.data, self.track_id.data or None)


def answer_field_name(question: CfpQuestion) -> str:
    return f"answer_{question.id}"


class _AnsweredToSubmit:
    """A required question needs an answer to submit (a draft may leave it empty), when the
    proposal's format and track are asked it."""

    def __init__(self, question: CfpQuestion):
        self.question = question
        self.field_flags = {"required": True}

    def __call__(self, form: ProposalForm, field) -> None:
        if (field.data or "").strip() or not (form.wants_submission or form.already_submitted):
            return
        if not form.asks(self.question):
            return
        if form.already_submitted:
            raise StopValidation("Answer this question: a submitted proposal needs it.")
        raise StopValidation("Answer this question to submit, or save as draft to finish later.")


class _AllowedAnswer:
    """Within its length, one of the options, yes or no: see ``questions.answer_problem``."""

    def __init__(self, question: CfpQuestion):
        self.question = question

    def __call__(self, form: ProposalForm, field) -> None:
        if not form.asks(self.question):
            return  # hidden from the speaker: set aside if it can be, else not kept
        problem = answer_problem(
            self.question, field.data or "", form.saved_answers.get(self.question.id)
        )
        if problem:
            raise ValidationError(problem)


def _answer_field(question: CfpQuestion):
    validators = [_AllowedAnswer(question)]
    if question.required:
        validators.insert(0, _AnsweredToSubmit(question))
    label = question.text if question.required else f"{question.text} (optional)"
    common = {"validators": validators, "filters": [_strip], "description": question.help_text}
    if question.kind is CfpQuestionKind.SHORT_TEXT:
        return StringField(label, **common)
    if question.kind is CfpQuestionKind.LONG_TEXT:
        return TextAreaField(label, render_kw={"rows": 5}, **common)
    if question.kind is CfpQuestionKind.YES_NO:
        choices = [SelectChoice(value, text) for value, text in YES_NO_LABELS.items()]
    else:
        choices = [SelectChoice(option, option) for option in question.options]
    if not question.required:
        # A chosen radio button cannot be unticked: this takes an optional answer back.
        choices.append(SelectChoice("", "No answer"))
    # Forged values are checked by _AllowedAnswer, with a clear message.
    return RadioField(label, choices=choices, validate_choice=False, **common)


def proposal_form_class(questions: list[CfpQuestion]) -> type[ProposalForm]:
    """The proposal form with one field per question asked, in the organisers' order."""

    class ProposalFormWithQuestions(ProposalForm):
        pass

    for question in questions:
        setattr(ProposalFormWithQuestions, answer_field_name(question), _answer_field(question))
    ProposalFormWithQuestions.questions = list(questions)
    return ProposalFormWithQuestions


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


TIME_INPUT = {"type": "time", "step": 900}
DAY_END = 24 * 60
# No day holds more separate quarter-hour ranges than this, so rows past it are never read
# (such a day is over its limit anyway, and says so).
RANGE_ROWS_READ = 24 * 4


def _range_text(start: int, end: int) -> str:
    return f"{minutes_to_text(start)}–{minutes_to_text(end)}"


class DayAvailabilityForm(Form):
    """One conference day: any number of time ranges (up to ``most_ranges``), or not available.

    Row n is ``start[n]`` and ``end[n]``, two lists side by side, so its inputs are named
    ``days-<day>-start_<n>`` and ``days-<day>-end_<n>``.
    """

    day = HiddenField()
    unavailable = BooleanField("Not available that day")
    start = FieldList(
        StringField("From", render_kw=TIME_INPUT), separator="_", max_entries=RANGE_ROWS_READ
    )
    end = FieldList(
        StringField("To", render_kw=TIME_INPUT), separator="_", max_entries=RANGE_ROWS_READ
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ranges: list[tuple[int, int]] = []
        # The view raises it on a day that already holds more saved ranges, so that saving the
        # page as shown always works.
        self.most_ranges = MAX_RANGES_PER_DAY

    @property
    def rows(self) -> list[tuple[StringField, StringField]]:
        return list(zip(self.start.entries, self.end.entries, strict=False))

    @property
    def may_add_row(self) -> bool:
        return len(self.start.entries) < self.most_ranges

    def show_ranges(self, ranges: list[tuple[int, int]]) -> None:
        """One row per range, then an empty row to add to (room permitting)."""
        for column in (self.start, self.end):
            while column.entries:
                column.pop_entry()
        for start, end in ranges:
            self.start.append_entry(minutes_to_text(start))
            self.end.append_entry(_end_text(end))
        if self.may_add_row:
            self.start.append_entry("")
            self.end.append_entry("")

    def add_row(self) -> None:
        """One more empty row, focused; at the limit, the reason on the day instead."""
        if not self.may_add_row:
            self.form_errors.append(self._limit_message())
            return
        self.start.append_entry("").render_kw = {**TIME_INPUT, "autofocus": True}
        self.end.append_entry("")

    def _limit_message(self) -> str:
        return f"A day holds at most {self.most_ranges} ranges; join some of them into one."

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.ranges = []
        if self.unavailable.data:
            return True
        if len(self.start.entries) != len(self.end.entries):
            self.form_errors.append("Some of this day's times went missing; check them again.")
            return False
        given: list[tuple[int, int, StringField]] = []
        for start_field, end_field in self.rows:
            parsed = _read_range(start_field, end_field)
            if parsed is not None:
                given.append((*parsed, start_field))
        given.sort(key=lambda row: row[:2])
        furthest = None  # the range given so far that reaches furthest into the day
        for start, end, start_field in given:
            if furthest is not None and start < furthest[1]:
                start_field.errors.append(
                    f"{_range_text(start, end)} overlaps {_range_text(*furthest)};"
                    " join them into one range."
                )
            if furthest is None or end > furthest[1]:
                furthest = (start, end)
        if self._show_row_errors():
            return False
        if not given:
            self.form_errors.append(
                "Give at least one time range, or tick “Not available that day”."
            )
            return False
        if len(given) > self.most_ranges:
            self.form_errors.append(self._limit_message())
            return False
        self.ranges = [(start, end) for start, end, _field in given]
        return True

    def _show_row_errors(self) -> bool:
        """Whether any row has an error, listed on its column as FieldList.validate would."""
        has_errors = False
        for column in (self.start, self.end):
            if any(entry.errors for entry in column.entries):
                column.errors = [entry.errors for entry in column.entries]
                has_errors = True
        return has_errors


def _end_text(minutes: int) -> str:
    # A time input cannot hold 24:00 (a browser empties it), so the day's closing midnight is
    # shown as an end of 00:00, which _read_range reads back as 24:00.
    return "00:00" if minutes == DAY_END else minutes_to_text(minutes)


def _read_range(start_field, end_field) -> tuple[int, int] | None:
    """The row's (start, end) in minutes; None when it is empty or wrong (then with errors)."""
    start_text = (start_field.data or "").strip()
    end_text = (end_field.data or "").strip()
    if not start_text and not end_text:
        return None
    if not start_text or not end_text:
        (end_field if start_text else start_field).errors.append(
            "Give both a start and an end time, or neither."
        )
        return None
    try:
        start = parse_quarter_hour(start_text)
    except ValueError as error:
        start_field.errors.append(str(error))
        return None
    try:
        end = parse_quarter_hour(end_text, allow_midnight_end=True) or DAY_END
    except ValueError as error:
        end_field.errors.append(str(error))
        return None
    if end <= start:
        end_field.errors.append("The end must be after the start.")
        return None
    return start, end


class AvailabilityForm(FlaskForm):
    days = FieldList(FormField(DayAvailabilityForm))

    def day_form(self, day_text: str) -> DayAvailabilityForm | None:
        """The subform of the day ``day_text`` (an ISO date), if the form holds that day."""
        return next((entry.form for entry in self.days if entry.form.day.data == day_text), None)
