"""HTTP handlers of the interest area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("interest", __name__)
