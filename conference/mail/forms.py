"""Forms for organisers' e-mail templates and outbox."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

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
