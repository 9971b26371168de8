"""Routes of the archive area."""

from flask import Blueprint

blueprint = Blueprint("archive", __name__)
