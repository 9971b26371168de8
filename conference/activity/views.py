"""The conference's activity log, for its organisers only."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from conference.activity import queries
from conference.activity.models import ActivityAction
from conference.conferences.access import conference_with_role
from conference.conferences.models import Role
from conference.core.forms import parse_id

blueprint = Blueprint("activity", __name__)


def _filters() -> queries.ActivityFilters:
    """The filters in the query string; an unknown value means no filter, never an error."""
    action_value = request.args.get("action", "")
    action = ActivityAction(action_value) if action_value in set(ActivityAction) else None
    actor_value = request.args.get("actor", "")
    actor = queries.SYSTEM if actor_value == queries.SYSTEM else parse_id(actor_value)
    return queries.ActivityFilters(action, actor, parse_id(request.args.get("proposal")))


@blueprint.route("/c/<slug>/manage/activity")
def activity(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    filters = _filters()
    listed = queries.conference_activity(
        conference, current_user, filters, parse_id(request.args.get("page")) or 1
    )
    return render_template(
        "activity/activity.html",
        conference=conference,
        listed=listed,
        filters=filters,
        actions=queries.actions_for_filter(conference),
        people=queries.people_in_log(conference, current_user),
        proposals=queries.proposals_in_log(conference),
        system=queries.SYSTEM,
    )
