"""Log-in through the company's OpenID Connect provider: /login/sso sends the person there,
/login/sso/callback brings them back logged in (authorisation code with PKCE, state and
nonce checked by Authlib). Every failure ends on the login page with a message."""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from requests import RequestException

from conference.core.forms import is_safe_redirect
from conference.core.timezones import is_valid_time_zone
from conference.core.web import TIME_ZONE_COOKIE
from conference.extensions import db, limiter
from conference.feeds.links import public_base_url
from conference.sso import client as sso
from conference.sso.operations import SignInRefused, account_for, identity_from_claims

blueprint = Blueprint("sso", __name__)

NEXT_KEY = "sso_next"
# Endpoints that need a password here: closed when PASSWORD_LOGIN is off.
PASSWORD_ENDPOINTS = frozenset(
    {"accounts.register", "accounts.request_password_reset", "accounts.reset_password", "accounts.change_password"}
)


@blueprint.app_context_processor
def sign_in_choices() -> dict:
    config = current_app.config
    return {
        "sso_enabled": sso.enabled(config),
        "sso_provider_name": config.get("OIDC_PROVIDER_NAME", ""),
        "password_login": sso.password_login(config),
    }


@blueprint.before_app_request
def close_password_pages():
    """With PASSWORD_LOGIN off, accounts come from the company: no passwords are made or used."""
    if sso.password_login():
        return None
    endpoint = request.endpoint or ""
    if endpoint in PASSWORD_ENDPOINTS or (endpoint == "accounts.login" and request.method == "POST"):
        flash(f"Log in with {current_app.config['OIDC_PROVIDER_NAME']}: this site has no passwords.", "info")
        return redirect(url_for("accounts.login"))
    return None


def _refused(message: str):
    flash(message, "error")
    return redirect(url_for("accounts.login"))


def _provider_name() -> str:
    return current_app.config["OIDC_PROVIDER_NAME"]


@blueprint.route("/login/sso")
@limiter.limit(lambda: current_app.config["RATELIMIT_SSO"])
def start():
    if not sso.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("conferences.home"))
    target = request.args.get("next", "")
    session[NEXT_KEY] = target if target and is_safe_redirect(target) else ""
    try:
        return sso.client().authorize_redirect(public_base_url() + url_for("sso.callback"))
    except (RequestException, ValueError, AuthlibBaseError):
        current_app.logger.exception("Single sign-on: the provider could not be reached")
        return _refused(f"{_provider_name()} cannot be reached just now. Try again in a few minutes.")


@blueprint.route("/login/sso/callback")
@limiter.limit(lambda: current_app.config["RATELIMIT_SSO"])
def callback():
    if not sso.enabled():
        abort(404)
    provider = sso.client()
    try:
        token = provider.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        claims.update(provider.userinfo(token=token))
    except OAuthError as error:
        if error.error == "access_denied":
            return _refused(f"You did not log in with {_provider_name()}.")
        if error.error == "mismatching_state":
            return _refused("That log-in link has expired or was opened in another browser. Log in again.")
        current_app.logger.warning("Single sign-on refused: %s %s", error.error, error.description)
        return _refused(f"{_provider_name()} did not let you in ({error.description or error.error}). Try again.")
    except (RequestException, ValueError, AuthlibBaseError):
        current_app.logger.exception("Single sign-on: the provider's answer could not be used")
        return _refused(f"Logging in with {_provider_name()} failed. Try again in a few minutes.")
    zone_cookie = request.cookies.get(TIME_ZONE_COOKIE, "")
    try:
        identity = identity_from_claims(
            current_app.config["OIDC_ISSUER"], claims, current_app.config.get("OIDC_EMAILS_VERIFIED", False)
        )
        sign_in = account_for(identity, zone_cookie if is_valid_time_zone(zone_cookie) else "UTC")
    except SignInRefused as refusal:
        db.session.rollback()
        return _refused(refusal.message)
    db.session.commit()
    target = session.pop(NEXT_KEY, "")
    # A fresh session at login: nothing planted before it survives (session fixation).
    session.clear()
    user = sign_in.user
    login_user(user)
    if sign_in.created:
        flash(f"Welcome, {user.display_name}! Check that your time zone ({user.time_zone}) is right.", "success")
        return redirect(url_for("accounts.profile"))
    if sign_in.linked:
        flash(
            f"Your account is now joined to {_provider_name()}: log in with it from now on. Its password "
            "here no longer works, your other sessions have ended, and its calendar links and API "
            "tokens were revoked (make new ones if you need them).",
            "info",
        )
    return redirect(target if target and is_safe_redirect(target) else url_for("conferences.home"))

