"""The start page, conference pages, and organisers' conference creation."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.conferences.access import load_conference, roles_of
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.conferences.styles import track_class, track_stylesheet
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalSpeaker

blueprint = Blueprint("conferences", __name__)


@blueprint.route("/")
def home():
    conferences = db.session.scalars(select(Conference).order_by(Conference.starts_on.desc())).all()
    my_roles: dict[int, set[Role]] = defaultdict(set)
    my_proposals: dict[int, list[Proposal]] = defaultdict(list)
    if current_user.is_authenticated:
        for conference_id, role in db.session.execute(
            select(ConferenceRole.conference_id, ConferenceRole.role).where(
                ConferenceRole.user_id == current_user.id
            )
        ):
            my_roles[conference_id].add(role)
        proposals = db.session.scalars(
            select(Proposal)
            .join(ProposalSpeaker)
            .where(ProposalSpeaker.user_id == current_user.id)
            .options(selectinload(Proposal.track), selectinload(Proposal.session_format))
            .order_by(Proposal.title)
        )
        for proposal in proposals:
            my_proposals[proposal.conference_id].append(proposal)
    return render_template(
        "conferences/home.html",
        conferences=conferences,
        my_roles=my_roles,
        my_proposals=my_proposals,
        Role=Role,
    )


@blueprint.route("/c/<slug>/")
def overview(slug: str):
    conference = load_conference(slug)
    return render_template(
        "conferences/overview.html",
        conference=conference,
        roles=roles_of(current_user, conference),
        Role=Role,
    )


@blueprint.route("/c/<slug>/tracks.css")
def track_styles(slug: str):
    """Track colours for this conference's pages (linked from base.html)."""
    conference = load_conference(slug)
    response = current_app.response_class(track_stylesheet(conference.tracks), mimetype="text/css")
    # Revalidated on each page view; unchanged colours cost a 304.
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@blueprint.app_template_global()
def track_colour_class(track) -> str:
    """``class="track-swatch {{ track_colour_class(track) }}"`` colours an element by its track."""
    return track_class(track)
