"""The form organisers name a new API token with."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

TOKEN_NAME_MAX = 100


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ApiTokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Name the token after what will use it."),
            Length(max=TOKEN_NAME_MAX),
        ],
        filters=[_strip],
        description="What will use it, e.g. “Intranet sync”, so you know which one to revoke.",
    )
