"""Forms for organisers' e-mail templates and outbox."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from conference.mail.compose import SPEAKER_STATES, Audience
from conference.proposals.models import ProposalState

MAX_BODY = 10_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EmailTemplateForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    body = TextAreaField("Body", validators=[DataRequired(), Length(max=MAX_BODY)])
    preview = SubmitField("Preview")
    save = SubmitField("Save")


class ActionForm(FlaskForm):
    """Only a CSRF token: reset and retry buttons are small POST forms."""


class ComposeForm(FlaskForm):
    """One e-mail to a group. ``batch`` names this piece of writing: sending it again (a double
    submit, the back button) reaches nobody twice. ``expected`` is how many people the preview
    showed, so a send to a group that changed since is stopped and shown again."""

    audience = RadioField("Send to", choices=[SelectChoice(audience.value, audience.label) for audience in Audience],
                          default=Audience.SPEAKERS.value, validators=[InputRequired()])
    states = SelectMultipleField(
        "Whose proposals are", choices=[SelectChoice(state.value, state.label) for state in SPEAKER_STATES],
        default=[ProposalState.ACCEPTED.value, ProposalState.CONFIRMED.value],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    track = SelectField("In track", choices=[SelectChoice("", "Any track")], default="")
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    body = TextAreaField("Body", validators=[DataRequired(), Length(max=MAX_BODY)], render_kw={"rows": 10})
    batch = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    expected = HiddenField()
    preview = SubmitField("Preview")
    send = SubmitField("Send")

    def validate_states(self, field) -> None:
        if self.audience.data == Audience.SPEAKERS.value and not field.data:
            raise ValidationError("Choose at least one state of proposals whose speakers should get it.")
