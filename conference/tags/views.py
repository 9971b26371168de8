"""Organisers keep their conference's tags and put them on proposals.

Every handler loads the conference and checks the ORGANISER role there, then loads the tag or
proposal scoped to that conference, so an id from another conference is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from conference.conferences.access import conference_with_role, load_scoped
from conference.conferences.models import Conference, Role
from conference.core.forms import flash_form_errors, require_confirm_form
from conference.extensions import db
from conference.proposals.models import Proposal
from conference.tags import operations, queries
from conference.tags.forms import ProposalTagsForm, TagForm
from conference.tags.models import TAG_COLOURS, Tag

blueprint = Blueprint("tags", __name__)


def _proposals(count: int) -> str:
    return f"{count} proposal{'' if count == 1 else 's'}"


def _details(form: TagForm) -> operations.TagDetails:
    return operations.TagDetails(
        name=form.name.data,
        colour=form.colour.data,
        description=form.description.data or "",
        visible_to_reviewers=bool(form.visible_to_reviewers.data),
    )


def _save(form: TagForm, change) -> bool:
    """Run ``change`` in a savepoint; a name taken (in any case) becomes a form error, not a 500."""
    try:
        with db.session.begin_nested():
            change()
    except (operations.TagNameTaken, IntegrityError):
        form.name.errors.append(
            f"This conference already has a tag called “{form.name.data}” (ignoring case). "
            "Choose another name."
        )
        return False
    return True


def _render_form(conference: Conference, form: TagForm, heading: str, submit: str, tag: Tag | None = None):
    return render_template(
        "tags/form.html",
        conference=conference,
        form=form,
        heading=heading,
        submit_label=submit,
        tag=tag,
        colours=TAG_COLOURS,
    ), (400 if form.errors else 200)


@blueprint.route("/c/<slug>/manage/tags")
def index(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "tags/index.html",
        conference=conference,
        tags=queries.conference_tags(conference),
        proposal_counts=queries.proposal_counts(conference),
        confirm_id=request.args.get("confirm_delete", type=int),
    )


@blueprint.route("/c/<slug>/manage/tags/new", methods=["GET", "POST"])
def new_tag(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = TagForm()
    if form.validate_on_submit() and _save(form, lambda: operations.create_tag(conference, _details(form))):
        flash(f"Tag “{form.name.data}” is added.", "success")
        return redirect(url_for("tags.index", slug=conference.slug))
    return _render_form(conference, form, "New tag", "Add tag")


@blueprint.route("/c/<slug>/manage/tags/<int:tag_id>/edit", methods=["GET", "POST"])
def edit_tag(slug: str, tag_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    tag = load_scoped(Tag, conference, tag_id)
    form = TagForm(obj=tag)
    if form.validate_on_submit() and _save(form, lambda: operations.update_tag(tag, _details(form))):
        flash(f"Tag “{tag.name}” is saved.", "success")
        return redirect(url_for("tags.index", slug=conference.slug))
    return _render_form(conference, form, f"Edit tag {tag.name}", "Save tag", tag)


@blueprint.route("/c/<slug>/manage/tags/<int:tag_id>/delete", methods=["POST"])
def delete_tag(slug: str, tag_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    tag = load_scoped(Tag, conference, tag_id)
    require_confirm_form()
    name = tag.name
    carried = queries.proposal_count(tag)
    if carried and request.form.get("confirmed") != "yes":
        flash(
            f"{_proposals(carried)} {'carries' if carried == 1 else 'carry'} the tag “{name}”. Deleting it "
            "takes it off them; the proposals themselves stay. Press “Delete anyway” to confirm; "
            "nothing was deleted yet.",
            "info",
        )
        return redirect(url_for("tags.index", slug=conference.slug, confirm_delete=tag.id))
    removed = operations.delete_tag(tag)
    suffix = f" It was taken off {_proposals(removed)}." if removed else ""
    flash(f"Tag “{name}” is deleted.{suffix}", "success")
    return redirect(url_for("tags.index", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/proposals/<int:proposal_id>/tags", methods=["POST"])
def set_proposal_tags(slug: str, proposal_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    proposal = load_scoped(Proposal, conference, proposal_id)
    if proposal.speakers_only:
        abort(404)  # a speaker's draft is theirs alone until it is submitted
    if proposal.has_speaker(current_user.id):
        # Tags are the organisers' view of a proposal; its own speakers never see them.
        abort(403, description="You speak on this proposal, so its tags are for the other organisers.")
    back = redirect(url_for("organisers.proposal", slug=conference.slug, proposal_id=proposal.id) + "#tags")
    form = ProposalTagsForm()
    form.offer_tags(queries.conference_tags(conference))
    if not form.validate_on_submit():
        flash_form_errors(form)
        return back
    tags = queries.tags_with_ids(conference, form.tag_ids.data or [])
    try:
        with db.session.begin_nested():
            added, removed = operations.set_proposal_tags(proposal, tags)
    except IntegrityError:
        flash("Someone changed this proposal's tags at the same time; nothing was changed. "
              "Check them and save again.", "error")
        return back
    if added or removed:
        names = ", ".join(f"“{tag.name}”" for tag in tags) or "none"
        flash(f"The tags of “{proposal.title}” are saved: {names}.", "success")
    else:
        flash(f"The tags of “{proposal.title}” did not change.", "info")
    return back
