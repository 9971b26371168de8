"""Request-wide behaviour: one commit per request, hostile-input guards, errors, templates."""

from __future__ import annotations

import math
import time
from datetime import datetime

from flask import Flask, abort, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from conference.core.markdown import render_markdown
from conference.core.timezones import (
    all_time_zones,
    instant_text,
    is_valid_time_zone,
    span_text,
    to_zone,
)
from conference.core.types import MAX_ID
from conference.extensions import db, limiter, login_manager

TIME_ZONE_COOKIE = "tz"

# No inline script or style anywhere: pages load only this site's own files.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
HSTS_MAX_AGE = 365 * 24 * 60 * 60


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
        # The page now depends on a cookie: shared caches must key on it.
        g.varies_on_cookie = True
        cookie = request.cookies.get(TIME_ZONE_COOKIE, "") if request else ""
        zone_name = cookie if is_valid_time_zone(cookie) else "UTC"
    g.viewer_time_zone = zone_name
    return zone_name


def format_instant(
    instant: datetime | None, zone_name: str | None = None, pattern: str = "%a %d %b %Y, %H:%M"
) -> str:
    """Wall-clock text for an instant in the viewer's (or the given) zone; a time of day on a
    day the clocks change there carries its UTC offset, as a wall time may then come twice
    (``Sun 27 Oct 2024, 01:30 UTC+01:00``) or be skipped."""
    if instant is None:
        return ""
    zone_name = zone_name or viewer_time_zone()
    if "%H" in pattern or "%I" in pattern:
        return instant_text(instant, zone_name, pattern)
    return to_zone(instant, zone_name).strftime(pattern)


def format_span(
    starts_at: datetime, ends_at: datetime, zone_name: str | None = None, date_pattern: str | None = None
) -> str:
    """``10:00–10:30`` (after ``date_pattern`` and a comma when given) in the viewer's (or the
    given) zone, with offsets as ``core.timezones.span_text`` gives them."""
    return span_text(starts_at, ends_at, zone_name or viewer_time_zone(), date_pattern)


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
    # A deactivated account's sessions end at their next request (conference.admin).
    if not user.is_active:
        return None
    return user


def _depends_on_session(session) -> bool:
    """Whether this response was shaped by the login, the session or a cookie-chosen zone."""
    # Flask-Login caches the user on ``g`` once a view or template asked who is logged in,
    # anonymous or not: both answers change the page. Every template is given the user, so a
    # view whose page never reads it says so (``g.same_for_everyone``, the embedded agenda).
    if session.modified:
        return True
    if g.get("same_for_everyone"):
        return False
    return "_login_user" in g or bool(g.get("varies_on_cookie"))


def add_security_headers(response):
    """Headers every response carries; HSTS only where the browser reached us over HTTPS."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if not g.get("frameable"):
        # Older browsers' word for frame-ancestors 'none'; a page meant for other sites' frames
        # (the embedded agenda) sets ``g.frameable`` and its own policy.
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Secure cookies over HTTPS; ``Vary: Cookie`` only where the session shaped the response."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or bool(request and request.is_secure)

    def open_session(self, app: Flask, request):
        # No cookie, nothing to verify: skip building the signing serializer (key
        # derivation), a sixth of what serving a cached feed to a calendar app costs.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        # Flask marks every session touched through the proxy as accessed, and Flask-Login
        # reads it after every request; that alone would put Vary: Cookie on static files
        # and token feeds. Views that add Vary themselves keep it.
        session.accessed = _depends_on_session(session)
        super().save_session(app, session, response)


def _retry_after_seconds() -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` for ids: only values an INTEGER column can hold, so a larger one is a 404.

    Werkzeug's own converter takes any length of digits, and SQLite cannot even compare a
    value beyond 64 bits (OverflowError, a 500).
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules: every <int:...> in a URL is bounded.
    app.url_map.converters["int"] = DatabaseIdConverter
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        # Trust exactly the hops we run: the client's own X-Forwarded-* entries are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    if str(app.config.get("PUBLIC_URL") or "").startswith("https://"):
        # Served over HTTPS: no cookie of ours may travel over plain HTTP.
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    app.session_interface = SessionInterface()

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
        if not db.session.registry.has():
            # No session was opened (e.g. a feed served from memory): nothing to commit.
            return response
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    app.after_request(add_security_headers)

    @app.errorhandler(RateLimitExceeded)
    def render_rate_limited(error: RateLimitExceeded):
        db.session.rollback()
        retry_after = _retry_after_seconds()
        headers = {"Retry-After": str(retry_after)}
        if request.accept_mimetypes.best == "application/json":
            return {"error": error.name, "retry_after": retry_after}, 429, headers
        page = render_template("errors/error.html", error=error, retry_after=retry_after)
        return page, 429, headers

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
    app.jinja_env.globals["local_times"] = format_span
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["viewer_time_zone"] = viewer_time_zone
    app.jinja_env.globals["all_time_zones"] = all_time_zones

    @app.template_filter("time_zone_label")
    def time_zone_label(zone_name: str) -> Markup:
        return Markup('<span class="tz-label">{}</span>').format(zone_name)
