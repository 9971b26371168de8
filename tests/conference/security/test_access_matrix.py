"""Every route x every role x GET/POST answers as access_expectations.py says.

The routes come from the app's URL map, so a new route without an entry in the expectations
fails here by name. Refused requests must not write to the database at all.

The full matrix runs on SQLite from the `fresh` world (see conftest.py), which keeps one case
per route cheap; a sample of routes runs on PostgreSQL with the usual fixtures.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from conference.extensions import db as _db
from conference.mail.models import OutboxMessage
from tests.conference.security.access_expectations import (
    ALLOWED,
    DENIED,
    EXPECTATIONS,
    LOGIN,
    OK,
    REDIRECT,
)
from tests.conference.security.conftest import (
    HOST,
    OTHER_SPEAKER_NAME,
    ROLES,
    SPEAKER_BIO,
    SPEAKER_NAME,
    TALK_TITLE,
    build_world,
    log_in_everyone,
    url_rules,
    url_values,
)
from tests.conftest import _empty_all_tables, make_test_app

CHECKED_METHODS = ("GET", "POST")


RULES = url_rules()
RULE_IDS = [f"{rule.endpoint}:{rule.rule}" for rule in RULES]


def _methods(rule) -> set[str]:
    return set(rule.methods) - {"HEAD", "OPTIONS"}


def test_every_route_has_expectations():
    missing = sorted({rule.endpoint for rule in RULES} - set(EXPECTATIONS))
    assert not missing, (
        f"Routes without access expectations (add them to access_expectations.py): {missing}"
    )
    stale = sorted(set(EXPECTATIONS) - {rule.endpoint for rule in RULES})
    assert not stale, f"Expectations for routes that no longer exist: {stale}"
    wrong = [
        f"{rule.endpoint} {rule.rule}: route has {sorted(_methods(rule))}, "
        f"expectations cover {sorted(EXPECTATIONS[rule.endpoint].methods())}"
        for rule in RULES
        if _methods(rule) != set(EXPECTATIONS[rule.endpoint].methods())
    ]
    assert not wrong, "\n".join(wrong)


# --- checking one route ------------------------------------------------------------------------


def _url(rule, values: dict[str, object]) -> str:
    overrides = EXPECTATIONS[rule.endpoint].values
    built = {}
    for name in rule.arguments:
        source = overrides.get(name, name)
        if source not in values:
            pytest.fail(
                f"{rule.endpoint}: no world object for <{name}>; add it to url_values() or the route's values"
            )
        built[name] = values[source]
    _domain, path = rule.build(built, append_unknown=False)
    return path


def _answered_by_another_route(app, url: str, method: str, rule) -> bool:
    """True when ``method`` on ``url`` reaches another route (e.g. /password-reset/<token>)."""
    try:
        endpoint, _values = app.url_map.bind(HOST).match(url, method=method)
    except HTTPException:
        return False
    return endpoint != rule.endpoint


def _goes_to_login(response) -> bool:
    return urlsplit(response.headers.get("Location", "")).path == "/login"


def _matches(outcome: str, response) -> bool:
    status = response.status_code
    if outcome == OK:
        return status == 200
    if outcome == LOGIN:
        return status == 302 and _goes_to_login(response)
    if outcome == REDIRECT:
        return status in (302, 303) and not _goes_to_login(response)
    if outcome == ALLOWED:
        if status in (302, 303):
            return not _goes_to_login(response)
        return status in (200, 201, 204, 304, 400, 409, 422)
    return str(status) == outcome


@contextmanager
def _recording_writes():
    """Collect every INSERT, UPDATE and DELETE sent to the database inside the block."""
    writes: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement.split("\n", 1)[0][:120])

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _describe(response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


def check_route(app, rule, values, clients, restart) -> list[str]:
    """Every role's answer to GET and POST on ``rule``; returns the mismatches.

    ``restart()`` gives an untouched world (values, clients) for routes that need one per role.
    """
    if rule.endpoint not in EXPECTATIONS:
        pytest.fail(
            f"Route {rule.endpoint} ({rule.rule}) has no access expectations in access_expectations.py"
        )
    route = EXPECTATIONS[rule.endpoint]
    url = _url(rule, values)
    problems = []
    for method in CHECKED_METHODS:
        access = route.methods().get(method)
        if access is None:
            if _answered_by_another_route(app, url, method, rule):
                continue
            for role in ("anonymous", "organiser"):
                response = clients[role].open(url, method=method)
                response.close()
                if response.status_code != 405:
                    problems.append(
                        f"{method} {url} as {role}: expected 405, got {_describe(response)}"
                    )
            continue
        acted = False
        # Refusals first, on an untouched world; then the roles that may act.
        for role in sorted(ROLES, key=lambda name: (access[name] not in DENIED, ROLES.index(name))):
            outcome = access[role]
            if outcome not in DENIED and acted and route.fresh_world_per_role:
                values, clients = restart()
                url = _url(rule, values)
            with _recording_writes() as writes:
                response = clients[role].open(url, method=method)
            response.close()
            if response.status_code >= 500 or not _matches(outcome, response):
                problems.append(
                    f"{method} {url} as {role}: expected {outcome}, got {_describe(response)}"
                )
            elif outcome in DENIED and writes:
                problems.append(f"{method} {url} as {role} was refused but wrote: {writes}")
            acted = acted or outcome not in DENIED
    return problems


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_route_answers_every_role_as_expected(fresh, rule):
    def restart():
        fresh.restore()
        return fresh.values, fresh.clients()

    problems = check_route(fresh.app, rule, fresh.values, fresh.clients(), restart)
    assert not problems, "\n".join(problems)


# Routes whose access checks lean on the database the most (joins, EXISTS, scoped loads).
POSTGRESQL_SAMPLE = (
    "reviews.review",
    "reviews.declare_conflict",
    "proposals.edit",
    "decisions.confirmation",
    "materials.manage",
    "feedback.give",
    "drafts.move_talk",
    "interest.talk",
    "feeds.personal_feed",
    "archive.attach_topic",
    "organisers.edit_hub",
    "mail.retry",
)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(
    "rule",
    [rule for rule in RULES if rule.endpoint in POSTGRESQL_SAMPLE],
    ids=[
        rule_id
        for rule, rule_id in zip(RULES, RULE_IDS, strict=True)
        if rule.endpoint in POSTGRESQL_SAMPLE
    ],
)
def test_route_answers_every_role_as_expected_on_postgresql(app, db, world, clients, rule):
    def restart():
        db.session.remove()
        _empty_all_tables()
        rebuilt = build_world(db)
        return url_values(rebuilt), log_in_everyone(app, rebuilt)

    problems = check_route(app, rule, url_values(world), clients, restart)
    assert not problems, "\n".join(problems)


def test_every_post_route_refuses_a_missing_csrf_token(fresh):
    """With CSRF protection on (as in production), a POST without the token is a 400 everywhere."""
    protected = make_test_app(fresh.app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    clients = {"anonymous": protected.test_client(), "organiser": protected.test_client()}
    clients["organiser"].set_cookie("session", fresh.sessions["organiser"], domain=HOST)
    problems = []
    for rule in RULES:
        if "POST" not in rule.methods:
            continue
        url = _url(rule, fresh.values)
        for role, client in clients.items():
            # Refused before any view runs; the request then rolls back as every 4xx does.
            response = client.post(url, data={"name": "x"})
            response.close()
            if response.status_code != 400:
                problems.append(f"POST {url} as {role}: {_describe(response)}")
    with protected.app_context():
        _db.engine.dispose()
    assert not problems, "\n".join(problems)


# --- anonymised review and conflicts -------------------------------------------------------------


def _reviewer_pages(values) -> list[str]:
    base = f"/c/{values['slug']}/reviews"
    return [
        f"{base}/",
        f"{base}/?status=to-do",
        f"{base}/?status=done",
        f"{base}/next",
        f"{base}/preferences",
        f"{base}/{values['proposal_id']}",
        f"{base}/{values['other_talk']}",
        f"{base}/{values['submission']}",
    ]


def _visit(client, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.get_data(as_text=True)


def test_reviewer_pages_never_name_the_speakers_when_review_is_anonymised(fresh):
    clients = fresh.clients()
    for role in ("reviewer", "conflicted_reviewer"):
        for url in _reviewer_pages(fresh.values):
            text = _visit(clients[role], url)
            for name in (SPEAKER_NAME, OTHER_SPEAKER_NAME, "speaker@example.com", SPEAKER_BIO):
                assert name not in text, (role, url, name)


def test_reviewer_pages_name_the_speakers_when_review_is_not_anonymised(fresh):
    from conference.conferences.models import Conference

    conference = _db.session.get(
        Conference,
        _db.session.scalar(
            _db.select(Conference.id).where(Conference.slug == fresh.values["slug"])
        ),
    )
    conference.settings = {**conference.settings, "anonymised_review": False}
    _db.session.commit()
    text = _visit(
        fresh.clients()["reviewer"],
        f"/c/{fresh.values['slug']}/reviews/{fresh.values['proposal_id']}",
    )
    assert SPEAKER_NAME in text


def test_conflicted_reviewer_never_sees_the_proposal_title(fresh):
    clients = fresh.clients()
    for url in _reviewer_pages(fresh.values):
        assert TALK_TITLE not in _visit(clients["conflicted_reviewer"], url), url
    # The reviewer without the conflict does see it, so the check above can fail.
    assert TALK_TITLE in _visit(clients["reviewer"], f"/c/{fresh.values['slug']}/reviews/")


def test_review_reminders_name_neither_speakers_nor_conflicted_titles(fresh):
    response = fresh.clients()["organiser"].post(
        f"/c/{fresh.values['slug']}/manage/reminders/review"
    )
    assert response.status_code == 302
    reminders = [
        message
        for message in _db.session.scalars(_db.select(OutboxMessage))
        if message.recipient in {"reviewer@example.com", "conflicted@example.com"}
    ]
    assert reminders, "no review reminders were queued"
    for message in reminders:
        text = message.subject + message.body
        assert SPEAKER_NAME not in text and OTHER_SPEAKER_NAME not in text
        if message.recipient == "conflicted@example.com":
            assert TALK_TITLE not in text


def test_ids_of_one_conference_are_not_found_at_another(fresh):
    """The other conference's organiser, at their own conference, with this world's ids: 404."""
    other = fresh.clients()["other_organiser"]
    slug, other_slug = fresh.values["slug"], fresh.values["other_slug"]
    problems = []
    for rule in RULES:
        if not rule.rule.startswith("/c/<slug>/") or not set(rule.arguments) - {
            "slug",
            "kind",
            "day",
            "token",
        }:
            continue  # nothing but the conference itself in the URL
        url = _url(rule, fresh.values).replace(f"/c/{slug}/", f"/c/{other_slug}/", 1)
        for method, access in EXPECTATIONS[rule.endpoint].methods().items():
            if access["organiser"] in DENIED:
                continue  # organisers may not use it at all: the matrix covers that
            with _recording_writes() as writes:
                response = other.open(url, method=method)
            response.close()
            if response.status_code != 404:
                problems.append(f"{method} {url}: expected 404, got {_describe(response)}")
            elif writes:
                problems.append(f"{method} {url} was refused but wrote: {writes}")
    assert not problems, "\n".join(problems)
