"""HTTP handlers of the mail area."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("mail", __name__)
