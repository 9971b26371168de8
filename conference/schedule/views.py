"""HTTP handlers of the schedule area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("schedule", __name__)
