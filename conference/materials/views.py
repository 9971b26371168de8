"""Slides and recordings of talks: attach and remove, download, catch up, the recordings feed.

Speakers of a talk and organisers of its conference manage its materials; everyone else
gets a 403. Slide files are served only through ``download``, as attachments, and only
once the talk is published (before that, to its speakers and organisers alone).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from conference.conferences.access import conference_with_role, load_conference, load_scoped
from conference.conferences.models import Conference, Role
from conference.core.forms import require_confirm_form
from conference.core.types import utcnow
from conference.feeds import links
from conference.interest.operations import PUBLIC_STATES, accepted_talks
from conference.materials import feed, files, operations, queries
from conference.materials.forms import LinkForm, SlidesForm
from conference.materials.models import MaterialKind, TalkMaterial
from conference.proposals.models import Proposal

blueprint = Blueprint("materials", __name__)

# Room for the multipart envelope and the small fields around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024
# Both forms share one page: prefixes keep their field names and ids apart.
SLIDES_PREFIX = "slides"
LINK_PREFIX = "link"


@blueprint.url_value_preprocessor
def allow_slide_uploads(endpoint: str | None, values: dict | None) -> None:
    # Runs before any before_request hook reads the body, so the slide limit (not the smaller
    # app-wide MAX_CONTENT_LENGTH) decides how much of an upload request is read.
    if endpoint == "materials.upload_slides":
        request.max_content_length = files.max_upload_bytes() + FORM_OVERHEAD_BYTES


@blueprint.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    back = None
    args = request.view_args or {}
    if request.endpoint == "materials.upload_slides" and "proposal_id" in args:
        back = url_for("materials.manage", slug=args["slug"], proposal_id=args["proposal_id"])
    limit = files.describe_size(files.max_upload_bytes())
    return render_template("materials/too_large.html", limit=limit, back=back), 413


def _user():
    return current_user._get_current_object()


def _talk_to_manage(slug: str, proposal_id: int) -> tuple[Conference, Proposal]:
    """The talk, after checking the current user is one of its speakers or an organiser."""
    conference = load_conference(slug)
    proposal = load_scoped(Proposal, conference, proposal_id)
    if proposal.state not in PUBLIC_STATES:
        abort(404)
    if not queries.may_manage(_user(), proposal):
        abort(
            403, description="Only the talk's speakers and the organisers can change its materials."
        )
    return conference, proposal


def _render_manage(conference, proposal, slides_form=None, link_form=None, status=200):
    return render_template(
        "materials/manage.html",
        conference=conference,
        proposal=proposal,
        materials=queries.materials_of(proposal),
        consent=queries.recording_consents([proposal.id])[proposal.id],
        published=queries.is_published_talk(proposal),
        as_organiser=queries.is_organiser(_user(), conference),
        slides_form=slides_form or SlidesForm(formdata=None, prefix=SLIDES_PREFIX),
        link_form=link_form or LinkForm(formdata=None, prefix=LINK_PREFIX),
        max_upload=files.describe_size(files.max_upload_bytes()),
        formats=files.SLIDE_FORMATS.values(),
    ), status


def _back_to_manage(conference: Conference, proposal: Proposal):
    return redirect(url_for("materials.manage", slug=conference.slug, proposal_id=proposal.id))


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/materials")
@login_required
def manage(slug: str, proposal_id: int):
    conference, proposal = _talk_to_manage(slug, proposal_id)
    return _render_manage(conference, proposal)


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/materials/slides", methods=["POST"])
@login_required
def upload_slides(slug: str, proposal_id: int):
    conference, proposal = _talk_to_manage(slug, proposal_id)
    form = SlidesForm(prefix=SLIDES_PREFIX)
    if not form.validate_on_submit():
        return _render_manage(conference, proposal, slides_form=form, status=422)
    material = operations.add_slides(
        proposal, form.file.data, form.slide_format, _user(), title=form.title.data or ""
    )
    flash(f"Uploaded “{material.filename}”.", "success")
    return _back_to_manage(conference, proposal)


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/materials/links", methods=["POST"])
@login_required
def add_link(slug: str, proposal_id: int):
    conference, proposal = _talk_to_manage(slug, proposal_id)
    form = LinkForm(prefix=LINK_PREFIX)
    if not form.validate_on_submit():
        return _render_manage(conference, proposal, link_form=form, status=422)
    kind = form.material_kind
    try:
        operations.add_link(proposal, kind, form.url.data, _user(), title=form.title.data or "")
    except operations.LinkAlreadyAttached:
        flash(f"This {kind.label.lower()} link is already attached to the talk.", "info")
    else:
        flash(f"Added the {kind.label.lower()} link.", "success")
    return _back_to_manage(conference, proposal)


@blueprint.route(
    "/c/<slug>/talks/<int:proposal_id>/materials/<int:material_id>/remove", methods=["POST"]
)
@login_required
def remove(slug: str, proposal_id: int, material_id: int):
    conference, proposal = _talk_to_manage(slug, proposal_id)
    require_confirm_form()
    material = load_scoped(TalkMaterial, conference, material_id)
    if material.proposal_id != proposal.id:
        abort(404)
    label = material.filename or material.title or material.url
    operations.remove_material(material)
    flash(f"Removed “{label}”.", "info")
    return _back_to_manage(conference, proposal)


@blueprint.route("/c/<slug>/materials/<int:material_id>/download")
def download(slug: str, material_id: int):
    conference = load_conference(slug)
    material = load_scoped(TalkMaterial, conference, material_id)
    if material.kind is not MaterialKind.SLIDES or not material.storage_key:
        abort(404)
    published = queries.is_published_talk(material.proposal)
    # A 404, not a 403: people without access learn nothing about unpublished talks.
    if not published and not queries.may_manage(current_user, material.proposal):
        abort(404)
    path = files.stored_path(material.storage_key)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=material.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=material.filename or f"slides-{material.id}",
        conditional=True,
        etag=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, it runs sandboxed with nothing allowed.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, no-cache" if published else "private, no-store"
    return response


@blueprint.route("/c/<slug>/manage/materials")
def overview(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    talks = accepted_talks(conference)
    return render_template(
        "materials/overview.html",
        conference=conference,
        talks=talks,
        counts=queries.material_counts(conference),
        consents=queries.recording_consents([talk.id for talk in talks]),
        published_ids=queries.published_talk_ids(conference),
        MaterialKind=MaterialKind,
    )


@blueprint.route("/c/<slug>/agenda/catch-up")
@login_required
def catch_up(slug: str):
    conference = load_conference(slug)
    response = Response(
        render_template(
            "materials/catch_up.html",
            conference=conference,
            catch_up=queries.catch_up(_user(), conference, utcnow()),
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.route("/archive/recordings.atom")
def recordings_feed():
    feed_url = links.public_base_url() + url_for("materials.recordings_feed")
    body = feed.recordings_feed(queries.newest_recordings(), feed_url)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


@blueprint.app_template_filter("material_size")
def material_size(size_bytes: int | None) -> str:
    return files.describe_size(size_bytes or 0)


@blueprint.app_template_global()
def materials_for_talk(proposal: Proposal) -> dict:
    """For the public talk page: the talk's materials and whether the viewer may change them.

    Everyone sees what the speaker pages show (no recording without every speaker's yes); the
    talk's speakers and organisers see every material, told what is withheld and why.
    """
    may_manage = queries.may_manage(current_user, proposal)
    materials = queries.materials_of(proposal)
    withheld = bool(materials.recordings) and bool(queries.withheld_recording_ids([proposal.id]))
    if withheld and not may_manage:
        materials = materials.without_recordings()
    consent = (
        queries.recording_consents([proposal.id])[proposal.id] if withheld and may_manage else None
    )
    return {
        "materials": materials,
        "may_manage": may_manage,
        "recordings_withheld": withheld,
        "consent": consent,
    }
