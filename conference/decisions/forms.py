"""Forms organisers and speakers use to decide on and answer proposals."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, ValidationError

from conference.core.types import MAX_ID
from conference.proposals.forms import recording_consent_field

DECISION_CHOICES = [
    SelectChoice("accepted", "Accept"),
    SelectChoice("rejected", "Reject"),
    SelectChoice("waitlisted", "Waitlist"),
]


class BulkDecisionForm(FlaskForm):
    """Checkboxes on the ranking page and one action for all ticked proposals."""

    proposal_ids = SelectMultipleField(
        "Proposals", coerce=int, choices=[], validate_choice=False,
        validators=[DataRequired(message="Tick at least one proposal.")],
    )
    decision = SelectField(
        "Decision for the ticked proposals", choices=DECISION_CHOICES,
        validators=[InputRequired(message="Choose a decision.")],
    )


    def validate_proposal_ids(self, field) -> None:
        if any(not 0 < proposal_id <= MAX_ID for proposal_id in field.data or []):
            raise ValidationError("Tick proposals from the list.")


class SingleDecisionForm(FlaskForm):
    decision = SelectField("Decision", choices=DECISION_CHOICES, validators=[InputRequired()])


class ConfirmationForm(FlaskForm):
    answer = RadioField(
        "Will you present this session?",
        choices=[
            SelectChoice("confirm", "Yes, I confirm that I will present it"),
            SelectChoice("decline", "No, I decline"),
        ],
        validators=[InputRequired(message="Choose whether you confirm or decline.")],
    )
    # Asked while the speaker has not answered it (see decisions.views.confirmation).
    recording_consent = recording_consent_field(required=False)


class ActionForm(FlaskForm):
    """Only a CSRF token: buttons that queue e-mails are small POST forms."""
