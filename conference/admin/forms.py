"""Forms of the site admins' account pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from conference.admin.operations import REASON_MAX_LENGTH


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class DeactivateForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)",
        validators=[Length(max=REASON_MAX_LENGTH, message=f"Keep the reason under {REASON_MAX_LENGTH} characters.")],
        filters=[_strip],
        description="Shown to site admins only, e.g. “Left the company on 31 March”.",
    )


class EraseForm(FlaskForm):
    confirm_email = StringField(
        "Type the account's e-mail address to confirm",
        validators=[DataRequired(message="Type the account's e-mail address to confirm."), Length(max=254)],
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
