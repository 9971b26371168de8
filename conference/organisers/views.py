"""Organisers set up a conference: its settings, people and roles, hubs, rooms, tracks, formats."""

from __future__ import annotations

from flask import Blueprint, render_template

from conference.conferences.access import load_conference, require_role
from conference.conferences.models import Role

blueprint = Blueprint("organisers", __name__)


@blueprint.route("/c/<slug>/manage/")
def dashboard(slug: str):
    conference = load_conference(slug)
    require_role(conference, Role.ORGANISER)
    return render_template("organisers/dashboard.html", conference=conference)
