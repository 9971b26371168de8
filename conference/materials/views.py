"""Routes of the materials area."""

from flask import Blueprint

blueprint = Blueprint("materials", __name__)
