"""Forms of the archive: the search (a GET form) and the organisers' topic forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from conference.archive.queries import FilterChoices
from conference.archive.search import ArchiveQuery
from conference.core.types import MAX_ID

ANY = ""
MAX_QUERY_LENGTH = 200
MAX_NAME_LENGTH = 64


def _optional_int(value: str | int | None) -> int | None:
    if value in (None, ANY):
        return None
    return int(value)


class ArchiveSearchForm(FlaskForm):
    """Search words and filters read from the query string; bookmarkable, so no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(
        "Search titles, abstracts, speakers and topics",
        validators=[
            Optional(),
            Length(max=MAX_QUERY_LENGTH, message=f"Use at most {MAX_QUERY_LENGTH} characters."),
        ],
    )
    topic = SelectField("Topic", default=ANY, validate_choice=True)
    track = SelectField("Track", default=ANY, validate_choice=True)
    year = SelectField("Year", coerce=_optional_int, default=None, validate_choice=True)
    hub = SelectField("Hub", default=ANY, validate_choice=True)
    speaker = StringField(
        "Speaker", validators=[Optional(), Length(max=120, message="Use at most 120 characters.")]
    )
    # One person's talks, from the "who to ask" lists of the topic pages.
    person = IntegerField(
        "Person",
        validators=[Optional(), NumberRange(min=1, max=MAX_ID, message="Not a person.")],
    )

    @classmethod
    def with_choices(cls, choices: FilterChoices, formdata) -> ArchiveSearchForm:
        form = cls(formdata=formdata)
        form.topic.choices = [(ANY, "Any topic")] + [(t.slug, t.name) for t in choices.topics]
        form.track.choices = [(ANY, "Any track")] + [(name, name) for name in choices.tracks]
        form.year.choices = [(ANY, "Any year")] + [(year, str(year)) for year in choices.years]
        form.hub.choices = [(ANY, "Any hub")] + [(name, name) for name in choices.hubs]
        return form

    def archive_query(self) -> ArchiveQuery:
        """The search the (validated) form describes."""
        return ArchiveQuery(
            text=(self.q.data or "").strip(),
            topic=self.topic.data or None,
            track=self.track.data or None,
            year=self.year.data,
            hub=self.hub.data or None,
            speaker=(self.speaker.data or "").strip(),
            speaker_id=self.person.data,
        )


def _has_letter_or_digit(form, field) -> None:
    if not any(character.isalnum() for character in field.data or ""):
        raise ValidationError("Use at least one letter or digit.")


class TopicForm(FlaskForm):
    """A new topic, shared by every conference."""

    name = StringField(
        "Topic name",
        validators=[
            DataRequired(message="Name the topic."),
            Length(max=MAX_NAME_LENGTH, message=f"Use at most {MAX_NAME_LENGTH} characters."),
            _has_letter_or_digit,
        ],
        description="E.g. “Observability”. Topics are shared by every conference in the archive.",
    )
    description = TextAreaField(
        "What it covers",
        validators=[Optional(), Length(max=500, message="Use at most 500 characters.")],
    )


class AttachTopicForm(FlaskForm):
    """Tag one talk: an existing topic's name, or a new one to create."""

    topic = StringField(
        "Topic",
        validators=[
            DataRequired(message="Type a topic."),
            Length(max=MAX_NAME_LENGTH, message=f"Use at most {MAX_NAME_LENGTH} characters."),
            _has_letter_or_digit,
        ],
        render_kw={"list": "topic-names", "autocomplete": "off"},
    )
    next = HiddenField()
