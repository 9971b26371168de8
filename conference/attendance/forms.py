"""Forms of the attendance area: the person's "How will you attend?" and the organisers' window."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectMultipleField, TextAreaField, widgets
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from conference.attendance.models import NEEDS_MAX, AttendanceMode
from conference.attendance.queries import day_text
from conference.conferences.models import Conference, Hub
from conference.core.forms import (
    chosen_wall_time,
    label_occurrence_choices,
    occurrence_field,
    parse_id,
    repeated_instants,
    stripped_text,
    wall_time_error,
)
from conference.core.timezones import local_to_utc

REMOTE = "remote"
HUB_PREFIX = "hub-"


def hub_choice(hub: Hub) -> str:
    return f"{HUB_PREFIX}{hub.id}"


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; unknown values are refused in ``validate_days``."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AttendanceForm(FlaskForm):
    where = RadioField(
        "How will you attend?",
        validators=[DataRequired(message="Choose how you will attend: remotely or at one of the hubs.")],
        validate_choice=False,
    )
    days = CheckboxesField("Days you attend", validate_choice=False)
    dietary_needs = TextAreaField(
        "Dietary needs",
        validators=[Length(max=NEEDS_MAX, message=f"Keep it under {NEEDS_MAX} characters.")],
        filters=[stripped_text],
        description="For catering. Only the organisers see it.",
    )
    accessibility_needs = TextAreaField(
        "Accessibility needs",
        validators=[Length(max=NEEDS_MAX, message=f"Keep it under {NEEDS_MAX} characters.")],
        filters=[stripped_text],
        description="Step-free access, captions, a quiet room… Only the organisers see it.",
    )

    def __init__(self, *args, conference: Conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.conference = conference
        self.hubs = list(conference.hubs)
        self.where.choices = [SelectChoice(REMOTE, "Remotely")] + [
            SelectChoice(hub_choice(hub), f"In person at {hub.name}") for hub in self.hubs
        ]
        self.days.choices = [SelectChoice(day.isoformat(), day_text(day)) for day in conference.days()]
        self.days.description = (
            "In person: dates in the hub's own calendar, each that hub's working day. Remotely: the "
            f"conference's dates in {conference.time_zone}, to follow online (no seat limit, no waiting list)."
        )

    def chosen_mode(self) -> AttendanceMode:
        return AttendanceMode.REMOTE if self.where.data == REMOTE else AttendanceMode.IN_PERSON

    def chosen_hub(self) -> Hub | None:
        data = self.where.data or ""
        if not data.startswith(HUB_PREFIX):
            return None
        hub_id = parse_id(data.removeprefix(HUB_PREFIX))
        return next((hub for hub in self.hubs if hub.id == hub_id), None)

    def chosen_days(self) -> frozenset[date]:
        """The ticked days (only the conference's: ``validate_days`` refuses others)."""
        days = set()
        for text in self.days.data or []:
            try:
                days.add(date.fromisoformat(text))
            except (TypeError, ValueError):
                continue
        return frozenset(days)

    def validate_where(self, field) -> None:
        if field.data != REMOTE and self.chosen_hub() is None:
            raise ValidationError("Choose remotely or one of this conference's hubs.")

    def validate_days(self, field) -> None:
        offered = {choice.value for choice in field.choices}
        if any(value not in offered for value in field.data or []):
            raise ValidationError("Choose among the conference's days.")
        if field.data:
            return
        hub = self.chosen_hub()
        if hub is not None:
            raise ValidationError(f"Choose at least one day to attend in person at {hub.name}.")
        if self.where.data == REMOTE:
            raise ValidationError("Choose at least one day you will follow remotely.")


class WindowForm(FlaskForm):
    """When registration opens and closes, entered as wall times in the conference's zone."""

    opens_at = DateTimeLocalField(
        "Registration opens",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[DataRequired(message="Enter when registration opens, e.g. 2027-02-01 09:00.")],
    )
    opens_occurrence = occurrence_field()
    closes_at = DateTimeLocalField(
        "Registration closes",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[DataRequired(message="Enter when registration closes, e.g. 2027-03-17 17:00.")],
        description="After this, people can no longer register, change or cancel; you still can.",
    )
    closes_occurrence = occurrence_field()

    def __init__(self, *args, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        self.opens_at.label.text = f"Registration opens ({zone_name})"
        self.closes_at.label.text = f"Registration closes ({zone_name})"
        label_occurrence_choices(self.opens_occurrence, self.opens_at.data, zone_name)
        label_occurrence_choices(self.closes_occurrence, self.closes_at.data, zone_name)

    def occurrence_question(self, field) -> RadioField | None:
        """The occurrence field to show below ``field`` when its time happens twice, else None."""
        occurrence = self.opens_occurrence if field is self.opens_at else self.closes_occurrence
        return occurrence if repeated_instants(field.data, self.zone_name) else None

    def _instant(self, field, occurrence) -> datetime | None:
        local = chosen_wall_time(field.data, occurrence.data)
        if local is None:
            return None
        return local_to_utc(local.date(), local.time(), self.zone_name)

    def opens_instant(self) -> datetime | None:
        return self._instant(self.opens_at, self.opens_occurrence)

    def closes_instant(self) -> datetime | None:
        return self._instant(self.closes_at, self.closes_occurrence)

    def validate_opens_at(self, field) -> None:
        message = wall_time_error(field.data, self.opens_occurrence.data, self.zone_name)
        if message:
            raise ValidationError(message)

    def validate_closes_at(self, field) -> None:
        message = wall_time_error(field.data, self.closes_occurrence.data, self.zone_name)
        if message:
            raise ValidationError(message)
        if self.opens_at.data is None or self.opens_at.errors:
            return
        if wall_time_error(self.opens_at.data, self.opens_occurrence.data, self.zone_name):
            return
        opens, closes = self.opens_instant(), self.closes_instant()
        if opens is not None and closes is not None and closes <= opens:
            raise ValidationError("Registration must close after it opens.")
