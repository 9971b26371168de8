"""HTTP handlers of the proposals area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("proposals", __name__)
