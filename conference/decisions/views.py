"""HTTP handlers of the decisions area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("decisions", __name__)
