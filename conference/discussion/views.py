"""Post, edit and delete comments in a proposal's discussion.

Only organisers and reviewers reach these handlers; anyone else who may not read the
discussion (its speakers, reviewers not assigned or not yet done reviewing) gets a 404, so
nothing about it leaks.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from conference.conferences.access import conference_with_role, load_scoped
from conference.conferences.models import Conference, Role
from conference.core.forms import ConfirmForm, require_confirm_form
from conference.discussion import operations
from conference.discussion.access import DiscussionAccess, discussion_access
from conference.discussion.digest import discussion_link
from conference.discussion.forms import CommentForm, FollowForm
from conference.discussion.models import ProposalComment
from conference.discussion.thread import BACK_TO_REVIEW, following_emails
from conference.extensions import db
from conference.mail.operations import request_delivery
from conference.proposals.models import Proposal

blueprint = Blueprint("discussion", __name__)

CLOSED = "The discussion is closed to reviewers now that the proposal is decided."


def _readable(slug: str, proposal_id: int) -> tuple[Conference, Proposal, DiscussionAccess]:
    conference = conference_with_role(slug, Role.ORGANISER, Role.REVIEWER)
    proposal = load_scoped(Proposal, conference, proposal_id)
    access = discussion_access(conference, proposal, current_user)
    if not access.can_read:
        abort(404)
    return conference, proposal, access


def _back_url(conference: Conference, proposal: Proposal, access: DiscussionAccess, back: str | None,
              anchor: str = "discussion") -> str:
    if access.organiser and back != BACK_TO_REVIEW:
        page = url_for("organisers.proposal", slug=conference.slug, proposal_id=proposal.id)
    else:
        page = url_for("reviews.review", slug=conference.slug, proposal_id=proposal.id)
    return f"{page}#{anchor}"


def _email_link(conference: Conference, proposal: Proposal, organiser: bool) -> str:
    """The page an e-mailed participant replies on, on PUBLIC_URL when configured."""
    return discussion_link(conference.slug, proposal.id, organiser)


def _comment(proposal: Proposal, comment_id: int) -> ProposalComment:
    comment = db.session.scalar(
        select(ProposalComment).where(ProposalComment.id == comment_id,
                                         ProposalComment.proposal_id == proposal.id)
    )
    if comment is None:
        abort(404)
    return comment


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>/discussion", methods=["POST"])
@login_required
def post(slug: str, proposal_id: int):
    conference, proposal, access = _readable(slug, proposal_id)
    if not access.can_write:
        abort(403, description=CLOSED)
    form = CommentForm()
    if not form.validate_on_submit():
        # Shown on a page of its own with the text kept, so nothing typed is lost.
        return render_template(
            "discussion/comment.html", conference=conference, proposal=proposal, form=form, comment=None,
            back_url=_back_url(conference, proposal, access, form.back.data), delete_form=None,
        ), 400
    comment = operations.post(proposal, current_user, form.body.data)
    if operations.notify_followers(comment, lambda person, organiser: _email_link(conference, proposal, organiser)):
        request_delivery()
    db.session.commit()
    flash("Your comment is posted.", "success")
    return redirect(_back_url(conference, proposal, access, form.back.data, anchor=f"comment-{comment.id}"))


@blueprint.route("/c/<slug>/discussions")
@login_required
def followed(slug: str):
    """The discussions the viewer follows here, the most recently active first."""
    conference = conference_with_role(slug, Role.ORGANISER, Role.REVIEWER)
    return render_template(
        "discussion/followed.html", conference=conference,
        discussions=operations.followed_discussions(conference, current_user),
        following_emails=following_emails(current_user),
    )


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>/discussion/follow", methods=["POST"])
@login_required
def follow(slug: str, proposal_id: int):
    """Follow the discussion (each new comment by e-mail) or stop following it; anyone who may
    read it may, even once it is closed to them for writing."""
    conference, proposal, access = _readable(slug, proposal_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400, description="; ".join(error for errors in form.errors.values() for error in errors))
    following = form.follow.data == "1"
    operations.follow(proposal, current_user, following)
    db.session.commit()
    flash(f"You follow this discussion: {following_emails(current_user)}" if following
          else "You no longer follow this discussion.", "success")
    return redirect(_back_url(conference, proposal, access, form.back.data))


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>/discussion/<int:comment_id>", methods=["GET", "POST"])
@login_required
def change(slug: str, proposal_id: int, comment_id: int):
    """Edit one's own comment; organisers may also delete anyone's (from this page)."""
    conference, proposal, access = _readable(slug, proposal_id)
    comment = _comment(proposal, comment_id)
    own = comment.author_id == current_user.id
    if not access.can_write:
        abort(403, description=CLOSED)
    if not own and not access.organiser:
        abort(403, description="Only its author can change a comment.")
    back = request.values.get("back")
    form = CommentForm(formdata=request.form if own and request.method == "POST" else None,
                       body=comment.body, back=back)
    if own and request.method == "POST":
        if form.validate_on_submit():
            changed = operations.edit(comment, form.body.data)
            db.session.commit()
            flash("Your comment is saved." if changed else "Nothing changed.", "success")
            return redirect(_back_url(conference, proposal, access, form.back.data, anchor=f"comment-{comment.id}"))
        status = 400
    elif request.method == "POST":
        abort(403, description="Only its author can change a comment.")
    else:
        status = 200
    return render_template(
        "discussion/comment.html", conference=conference, proposal=proposal, comment=comment,
        form=form if own else None, delete_form=ConfirmForm(formdata=None),
        back_url=_back_url(conference, proposal, access, back),
    ), status


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>/discussion/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete(slug: str, proposal_id: int, comment_id: int):
    conference, proposal, access = _readable(slug, proposal_id)
    comment = _comment(proposal, comment_id)
    if not access.can_write:
        abort(403, description=CLOSED)
    if comment.author_id != current_user.id and not access.organiser:
        abort(403, description="Only its author or an organiser can delete a comment.")
    require_confirm_form()
    operations.delete(comment)
    db.session.commit()
    flash("The comment is deleted.", "success")
    return redirect(_back_url(conference, proposal, access, request.form.get("back")))
