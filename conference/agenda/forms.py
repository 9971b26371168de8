"""Forms of the agenda area: the filter bars (GET forms) and the star buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SearchField, SelectField
from wtforms.validators import Length

from conference.agenda.queries import NO_HUB, ONLINE, AgendaFilter, SpeakerFilter, TalkMode
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


class NowFilterForm(AgendaFilterForm):
    """The "Now and next" page's filters: the agenda's, and only the viewer's starred talks."""

    starred = BooleanField("Only my starred talks")

    def only_starred(self) -> bool:
        return bool(self.valid_data().get("starred"))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SpeakerFilterForm(FlaskForm):
    """The speaker list's filters, read from the query string; bookmarkable, so no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField("Name", validators=[Length(max=100)], filters=[_strip])
    # Not ``hub``: on the day pages that is where talks happen, here where speakers are based.
    home_hub = SelectField("Home hub", default=ANY, validate_choice=True)

    @classmethod
    def for_conference(cls, conference: Conference, formdata) -> SpeakerFilterForm:
        form = cls(formdata=formdata)
        form.home_hub.choices = (
            [(ANY, "Any hub")]
            + [(str(h.id), h.name) for h in conference.hubs]
            + [(NO_HUB, "No home hub")]
        )
        return form

    def speaker_filter(self) -> SpeakerFilter:
        # A bad value in a bookmark narrows nothing rather than failing the page.
        try:
            self.validate()
        except (ValueError, TypeError):
            return SpeakerFilter()
        hub = None if "home_hub" in self.errors else (self.home_hub.data or None)
        if hub and hub != NO_HUB:
            hub = int(hub)
        name = "" if "q" in self.errors else (self.q.data or "")
        return SpeakerFilter(hub=hub, name=name)


class StarForm(FlaskForm):
    """Star or unstar a talk: only a CSRF token and where to go back to."""

    next = HiddenField()
