"""The organisers' form for a rule that gives a role to the members of a company group."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from conference.conferences.models import Role
from conference.core.forms import stripped_text
from conference.sso.models import GROUP_NAME_MAX


def _one_line(form, field) -> None:
    if any(not character.isprintable() for character in field.data or ""):
        raise ValidationError("A group name is one line of text, without tabs or line breaks.")


class GroupRoleRuleForm(FlaskForm):
    group_name = StringField(
        "Company group",
        validators=[
            DataRequired(message="Enter the group's name as the sign-in service sends it."),
            Length(max=GROUP_NAME_MAX, message=f"A group name has at most {GROUP_NAME_MAX} characters."),
            _one_line,
        ],
        filters=[stripped_text],
        render_kw={"maxlength": GROUP_NAME_MAX, "autocomplete": "off", "spellcheck": "false"},
    )
    role = SelectField(
        "Role at this conference",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        default=Role.REVIEWER.value,
    )
