"""Forms of the materials area: upload slides, add a recording or another link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from conference.materials import files
from conference.materials.models import MaterialKind

MAX_TITLE_LENGTH = 200
MAX_URL_LENGTH = 2000
LINK_SCHEMES = ("http", "https")


class HttpUrl:
    """Accept only absolute http(s) addresses with a host: never javascript:, data: or file:."""

    message = "Enter a web address starting with https:// (or http://)."

    def __call__(self, form, field) -> None:
        value = (field.data or "").strip()
        field.data = value
        if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValidationError("A web address may not contain spaces or control characters.")
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError as error:
            raise ValidationError(self.message) from error
        if parts.scheme.lower() not in LINK_SCHEMES or not host:
            raise ValidationError(self.message)


class SlidesForm(FlaskForm):
    """One slide file; its type is checked by content, its size against MATERIALS_MAX_BYTES."""

    file = FileField(
        "Slides file",
        validators=[FileRequired("Choose a file to upload.")],
        render_kw={"accept": ",".join(files.ACCEPTED_EXTENSIONS)},
    )
    title = StringField(
        "Title (optional)",
        validators=[
            Optional(),
            Length(max=MAX_TITLE_LENGTH, message="Use at most 200 characters."),
        ],
    )

    slide_format: files.SlideFormat | None = None

    def validate_file(self, field) -> None:
        upload = field.data
        size = files.stream_size(upload.stream)
        limit = files.max_upload_bytes()
        if size == 0:
            raise ValidationError("The file is empty.")
        if size > limit:
            raise ValidationError(
                f"The file is {files.describe_size(size)}; slides may be at most {files.describe_size(limit)}."
            )
        named = files.extension_of(upload.filename or "")
        accepted = ", ".join(
            f.label + " (." + f.extension + ")" for f in files.SLIDE_FORMATS.values()
        )
        if named not in files.SLIDE_FORMATS:
            raise ValidationError(f"Upload one of: {accepted}.")
        found = files.detect_slide_format(upload.stream)
        if found is None:
            raise ValidationError(
                f"The file's name ends in .{named}, but its contents are not a "
                f"{files.SLIDE_FORMATS[named].label} file. Upload one of: {accepted}."
            )
        if found.extension != named:
            raise ValidationError(
                f"The file's name ends in .{named}, but its contents are a {found.label} file. "
                f"Rename it to end in .{found.extension} and upload it again."
            )
        self.slide_format = found


class LinkForm(FlaskForm):
    """A link to a recording or to anything else worth reading after the talk."""

    kind = SelectField(
        "What it is",
        choices=[
            SelectChoice(MaterialKind.RECORDING.value, "Recording of the talk"),
            SelectChoice(
                MaterialKind.LINK.value, "Other link (repository, article, slides elsewhere)"
            ),
        ],
        default=MaterialKind.RECORDING.value,
        validate_choice=True,
    )
    url = StringField(
        "Web address",
        validators=[
            DataRequired("Enter the web address."),
            Length(max=MAX_URL_LENGTH, message="Use at most 2000 characters."),
            HttpUrl(),
        ],
        render_kw={
            "type": "url",
            "inputmode": "url",
            "spellcheck": "false",
            "placeholder": "https://",
        },
    )
    title = StringField(
        "Title (optional)",
        validators=[
            Optional(),
            Length(max=MAX_TITLE_LENGTH, message="Use at most 200 characters."),
        ],
    )

    @property
    def material_kind(self) -> MaterialKind:
        return MaterialKind(self.kind.data)
