"""Organisers set up the grid and build the schedule with the solver as a background job.

Every handler loads the conference, checks the ORGANISER role there, then loads any object
scoped to that conference, so an id from another conference is a 404.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from conference.conferences.access import conference_with_role, load_scoped
from conference.conferences.models import Conference, Hub, Role
from conference.core.forms import parse_id, require_confirm_form
from conference.core.timezones import skipped_wall_time_message, to_zone
from conference.core.types import utcnow
from conference.drafts.forms import ReoptimiseForm
from conference.drafts.queries import talks_not_in_draft
from conference.extensions import db
from conference.schedule import jobs, mapping, operations, queries
from conference.schedule.forms import (
    RULE_EXPLANATIONS,
    TERM_EXPLANATIONS,
    BlockForm,
    RunForm,
    ScheduleSettingsForm,
    relax_field_name,
    weight_field_name,
)
from conference.schedule.models import RunKind, RunState, ScheduleBlock, SolverRun
from conference.schedule.versions import current_draft
from scheduler.rules import RELAXABLE_RULES, RULES

blueprint = Blueprint("schedule", __name__)

RUN_KIND_LABELS = {
    RunKind.BUILD: "Build schedule",
    RunKind.REOPTIMISE: "Re-optimise the draft",
    RunKind.LARGEST_SUBSET: "Largest schedulable subset",
}


# --- setup -----------------------------------------------------------------------------------


def _settings_form_data(conference: Conference) -> dict:
    settings = mapping.schedule_settings(conference)
    weights = mapping.weights_from(settings)
    relaxed = mapping.hard_rules_from(settings)
    data = {
        "slot_minutes": settings.slot_minutes if settings else 15,
        "time_limit_seconds": settings.time_limit_seconds if settings else 60,
        "include_accepted": (conference.settings or {}).get(mapping.INCLUDE_ACCEPTED_SETTING, True),
        "relaxed_weight": relaxed.relaxed_weight,
    }
    for name in mapping.WEIGHED_TERMS:
        data[weight_field_name(name)] = weights.for_rule(name)
    for name in RELAXABLE_RULES:
        data[relax_field_name(name)] = name in relaxed.relaxed
    return data


def _block_form(conference: Conference, **kwargs) -> BlockForm:
    form = BlockForm(**kwargs)
    form.zone.choices = [
        SelectChoice("", f"The conference's time zone ({conference.time_zone})")
    ] + [
        SelectChoice(str(hub.id), f"{hub.name} ({hub.time_zone})")
        for hub in queries.hubs_of(conference)
    ]
    return form


def _block_rows(conference: Conference, blocks: list[ScheduleBlock]) -> list[dict]:
    hubs = {hub.id: hub for hub in queries.hubs_of(conference)}
    rows = []
    for block in blocks:
        hub = hubs.get(block.hub_id) if block.hub_id else None
        zone_name = hub.time_zone if hub else conference.time_zone
        rows.append(
            {
                "block": block,
                "hub": hub,
                "zone": zone_name,
                "minutes": int((block.ends_at - block.starts_at) / timedelta(minutes=1)),
            }
        )
    return rows


def _render_setup(conference: Conference, settings_form=None, block_form=None, status: int = 200):
    settings_form = settings_form or ScheduleSettingsForm(
        formdata=None, data=_settings_form_data(conference)
    )
    block_form = block_form or _block_form(conference, formdata=None)
    blocks = operations.list_blocks(conference)
    saved = mapping.schedule_settings(conference)
    slot_minutes = saved.slot_minutes if saved else 15
    open_pairs = operations.open_room_pairs(conference)
    return render_template(
        "schedule/setup.html",
        conference=conference,
        settings_form=settings_form,
        block_form=block_form,
        blocks=_block_rows(conference, blocks),
        rooms=queries.rooms_of(conference),
        open_pairs=open_pairs,
        closed_blocks={block.id for block in blocks} - {block_id for block_id, _ in open_pairs},
        weighed_terms=[
            (name, weight_field_name(name), TERM_EXPLANATIONS.get(name))
            for name in mapping.WEIGHED_TERMS
        ],
        relaxable=[
            (name, relax_field_name(name), RULES[name].label, RULE_EXPLANATIONS.get(name, ""))
            for name in RELAXABLE_RULES
        ],
        unfit_blocks={
            block.id for block in operations.blocks_not_fitting(conference, slot_minutes)
        },
        slot_minutes=slot_minutes,
    ), status


@blueprint.route("/c/<slug>/manage/schedule/setup")
def setup(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return _render_setup(conference)


@blueprint.route("/c/<slug>/manage/schedule/setup/settings", methods=["POST"])
def save_settings(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = ScheduleSettingsForm()
    if form.validate_on_submit():
        unfit = operations.formats_not_fitting(conference, form.slot_minutes.data)
        if unfit:
            form.slot_minutes.errors.append(
                f"{form.slot_minutes.data}-minute slots do not divide every session format: "
                + ", ".join(f"{f.name} ({f.duration_minutes} min)" for f in unfit)
                + ". Choose a length that divides all of them, e.g. 5, 10 or 15."
            )
        else:
            operations.save_solver_goals(
                conference,
                operations.SolverGoals(
                    slot_minutes=form.slot_minutes.data,
                    time_limit_seconds=form.time_limit_seconds.data,
                    include_accepted=bool(form.include_accepted.data),
                    weights={
                        name: form[weight_field_name(name)].data for name in mapping.WEIGHED_TERMS
                    },
                    relaxed_rules=[
                        name for name in RELAXABLE_RULES if form[relax_field_name(name)].data
                    ],
                    relaxed_weight=form.relaxed_weight.data,
                ),
            )
            flash("The solver settings are saved.", "success")
            return redirect(url_for("schedule.setup", slug=conference.slug))
    return _render_setup(conference, settings_form=form, status=422)


@blueprint.route("/c/<slug>/manage/schedule/setup/blocks", methods=["POST"])
def add_block(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = _block_form(conference)
    valid = form.validate_on_submit()
    if valid and form.day.data not in conference.days():
        # Checked before any time arithmetic: a mistyped year such as 0001 or 9999 overflows it.
        form.day.errors.append(
            f"The conference runs from {conference.starts_on:%d %b %Y} to {conference.ends_on:%d %b %Y}."
        )
    elif valid:
        hub = load_scoped(Hub, conference, int(form.zone.data)) if form.zone.data else None
        zone_name = hub.time_zone if hub else conference.time_zone
        starts_at, ends_at = operations.block_times(
            form.day.data, form.starts.data, form.ends.data, zone_name
        )
        settings = mapping.schedule_settings(conference)
        slot_minutes = settings.slot_minutes if settings else 15
        overlaps = operations.overlapping_blocks(conference, starts_at, ends_at)
        skipped = skipped_wall_time_message(
            form.day.data, form.starts.data, zone_name
        ) or skipped_wall_time_message(form.day.data, form.ends.data, zone_name)
        if skipped:
            form.starts.errors.append(skipped)
        elif ends_at <= starts_at:
            form.ends.errors.append(
                "The end must be after the start in that time zone (check daylight-saving changes)."
            )
        elif (ends_at - starts_at) % timedelta(minutes=slot_minutes):
            minutes = int((ends_at - starts_at) / timedelta(minutes=1))
            form.ends.errors.append(
                f"The block lasts {minutes} minutes, which is not a whole number of {slot_minutes}-minute slots."
            )
        elif overlaps:
            form.starts.errors.append(
                "This block overlaps "
                + ", ".join(f"“{b.name}”" for b in overlaps)
                + ". Blocks may not overlap: open rooms of several hubs in one block instead."
            )
        else:
            block = operations.add_block(conference, form.name.data, hub, starts_at, ends_at)
            flash(f"The block “{block.name}” is added with every room open.", "success")
            return redirect(url_for("schedule.setup", slug=conference.slug))
    return _render_setup(conference, block_form=form, status=422)


@blueprint.route("/c/<slug>/manage/schedule/setup/blocks/<int:block_id>/delete", methods=["POST"])
def delete_block(slug: str, block_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    block = load_scoped(ScheduleBlock, conference, block_id)
    require_confirm_form()
    name = block.name
    operations.delete_block(block)
    flash(f"The block “{name}” is deleted.", "success")
    return redirect(url_for("schedule.setup", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/schedule/setup/rooms", methods=["POST"])
def save_open_rooms(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    require_confirm_form()
    wanted = set()
    for value in request.form.getlist("open"):
        block_text, _, room_text = value.partition(":")
        block_id, room_id = parse_id(block_text), parse_id(room_text)
        if block_id is not None and room_id is not None:
            wanted.add((block_id, room_id))
    operations.set_open_rooms(conference, wanted)
    flash("The rooms open in each block are saved.", "success")
    closed = operations.blocks_without_rooms(conference)
    if closed:
        flash(
            "No talk can be scheduled in " + ", ".join(block.name for block in closed)
            + ": no room or stream is open there. Tick a room in its row, or delete the block.",
            "error",
        )
    return redirect(url_for("schedule.setup", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/schedule/setup/typical-grid", methods=["POST"])
def generate_grid(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    require_confirm_form()
    created = operations.generate_typical_grid(conference)
    if created:
        flash(f"{len(created)} blocks were added from the hubs' working hours.", "success")
    else:
        flash(
            "No blocks were added: every working-hours block would overlap an existing one.", "info"
        )
    return redirect(url_for("schedule.setup", slug=conference.slug))


# --- building the schedule --------------------------------------------------------------------


def _draft_editor_url(conference: Conference, anchor: str | None = None) -> str | None:
    if "drafts.editor" in current_app.view_functions:
        return url_for("drafts.editor", slug=conference.slug, _anchor=anchor)
    return None


def _reoptimise_choice(conference: Conference, place_talks_not_in_draft: bool = False) -> dict:
    """What a re-optimise button needs to offer the editor's choice: the talks the draft does
    not place (none without a draft: then there is nothing to choose), where they are listed,
    and the choice ticked to start with (a failed run's "Try again" starts from that run's)."""
    draft = current_draft(conference.id)
    return {
        "not_in_draft": talks_not_in_draft(conference, draft) if draft is not None else [],
        "not_in_draft_url": _draft_editor_url(conference, "not-in-draft-heading"),
        "reoptimise_form": ReoptimiseForm(formdata=None, place_talks_not_in_draft=place_talks_not_in_draft),
    }


def _titles(talks: list[dict]) -> str:
    return ", ".join(f"“{talk.get('title', '')}”" for talk in talks)


def run_choice_text(run: SolverRun) -> str:
    """The run's re-optimise choice with the talks it concerned, as the run recorded them."""
    if run.place_talks_not_in_draft is None:
        if run.kind is RunKind.REOPTIMISE:
            return ("This run did not record whether it placed the talks not in the draft "
                    "(it was queued before runs recorded that).")
        return "Every talk to schedule is included."
    if run.place_talks_not_in_draft:
        verb = ("were placed too" if run.state is RunState.SUCCEEDED
                else "will be placed too" if run.state.is_active else "were to be placed too")
    else:
        verb = "will be kept out" if run.state is RunState.QUEUED else "were kept out"
    talks = run.talks_not_in_draft
    listed = _titles(talks) if talks else "none (the draft placed every talk to schedule)"
    return f"Talks not in the draft {verb}: {listed}."


def run_choice_summary(run: SolverRun) -> str:
    """The run's options in a few words, for the list of runs."""
    words = {True: "placed too", False: "kept out"}
    choice = run.place_talks_not_in_draft
    if choice is None:
        text = "Not recorded" if run.kind is RunKind.REOPTIMISE else "Every talk"
    else:
        text = f"Talks not in the draft {words[choice]} ({len(run.talks_not_in_draft)})"
    if run.follows_run_id is not None:
        text = f"Follows run {run.follows_run_id}; " + text[0].lower() + text[1:]
    return text


@blueprint.route("/c/<slug>/manage/schedule/")
def build(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    jobs.mark_abandoned_runs(conference)
    settings = mapping.schedule_settings(conference)
    return render_template(
        "schedule/build.html",
        conference=conference,
        settings=settings,
        blocks=operations.list_blocks(conference),
        rooms=queries.rooms_of(conference),
        talk_count=queries.talks_to_schedule_count(conference),
        interest_count=mapping.interest_count(conference),
        runs=queries.recent_runs(conference),
        active=jobs.active_run(conference),
        draft=queries.draft_summary(conference),
        draft_editor_url=_draft_editor_url(conference),
        kind_labels=RUN_KIND_LABELS,
        choice_summary=run_choice_summary,
        run_form=RunForm(formdata=None),
        **_reoptimise_choice(conference),
    )


@blueprint.route("/c/<slug>/manage/schedule/runs", methods=["POST"])
def start_run(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = RunForm()
    if not form.validate_on_submit() or form.kind.data not in {kind.value for kind in RunKind}:
        flash("That request could not be understood; reload the page and try again.", "error")
        return redirect(url_for("schedule.build", slug=conference.slug))
    kind = RunKind(form.kind.data)
    # A largest subset keeps the choice of the run it follows (an id of another conference is a 404).
    follows = None
    if kind is RunKind.LARGEST_SUBSET and form.follows.data is not None:
        follows = load_scoped(SolverRun, conference, form.follows.data)
    # As in the editor: re-optimising places the talks not in the draft only when ticked.
    choice, place_all, not_in_draft = None, True, 0
    if kind is RunKind.REOPTIMISE:
        draft = current_draft(conference.id)
        if draft is None:
            flash("There is no draft to re-optimise yet: build the schedule first.", "error")
            return redirect(url_for("schedule.build", slug=conference.slug))
        choice = ReoptimiseForm()
        place_all = choice.place_talks_not_in_draft.data
        not_in_draft = len(talks_not_in_draft(conference, draft))
    try:
        run = jobs.enqueue_solver_run(
            conference, kind, current_user._get_current_object(), place_talks_not_in_draft=place_all,
            follows=follows,
        )
    except jobs.QueueUnavailable as error:
        flash(str(error), "error")
        return redirect(url_for("schedule.build", slug=conference.slug))
    except jobs.RunAlreadyActive as error:
        flash("A solver run is already in progress; wait for it to finish or cancel it.", "error")
        if error.run is not None:
            return redirect(url_for("schedule.run", slug=conference.slug, run_id=error.run.id))
        return redirect(url_for("schedule.build", slug=conference.slug))
    if choice is not None:
        flash(choice.queued_message(not_in_draft), "success")
    elif follows is not None and run.place_talks_not_in_draft is not None:
        flash(f"{RUN_KIND_LABELS[run.kind]}: the run is queued. It keeps the choice of run {follows.id}: "
              + run_choice_text(run), "success")
    else:
        flash(f"{RUN_KIND_LABELS[run.kind]}: the run is queued.", "success")
    return redirect(url_for("schedule.run", slug=conference.slug, run_id=run.id))


def _run_status(conference: Conference, run: SolverRun) -> dict:
    """The run's live figures for the progress bar (JSON and the page)."""
    gap = None
    if run.best_objective is not None and run.best_bound is not None:
        gap = max(0.0, (run.best_objective - run.best_bound) / max(1.0, abs(run.best_objective)))
    return {
        "id": run.id,
        "kind": run.kind.value,
        "state": run.state.value,
        "active": run.state.is_active,
        "cancel_requested": run.cancel_requested,
        "best_objective": run.best_objective,
        "best_bound": run.best_bound,
        "gap": gap,
        "elapsed_seconds": run.elapsed_seconds,
        "time_limit_seconds": run.time_limit_seconds,
        "heartbeat_at": run.heartbeat_at.isoformat() if run.heartbeat_at else None,
        "error": run.error or "",
        "url": url_for("schedule.run", slug=conference.slug, run_id=run.id),
        # Queued for a while: most likely no task consumer is running.
        "waiting_for_worker": run.state is RunState.QUEUED
        and utcnow() - run.created_at > jobs.HEARTBEAT_TIMEOUT,
    }


def _load_run(conference: Conference, run_id: int) -> SolverRun:
    run = load_scoped(SolverRun, conference, run_id)
    if jobs.is_abandoned(run):
        jobs.mark_abandoned_runs(conference)
        db.session.refresh(run)
    return run


@blueprint.route("/c/<slug>/manage/schedule/runs/<int:run_id>")
def run(slug: str, run_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    solver_run = _load_run(conference, run_id)
    # "Try again" of a failed re-optimise run offers the editor's choice, ticked as this run had it.
    try_again_asks = solver_run.kind is RunKind.REOPTIMISE and solver_run.state in (
        RunState.FAILED, RunState.ABANDONED
    )
    return render_template(
        "schedule/run.html",
        conference=conference,
        run=solver_run,
        followed=queries.followed_run(solver_run),
        choice_text=run_choice_text(solver_run),
        status=_run_status(conference, solver_run),
        kind_labels=RUN_KIND_LABELS,
        term_labels={name: rule.label for name, rule in RULES.items()},
        draft_editor_url=_draft_editor_url(conference),
        run_form=RunForm(formdata=None),
        RunState=RunState,
        RunKind=RunKind,
        to_zone=to_zone,
        **(_reoptimise_choice(conference, bool(solver_run.place_talks_not_in_draft)) if try_again_asks else {}),
    )


@blueprint.route("/c/<slug>/manage/schedule/runs/<int:run_id>.json")
def run_status(slug: str, run_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    solver_run = _load_run(conference, run_id)
    response = current_app.json.response(_run_status(conference, solver_run))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/c/<slug>/manage/schedule/runs/<int:run_id>/cancel", methods=["POST"])
def cancel_run(slug: str, run_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    solver_run = load_scoped(SolverRun, conference, run_id)
    require_confirm_form()
    if solver_run.state.is_active:
        jobs.request_cancel(solver_run)
        flash(
            "Cancelling: the solver stops within a second or two and the draft stays as it was.",
            "info",
        )
    else:
        flash("This run has already finished.", "info")
    return redirect(url_for("schedule.run", slug=conference.slug, run_id=solver_run.id))
