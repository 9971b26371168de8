"""The organisers' form that writes the embed snippet (a GET form: it changes nothing)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from conference.agenda.forms import ANY
from conference.agenda.queries import ONLINE, AgendaFilter, TalkMode
from conference.conferences.models import Conference
from conference.core.timezones import FIRST_YEAR, LAST_YEAR, all_time_zones
from conference.embed.options import DEFAULT_LIMIT, DEFAULT_VIEW, MAX_LIMIT, VIEWS, EmbedOptions

READER_ZONE = ""
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 150, 2000, 420


def _optional_int(value: str | int | None) -> int | None:
    if value in (None, ANY):
        return None
    return int(value)


class EmbedForm(FlaskForm):
    class Meta:
        csrf = False

    view = SelectField("Show", default=DEFAULT_VIEW, validate_choice=True)
    track = SelectField("Track", coerce=_optional_int, default=ANY, validate_choice=True)
    hub = SelectField("Hub", default=ANY, validate_choice=True)
    mode = SelectField("How to attend", default=ANY, validate_choice=True)
    tz = SelectField("Time zone", default=READER_ZONE, validate_choice=True)
    day = DateField(
        "Day (for one day; empty: today, else the next day with talks)", validators=[Optional()]
    )
    limit = IntegerField(
        f"Talks shown (now and next, 1 to {MAX_LIMIT})",
        default=DEFAULT_LIMIT,
        validators=[Optional(), NumberRange(1, MAX_LIMIT)],
    )
    height = IntegerField(
        f"Frame height in pixels ({MIN_HEIGHT} to {MAX_HEIGHT})",
        default=DEFAULT_HEIGHT,
        validators=[Optional(), NumberRange(MIN_HEIGHT, MAX_HEIGHT)],
    )

    @classmethod
    def for_conference(cls, conference: Conference, formdata) -> EmbedForm:
        form = cls(formdata=formdata if formdata else None)
        form.view.choices = list(VIEWS.items())
        form.track.choices = [(ANY, "Any track")] + [(t.id, t.name) for t in conference.tracks]
        form.hub.choices = (
            [(ANY, "Any hub")] + [(str(h.id), h.name) for h in conference.hubs] + [(ONLINE, "Online streams")]
        )
        form.mode.choices = [(ANY, "Any")] + [(mode.value, mode.label) for mode in TalkMode]
        form.tz.choices = [(READER_ZONE, "Each reader's own (their browser's)")] + [
            (name, name) for name in all_time_zones()
        ]
        return form

    def validate_day(self, field) -> None:
        if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValueError(f"Enter a date in the years {FIRST_YEAR} to {LAST_YEAR}.")

    def options(self) -> EmbedOptions:
        """The validated choices as the embed's options."""
        hub = self.hub.data or None
        if hub is not None and hub != ONLINE:
            hub = int(hub)
        return EmbedOptions(
            view=self.view.data,
            agenda_filter=AgendaFilter(
                track_id=self.track.data,
                hub=hub,
                mode=TalkMode(self.mode.data) if self.mode.data else None,
            ),
            zone_name=self.tz.data or None,
            day=self.day.data if self.view.data == "day" else None,
            limit=self.limit.data or DEFAULT_LIMIT,
        )

    @property
    def frame_height(self) -> int:
        return self.height.data or DEFAULT_HEIGHT
