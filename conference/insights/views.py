"""Routes of the insights area."""

from flask import Blueprint

blueprint = Blueprint("insights", __name__)
