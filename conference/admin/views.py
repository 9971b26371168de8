"""Site admins manage accounts: find people, deactivate and reactivate them, erase their data.

Every handler asks for a login, then refuses (403) anyone who is not a site admin, before
loading anything.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from conference.accounts.models import User
from conference.accounts.operations import normalise_email
from conference.admin import operations, queries
from conference.admin.forms import DeactivateForm, EraseForm
from conference.core.forms import ConfirmForm, parse_id
from conference.extensions import db

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

SEARCH_MAX = 100


def site_admin_required(view):
    """Log in first; then site admins only (everyone else: 403)."""

    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_site_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _load_account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _acting_admin() -> User:
    return current_user._get_current_object()


# --- the list ---------------------------------------------------------------------------------


def _people_filters() -> dict[str, str | int]:
    """Search, status and page from the query string; unusable values are dropped."""
    filters: dict[str, str | int] = {}
    search = " ".join(request.args.get("q", "").split())[:SEARCH_MAX]
    if search:
        filters["q"] = search
    status = request.args.get("status", "")
    if status in {choice.value for choice in queries.AccountStatus}:
        filters["status"] = status
    page = parse_id(request.args.get("page"))
    if page is not None and page > 1:
        filters["page"] = page
    return filters


@blueprint.route("/people")
@site_admin_required
def people():
    filters = _people_filters()
    status = queries.AccountStatus(filters["status"]) if "status" in filters else None
    listing = queries.accounts_page(str(filters.get("q", "")), status, int(filters.get("page", 1)))
    if listing.page > 1:
        filters["page"] = listing.page
    else:
        filters.pop("page", None)
    return render_template(
        "admin/people.html",
        listing=listing,
        filters=filters,
        search=filters.get("q", ""),
        search_max=SEARCH_MAX,
        status=status,
        statuses=list(queries.AccountStatus),
    )


# --- one account -----------------------------------------------------------------------------


def _render_person(user: User, *, deactivate_form=None, error: str | None = None, status: int = 200):
    page = render_template(
        "admin/person.html",
        account=queries.account(user),
        deactivate_form=deactivate_form or DeactivateForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        deactivation_refusal=operations.deactivation_refusal(user, _acting_admin()),
        erasure_refusal=operations.erasure_refusal(user, _acting_admin()),
        error=error,
    )
    return page, status


@blueprint.route("/people/<int:user_id>")
@site_admin_required
def person(user_id: int):
    return _render_person(_load_account(user_id))


@blueprint.route("/people/<int:user_id>/deactivate", methods=["POST"])
@site_admin_required
def deactivate(user_id: int):
    user = _load_account(user_id)
    form = DeactivateForm()
    if not form.validate_on_submit():
        return _render_person(user, deactivate_form=form, status=400)
    try:
        done = operations.deactivate_account(user, _acting_admin(), form.reason.data or "")
    except operations.AccountActionRefused as refusal:
        return _render_person(user, deactivate_form=form, error=str(refusal), status=409)
    released = done.released_assignments
    flash(
        f"{user.display_name} is deactivated: their sessions have ended and they can no longer "
        "log in, reset their password or receive e-mail."
        + (
            f" {released} open review assignment{'s were' if released != 1 else ' was'} released "
            "for the organisers' next assignment run."
            if released
            else ""
        )
        + (
            " Their attendance registration was withdrawn"
            + (
                f"; {done.seats_given_on} {'person' if done.seats_given_on == 1 else 'people'} "
                "waiting got a seat."
                if done.seats_given_on
                else "."
            )
            if done.withdrawn_registrations
            else ""
        ),
        "success",
    )
    return redirect(url_for("admin.person", user_id=user.id))


@blueprint.route("/people/<int:user_id>/reactivate", methods=["POST"])
@site_admin_required
def reactivate(user_id: int):
    user = _load_account(user_id)
    if not ConfirmForm().validate_on_submit():
        return _render_person(user, error="The form expired; reload the page and try again.", status=400)
    try:
        operations.reactivate_account(user)
    except operations.AccountActionRefused as refusal:
        return _render_person(user, error=str(refusal), status=409)
    flash(
        f"{user.display_name} is active again and can log in. Review assignments released when "
        "the account was deactivated are not given back.",
        "success",
    )
    return redirect(url_for("admin.person", user_id=user.id))


@blueprint.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@site_admin_required
def erase(user_id: int):
    user = _load_account(user_id)
    form = EraseForm()
    # Shown before anyone types: the page says at once when erasing is refused.
    error = operations.erasure_refusal(user, _acting_admin())
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        elif error is None and normalise_email(form.confirm_email.data) != normalise_email(user.email):
            form.confirm_email.errors.append(
                "That is not this account's e-mail address; nothing was erased."
            )
            status = 400
        elif error is None:
            try:
                operations.erase_account(user, _acting_admin())
            except operations.AccountActionRefused as refusal:
                error = str(refusal)
            else:
                flash(
                    f"The account's personal data is erased; it is now shown as {user.display_name}.",
                    "success",
                )
                return redirect(url_for("admin.person", user_id=user.id))
        if error is not None:
            status = 409
    page = render_template(
        "admin/erase.html",
        account=queries.account(user),
        form=form,
        error=error,
        removes=operations.ERASURE_REMOVES,
        keeps=operations.ERASURE_KEEPS,
    )
    return page, status
