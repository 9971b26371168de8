from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

MAX_COMMENT = 5000


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Your comment",
        validators=[
            DataRequired(message="Write something before posting."),
            Length(max=MAX_COMMENT, message=f"Keep a comment under {MAX_COMMENT} characters; it has %(length)d."),
        ],
        description="Markdown. Seen by the organisers and by the proposal's reviewers who have reviewed it; never by its speakers.",
    )
    # Which page to return to: the reviewer's review page or the organisers' proposal page.
    back = HiddenField()

    def __init__(self, *args, **kwargs):
        # Prefixed, so its ids never clash with the review form's on the same page.
        kwargs.setdefault("prefix", "comment")
        super().__init__(*args, **kwargs)


class FollowForm(FlaskForm):
    """Follow a discussion (each new comment by e-mail) or stop following it."""

    follow = HiddenField()
    back = HiddenField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "follow")
        super().__init__(*args, **kwargs)

    def validate_follow(self, field) -> None:
        if field.data not in ("1", "0"):
            raise ValidationError("Choose to follow the discussion or to stop following it.")
