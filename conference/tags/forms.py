"""Forms organisers use to keep tags and put them on proposals."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from conference.core.types import MAX_ID
from conference.tags.models import (
    DEFAULT_TAG_COLOUR,
    TAG_COLOURS,
    TAG_DESCRIPTION_LENGTH,
    TAG_NAME_LENGTH,
    Tag,
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _collapse_spaces(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _tag_choices(tags: Sequence[Tag]) -> list[SelectChoice]:
    return [SelectChoice(tag.id, tag.name) for tag in tags]


class TagForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Give the tag a name."),
            Length(max=TAG_NAME_LENGTH, message=f"Keep the name to {TAG_NAME_LENGTH} characters or fewer."),
        ],
        filters=[_collapse_spaces],
        description=f"Up to {TAG_NAME_LENGTH} characters, e.g. “keynote candidate”.",
    )
    colour = RadioField(
        "Colour",
        choices=[SelectChoice(colour.value, colour.label) for colour in TAG_COLOURS],
        default=DEFAULT_TAG_COLOUR,
        validators=[InputRequired(message="Choose a colour from the palette.")],
    )
    description = TextAreaField(
        "Description",
        validators=[Length(max=TAG_DESCRIPTION_LENGTH)],
        filters=[_strip],
        description="Optional: what the tag means, for the other organisers.",
    )
    visible_to_reviewers = BooleanField(
        "Visible to reviewers",
        description="Reviewers see this tag on the proposals they review. Speakers never see tags.",
    )


class ProposalTagsForm(FlaskForm):
    """Checkboxes on the organisers' proposal page: the proposal's tags."""

    tag_ids = SelectMultipleField(
        "Tags",
        coerce=int,
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def offer_tags(self, tags: Sequence[Tag]) -> None:
        self.tag_ids.choices = _tag_choices(tags)

    def validate_tag_ids(self, field) -> None:
        offered = {choice.value for choice in field.choices}
        if any(tag_id not in offered for tag_id in field.data or []):
            raise ValidationError("Choose tags of this conference from the list; nothing was changed.")


class BulkTagForm(FlaskForm):
    """The ranking's ticked proposals, a tag and whether to add or remove it."""

    proposal_ids = SelectMultipleField(
        "Proposals", coerce=int, choices=[], validate_choice=False,
        validators=[DataRequired(message="Tick at least one proposal.")],
    )
    tag_id = SelectField(
        "Tag for the ticked proposals", coerce=int, choices=[], validate_choice=False,
        validators=[InputRequired(message="Choose a tag.")],
    )
    tag_action = SelectField(
        "Add or remove",
        choices=[SelectChoice("add", "Add"), SelectChoice("remove", "Remove")],
        validators=[InputRequired(message="Choose whether to add or remove the tag.")],
    )

    def offer_tags(self, tags: Sequence[Tag]) -> None:
        self.tag_id.choices = _tag_choices(tags)

    def validate_proposal_ids(self, field) -> None:
        if any(not 0 < proposal_id <= MAX_ID for proposal_id in field.data or []):
            raise ValidationError("Tick proposals from the list.")

    def validate_tag_id(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a tag of this conference from the list.")
