"""Routes of the feedback area."""

from flask import Blueprint

blueprint = Blueprint("feedback", __name__)
