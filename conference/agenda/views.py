"""HTTP handlers of the agenda area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("agenda", __name__)
