"""Forms of the questions area: asking, and the vote button."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from conference.core.forms import stripped_text
from conference.questions.models import MAX_QUESTION_LENGTH

VOTE, UNVOTE = "yes", "no"


class AskForm(FlaskForm):
    text = TextAreaField(
        "Your question",
        filters=[stripped_text],
        validators=[
            DataRequired(message="Write your question first."),
            Length(
                max=MAX_QUESTION_LENGTH,
                message=f"Keep your question to {MAX_QUESTION_LENGTH} characters.",
            ),
        ],
        render_kw={"maxlength": MAX_QUESTION_LENGTH, "rows": 3},
    )
    anonymous = BooleanField("Ask anonymously (only the organisers see who asked)")


class VoteForm(FlaskForm):
    """Says which state is wanted, so a double submit cannot undo itself."""

    voted = HiddenField(validators=[AnyOf([VOTE, UNVOTE], message="Choose to vote or to take your vote back.")])
