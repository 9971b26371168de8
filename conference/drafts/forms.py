"""Forms of the drafts area: move (or place), pin, unschedule, re-optimise, publish."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

NOTE_MAX_LENGTH = 2000


class DraftEditForm(FlaskForm):
    """Every edit carries the draft's lock version the page was built from."""

    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class MoveTalkForm(DraftEditForm):
    """Where a talk goes: moving one in the draft, or placing one that is not in it."""

    room_id = SelectField("Room or stream", coerce=int, validators=[DataRequired()])
    # ISO 8601 UTC instants; the labels show them in the organiser's chosen zone.
    starts_at = SelectField("Start time", validators=[DataRequired(message="Choose a start time.")])


class PinForm(DraftEditForm):
    pass


class UnscheduleForm(DraftEditForm):
    pass


class ReoptimiseForm(FlaskForm):
    """Whether a re-optimising run also places the talks the draft does not place."""

    # Unticked by default: a talk an organiser took out of the draft stays out unless asked.
    place_talks_not_in_draft = BooleanField("Also place the talks not in the draft")

    def queued_message(self, not_in_draft: int) -> str:
        """What the organiser is told once the run is queued, given how many talks are not in the draft."""
        message = "Re-optimising the draft: the run is queued."
        if not_in_draft:
            talks = "the talk" if not_in_draft == 1 else f"the {not_in_draft} talks"
            message += (
                f" It places {talks} not in the draft too." if self.place_talks_not_in_draft.data
                else f" {talks.capitalize()} not in the draft {'stays' if not_in_draft == 1 else 'stay'} out of it."
            )
        return message


class PublishForm(FlaskForm):
    # The draft's lock version the editor page showed: publishing a draft that changed since
    # is refused. Optional, so a publish sent without it (a script) publishes the current draft.
    lock_version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    note = TextAreaField(
        "Note for this version (shown in the changelog)",
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH)],
    )
