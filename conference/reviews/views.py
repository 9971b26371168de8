"""HTTP handlers of the reviews area: reviewers' pages and organisers' review management.

Reviewer pages see proposals only through ``queries.reviewable_proposals_query``; any other
proposal is a 404. Organiser pages load every object scoped to the conference.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms.fields import SelectChoice

from conference.accounts.models import User
from conference.conferences.access import (
    conference_with_role,
    load_scoped,
)
from conference.conferences.models import Conference, Role, Track
from conference.core.forms import occurrence_of, parse_id, require_confirm_form
from conference.core.timezones import offset_after_localtime, to_zone
from conference.core.web import format_instant, viewer_time_zone
from conference.discussion.thread import BACK_TO_REVIEW, thread_for
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalSpeaker, ProposalState, SpeakerProfile
from conference.proposals.questions import answers_for_reviewers
from conference.reviews import operations, queries
from conference.reviews.forms import (
    AddAssignmentForm,
    ConfirmForm,
    CriterionForm,
    DeclareConflictForm,
    OrganiserConflictForm,
    ReviewSettingsForm,
    preferences_form_class,
    review_form_class,
)
from conference.reviews.models import (
    Conflict,
    ConflictSource,
    ReviewAssignment,
    ReviewCriterion,
    TrackPreference,
)
from conference.tags import queries as tag_queries

blueprint = Blueprint("reviews", __name__)


# --- loading and access -------------------------------------------------------------------


def _reviewer() -> User:
    return current_user._get_current_object()


@blueprint.app_template_global()
def reviewer_counts(conference: Conference) -> queries.ReviewCounts:
    """To-do and done counts for the start page's reviewer panel."""
    return queries.review_counts(conference, _reviewer())


def _close_message(conference: Conference) -> str:
    closes = conference.review_closes_at
    conference_zone = conference.time_zone
    viewer_zone = viewer_time_zone()
    text = (
        f"The review phase closed on {format_instant(closes, conference_zone)} ({conference_zone})"
    )
    if viewer_zone != conference_zone:
        text += f", which is {format_instant(closes, viewer_zone)} ({viewer_zone})"
    return text + ". Reviews can no longer be changed."


# --- reviewer pages -----------------------------------------------------------------------


@blueprint.route("/c/<slug>/reviews/")
def my_reviews(slug: str):
    conference = conference_with_role(slug, Role.REVIEWER)
    reviewer = _reviewer()
    tracks = db.session.scalars(
        select(Track).where(Track.conference_id == conference.id).order_by(Track.name)
    ).all()
    track_id = request.args.get("track", type=int)
    if track_id not in {track.id for track in tracks}:
        track_id = None
    status = request.args.get("status")
    if status not in (queries.STATUS_TO_DO, queries.STATUS_DONE):
        status = None
    proposals = queries.reviewable_proposals(conference, reviewer, track_id, status)
    return render_template(
        "reviews/list.html",
        conference=conference,
        proposals=proposals,
        # Only the tags organisers marked visible to reviewers; no other tag reaches them.
        tags=tag_queries.tags_by_proposal(conference, [p.id for p in proposals], reviewers_only=True),
        reviewed=queries.reviewed_proposal_ids(conference, reviewer),
        counts=queries.review_counts(conference, reviewer),
        next_proposal=queries.next_proposal_to_review(conference, reviewer),
        is_under_review=queries.is_under_review,
        tracks=tracks,
        track_id=track_id,
        status=status,
        anonymised=conference.setting("anonymised_review"),
        conflict_form=DeclareConflictForm(formdata=None),
        review_open=conference.review_is_open(),
    )


def _speakers_for_reviewer(conference: Conference, proposal: Proposal):
    """(name, bio) of the proposal's speakers; nothing at all when review is anonymised."""
    if conference.setting("anonymised_review"):
        return []
    people = [s.user for s in proposal.accepted_speakers if s.user is not None]
    bios = {
        profile.user_id: profile.bio
        for profile in db.session.scalars(
            select(SpeakerProfile).where(
                SpeakerProfile.conference_id == conference.id,
                SpeakerProfile.user_id.in_([person.id for person in people]),
            )
        )
    }
    return [(person.display_name, bios.get(person.id, "")) for person in people]


DECIDED_MESSAGE = (
    "The organisers have decided on this proposal, so it no longer needs reviews; "
    "your review of it can no longer be changed."
)


def _can_write_review(conference: Conference, proposal: Proposal) -> bool:
    return conference.review_is_open() and queries.is_under_review(proposal)


def _why_read_only(conference: Conference, proposal: Proposal) -> str | None:
    if not conference.review_is_open():
        return _close_message(conference)
    if not queries.is_under_review(proposal):
        return DECIDED_MESSAGE
    return None


def _render_review(conference, proposal, form, review, status=200, message=None, saved_review=None):
    return (
        render_template(
            "reviews/review.html",
            conference=conference,
            proposal=proposal,
            form=form,
            review=review,
            saved_review=saved_review,
            speakers=_speakers_for_reviewer(conference, proposal),
            answers=answers_for_reviewers(conference, proposal),
            tags=tag_queries.tags_of(proposal, reviewers_only=True),
            review_open=_can_write_review(conference, proposal),
            close_message=_why_read_only(conference, proposal),
            conflict_message=message,
            next_proposal=queries.next_proposal_to_review(
                conference, _reviewer(), after_id=proposal.id
            ),
            conflict_form=DeclareConflictForm(formdata=None),
            thread=thread_for(conference, proposal, current_user, BACK_TO_REVIEW),
        ),
        status,
    )


def _review_form_data(review) -> dict:
    if review is None:
        return {"lock_version": "0"}
    data = {
        "lock_version": str(review.lock_version),
        "comment_for_organisers": review.comment_for_organisers,
        "comment_for_speaker": review.comment_for_speaker,
    }
    data.update({f"score_{score.criterion_id}": score.value for score in review.scores})
    return data


@blueprint.route("/c/<slug>/reviews/<int:proposal_id>", methods=["GET", "POST"])
def review(slug: str, proposal_id: int):
    conference = conference_with_role(slug, Role.REVIEWER)
    reviewer = _reviewer()
    proposal = queries.reviewable_proposal_or_404(conference, reviewer, proposal_id)
    criteria = queries.rubric(conference)
    existing = queries.review_of(proposal, reviewer)
    form_class = review_form_class(criteria)
    if request.method == "POST" and not _can_write_review(conference, proposal):
        form = form_class(data=_review_form_data(existing))
        return _render_review(conference, proposal, form, existing, status=403)
    form = form_class(data=_review_form_data(existing))
    if form.validate_on_submit():
        data = operations.ReviewInput(
            scores=form.scores(),
            comment_for_organisers=form.comment_for_organisers.data or "",
            comment_for_speaker=form.comment_for_speaker.data or "",
            lock_version=form.submitted_lock_version(),
        )
        try:
            operations.save_review(conference, proposal, reviewer, data)
        except operations.StaleReview:
            db.session.rollback()
            current = queries.review_of(proposal, reviewer)
            # Keep the reviewer's input; submitting again replaces the newer saved version.
            form.lock_version.data = str(current.lock_version) if current else "0"
            return _render_review(
                conference,
                proposal,
                form,
                current,
                status=409,
                message=(
                    "This review was changed (perhaps in another tab) after you opened it. "
                    "Your input is kept below and the saved version is shown for comparison; "
                    "save again to replace it."
                ),
                saved_review=current,
            )
        flash("Your review is saved.", "success")
        return redirect(url_for("reviews.review", slug=conference.slug, proposal_id=proposal.id))
    status = 400 if request.method == "POST" else 200
    return _render_review(conference, proposal, form, existing, status=status)


@blueprint.route("/c/<slug>/reviews/next")
def next_review(slug: str):
    conference = conference_with_role(slug, Role.REVIEWER)
    proposal = queries.next_proposal_to_review(conference, _reviewer())
    if proposal is None:
        if queries.review_counts(conference, _reviewer()).decided:
            flash(
                "Nothing is left for you to review: the organisers have decided the rest.", "info"
            )
        else:
            flash("You have reviewed every proposal assigned to you.", "info")
        return redirect(url_for("reviews.my_reviews", slug=conference.slug))
    return redirect(url_for("reviews.review", slug=conference.slug, proposal_id=proposal.id))


@blueprint.route("/c/<slug>/reviews/<int:proposal_id>/conflict", methods=["POST"])
def declare_conflict(slug: str, proposal_id: int):
    conference = conference_with_role(slug, Role.REVIEWER)
    reviewer = _reviewer()
    proposal = queries.reviewable_proposal_or_404(conference, reviewer, proposal_id)
    form = DeclareConflictForm()
    if not form.validate_on_submit():
        flash("The reason may be at most 200 characters; the conflict was not recorded.", "error")
        return redirect(url_for("reviews.my_reviews", slug=conference.slug))
    operations.declare_conflict(conference, proposal, reviewer, form.reason.data or "")
    flash("Conflict of interest recorded; the proposal is no longer in your list.", "success")
    return redirect(url_for("reviews.my_reviews", slug=conference.slug))


@blueprint.route("/c/<slug>/reviews/preferences", methods=["GET", "POST"])
def preferences(slug: str):
    conference = conference_with_role(slug, Role.REVIEWER)
    reviewer = _reviewer()
    tracks = db.session.scalars(
        select(Track).where(Track.conference_id == conference.id).order_by(Track.name)
    ).all()
    current = queries.track_preferences(conference, reviewer)
    form = preferences_form_class(tracks)(
        data={f"track_{t.id}": current.get(t.id, TrackPreference.NEUTRAL.value) for t in tracks}
    )
    if form.validate_on_submit():
        chosen = {track.id: form[f"track_{track.id}"].data for track in tracks}
        operations.set_track_preferences(conference, reviewer, chosen)
        flash("Your track preferences are saved.", "success")
        return redirect(url_for("reviews.preferences", slug=conference.slug))
    return render_template(
        "reviews/preferences.html", conference=conference, form=form, tracks=tracks
    ), (400 if form.errors else 200)


# --- organisers: rubric and review settings -------------------------------------------------


def _settings_form(conference: Conference, **kwargs) -> ReviewSettingsForm:
    """The review settings form as stored: the close time in the conference's zone."""
    closes = conference.review_closes_at
    # The wall-clock time keeps its fold: 1 when it is the second of a time shown twice.
    local = None if closes is None else to_zone(closes, conference.time_zone).replace(tzinfo=None)
    data = {
        "review_closes_at": local,
        "review_closes_occurrence": occurrence_of(local),
        "anonymised_review": conference.setting("anonymised_review"),
        "reviewers_per_proposal": conference.setting("reviewers_per_proposal"),
    }
    return ReviewSettingsForm(data=data, zone_name=conference.time_zone, **kwargs)


def _render_rubric(conference, settings_form, status=200, confirm_id=None, error=None):
    criteria = queries.rubric(conference)
    settings_form.review_closes_at.label.text = f"Review phase closes ({conference.time_zone})"
    settings_form.label_occurrences()
    closes = conference.review_closes_at
    return (
        render_template(
            "reviews/rubric.html",
            conference=conference,
            closes_offset=offset_after_localtime(closes, conference.time_zone),
            criteria=criteria,
            score_counts={c.id: operations.score_count(c) for c in criteria},
            settings_form=settings_form,
            action_form=ConfirmForm(formdata=None),
            confirm_id=confirm_id,
            error=error,
        ),
        status,
    )


@blueprint.route("/c/<slug>/manage/rubric")
def rubric(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return _render_rubric(conference, _settings_form(conference))


@blueprint.route("/c/<slug>/manage/rubric/settings", methods=["POST"])
def review_settings(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = ReviewSettingsForm(zone_name=conference.time_zone)
    if not form.validate_on_submit():
        return _render_rubric(conference, form, status=400)
    operations.update_review_settings(
        conference,
        operations.ReviewSettings(
            review_closes_local=form.review_closes_local(),
            anonymised_review=bool(form.anonymised_review.data),
            reviewers_per_proposal=form.reviewers_per_proposal.data,
        ),
    )
    flash("The review settings are saved.", "success")
    return redirect(url_for("reviews.rubric", slug=conference.slug))


def _criterion_details(form: CriterionForm) -> operations.CriterionDetails:
    return operations.CriterionDetails(
        name=form.name.data,
        description=form.description.data or "",
        weight=form.weight.data,
        scale_min=form.scale_min.data,
        scale_max=form.scale_max.data,
    )


def _save_criterion(form: CriterionForm, change) -> bool:
    try:
        with db.session.begin_nested():
            change()
    except (operations.NameTaken, IntegrityError):
        form.name.errors.append(f"The rubric already has a criterion called “{form.name.data}”.")
        return False
    except operations.ScaleLocked as locked:
        form.scale_max.errors.append(
            f"This criterion already has {locked.score_count} "
            f"score{'s' if locked.score_count != 1 else ''}, so its scale cannot change. "
            "Create a new criterion instead."
        )
        return False
    return True


def _render_criterion_form(conference, form, heading, status=200):
    return render_template(
        "reviews/criterion_form.html",
        conference=conference,
        form=form,
        heading=heading,
        back_url=url_for("reviews.rubric", slug=conference.slug),
    ), status


@blueprint.route("/c/<slug>/manage/rubric/new", methods=["GET", "POST"])
def new_criterion(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = CriterionForm()
    create = lambda: operations.create_criterion(conference, _criterion_details(form))  # noqa: E731
    if form.validate_on_submit() and _save_criterion(form, create):
        flash(f"Criterion “{form.name.data}” added.", "success")
        return redirect(url_for("reviews.rubric", slug=conference.slug))
    status = 400 if form.errors else 200
    return _render_criterion_form(conference, form, "Add a criterion", status)


@blueprint.route("/c/<slug>/manage/rubric/<int:criterion_id>/edit", methods=["GET", "POST"])
def edit_criterion(slug: str, criterion_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    criterion = load_scoped(ReviewCriterion, conference, criterion_id)
    form = CriterionForm(obj=criterion)
    update = lambda: operations.update_criterion(criterion, _criterion_details(form))  # noqa: E731
    if form.validate_on_submit() and _save_criterion(form, update):
        flash(f"Criterion “{criterion.name}” saved.", "success")
        return redirect(url_for("reviews.rubric", slug=conference.slug))
    status = 400 if form.errors else 200
    return _render_criterion_form(conference, form, f"Edit criterion “{criterion.name}”", status)


@blueprint.route("/c/<slug>/manage/rubric/<int:criterion_id>/delete", methods=["POST"])
def delete_criterion(slug: str, criterion_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    criterion = load_scoped(ReviewCriterion, conference, criterion_id)
    require_confirm_form()
    scored = operations.score_count(criterion)
    if scored and request.form.get("confirmed") != "yes":
        return _render_rubric(
            conference,
            _settings_form(conference, formdata=None),
            confirm_id=criterion.id,
            error=(
                f"Criterion “{criterion.name}” has {scored} score{'s' if scored != 1 else ''}; "
                "deleting it deletes them too. Press the button again to confirm."
            ),
        )
    name = criterion.name
    operations.delete_criterion(criterion)
    flash(f"Criterion “{name}” deleted.", "success")
    return redirect(url_for("reviews.rubric", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/rubric/<int:criterion_id>/move", methods=["POST"])
def move_criterion(slug: str, criterion_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    criterion = load_scoped(ReviewCriterion, conference, criterion_id)
    require_confirm_form()
    direction = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if direction is None:
        abort(400, description="Move a criterion up or down.")
    operations.move_criterion(criterion, direction)
    return redirect(url_for("reviews.rubric", slug=conference.slug))


# --- organisers: conflicts ------------------------------------------------------------------


def _conference_proposals(conference: Conference) -> list[Proposal]:
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.conference_id == conference.id, ~Proposal.speakers_only)
            .order_by(Proposal.title, Proposal.id)
        )
    )


def _conference_speakers(conference: Conference) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.id.in_(
                    select(ProposalSpeaker.user_id)
                    .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
                    .where(Proposal.conference_id == conference.id)
                )
            )
            .order_by(User.display_name, User.id)
        )
    )


def _conflict_form(conference: Conference, formdata=None) -> OrganiserConflictForm:
    form = OrganiserConflictForm() if formdata is None else OrganiserConflictForm(formdata=formdata)
    form.reviewer_id.choices = [
        SelectChoice(r.id, f"{r.display_name} ({r.email})")
        for r in queries.reviewers_of(conference)
    ]
    form.proposal_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(p.id, p.title) for p in _conference_proposals(conference)
    ]
    form.speaker_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(s.id, f"{s.display_name} ({s.email})")
        for s in _conference_speakers(conference)
    ]
    return form


@blueprint.route("/c/<slug>/manage/conflicts", methods=["GET", "POST"])
def conflicts(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = _conflict_form(conference)
    if form.validate_on_submit():
        operations.add_conflict(
            conference,
            form.reviewer_id.data,
            form.reason.data or "",
            ConflictSource.ORGANISER,
            proposal_id=form.proposal_id.data or None,
            speaker_id=form.speaker_id.data or None,
        )
        flash("Conflict recorded; any assignment it covers was removed.", "success")
        return redirect(url_for("reviews.conflicts", slug=conference.slug))
    rows = db.session.scalars(
        select(Conflict)
        .where(Conflict.conference_id == conference.id)
        .options(
            selectinload(Conflict.reviewer),
            selectinload(Conflict.speaker),
            selectinload(Conflict.proposal),
        )
        .order_by(Conflict.id)
    ).all()
    return render_template(
        "reviews/conflicts.html",
        conference=conference,
        form=form,
        conflicts=rows,
        delete_form=ConfirmForm(formdata=None),
    ), (400 if form.errors else 200)


@blueprint.route("/c/<slug>/manage/conflicts/<int:conflict_id>/delete", methods=["POST"])
def delete_conflict(slug: str, conflict_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    conflict = load_scoped(Conflict, conference, conflict_id)
    require_confirm_form()
    operations.remove_conflict(conflict)
    flash("Conflict removed.", "success")
    return redirect(url_for("reviews.conflicts", slug=conference.slug))


# --- organisers: assignments ----------------------------------------------------------------


def _render_assignments(conference, status=200, understaffed=None, error=None):
    reviewers = queries.reviewers_of(conference)
    proposals = list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.conference_id == conference.id, Proposal.state == ProposalState.SUBMITTED
            )
            .options(selectinload(Proposal.track))
            .order_by(Proposal.id)
        )
    )
    assignments = db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.conference_id == conference.id)
        .options(selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.id)
    ).all()
    by_proposal: dict[int, list[ReviewAssignment]] = {}
    load = {reviewer.id: 0 for reviewer in reviewers}
    submitted_ids = {proposal.id for proposal in proposals}
    for assignment in assignments:
        by_proposal.setdefault(assignment.proposal_id, []).append(assignment)
        if assignment.proposal_id in submitted_ids and assignment.reviewer_id in load:
            load[assignment.reviewer_id] += 1
    k = conference.setting("reviewers_per_proposal")
    if understaffed is None:
        understaffed = {
            p.id: len(by_proposal.get(p.id, []))
            for p in proposals
            if len(by_proposal.get(p.id, [])) < k
        }
    add_form = AddAssignmentForm(formdata=None)
    add_form.reviewer_id.choices = [SelectChoice(r.id, r.display_name) for r in reviewers]
    return render_template(
        "reviews/assignments.html",
        conference=conference,
        reviewers=reviewers,
        proposals=proposals,
        by_proposal=by_proposal,
        load=load,
        k=k,
        understaffed=understaffed,
        add_form=add_form,
        action_form=ConfirmForm(formdata=None),
        error=error,
    ), status


@blueprint.route("/c/<slug>/manage/assignments")
def assignments(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return _render_assignments(conference)


@blueprint.route("/c/<slug>/manage/assignments/run", methods=["POST"])
def run_assignment(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    require_confirm_form()
    try:
        with db.session.begin_nested():
            plan, added = operations.run_assignment(conference)
    except IntegrityError:
        return _render_assignments(
            conference,
            status=409,
            error="Assignments changed while the plan was computed; nothing was written. Try again.",
        )
    message = f"{added} assignment{'s' if added != 1 else ''} added."
    if plan.understaffed:
        message += (
            f" {len(plan.understaffed)} proposal{'s' if len(plan.understaffed) != 1 else ''} could not get "
            f"{conference.setting('reviewers_per_proposal')} reviewers (see below)."
        )
    flash(message, "success" if not plan.understaffed else "info")
    return redirect(url_for("reviews.assignments", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/assignments/add", methods=["POST"])
def add_assignment(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = AddAssignmentForm()
    form.reviewer_id.choices = [
        SelectChoice(r.id, r.display_name) for r in queries.reviewers_of(conference)
    ]
    proposal_id = parse_id(str(form.proposal_id.data))
    if not form.validate_on_submit() or proposal_id is None:
        return _render_assignments(conference, status=400, error="Choose a reviewer from the list.")
    proposal = load_scoped(Proposal, conference, proposal_id)
    if proposal.speakers_only:
        abort(404)  # a speaker's draft is theirs alone until it is submitted
    reviewer = db.session.get(User, form.reviewer_id.data)
    try:
        with db.session.begin_nested():
            operations.add_assignment(conference, proposal, reviewer)
    except operations.AssignmentRefused as refused:
        advice = "" if isinstance(refused, operations.NotUnderReview) else " Choose another reviewer."
        return _render_assignments(conference, status=400, error=f"Not assigned: {refused}{advice}")
    except IntegrityError:
        pass  # a double submit: the assignment exists already
    flash(f"{reviewer.display_name} now reviews “{proposal.title}”.", "success")
    return redirect(url_for("reviews.assignments", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/assignments/<int:assignment_id>/remove", methods=["POST"])
def remove_assignment(slug: str, assignment_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    assignment = load_scoped(ReviewAssignment, conference, assignment_id)
    require_confirm_form()
    name = assignment.reviewer.display_name
    operations.remove_assignment(assignment)
    flash(f"{name} no longer reviews this proposal; any review written is kept.", "success")
    return redirect(url_for("reviews.assignments", slug=conference.slug))
