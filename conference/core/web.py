"""Request-wide behaviour: one commit per request, hostile-input guards, errors, templates."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, abort, g, render_template, request
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from conference.core.markdown import render_markdown
from conference.core.timezones import all_time_zones, is_valid_time_zone, to_zone
from conference.extensions import db, login_manager

TIME_ZONE_COOKIE = "tz"


def viewer_time_zone() -> str:
    """The zone this viewer reads times in: their profile, else their browser's, else UTC."""
    if "viewer_time_zone" in g:
        return g.viewer_time_zone
    chosen = request.args.get("tz") if request else None
    if chosen and is_valid_time_zone(chosen):
        zone_name = chosen
    elif current_user and current_user.is_authenticated:
        zone_name = current_user.time_zone
    else:
        cookie = request.cookies.get(TIME_ZONE_COOKIE, "") if request else ""
        zone_name = cookie if is_valid_time_zone(cookie) else "UTC"
    g.viewer_time_zone = zone_name
    return zone_name


def format_instant(instant: datetime | None, zone_name: str | None = None, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """Wall-clock text for an instant in the viewer's (or the given) zone."""
    if instant is None:
        return ""
    return to_zone(instant, zone_name or viewer_time_zone()).strftime(pattern)


def _reject_nul_bytes() -> None:
    # NUL bytes are never legitimate in this app's input and break PostgreSQL text columns.
    if "\x00" in request.path or "%00" in request.query_string.decode("latin-1").lower():
        abort(400, description="Requests may not contain NUL bytes.")
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400, description="Requests may not contain NUL bytes.")


def _load_user(user_id: str):
    from conference.accounts.models import User

    identifier, _, token = user_id.partition(":")
    if not identifier.isdigit() or not token:
        return None
    user = db.session.get(User, int(identifier))
    if user is None or user.session_token != token:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @app.before_request
    def guard_input() -> None:
        _reject_nul_bytes()

    @app.after_request
    def commit_successful_request(response):
        # Operations only flush; the request commits once, and only when it succeeded.
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(HTTPException)
    def render_http_error(error: HTTPException):
        db.session.rollback()
        if request.accept_mimetypes.best == "application/json":
            return {"error": error.name, "description": error.description}, error.code
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(Exception)
    def render_unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_template("errors/error.html", error=None), 500

    app.jinja_env.filters["localtime"] = format_instant
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["viewer_time_zone"] = viewer_time_zone
    app.jinja_env.globals["all_time_zones"] = all_time_zones

    @app.template_filter("time_zone_label")
    def time_zone_label(zone_name: str) -> Markup:
        return Markup('<span class="tz-label">{}</span>').format(zone_name)
