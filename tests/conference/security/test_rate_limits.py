"""Flask-Limiter on login, registration and password reset, keyed by the real client address."""

from __future__ import annotations

import uuid

import pytest
import redis

from conference.extensions import db as _db
from tests.conftest import TEST_REDIS_URL, _empty_all_tables, make_test_app, require_redis

REDIS_URL = TEST_REDIS_URL


@pytest.fixture
def limited_app(sqlite_database_url):
    """Build apps with rate limits on (one database: the limiter does not touch it)."""
    made = []

    def _make(**overrides):
        settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
        settings.update(overrides)
        app = make_test_app(sqlite_database_url, **settings)
        made.append(app)
        return app

    yield _make
    for app in made:
        with app.app_context():
            _empty_all_tables()
            _db.session.remove()
            _db.engine.dispose()


def _client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _log_in_badly(client, **kwargs):
    return client.post(
        "/login", data={"email": "nobody@example.com", "password": "wrong password"}, **kwargs
    )


def test_login_beyond_the_limit_gets_friendly_429_with_retry_after(limited_app):
    app = limited_app(RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    assert [_log_in_badly(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = _log_in_badly(client)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert "script-src 'self'" in refused.headers["Content-Security-Policy"]


def test_viewing_the_login_form_is_not_counted(limited_app):
    app = limited_app(RATELIMIT_LOGIN="2 per minute")
    client = app.test_client()
    for _ in range(5):
        assert client.get("/login").status_code == 200
    assert _log_in_badly(client).status_code == 200


def test_rate_limited_json_client_gets_json_error(limited_app):
    app = limited_app(RATELIMIT_LOGIN="1 per minute")
    client = app.test_client()
    _log_in_badly(client)
    refused = _log_in_badly(client, headers={"Accept": "application/json"})
    assert refused.status_code == 429
    assert refused.get_json()["retry_after"] >= 1


def test_registration_is_limited(limited_app):
    app = limited_app(RATELIMIT_REGISTER="2 per hour")
    client = app.test_client()
    bad = {"email": "not an address", "display_name": "X", "time_zone": "UTC"}
    assert client.post("/register", data=bad).status_code == 200
    assert client.post("/register", data=bad).status_code == 200
    assert client.post("/register", data=bad).status_code == 429


def test_password_reset_request_is_limited_per_client(limited_app):
    app = limited_app(RATELIMIT_PASSWORD_RESET="2 per minute")
    client = app.test_client()
    for number in range(2):
        response = client.post("/password-reset", data={"email": f"p{number}@example.com"})
        assert response.status_code == 302
    refused = client.post("/password-reset", data={"email": "p9@example.com"})
    assert refused.status_code == 429


def test_password_reset_request_is_limited_per_email_across_clients(limited_app):
    app = limited_app(RATELIMIT_PASSWORD_RESET_PER_EMAIL="2 per hour")
    statuses = [
        _client_from(app, f"198.51.100.{number}")
        .post("/password-reset", data={"email": "Target@Example.com "})
        .status_code
        for number in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_spoofed_forwarded_for_entries_do_not_reset_the_counter(limited_app):
    app = limited_app(RATELIMIT_LOGIN="3 per minute", PROXY_COUNT=1)
    # The proxy at 10.0.0.1 appends the address it saw (203.0.113.7) to whatever the client sent.
    proxy = _client_from(app, "10.0.0.1")

    def attempt(spoofed: str, real: str = "203.0.113.7"):
        return _log_in_badly(proxy, headers={"X-Forwarded-For": f"{spoofed}, {real}"}).status_code

    assert [attempt(f"192.0.2.{n}, 198.51.100.{n}") for n in range(3)] == [200, 200, 200]
    assert attempt("192.0.2.200") == 429
    assert attempt("1.2.3.4, 5.6.7.8, 9.9.9.9") == 429
    # Another real client behind the same proxy has its own allowance.
    assert attempt("192.0.2.1", real="203.0.113.8") == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(limited_app):
    app = limited_app(RATELIMIT_LOGIN="2 per minute", PROXY_COUNT=0)
    client = app.test_client()
    for number in range(2):
        _log_in_badly(client, headers={"X-Forwarded-For": f"192.0.2.{number}"})
    assert _log_in_badly(client, headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429


def test_redis_storage_shares_counts_between_app_instances(limited_app):
    require_redis()
    prefix = f"conference-test-{uuid.uuid4().hex}"
    connection = redis.Redis.from_url(REDIS_URL)
    settings = {
        "RATELIMIT_LOGIN": "2 per minute",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    try:
        first = limited_app(**settings)
        assert [_log_in_badly(first.test_client()).status_code for _ in range(2)] == [200, 200]
        assert any(prefix in key.decode() for key in connection.scan_iter(match=f"*{prefix}*"))
        # A second instance (another worker) starts with fresh in-process state and a new
        # storage connection, yet sees the first one's count.
        second = limited_app(**settings)
        assert _log_in_badly(second.test_client()).status_code == 429
        # A different prefix is a different deployment: its counts are separate.
        other = limited_app(**{**settings, "RATELIMIT_KEY_PREFIX": prefix + "-other"})
        assert _log_in_badly(other.test_client()).status_code == 200
    finally:
        keys = list(connection.scan_iter(match=f"*{prefix}*"))
        if keys:
            connection.delete(*keys)
        connection.close()


def test_unreachable_redis_falls_back_to_counting_in_process(limited_app):
    app = limited_app(RATELIMIT_LOGIN="2 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")
    client = app.test_client()
    assert [_log_in_badly(client).status_code for _ in range(3)] == [200, 200, 429]
