"""Organisers manage access codes; each handler checks the ORGANISER role first, then loads
the code scoped to the conference, so an id of another conference is a 404."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from conference.access_codes import operations
from conference.access_codes.forms import ANY, AccessCodeForm, SendAccessCodeForm
from conference.access_codes.models import AccessCode
from conference.conferences.access import conference_with_role, load_scoped
from conference.conferences.models import Conference, Role
from conference.core.forms import ConfirmForm, occurrence_of, require_confirm_form
from conference.core.timezones import to_zone
from conference.mail.operations import request_delivery
from conference.mail.templates import TemplateProblem

blueprint = Blueprint("access_codes", __name__)


def code_link(conference: Conference, code: AccessCode) -> str:
    """The address that opens the proposal form with ``code``."""
    path = url_for("proposals.new_proposal", slug=conference.slug, code=code.code)
    public_url = current_app.config.get("PUBLIC_URL")
    if public_url:
        return public_url.rstrip("/") + path
    return url_for("proposals.new_proposal", slug=conference.slug, code=code.code, _external=True)


def _stored(conference: Conference, code: AccessCode) -> dict:
    """The edit form's values for ``code``: its valid-until as a wall time in the conference's zone."""
    local = (
        None if code.valid_until is None
        else to_zone(code.valid_until, conference.time_zone).replace(tzinfo=None)
    )
    return {
        "note": code.note,
        "track_id": code.track_id or ANY,
        "session_format_id": code.session_format_id or ANY,
        "valid_until": local,
        "valid_until_occurrence": occurrence_of(local),
        "max_uses": code.max_uses,
    }


def _form(conference: Conference, stored: AccessCode | None = None) -> AccessCodeForm:
    """The code form: what the request sent, or the values of ``stored`` when given."""
    extra = {"formdata": None, "data": _stored(conference, stored)} if stored is not None else {}
    form = AccessCodeForm(zone_name=conference.time_zone, now=operations.current_instant(), **extra)
    form.offer_limits(conference)
    return form


def _details(form: AccessCodeForm) -> operations.AccessCodeDetails:
    return operations.AccessCodeDetails(
        note=form.note.data,
        track_id=form.track_id.data or None,
        session_format_id=form.session_format_id.data or None,
        valid_until=form.valid_until_instant(),
        max_uses=form.max_uses.data,
    )


@blueprint.route("/c/<slug>/manage/access-codes")
def codes(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "access_codes/list.html",
        conference=conference,
        codes=operations.access_codes_of(conference),
        link=lambda code: code_link(conference, code),
        state_label=lambda code: operations.state_label(code, operations.current_instant()),
        uses_text=operations.uses_text,
        confirm_form=ConfirmForm(formdata=None),
    )


def _render_form(conference, form, code=None, send_form=None, status=200):
    return render_template(
        "access_codes/form.html",
        conference=conference,
        form=form,
        code=code,
        link=code_link(conference, code) if code is not None else None,
        send_form=send_form,
        uses_text=operations.uses_text,
    ), status


@blueprint.route("/c/<slug>/manage/access-codes/new", methods=["GET", "POST"])
def new_code(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = _form(conference)
    if form.validate_on_submit():
        try:
            code = operations.create_access_code(conference, current_user._get_current_object(), _details(form))
        except operations.AccessCodeProblem as problem:
            form.note.errors.append(str(problem))
        else:
            flash(f"The access code for “{code.note}” is made. Copy its link below or send it by e-mail.", "success")
            return redirect(url_for("access_codes.edit_code", slug=slug, code_id=code.id))
    return _render_form(conference, form, status=400 if form.errors else 200)


@blueprint.route("/c/<slug>/manage/access-codes/<int:code_id>/edit", methods=["GET", "POST"])
def edit_code(slug: str, code_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    code = load_scoped(AccessCode, conference, code_id)
    # A POST counts only what was sent: the stored occurrence must not answer for a new time.
    form = _form(conference) if request.method == "POST" else _form(conference, stored=code)
    if form.validate_on_submit():
        try:
            operations.update_access_code(code, _details(form))
        except operations.AccessCodeProblem as problem:
            form.max_uses.errors.append(str(problem))
        else:
            flash(f"The access code for “{code.note}” is saved.", "success")
            return redirect(url_for("access_codes.codes", slug=slug))
    return _render_form(
        conference, form, code, SendAccessCodeForm(formdata=None), status=400 if form.errors else 200
    )


@blueprint.route("/c/<slug>/manage/access-codes/<int:code_id>/send", methods=["POST"])
def send_code(slug: str, code_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    code = load_scoped(AccessCode, conference, code_id)
    send_form = SendAccessCodeForm()
    if send_form.validate_on_submit():
        try:
            operations.send_access_code(
                code, send_form.email.data, code_link(conference, code), current_user._get_current_object()
            )
        except TemplateProblem as problem:
            send_form.email.errors.append(
                f"The “Access code” e-mail template does not work ({problem}); fix it under E-mails."
            )
        else:
            request_delivery()
            flash(f"The link is on its way to {send_form.email.data}.", "success")
            return redirect(url_for("access_codes.codes", slug=slug))
    return _render_form(conference, _form(conference, stored=code), code, send_form, status=400)


@blueprint.route("/c/<slug>/manage/access-codes/<int:code_id>/revoke", methods=["POST"])
def revoke_code(slug: str, code_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    code = load_scoped(AccessCode, conference, code_id)
    require_confirm_form()
    operations.revoke_access_code(code)
    flash(f"The access code for “{code.note}” is revoked: its link no longer works.", "success")
    return redirect(url_for("access_codes.codes", slug=slug))


@blueprint.route("/c/<slug>/manage/access-codes/<int:code_id>/delete", methods=["POST"])
def delete_code(slug: str, code_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    code = load_scoped(AccessCode, conference, code_id)
    require_confirm_form()
    note = code.note
    try:
        operations.delete_access_code(code)
    except operations.AccessCodeProblem as problem:
        flash(str(problem), "error")
    else:
        flash(f"The access code for “{note}” is deleted.", "success")
    return redirect(url_for("access_codes.codes", slug=slug))
