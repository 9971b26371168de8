"""The organisers' API token page, and the read-only JSON API under ``/api/v1``.

``blueprint`` ("api") holds the token page; its child ``v1`` ("api.v1") holds the endpoints,
with JSON errors, bearer-token authentication, a rate limit per token and ``no-store``. Each
endpoint authenticates first, then reads its parameters, then asks `queries` and serialises.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import HTTPException, InternalServerError, Unauthorized

from conference.api import operations, queries, serialisers
from conference.api.forms import ApiTokenForm
from conference.api.models import ApiToken
from conference.api.parameters import (
    PAGING,
    InvalidParameter,
    check_parameters,
    choice_list_parameter,
    id_parameter,
    integer_parameter,
    listing,
    requested_page,
)
from conference.conferences.access import conference_with_role, load_scoped
from conference.conferences.models import Conference, Role
from conference.core.forms import require_confirm_form
from conference.core.types import MAX_ID
from conference.decisions import ranking
from conference.extensions import db, limiter
from conference.feeds.links import public_base_url
from conference.proposals.models import ProposalState

blueprint = Blueprint("api", __name__)
v1 = Blueprint("v1", __name__, url_prefix="/api/v1")

API_PATH_PREFIX = "/api/"
REALM = "conference API"
NO_STORE = "private, no-store"
# Per token (per client address for requests without one); RATELIMIT_API overrides it.
DEFAULT_API_LIMIT = "120 per minute"


# --- the organisers' token page ------------------------------------------------------------


@dataclass(frozen=True)
class EndpointDoc:
    endpoint: str
    parameters: str
    description: str


ENDPOINT_DOCS = (
    EndpointDoc("conference", "", "The conference, links to the lists below, and this token's name."),
    EndpointDoc(
        "proposals",
        "state (one or more, comma-separated), track (id), limit, offset, after or before",
        "Every proposal but speakers' drafts, by id: title, Markdown abstract, format, track, "
        "state, speakers with e-mail, submitted_at, review count and mean score (0-100), and "
        "the answers to the call's questions, and the organisers' tags (names).",
    ),
    EndpointDoc(
        "speakers",
        "limit, offset, after or before",
        "People who speak on a proposal, by id: name, e-mail, time zone, Markdown bio, home hub "
        "and the ids of their proposals.",
    ),
    EndpointDoc(
        "reviews",
        "proposal (id), limit, offset, after or before",
        "Reviews by id: scores per criterion, the weighted score (0-100) and the reviewer-"
        "normalised one, comments, and whether the ranking counts it. With anonymised review on, "
        "the reviewer is given by id only. None of a proposal the token's maker speaks on.",
    ),
    EndpointDoc(
        "schedule",
        "version (number), limit, offset, after or before",
        "The latest published version (or an older one) by start: talk id, title, start and end "
        "in UTC and in the hub's zone, room, hub with its IANA zone, track, speakers, join link. "
        "404 before the first publication.",
    ),
    EndpointDoc("rooms", "limit, offset, after or before", "Rooms and online streams with their hubs and join links."),
    EndpointDoc("tracks", "limit, offset, after or before", "Tracks with description and colour."),
)


@blueprint.route("/c/<slug>/manage/api-tokens", methods=["GET", "POST"])
def tokens(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = ApiTokenForm()
    new_token, new_secret = None, None
    if form.validate_on_submit():
        new_token, new_secret = operations.create_api_token(conference, form.name.data, current_user)
        form = ApiTokenForm(formdata=None)
    base = public_base_url()
    page = render_template(
        "api/tokens.html",
        conference=conference,
        form=form,
        tokens=operations.conference_tokens(conference),
        new_token=new_token,
        new_secret=new_secret,
        endpoints=[
            (doc, base + url_for(f"api.v1.{doc.endpoint}", slug=conference.slug))
            for doc in ENDPOINT_DOCS
        ],
        example_url=base + url_for("api.v1.proposals", slug=conference.slug, state="accepted,confirmed"),
    )
    response = make_response(page)
    # The page may carry a secret shown once: no cache may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/c/<slug>/manage/api-tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(slug: str, token_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    token = load_scoped(ApiToken, conference, token_id)
    require_confirm_form()
    operations.revoke_api_token(token)
    flash(f"API token “{token.name}” is revoked: requests with it are refused from now on.", "success")
    return redirect(url_for("api.tokens", slug=conference.slug))


# --- errors, headers and limits of the JSON API --------------------------------------------


def error_response(error: HTTPException):
    """An HTTP error as JSON, keeping its headers (Allow, WWW-Authenticate)."""
    payload = {"error": error.name, "message": error.description}
    if isinstance(error, InvalidParameter):
        payload["parameter"] = error.parameter
    response = jsonify(payload)
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers["Cache-Control"] = NO_STORE
    return response


@v1.before_app_request
def _routing_errors_as_json():
    # An unknown URL or method under /api/ matches no route of this blueprint, so its error
    # handlers would not run: answer here, before the app's HTML error page.
    error = request.routing_exception
    if error is None or not request.path.startswith(API_PATH_PREFIX):
        return None
    if isinstance(error, HTTPException) and (error.code or 0) >= 400:
        return error_response(error)
    return None


@v1.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    db.session.rollback()
    return error_response(error)


@v1.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded):
    db.session.rollback()
    current = limiter.current_limit
    retry_after = 60 if current is None else max(1, math.ceil(current.reset_at - time.time()))
    response = error_response(error)
    response.headers["Retry-After"] = str(retry_after)
    return response


@v1.errorhandler(Exception)
def _unexpected_error(error: Exception):
    db.session.rollback()
    current_app.logger.exception("Unhandled error in the API")
    return error_response(InternalServerError())


@v1.after_request
def _not_stored(response):
    response.headers["Cache-Control"] = NO_STORE
    return response


def _presented_secret() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None


def _api_limit() -> str:
    return current_app.config.get("RATELIMIT_API") or DEFAULT_API_LIMIT


def _request_token() -> ApiToken | None:
    """The request's valid token (looked up once per request), or None."""
    if "api_token" not in g:
        g.api_token = operations.find_api_token(_presented_secret())
    return g.api_token


def _api_limit_key() -> str:
    # A valid token has its own budget; anything else (no token, or made-up ones, which would
    # otherwise each get a fresh budget) counts against the client's address.
    token = _request_token()
    if token is not None:
        return f"api-token:{token.id}"
    return f"api-address:{request.remote_addr}"


# One budget per token, shared by every endpoint.
limiter.shared_limit(_api_limit, scope="api", key_func=_api_limit_key)(v1)


def _unauthorized(message: str, error: str | None = None) -> Unauthorized:
    parameters = {"realm": REALM}
    if error:
        parameters["error"] = error
    return Unauthorized(
        description=message, www_authenticate=WWWAuthenticate("Bearer", parameters)
    )


def authorised(slug: str) -> tuple[Conference, ApiToken]:
    """The conference at ``slug`` and the request's token for it.

    No token, or an unknown or revoked one: 401. A token reads only its own conference: at
    any other slug, known or not, the answer is 404.
    """
    secret = _presented_secret()
    if secret is None:
        raise _unauthorized("Send an API token in the header: Authorization: Bearer <token>.")
    token = _request_token()
    if token is None:
        raise _unauthorized("The API token is not valid or was revoked.", "invalid_token")
    if token.conference.slug != slug:
        abort(404, description="No such conference for this token: a token reads only its own.")
    operations.record_use(token)
    return token.conference, token


# --- the endpoints -------------------------------------------------------------------------

LIST_ENDPOINTS = ("proposals", "speakers", "reviews", "schedule", "rooms", "tracks")


@v1.route("/conferences/<slug>")
def conference(slug: str):
    found, token = authorised(slug)
    check_parameters(())
    base = public_base_url()
    endpoints = {name: base + url_for(f"api.v1.{name}", slug=found.slug) for name in LIST_ENDPOINTS}
    return {
        "conference": serialisers.conference_json(found, endpoints),
        "token": serialisers.token_json(token),
    }


@v1.route("/conferences/<slug>/proposals")
def proposals(slug: str):
    found, token = authorised(slug)
    check_parameters((*PAGING, "state", "track"))
    page = requested_page()
    states = choice_list_parameter("state", [state.value for state in queries.LISTED_STATES])
    track_id = id_parameter("track", "a track of this conference")
    if track_id is not None and queries.track_of(found, track_id) is None:
        raise InvalidParameter("track", f"track {track_id} is not a track of this conference")
    listed = queries.proposals_page(
        found, page, [ProposalState(state) for state in states] if states else None, track_id
    )
    results = [
        serialisers.proposal_json(
            proposal,
            listed.statistics.get(proposal.id, ranking.NO_REVIEWS),
            listed.all_questions,
            # Tags are the organisers' view: none of a proposal the token's maker speaks on.
            [] if proposal.has_speaker(token.created_by_id)
            else listed.tag_names.get(proposal.id, []),
        )
        for proposal in listed.proposals
    ]
    return listing(results, listed.count, page, listed.edges)


@v1.route("/conferences/<slug>/speakers")
def speakers(slug: str):
    found, _token = authorised(slug)
    check_parameters(PAGING)
    page = requested_page()
    rows, count, edges = queries.speakers_page(found, page)
    results = [serialisers.speaker_json(row.user, row.profile, row.proposal_ids) for row in rows]
    return listing(results, count, page, edges)


@v1.route("/conferences/<slug>/reviews")
def reviews(slug: str):
    found, token = authorised(slug)
    check_parameters((*PAGING, "proposal"))
    page = requested_page()
    proposal_id = id_parameter("proposal", "a proposal of this conference")
    if proposal_id is not None and not queries.is_listed_proposal(found, proposal_id):
        raise InvalidParameter("proposal", f"proposal {proposal_id} is not a proposal of this conference")
    # Whoever made the token reads no review of a proposal they speak on, as on their pages.
    rows, count, edges = queries.reviews_page(found, page, proposal_id, token.created_by_id)
    anonymised = bool(found.setting("anonymised_review"))
    results = [
        serialisers.review_json(row.review, row.counted, row.z_score, anonymised) for row in rows
    ]
    return listing(results, count, page, edges, anonymised_review=anonymised)


@v1.route("/conferences/<slug>/schedule")
def schedule(slug: str):
    found, _token = authorised(slug)
    check_parameters((*PAGING, "version"))
    page = requested_page()
    number = integer_parameter(
        "version", 1, MAX_ID, "version must be a published version's number (a positive integer)"
    )
    latest = queries.published_version(found)
    if latest is None:
        abort(404, description="The schedule has not been published yet.")
    version = latest
    if number is not None and number != latest.number:
        version = queries.published_version(found, number)
        if version is None:
            abort(404, description=f"No published version {number}; the latest is {latest.number}.")
    talks, count, edges = queries.scheduled_talks_page(version, page)
    results = [serialisers.scheduled_talk_json(talk, found) for talk in talks]
    return listing(
        results, count, page, edges, version=serialisers.version_json(version, version.id == latest.id)
    )


@v1.route("/conferences/<slug>/rooms")
def rooms(slug: str):
    found, _token = authorised(slug)
    check_parameters(PAGING)
    page = requested_page()
    rows, count, edges = queries.rooms_page(found, page)
    return listing([serialisers.room_json(room) for room in rows], count, page, edges)


@v1.route("/conferences/<slug>/tracks")
def tracks(slug: str):
    found, _token = authorised(slug)
    check_parameters(PAGING)
    page = requested_page()
    rows, count, edges = queries.tracks_page(found, page)
    return listing([serialisers.full_track_json(track) for track in rows], count, page, edges)


blueprint.register_blueprint(v1)
