"""Every JSON API route, from the app's URL map, answers each kind of caller alike.

The security matrix (tests/conference/security) checks that sessions get 401 everywhere;
here the callers are tokens: none, revoked, another conference's, and this conference's.
"""

from __future__ import annotations

import pytest

from conference.api.operations import create_api_token, revoke_api_token
from tests.conference.api.conftest import bearer
from tests.conftest import make_test_app

API_RULES = sorted(
    (
        rule
        for rule in make_test_app("sqlite://", create_schema=False).url_map.iter_rules()
        if rule.endpoint.startswith("api.v1.")
    ),
    key=lambda rule: rule.endpoint,
)


def test_every_api_route_is_get_only_under_the_versioned_prefix():
    assert len(API_RULES) == 7
    for rule in API_RULES:
        assert rule.rule.startswith("/api/v1/conferences/<slug>"), rule.rule
        assert rule.methods == {"GET", "HEAD", "OPTIONS"}, rule.endpoint


@pytest.mark.parametrize("rule", API_RULES, ids=[rule.endpoint for rule in API_RULES])
def test_api_route_answers_each_token_as_expected(app, scene, db, rule):
    url = rule.build({"slug": scene.slug}, append_unknown=False)[1]
    client = app.test_client()

    def answer(secret: str | None, method: str = "GET"):
        headers = bearer(secret) if secret else {}
        response = client.open(url, method=method, headers=headers)
        assert response.mimetype == "application/json", (url, secret, method)
        assert response.headers["Cache-Control"] == "private, no-store"
        return response

    missing = answer(None)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer ")
    assert answer(scene.other_secret).status_code == 404
    assert answer(scene.secret).status_code == 200
    assert answer(scene.secret, "POST").status_code == 405

    revoked, revoked_secret = create_api_token(scene.conference, "Old", scene.organiser)
    revoke_api_token(revoked)
    db.session.commit()
    assert answer(revoked_secret).status_code == 401
