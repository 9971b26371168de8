"""HTTP handlers of the reviews area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("reviews", __name__)
