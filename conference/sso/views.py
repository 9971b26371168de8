"""Log-in through the company's OpenID Connect provider: /login/sso sends the person there,
/login/sso/callback brings them back logged in (authorisation code with PKCE, state and
nonce checked by Authlib), with the roles their company groups give. Every failure ends on
the login page with a message. Organisers set which groups give which roles on
/c/<slug>/manage/people/groups."""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from requests import RequestException
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conference.conferences.access import conference_with_role, load_scoped
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.core.forms import is_safe_redirect, require_confirm_form
from conference.core.timezones import is_valid_time_zone
from conference.core.web import TIME_ZONE_COOKIE
from conference.extensions import db, limiter
from conference.feeds.links import public_base_url
from conference.sso import client as sso
from conference.sso.forms import GroupRoleRuleForm
from conference.sso.logout import PROVIDER_LOGOUT_KEY, remember_sign_in
from conference.sso.models import GroupGrantedRole, GroupRoleRule
from conference.sso.operations import (
    GroupChanges,
    RuleExists,
    SignInRefused,
    account_for,
    add_group_role_rule,
    apply_company_groups,
    describe_roles,
    group_role_rules,
    groups_from_claims,
    identity_from_claims,
    remove_group_role_rule,
)

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
    user = sign_in.user
    changes = _apply_groups(user, claims)
    db.session.commit()
    target = session.pop(NEXT_KEY, "")
    # A fresh session at login: nothing planted before it survives (session fixation).
    session.clear()
    login_user(user)
    remember_sign_in(token.get("id_token"))
    if changes:
        flash(_group_news(changes), "info")
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



@blueprint.route("/logout/sso")
def provider_logout():
    """Logged out here already: send the browser on to end the session at the provider."""
    if not sso.enabled():
        abort(404)
    target = session.pop(PROVIDER_LOGOUT_KEY, None)
    if not target:
        return redirect(url_for("accounts.login"))
    response = make_response(
        render_template("sso/provider_logout.html", target=target, provider_name=_provider_name())
    )
    # The address carries the ID token: keep the page out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- roles from the company's groups ------------------------------------------------------


def _apply_groups(user, claims: dict) -> GroupChanges | None:
    """The roles the person's groups give, as this log-in's claims list them."""
    claim = sso.groups_claim()
    groups = groups_from_claims(claims, claim)
    if groups is None:
        current_app.logger.warning(
            "Single sign-on: the %r claim of %s does not list their groups; their roles stay as they are",
            claim, user.email,
        )
        return None
    changes = apply_company_groups(user, groups, sso.admin_groups())
    for change in changes.granted:
        current_app.logger.info("Company groups: %s became %s at %s", user.email, change.role.value,
                                change.conference.slug)
    for change in changes.removed:
        current_app.logger.info("Company groups: %s is no longer %s at %s", user.email, change.role.value,
                                change.conference.slug)
    for change in changes.kept_last_organiser:
        current_app.logger.warning("Company groups: %s stays the last organiser of %s although no group "
                                   "gives it any more", user.email, change.conference.slug)
    if changes.became_site_admin:
        current_app.logger.info("Company groups: %s became a site admin", user.email)
    if changes.stopped_being_site_admin:
        current_app.logger.info("Company groups: %s is no longer a site admin", user.email)
    if changes.kept_last_site_admin:
        current_app.logger.warning("Company groups: %s stays the last active site admin although no group "
                                   "makes them one any more", user.email)
    return changes


def _group_news(changes: GroupChanges) -> str:
    """One sentence for the person: what their company groups changed at this log-in."""
    news = []
    if changes.granted:
        news.append(f"you are now {describe_roles(changes.granted)}")
    if changes.removed:
        news.append(f"you are no longer {describe_roles(changes.removed)}")
    if changes.became_site_admin:
        news.append("you are now a site admin")
    if changes.stopped_being_site_admin:
        news.append("you are no longer a site admin")
    return "From your company groups: " + "; ".join(news) + "."


def _sso_conference(slug: str) -> Conference:
    """The conference, for its organisers, while single sign-on is set up (else no such page)."""
    conference = conference_with_role(slug, Role.ORGANISER)
    if not sso.enabled():
        abort(404)
    return conference


def _render_rules(conference: Conference, form: GroupRoleRuleForm):
    holders = dict(
        db.session.execute(
            select(ConferenceRole.role, func.count())
            .join(GroupGrantedRole, GroupGrantedRole.conference_role_id == ConferenceRole.id)
            .where(ConferenceRole.conference_id == conference.id)
            .group_by(ConferenceRole.role)
        ).all()
    )
    return render_template(
        "sso/group_roles.html",
        conference=conference,
        rules=group_role_rules(conference),
        holders=[(role, holders[role]) for role in Role if holders.get(role)],
        form=form,
        groups_claim=sso.groups_claim(),
        provider_name=_provider_name(),
    )


@blueprint.route("/c/<slug>/manage/people/groups", methods=["GET", "POST"])
def group_roles(slug: str):
    conference = _sso_conference(slug)
    form = GroupRoleRuleForm()
    if form.validate_on_submit():
        group_name, role = form.group_name.data, Role(form.role.data)
        try:
            with db.session.begin_nested():
                add_group_role_rule(conference, group_name, role)
        except (RuleExists, IntegrityError):
            form.group_name.errors.append(
                f"Members of “{group_name}” already get the {role.value} role here; nothing changed."
            )
        else:
            flash(
                f"Members of “{group_name}” get the {role.value} role from their next log-in with "
                f"{_provider_name()}.",
                "success",
            )
            return redirect(url_for("sso.group_roles", slug=conference.slug))
    return _render_rules(conference, form)


@blueprint.route("/c/<slug>/manage/people/groups/<int:rule_id>/remove", methods=["POST"])
def remove_group_role(slug: str, rule_id: int):
    conference = _sso_conference(slug)
    rule = load_scoped(GroupRoleRule, conference, rule_id)
    require_confirm_form()
    group_name, role = rule.group_name, rule.role
    remove_group_role_rule(rule)
    flash(
        f"Members of “{group_name}” no longer get the {role.value} role from it. Those who got it "
        f"this way lose it at their next log-in with {_provider_name()}, unless another rule gives it.",
        "success",
    )
    return redirect(url_for("sso.group_roles", slug=conference.slug))
