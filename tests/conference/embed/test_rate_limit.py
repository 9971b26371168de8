"""The embedded agenda's rate limit (RATELIMIT_EMBED): renders per client address are counted,
pages served from the kept copy are neither counted nor refused, and a render past the limit
shows a small page in the frame."""

from __future__ import annotations

import time
import uuid
from types import SimpleNamespace

import limits.storage.memory
import pytest
import redis

from conference.config import RATE_LIMIT_DEFAULTS, config_from_environment
from conference.extensions import db as _db
from tests.conftest import TEST_REDIS_URL, _empty_all_tables, make_test_app, require_redis
from tests.factories import ConferenceFactory, ScheduleVersionFactory

EMBED = "/c/summit/embed/agenda"


@pytest.fixture
def limited_app(sqlite_database_url):
    """Build apps with rate limits on and a published conference "summit"."""
    made = []

    def _make(**overrides):
        settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
        settings.update(overrides)
        app = make_test_app(sqlite_database_url, **settings)
        with app.app_context():
            if not made:
                conference = ConferenceFactory(slug="summit", name="Summit", time_zone="Europe/London")
                ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
                _db.session.commit()
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


def _day(client, number: int, **kwargs):
    """A day's agenda: each day is an address of its own, so each is a render of its own."""
    return client.get(EMBED, query_string={"view": "day", "day": f"2027-03-{number:02d}"}, **kwargs)


def test_renders_beyond_the_limit_get_a_small_page_the_frame_can_show(limited_app):
    app = limited_app(RATELIMIT_EMBED="3 per minute")
    client = app.test_client()

    assert [_day(client, number).status_code for number in (1, 2, 3)] == [200, 200, 200]
    refused = _day(client, 4)

    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "The agenda is busy right now." in html
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 61
    assert f'<meta http-equiv="refresh" content="{retry_after}">' in html  # comes back by itself
    assert '<a href="/c/summit/agenda/">Open the full agenda</a>' in html  # in a new tab (base)
    # Not the site's own error page: that one may not be framed by another site.
    assert "frame-ancestors 'self' *" in refused.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in refused.headers
    assert "<nav" not in html
    assert "no-store" in refused.headers["Cache-Control"]


def test_kept_pages_and_unchanged_copies_are_not_counted(limited_app):
    app = limited_app(RATELIMIT_EMBED="2 per minute")
    client = app.test_client()

    first = _day(client, 1)
    kept = [_day(client, 1).status_code for _ in range(10)]
    unchanged = [_day(client, 1, headers={"If-None-Match": first.headers["ETag"]}).status_code for _ in range(10)]

    assert first.status_code == 200
    assert kept == [200] * 10
    assert unchanged == [304] * 10
    # One render counted so far: one more is allowed, the next is not.
    assert _day(client, 2).status_code == 200
    assert _day(client, 3).status_code == 429


def test_kept_pages_are_served_to_an_address_past_its_limit(limited_app):
    # A whole office behind one proxy: one reader used up the renders, the others still read
    # every page already kept.
    app = limited_app(RATELIMIT_EMBED="2 per minute")
    office = [_client_from(app, "203.0.113.9") for _ in range(3)]
    first, second = _day(office[0], 1), _day(office[0], 2)
    assert _day(office[0], 3).status_code == 429

    for reader in office:
        again = _day(reader, 1)
        unchanged = _day(reader, 2, headers={"If-None-Match": second.headers["ETag"]})
        assert again.status_code == 200
        assert again.get_data() == first.get_data()
        assert again.headers["ETag"] == first.headers["ETag"]
        assert unchanged.status_code == 304
        assert "Retry-After" not in again.headers
    # New renders are still refused, each with when to come back.
    refused = _day(office[1], 4)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "The agenda is busy right now." in refused.get_data(as_text=True)


def test_with_caching_off_every_request_renders_and_counts(limited_app):
    app = limited_app(RATELIMIT_EMBED="2 per minute", AGENDA_CACHE_SECONDS=0)
    client = app.test_client()

    assert [_day(client, 1).status_code for _ in range(3)] == [200, 200, 429]


def test_wrong_addresses_are_counted_as_they_cost_a_look_up(limited_app):
    app = limited_app(RATELIMIT_EMBED="2 per minute")
    client = app.test_client()

    assert client.get(EMBED, query_string={"limit": "99"}).status_code == 400
    assert client.get("/c/nowhere/embed/agenda").status_code == 404
    assert _day(client, 1).status_code == 429
    assert client.get(EMBED, query_string={"limit": "98"}).status_code == 429
    refused = client.get("/c/nowhere/embed/agenda")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers


def test_refused_renders_are_not_counted(limited_app, monkeypatch):
    app = limited_app(RATELIMIT_EMBED="2 per minute; 3 per hour")
    client = app.test_client()

    assert [_day(client, number).status_code for number in (1, 2, 3, 4, 5)] == [200, 200, 429, 429, 429]
    # A minute later: the three refusals took nothing from the hour's three, so one is left.
    a_minute_later = time.time() + 61
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=lambda: a_minute_later))
    assert _day(client, 6).status_code == 200
    refused = _day(client, 7)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 60  # back when the hour's allowance is


def test_an_unreachable_storage_counts_renders_in_this_process(limited_app):
    app = limited_app(
        RATELIMIT_EMBED="2 per minute",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",
        RATELIMIT_KEY_PREFIX=f"conference-test-{uuid.uuid4().hex}",
    )
    client = app.test_client()

    assert [_day(client, number).status_code for number in (1, 2, 3)] == [200, 200, 429]
    assert _day(client, 1).status_code == 200  # kept


def test_each_client_address_has_its_own_allowance(limited_app):
    app = limited_app(RATELIMIT_EMBED="1 per minute")
    first, second = _client_from(app, "198.51.100.1"), _client_from(app, "198.51.100.2")

    assert [_day(first, 1).status_code, _day(first, 2).status_code] == [200, 429]
    assert _day(second, 3).status_code == 200


def test_behind_a_trusted_proxy_readers_are_counted_by_the_address_it_saw(limited_app):
    app = limited_app(RATELIMIT_EMBED="1 per minute", PROXY_COUNT=1)
    proxy = _client_from(app, "10.0.0.1")

    def render(number: int, spoofed: str, real: str) -> int:
        return _day(proxy, number, headers={"X-Forwarded-For": f"{spoofed}, {real}"}).status_code

    assert render(1, "192.0.2.1", "203.0.113.7") == 200
    assert render(2, "192.0.2.2", "203.0.113.7") == 429  # a made-up entry is no new client
    assert render(3, "192.0.2.3", "203.0.113.8") == 200


def test_the_limit_is_off_with_rate_limiting_off(limited_app):
    app = limited_app(RATELIMIT_ENABLED=False, RATELIMIT_EMBED="1 per minute")
    client = app.test_client()

    assert [_day(client, number).status_code for number in range(1, 6)] == [200] * 5


def test_the_default_is_generous_and_the_environment_overrides_it(monkeypatch, tmp_path):
    monkeypatch.delenv("RATELIMIT_EMBED", raising=False)
    assert config_from_environment(tmp_path, need_secret=False)["RATELIMIT_EMBED"] == "300 per minute"
    assert RATE_LIMIT_DEFAULTS["RATELIMIT_EMBED"] == "300 per minute"

    monkeypatch.setenv("RATELIMIT_EMBED", "50 per minute; 1000 per hour")
    assert config_from_environment(tmp_path, need_secret=False)["RATELIMIT_EMBED"] == "50 per minute; 1000 per hour"


def test_redis_storage_shares_the_count_between_app_instances(limited_app):
    require_redis()
    prefix = f"conference-test-{uuid.uuid4().hex}"
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    settings = {
        "RATELIMIT_EMBED": "2 per minute",
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    try:
        first = limited_app(**settings)
        client = first.test_client()
        assert [_day(client, 1).status_code, _day(client, 2).status_code] == [200, 200]
        assert any(prefix in key.decode() for key in connection.scan_iter(match=f"*{prefix}*"))
        # Another worker keeps its own pages (nothing kept yet) but shares the count.
        second = limited_app(**settings)
        assert _day(second.test_client(), 1).status_code == 429
    finally:
        keys = list(connection.scan_iter(match=f"*{prefix}*"))
        if keys:
            connection.delete(*keys)
        connection.close()
