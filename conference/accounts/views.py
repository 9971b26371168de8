"""Register, log in, log out, profile and password."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from conference.accounts import operations
from conference.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    LogoutForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
)
from conference.core.forms import is_safe_redirect
from conference.extensions import db, limiter
from conference.mail.operations import request_delivery
from conference.sso.logout import continue_at_provider, provider_logout_url
from conference.sso.operations import describe_roles, take_back_company_group_rights

blueprint = Blueprint("accounts", __name__)


def _configured_limit(name: str):
    """A limit read from the app's config at request time (RATELIMIT_LOGIN and friends)."""
    return lambda: current_app.config[name]


def _submitted_email() -> str:
    """Rate-limit key for reset requests: the address asked about, whoever asks."""
    return "password-reset:" + operations.normalise_email(request.form.get("email", ""))[:254]


def _start_session(user, remember: bool = False) -> None:
    # A fresh session at login: nothing planted before it survives (session fixation).
    session.clear()
    login_user(user, remember=remember)


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit(_configured_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("conferences.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                user = operations.create_user(
                    form.email.data, form.display_name.data, form.password.data, form.time_zone.data
                )
        except (operations.EmailAlreadyRegistered, IntegrityError):
            form.email.errors.append("An account with this e-mail already exists. Log in instead.")
        else:
            _start_session(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("conferences.home"))
    return render_template("accounts/register.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(_configured_limit("RATELIMIT_LOGIN"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("conferences.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None and operations.deactivated_account_with(form.email.data, form.password.data):
            flash("This account is deactivated. Ask a site administrator if that is a mistake.", "error")
        elif user is None:
            flash("That e-mail and password do not match an account.", "error")
        else:
            _start_session(user, remember=form.remember_me.data)
            _take_back_company_group_rights(user)
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("conferences.home"))
    return render_template("accounts/login.html", form=form)


def _take_back_company_group_rights(user) -> None:
    """Rights from company groups hold only for log-ins through the company, which say what
    groups the person is in now: a password log-in sets them aside until the next one."""
    taken = take_back_company_group_rights(user)
    if not taken:
        return
    roles = describe_roles(taken.removed, site_admin=taken.stopped_being_site_admin)
    current_app.logger.info(
        "Password log-in: %s's roles from company groups are taken back until a company log-in (%s)",
        user.email, roles,
    )
    flash(
        f"Roles from your company groups ({roles}) apply when you log in with your company account; "
        "log in that way to get them back.",
        "info",
    )


@blueprint.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        # Read before the session is cleared: logged in through the company's provider, the
        # person is sent there next to end that session too (conference.sso.logout).
        provider_logout = provider_logout_url()
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
        if provider_logout:
            return continue_at_provider(provider_logout)
    return redirect(url_for("conferences.home"))


@blueprint.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        operations.update_profile(current_user, form.display_name.data, form.time_zone.data,
                                  starred_change_emails=form.starred_change_emails.data,
                                  discussion_emails=form.discussion_emails.data)
        flash("Your profile is saved.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            operations.change_password(user, form.new_password.data)
            # The token changed: log this session in again so only the others end.
            _start_session(user)
            flash("Your password is changed. Other sessions have been logged out.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@blueprint.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_configured_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
@limiter.limit(
    _configured_limit("RATELIMIT_PASSWORD_RESET_PER_EMAIL"),
    methods=["POST"],
    key_func=_submitted_email,
)
def request_password_reset():
    form = PasswordResetRequestForm()
    # Links go to the configured address only: a forged Host header must not choose them.
    public_url = current_app.config.get("PUBLIC_URL")
    if form.validate_on_submit():
        if not public_url:
            current_app.logger.error("Password reset requested but PUBLIC_URL is not set.")
            flash("Password reset by e-mail is not set up on this site yet.", "error")
        else:
            operations.request_password_reset(
                form.email.data,
                link_for=lambda token: public_url + url_for(".reset_password", token=token),
                max_age=current_app.config["PASSWORD_RESET_MAX_AGE"],
            )
            request_delivery()
            return redirect(url_for(".password_reset_sent"))
    return render_template("accounts/password_reset_request.html", form=form)


@blueprint.route("/password-reset/sent")
def password_reset_sent():
    return render_template("accounts/password_reset_sent.html")


@blueprint.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = operations.user_for_reset_token(token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if user is None:
        return render_template("accounts/password_reset_invalid.html"), 404
    form = PasswordResetForm()
    if form.validate_on_submit():
        operations.change_password(user, form.new_password.data)
        # The rotated session token has ended every session, this browser's included.
        logout_user()
        session.clear()
        flash(
            "Your password is changed and all your sessions are logged out. Log in with it now.",
            "success",
        )
        return redirect(url_for(".login"))
    response = make_response(render_template("accounts/password_reset.html", form=form, user=user))
    # The page's address holds the token: keep it out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response
