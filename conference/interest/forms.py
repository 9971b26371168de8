"""Forms of the interest area: the talk filter (a GET form) and the mark buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField, SelectField
from wtforms.validators import Length, Optional

from conference.conferences.models import Conference
from conference.proposals.models import AudienceLevel

ANY = ""
MAX_SEARCH_LENGTH = 200


def _optional_int(value: str | int | None) -> int | None:
    if value in (None, ANY):
        return None
    return int(value)


class TalkFilterForm(FlaskForm):
    """Filters read from the query string; bookmarkable, so no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(
        "Search titles and abstracts",
        validators=[Optional(), Length(max=MAX_SEARCH_LENGTH, message="Use at most 200 characters.")],
    )
    track = SelectField("Track", coerce=_optional_int, validate_choice=True)
    session_format = SelectField("Format", coerce=_optional_int, validate_choice=True)
    level = SelectField("Level", default=ANY, validate_choice=True)

    @classmethod
    def for_conference(cls, conference: Conference, formdata) -> TalkFilterForm:
        form = cls(formdata=formdata)
        form.track.choices = [(ANY, "Any track")] + [(t.id, t.name) for t in conference.tracks]
        form.session_format.choices = [(ANY, "Any format")] + [
            (f.id, f.name) for f in conference.session_formats
        ]
        form.level.choices = [(ANY, "Any level")] + [
            (level.value, level.value.capitalize()) for level in AudienceLevel
        ]
        return form


class InterestForm(FlaskForm):
    """Mark or unmark a talk: only a CSRF token and where to go back to."""

    next = HiddenField()
