"""Validators and fields shared by every area's forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from conference.core.timezones import is_valid_time_zone
from conference.core.types import MAX_ID


class IanaTimeZone:
    """Accept only IANA zone names such as ``Europe/London``; abbreviations are refused."""

    def __call__(self, form, field) -> None:
        value = (field.data or "").strip()
        field.data = value
        if not is_valid_time_zone(value):
            raise ValidationError(
                f"“{value[:64]}” is not a time zone name we know. "
                "Use an IANA name such as Europe/London or Asia/Kolkata."
            )


def time_zone_field(label: str = "Time zone", browser_default: bool = False, **kwargs) -> StringField:
    """A text field with a datalist of IANA names; optionally pre-filled with the browser's zone."""
    render_kw = {"list": "time-zone-names", "autocomplete": "off", "spellcheck": "false"}
    if browser_default:
        render_kw["data-default-browser-zone"] = "1"
    return StringField(
        label, validators=[DataRequired(), Length(max=64), IanaTimeZone()], render_kw=render_kw, **kwargs
    )


def parse_id(text: str | None) -> int | None:
    """The id written in ``text`` (ASCII digits an INTEGER column can hold), else None."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths may be used after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


class ConfirmForm(FlaskForm):
    """Only a CSRF token: for small POST buttons whose press is the confirmation."""


def require_confirm_form() -> None:
    """Abort with a clear 400 unless the POST carries a valid CSRF token."""
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
