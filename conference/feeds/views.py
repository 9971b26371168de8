"""HTTP handlers of the feeds area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("feeds", __name__)
