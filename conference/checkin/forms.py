"""The desk's buttons: each a small form whose press is the action."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField


class CheckInForm(FlaskForm):
    """Check someone in: the CSRF token and, for someone without a seat that day, the
    explicit "seat anyway" the second button sends."""

    seat_anyway = BooleanField("Seat anyway", default=False)
