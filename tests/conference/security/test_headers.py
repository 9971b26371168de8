"""Security headers, cookie flags, Vary: Cookie, and templates free of inline script and style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conference.extensions import db as _db
from tests.conftest import _empty_all_tables, make_test_app
from tests.factories import ConferenceFactory, TrackFactory, UserFactory

REPOSITORY = Path(__file__).resolve().parents[3]
TEMPLATES = REPOSITORY / "templates"
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# What a Content-Security-Policy without 'unsafe-inline' would block in a page.
INLINE_PATTERNS = {
    "inline <script> without src": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event-handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)


def _markup_only(template: str) -> str:
    """The template with Jinja tags blanked (line breaks kept), so only its HTML is scanned."""
    return JINJA.sub(lambda match: "\n" * match.group().count("\n") + " x ", template)


def _policy(response) -> dict[str, str]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def _app_with(database_url, **overrides):
    return make_test_app(database_url, **overrides)


@pytest.fixture
def extra_apps(sqlite_database_url):
    """Apps with other settings (HTTPS, proxies); cleaned like the ``app`` fixture."""
    made = []

    def _make(**overrides):
        app = make_test_app(sqlite_database_url, **overrides)
        made.append(app)
        return app

    yield _make
    for app in made:
        with app.app_context():
            _empty_all_tables()
            _db.session.remove()
            _db.engine.dispose()


def test_templates_have_no_inline_script_style_or_handlers():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = _markup_only(path.read_text(encoding="utf-8"))
        for label, pattern in INLINE_PATTERNS.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(REPOSITORY)}:{line}: {label}")
    assert found == [], "Move these into static/js or static/css:\n" + "\n".join(found)


@pytest.mark.parametrize("path", ["/", "/login", "/static/css/app.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, db, path):
    response = client.get(path)
    response.close()
    policy = _policy(response)
    for name, value in CSP_DIRECTIVES.items():
        assert policy[name] == value, name
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_error_pages_carry_the_security_headers(client, db):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400
    assert _policy(response)["script-src"] == "'self'"


def test_hsts_is_sent_over_https_only(client, db):
    secure = client.get("/", base_url="https://conference.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_follows_the_trusted_proxy_scheme(extra_apps):
    behind_proxy = extra_apps(PROXY_COUNT=1).test_client()
    via_https = behind_proxy.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in via_https.headers
    no_proxy = extra_apps(PROXY_COUNT=0).test_client()
    spoofed = no_proxy.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def _set_cookies(response) -> dict[str, str]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookies[header.split("=", 1)[0]] = header
    return cookies


def _log_in(client, app, remember: bool = False):
    with app.app_context():
        user = UserFactory()
        _db.session.commit()
        email = user.email
    data = {"email": email, "password": "correct horse battery"}
    if remember:
        data["remember_me"] = "y"
    return client.post("/login", data=data)


def test_cookies_are_httponly_and_samesite_lax_without_secure_over_http(app, client, db):
    cookies = _set_cookies(_log_in(client, app, remember=True))
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
        assert "Secure" not in cookies[name]


def test_cookies_are_secure_when_public_url_is_https(extra_apps):
    app = extra_apps(PUBLIC_URL="https://planner.example.com")
    cookies = _set_cookies(_log_in(app.test_client(), app, remember=True))
    for name in ("session", "remember_token"):
        assert "Secure" in cookies[name]
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]


def test_session_cookie_is_secure_on_an_https_request(app, client, db):
    with app.app_context():
        user = UserFactory()
        _db.session.commit()
        email = user.email
    response = client.post(
        "/login",
        data={"email": email, "password": "correct horse battery"},
        base_url="https://conference.test",
    )
    assert "Secure" in _set_cookies(response)["session"]


def test_pages_for_a_logged_in_person_vary_on_cookie(client, login):
    login()
    assert "Cookie" in client.get("/").vary
    assert "Cookie" in client.get("/account").vary


def test_anonymous_pages_built_from_the_time_zone_cookie_vary_on_cookie(client, db):
    assert "Cookie" in client.get("/").vary


def test_static_files_and_token_feeds_do_not_vary_on_cookie(client, db, login):
    from conference.feeds.operations import feed_token_for

    user = login()
    conference = ConferenceFactory()
    token = feed_token_for(user, conference)
    _db.session.commit()
    with client.get("/static/css/app.css") as static_file:
        assert "Cookie" not in static_file.vary
    feed = client.get(f"/c/{conference.slug}/feeds/{token.token}/starred.ics")
    assert feed.status_code == 200
    assert "Cookie" not in feed.vary


def test_track_stylesheet_defines_each_valid_track_colour(client, db):
    conference = ConferenceFactory()
    good = TrackFactory(conference=conference, name="Platform", colour="#A1B2C3")
    broken = TrackFactory(conference=conference, name="Broken", colour="red;}")
    other = TrackFactory(conference=ConferenceFactory(), name="Elsewhere", colour="#000000")
    _db.session.commit()
    response = client.get(f"/c/{conference.slug}/tracks.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert f".track-colour-{good.id} {{ --track-colour: #a1b2c3; }}" in css
    assert f"track-colour-{broken.id}" not in css and "red" not in css
    assert f"track-colour-{other.id}" not in css
    again = client.get(
        f"/c/{conference.slug}/tracks.css", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/c/no-such-conference/tracks.css").status_code == 404


def test_conference_pages_link_the_track_stylesheet_and_use_classes(client, db):
    conference = ConferenceFactory()
    track = TrackFactory(conference=conference, name="Platform", colour="#a1b2c3")
    _db.session.commit()
    body = client.get(f"/c/{conference.slug}/").get_data(as_text=True)
    assert f'href="/c/{conference.slug}/tracks.css"' in body
    assert f'class="track-swatch track-colour-{track.id}"' in body
    assert "style=" not in body
