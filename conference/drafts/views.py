"""HTTP handlers of the drafts area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("drafts", __name__)
