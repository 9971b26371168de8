"""Forms of the agenda area: the filter bar (a GET form) and the star buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from conference.agenda.queries import ONLINE, AgendaFilter, TalkMode
from conference.conferences.models import Conference

ANY = ""
VIEWS = (("grid", "Grid"), ("list", "List"))


def _optional_int(value: str | int | None) -> int | None:
    if value in (None, ANY):
        return None
    return int(value)


class AgendaFilterForm(FlaskForm):
    """Filters read from the query string; bookmarkable, so no CSRF token."""

    class Meta:
        csrf = False

    track = SelectField("Track", coerce=_optional_int, validate_choice=True)
    hub = SelectField("Hub", default=ANY, validate_choice=True)
    mode = SelectField("How to attend", default=ANY, validate_choice=True)
    view = SelectField("View", default="grid", validate_choice=True)

    @classmethod
    def for_conference(cls, conference: Conference, formdata) -> AgendaFilterForm:
        form = cls(formdata=formdata)
        form.track.choices = [(ANY, "Any track")] + [(t.id, t.name) for t in conference.tracks]
        form.hub.choices = (
            [(ANY, "Any hub")] + [(str(h.id), h.name) for h in conference.hubs] + [(ONLINE, "Online")]
        )
        form.view.choices = list(VIEWS)
        form.mode.choices = [(ANY, "Any")] + [(mode.value, mode.label) for mode in TalkMode]
        return form

    def valid_data(self) -> dict:
        """The submitted values, leaving out any field whose value is invalid."""
        # A bad value in a bookmark narrows nothing rather than failing the page.
        try:
            self.validate()
        except (ValueError, TypeError):
            return {}
        return {name: value for name, value in self.data.items() if name not in self.errors}

    def agenda_filter(self) -> AgendaFilter:
        valid = self.valid_data()
        hub = valid.get("hub") or None
        if hub and hub != ONLINE:
            hub = int(hub)
        mode = valid.get("mode")
        return AgendaFilter(
            track_id=valid.get("track"), hub=hub, mode=TalkMode(mode) if mode else None
        )

    def chosen_view(self) -> str:
        return self.valid_data().get("view") or "grid"


class StarForm(FlaskForm):
    """Star or unstar a talk: only a CSRF token and where to go back to."""

    next = HiddenField()
