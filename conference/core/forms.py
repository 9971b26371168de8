"""Validators and fields shared by every area's forms."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import abort, flash
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from conference.core.timezones import (
    is_valid_time_zone,
    repeated_wall_time_instants,
    skipped_wall_time_message,
    utc_offset_text,
)
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


# --- wall-clock date-times entered in a zone ------------------------------------------------
# A date-time field holds only the wall clock; the night the clocks go back it shows a time
# twice, so each such field is paired with an occurrence field that says which one is meant.

FIRST_OCCURRENCE, SECOND_OCCURRENCE = "first", "second"


def occurrence_field() -> RadioField:
    """Which of two occurrences of a repeated wall time is meant; pages show it only then."""
    return RadioField(
        "Which one?",
        choices=[
            SelectChoice(FIRST_OCCURRENCE, "The first"),
            SelectChoice(SECOND_OCCURRENCE, "The second"),
        ],
        validators=[Optional()],
        validate_choice=False,
    )


def occurrence_of(local: datetime | None) -> str:
    """The occurrence choice for a stored wall time, whose fold is 1 for the second of two."""
    return SECOND_OCCURRENCE if local is not None and local.fold else FIRST_OCCURRENCE


def repeated_instants(
    local: datetime | None, zone_name: str | None
) -> tuple[datetime, datetime] | None:
    """Both UTC instants of the wall time ``local`` when clocks in ``zone_name`` show it twice."""
    if local is None or not zone_name:
        return None
    if skipped_wall_time_message(local.date(), local.time(), zone_name):
        return None  # outside the years handled, or in a gap: nothing to choose between
    return repeated_wall_time_instants(local.date(), local.time(), zone_name)


def wall_time_error(local: datetime | None, occurrence: str | None, zone_name: str | None) -> str | None:
    """Why ``local`` cannot be stored as entered in ``zone_name``: outside the years handled,
    skipped by the clocks, or shown twice with no occurrence chosen. None when it can."""
    if local is None or not zone_name:
        return None
    message = skipped_wall_time_message(local.date(), local.time(), zone_name)
    if message:
        return message
    if repeated_instants(local, zone_name) and occurrence not in (FIRST_OCCURRENCE, SECOND_OCCURRENCE):
        return (
            f"{local:%H:%M} on {local:%d %b %Y} happens twice in {zone_name}: "
            "the clocks go back then. Choose which one you mean."
        )
    return None


def label_occurrence_choices(occurrence: RadioField, local: datetime | None, zone_name: str | None) -> None:
    """Name each occurrence of a repeated wall time by its UTC offset, for the page."""
    instants = repeated_instants(local, zone_name)
    if instants is None:
        return
    wall_time = f"{local:%H:%M}"
    first, second = (utc_offset_text(instant, zone_name) for instant in instants)
    occurrence.label.text = f"{wall_time} happens twice in {zone_name}. Which one?"
    occurrence.choices = [
        SelectChoice(FIRST_OCCURRENCE, f"{wall_time} {first} (the first, before the clocks go back)"),
        SelectChoice(SECOND_OCCURRENCE, f"{wall_time} {second} (the second, after the clocks go back)"),
    ]


def chosen_wall_time(local: datetime | None, occurrence: str | None) -> datetime | None:
    """The entered wall time; ``fold=1`` when the second of two occurrences is chosen."""
    if local is None:
        return None
    return local.replace(fold=int(occurrence == SECOND_OCCURRENCE))


def stripped_text(value):
    """A form filter: text without surrounding space, each line break one ``\n`` (browsers send
    ``\r\n``, which a length limit would count twice against the field's ``maxlength``)."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


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


def flash_form_errors(form: FlaskForm) -> None:
    """Flash each of ``form``'s errors, for forms that redirect back instead of showing again
    (a CSRF failure, whose error is not a string, reads as an expired form)."""
    for errors in form.errors.values():
        for error in errors:
            flash(error if isinstance(error, str) else "The form expired; try again.", "error")
