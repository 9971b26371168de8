"""API tokens: made and revoked by organisers, shown once, stored as a hash, checked per request."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from conference.api.models import ApiToken
from conference.api.operations import create_api_token
from conference.conferences.models import ConferenceRole, Role
from conference.core.types import utcnow
from conference.extensions import db as _db
from tests.conference.api.conftest import bearer, build_scene
from tests.conference.faults.conftest import logged_in_client, make_user
from tests.conftest import _empty_all_tables, make_test_app
from tests.factories import RoleFactory

SECRET = re.compile(r"cpk_[A-Za-z0-9_-]{43}")
TOKENS_PAGE = "/c/devcon/manage/api-tokens"


def _tokens(db, name: str) -> list[ApiToken]:
    db.session.expire_all()
    return list(db.session.scalars(select(ApiToken).where(ApiToken.name == name)))


def test_organiser_makes_a_token_whose_secret_is_shown_once_and_stored_as_a_hash(
    app, scene, organiser_client, db
):
    response = organiser_client.post(TOKENS_PAGE, data={"name": "  Room displays  "})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secrets_shown = SECRET.findall(page)
    assert len(set(secrets_shown)) == 1, "the new token's secret is on the page"
    secret = secrets_shown[0]

    [token] = _tokens(db, "Room displays")
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.hint == secret[:10]
    assert token.created_by_id == scene.organiser.id
    assert token.conference_id == scene.conference.id
    stored = [str(getattr(token, column.key)) for column in ApiToken.__table__.columns]
    assert not any(secret in value for value in stored), "the secret itself is not stored"

    again = organiser_client.get(TOKENS_PAGE).get_data(as_text=True)
    assert secret not in again
    assert "Room displays" in again and f"{secret[:10]}…" in again

    assert app.test_client().get(scene.url(), headers=bearer(secret)).status_code == 200


def test_a_token_needs_a_name(scene, organiser_client, db):
    response = organiser_client.post(TOKENS_PAGE, data={"name": "   "})
    assert response.status_code == 200
    assert "Name the token after what will use it." in response.get_data(as_text=True)
    assert not SECRET.search(response.get_data(as_text=True))
    assert db.session.scalar(select(ApiToken.id).where(ApiToken.name == "")) is None


def test_a_revoked_token_is_refused_with_401(app, scene, organiser_client, api, db):
    assert api.get(scene.url("tracks")).status_code == 200
    response = organiser_client.post(f"{TOKENS_PAGE}/{scene.token.id}/revoke")
    assert response.status_code == 302
    [token] = _tokens(db, "Intranet sync")
    assert token.revoked_at is not None

    refused = api.get(scene.url("tracks"))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="conference API", error=invalid_token'
    assert refused.get_json()["message"] == "The API token is not valid or was revoked."
    assert "Revoked" in organiser_client.get(TOKENS_PAGE).get_data(as_text=True)


def test_revoking_a_token_leaves_the_others_working(app, scene, organiser_client, db):
    second = organiser_client.post(TOKENS_PAGE, data={"name": "Spreadsheet"})
    other_secret = SECRET.search(second.get_data(as_text=True)).group(0)
    organiser_client.post(f"{TOKENS_PAGE}/{scene.token.id}/revoke")
    client = app.test_client()
    assert client.get(scene.url(), headers=bearer(scene.secret)).status_code == 401
    assert client.get(scene.url(), headers=bearer(other_secret)).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic b2xpdmU6cGFzc3dvcmQ=",
        "Token {secret}",
    ],
)
def test_a_request_without_a_bearer_token_is_401_with_a_bearer_challenge(
    app, scene, authorization
):
    headers = {} if authorization is None else {"Authorization": authorization.format(secret=scene.secret)}
    response = app.test_client().get(scene.url("proposals"), headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="conference API"'
    assert response.get_json() == {
        "error": "Unauthorized",
        "message": "Send an API token in the header: Authorization: Bearer <token>.",
    }


@pytest.mark.parametrize(
    "altered",
    [
        lambda secret: secret[:-1] + ("A" if secret[-1] != "A" else "B"),
        lambda secret: secret + "x",
        lambda secret: secret[4:],
        lambda secret: secret.upper(),
        lambda secret: hashlib.sha256(secret.encode()).hexdigest(),
    ],
    ids=["last-character", "longer", "no-prefix", "upper-case", "the-stored-hash"],
)
def test_an_altered_token_is_401_invalid_token(app, scene, altered):
    response = app.test_client().get(scene.url("proposals"), headers=bearer(altered(scene.secret)))
    assert response.status_code == 401
    assert "error=invalid_token" in response.headers["WWW-Authenticate"]


def test_the_bearer_scheme_is_case_insensitive(app, scene):
    headers = {"Authorization": f"bearer {scene.secret}"}
    assert app.test_client().get(scene.url(), headers=headers).status_code == 200


def test_an_organisers_session_is_not_an_api_credential(scene, organiser_client):
    response = organiser_client.get(scene.url("proposals"))
    assert response.status_code == 401
    assert response.get_json()["error"] == "Unauthorized"


def test_a_token_of_another_conference_is_a_404(app, scene):
    client = app.test_client()
    theirs = client.get(scene.url("proposals"), headers=bearer(scene.other_secret))
    assert theirs.status_code == 404
    assert theirs.get_json()["message"] == (
        "No such conference for this token: a token reads only its own."
    )
    ours_elsewhere = client.get("/api/v1/conferences/othercon/proposals", headers=bearer(scene.secret))
    assert ours_elsewhere.status_code == 404
    unknown = client.get("/api/v1/conferences/nowhere/proposals", headers=bearer(scene.secret))
    assert unknown.status_code == 404
    assert unknown.get_json() == ours_elsewhere.get_json(), "an existing slug looks like a missing one"
    # Without a token, nothing is said about the slug.
    assert client.get("/api/v1/conferences/nowhere/proposals").status_code == 401


def test_last_used_is_written_on_first_use_and_then_at_most_once_a_minute(app, scene, api, db):
    assert _tokens(db, "Intranet sync")[0].last_used_at is None
    api.json(scene.url())
    first = _tokens(db, "Intranet sync")[0].last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=30)

    recently = utcnow() - timedelta(seconds=30)
    token = _tokens(db, "Intranet sync")[0]
    token.last_used_at = recently
    db.session.commit()
    api.json(scene.url())
    assert _tokens(db, "Intranet sync")[0].last_used_at == recently

    long_ago = utcnow() - timedelta(minutes=2)
    token = _tokens(db, "Intranet sync")[0]
    token.last_used_at = long_ago
    db.session.commit()
    api.json(scene.url())
    assert _tokens(db, "Intranet sync")[0].last_used_at > long_ago + timedelta(seconds=60)


def test_api_answers_are_private_uncached_and_set_no_cookie(app, scene, api):
    for response in (
        api.get(scene.url("proposals")),
        api.get(scene.url("proposals", limit=0)),
        app.test_client().get(scene.url("proposals")),
        app.test_client().get("/api/v1/nothing-here"),
    ):
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        assert response.mimetype == "application/json"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_anything_but_get_is_a_json_405(api, scene, method):
    response = api.client.open(scene.url("proposals"), method=method, headers=bearer(scene.secret))
    assert response.status_code == 405
    assert response.get_json()["error"] == "Method Not Allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_an_unknown_api_url_is_a_json_404(api):
    response = api.get("/api/v1/conferences/devcon/sessions")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not Found"


def test_csrf_protection_leaves_get_requests_alone(app, scene, database_url):
    protected = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    assert client.get(scene.url("proposals"), headers=bearer(scene.secret)).status_code == 200
    refused = client.post(scene.url("proposals"), headers=bearer(scene.secret))
    assert refused.status_code == 405
    with protected.app_context():
        _db.engine.dispose()


def test_the_tokens_page_documents_every_endpoint_with_a_curl_example(scene, organiser_client):
    page = organiser_client.get(TOKENS_PAGE).get_data(as_text=True)
    assert 'curl -H "Authorization: Bearer cpk_…"' in page
    base = "http://conference.test/api/v1/conferences/devcon"
    assert f"{base}/proposals?state=accepted,confirmed" in page
    for endpoint in ("", "/proposals", "/speakers", "/reviews", "/schedule", "/rooms", "/tracks"):
        assert f"<code>{base}{endpoint}</code>" in page


def test_manage_pages_link_to_the_tokens_page(scene, organiser_client):
    page = organiser_client.get("/c/devcon/manage/tracks").get_data(as_text=True)
    assert f'href="{TOKENS_PAGE}">API tokens</a>' in page


# --- rate limit ------------------------------------------------------------------------------


@pytest.fixture
def limited(sqlite_database_url):
    """An app with a limit of three API requests a minute, and the scene in its database."""
    app = make_test_app(
        sqlite_database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_API="3 per minute",
    )
    with app.app_context():
        scene = build_scene()
        try:
            yield app, scene
        finally:
            _db.session.remove()
            _empty_all_tables()
            _db.session.remove()
            _db.engine.dispose()


def test_each_token_has_its_own_rate_limit_across_endpoints(limited):
    app, scene = limited
    _second, second_secret = create_api_token(scene.conference, "Second", scene.organiser)
    _db.session.commit()
    client = app.test_client()
    for endpoint in ("proposals", "rooms", "tracks"):
        assert client.get(scene.url(endpoint), headers=bearer(scene.secret)).status_code == 200
    refused = client.get(scene.url("speakers"), headers=bearer(scene.secret))
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "Too Many Requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert client.get(scene.url("speakers"), headers=bearer(second_secret)).status_code == 200


def test_made_up_tokens_share_the_clients_budget(limited):
    """Each invented token would otherwise get a budget of its own and never be limited."""
    app, scene = limited
    client = app.test_client()
    answers = [
        client.get(scene.url("tracks"), headers=bearer(f"cpk_{n:043d}")).status_code for n in range(5)
    ]
    assert answers == [401, 401, 401, 429, 429]
    # A real token keeps its own budget.
    assert client.get(scene.url("tracks"), headers=bearer(scene.secret)).status_code == 200


# --- the maker's role ------------------------------------------------------------------------


def test_a_token_stops_working_when_its_maker_no_longer_organises(app, scene, api, organiser_client, db):
    assert api.get(scene.url("tracks")).status_code == 200
    colleague = make_user(display_name="Cora Colleague")
    RoleFactory(conference=scene.conference, user=colleague, role=Role.ORGANISER)
    role = db.session.scalar(select(ConferenceRole).where(
        ConferenceRole.user_id == scene.organiser.id, ConferenceRole.conference_id == scene.conference.id,
        ConferenceRole.role == Role.ORGANISER))
    db.session.delete(role)
    db.session.commit()

    refused = api.get(scene.url("tracks"))
    assert refused.status_code == 401
    assert refused.get_json()["message"] == "The API token is not valid or was revoked."
    page = logged_in_client(app, colleague).get(TOKENS_PAGE).get_data(as_text=True)
    assert "whoever made it no longer organises this conference" in page

    # Back in the role, the token works again; a deleted maker ends it for good.
    RoleFactory(conference=scene.conference, user=scene.organiser, role=Role.ORGANISER)
    db.session.commit()
    assert api.get(scene.url("tracks")).status_code == 200
    db.session.delete(db.session.get(type(scene.organiser), scene.organiser.id))
    db.session.commit()
    assert api.get(scene.url("tracks")).status_code == 401
