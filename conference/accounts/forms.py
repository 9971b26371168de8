from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from conference.core.forms import time_zone_field
from conference.discussion.models import DiscussionEmails

MIN_PASSWORD_LENGTH = 10


def _new_password(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message="Use 10 to 200 characters."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class RegistrationForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    time_zone = time_zone_field("Your time zone", browser_default=True)
    password = _new_password()
    confirm_password = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember_me = BooleanField("Keep me logged in")
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password("New password")
    confirm_password = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_new_password(self, field) -> None:
        if field.data and field.data == self.current_password.data:
            raise ValidationError("Choose a password different from the current one.")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[_strip],
    )


class PasswordResetForm(FlaskForm):
    new_password = _new_password("New password")
    confirm_password = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    time_zone = time_zone_field("Your time zone")
    starred_change_emails = BooleanField(
        "E-mail me when a talk I starred moves or is cancelled",
        description="One e-mail per published schedule version, with the changes in your time zone.",
    )
    discussion_emails = RadioField(
        "Discussion e-mails",
        choices=[
            SelectChoice(DiscussionEmails.EACH.value, "Every comment"),
            SelectChoice(DiscussionEmails.DIGEST.value, "One daily digest"),
            SelectChoice(DiscussionEmails.NONE.value, "None"),
        ],
        default=DiscussionEmails.EACH.value,
        description="New comments in the proposal discussions you follow: an e-mail for each, "
                    "or one a day at about 08:00 your time listing those since the last.",
    )


class LogoutForm(FlaskForm):
    """Only a CSRF token: logging out is a POST so other sites cannot log people out."""
