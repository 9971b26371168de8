"""The agenda cache's Redis layer: pages and the change counter shared by every process.

Each "process" here is its own app instance on the same database (its own in-memory cache
and version memo), as gunicorn workers are.
"""

from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import event

from conference.agenda import cache as agenda_cache
from conference.conferences.models import Room
from tests.conference.agenda.conftest import make_talk, utc
from tests.conference.mail.conftest import free_port
from tests.conftest import TEST_REDIS_URL, make_test_app, require_redis

REDIS_URL = TEST_REDIS_URL
DAY = "/c/summit/agenda/2027-03-12"


@pytest.fixture
def redis_prefix():
    require_redis()
    prefix = f"conference-test-{uuid.uuid4().hex}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter(match=f"{prefix}:*"))
    if keys:
        connection.delete(*keys)
    connection.close()


@pytest.fixture
def worker(app, db):
    """Makes app instances ("gunicorn workers") on the test's database."""
    made = []

    def _make(**settings):
        instance = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], create_schema=False, **settings)
        made.append(instance)
        return instance

    yield _make
    for instance in made:
        layer = instance.extensions.get("agenda_shared")
        if layer is not None:
            layer.close()
        with instance.app_context():
            db.session.remove()
            db.engine.dispose()


def _statements_of(db, instance, path: str) -> tuple[str, list[str]]:
    with instance.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = instance.test_client().get(path).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return page, statements


def test_a_page_one_worker_rendered_is_not_rendered_again_by_another(
    db, places, published, worker, redis_prefix
):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Shared talk")
    db.session.commit()
    settings = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": redis_prefix}
    first, second = worker(**settings), worker(**settings)
    path = f"/c/summit/agenda/talks/{talk.proposal_id}"

    rendered, rendering = _statements_of(db, first, path)
    served, serving = _statements_of(db, second, path)

    assert served == rendered
    assert "Shared talk" in served
    assert any("proposals" in statement for statement in rendering)
    # The second worker only read the published version: the page came from Redis.
    assert len(serving) == 1 and "schedule_versions" in serving[0]
    assert "proposals" not in serving[0].split("FROM", 1)[0]


def test_a_change_committed_by_one_worker_retires_the_others_pages_at_once(
    db, places, published, worker, redis_prefix, monkeypatch
):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    settings = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": redis_prefix, "AGENDA_VERSION_CHECK_SECONDS": 0}
    editor, reader = worker(**settings), worker(**settings)
    without_redis = worker(AGENDA_VERSION_CHECK_SECONDS=0)
    talk_page = f"/c/summit/agenda/talks/{talk.proposal_id}"
    for instance in (reader, without_redis):
        assert "Thames" in instance.test_client().get(DAY).get_data(as_text=True)
        assert "Thames" in instance.test_client().get(talk_page).get_data(as_text=True)
    # The workers here share one Python process, hence one local counter; leave it alone so
    # only what really crosses processes (Redis) can retire the reader's pages.
    monkeypatch.setattr(agenda_cache, "bump_generation", lambda: None)
    room_id = places.thames.id

    with editor.app_context():
        db.session.get(Room, room_id).name = "Severn"
        db.session.commit()

    for path in (DAY, talk_page):
        page = reader.test_client().get(path).get_data(as_text=True)
        assert "Severn" in page and "Thames" not in page
        # A worker without Redis only learns of it when its entries expire (30 s by default).
        assert "Thames" in without_redis.test_client().get(path).get_data(as_text=True)


def test_with_redis_down_pages_are_rendered_and_kept_per_worker(db, places, published, worker):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Still here")
    db.session.commit()
    instance = worker(
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",  # nobody listens there
        CACHE_KEY_PREFIX="unused",
        AGENDA_VERSION_CHECK_SECONDS=60,
    )
    path = f"/c/summit/agenda/talks/{talk.proposal_id}"

    first, _ = _statements_of(db, instance, path)
    again, statements = _statements_of(db, instance, path)

    assert "Still here" in first and again == first
    assert statements == []  # kept in this worker's memory
    with instance.app_context():
        layer = agenda_cache._shared()
        assert layer is not None and not layer.healthy
        # Without the shared counter, another worker's change must show within 30 s.
        assert agenda_cache._seconds(layer) == agenda_cache.DEFAULT_SECONDS


def test_rendered_pages_survive_the_trip_through_redis():
    page = agenda_cache.Rendered.of("<p>Grüße &amp; <!--star:7--></p>", {7: "Café <b>"}, utc(2027, 3, 12, 15))
    assert agenda_cache.Rendered.from_json(page.to_json()) == page
    plain = agenda_cache.Rendered.of("<p>x</p>")
    assert agenda_cache.Rendered.from_json(plain.to_json()) == plain
