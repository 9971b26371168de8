"""Every route of the review area, for every kind of visitor; CSRF on reviewers' forms."""

import re

import pytest
from sqlalchemy import select

from conference.conferences.models import Role
from conference.reviews.models import Review
from tests.conference.reviews.conftest import assign, make_proposal, make_reviewer, make_user
from tests.conftest import make_test_app
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    ConflictFactory,
    ReviewCriterionFactory,
    RoleFactory,
)

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
IDS = {"proposal_id": 0, "criterion_id": 0, "conflict_id": 0, "assignment_id": 0}


def _review_routes(app):
    """(url, methods) for every rule of the reviews blueprint, ids filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("reviews."):
            values = {"slug": "devcon", **{name: IDS[name] for name in rule.arguments if name in IDS}}
            routes.append((rule.endpoint, rule.build(values)[1], rule.methods - {"HEAD", "OPTIONS"}))
    return routes


@pytest.fixture
def setup(conference, db):
    proposal = make_proposal(conference)
    IDS["proposal_id"] = proposal.id
    IDS["criterion_id"] = ReviewCriterionFactory(conference=conference).id
    reviewer = make_reviewer(conference)
    IDS["assignment_id"] = assign(proposal, reviewer).id
    IDS["conflict_id"] = ConflictFactory(proposal=proposal, reviewer=make_user()).id
    db.session.commit()
    return reviewer


def test_every_review_route_refuses_anonymous_and_strangers(app, client, setup, conference, login, db):
    routes = _review_routes(app)
    assert len(routes) >= 17
    for endpoint, url, methods in routes:
        method = "GET" if "GET" in methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], endpoint
    other = ConferenceFactory(slug="other")
    stranger = make_user()
    RoleFactory(conference=other, user=stranger, role=Role.ORGANISER)
    RoleFactory(conference=other, user=stranger, role=Role.REVIEWER)
    RoleFactory(conference=conference, user=stranger, role=Role.ATTENDEE)
    db.session.commit()
    login(stranger)
    for endpoint, url, methods in routes:
        method = "GET" if "GET" in methods else "POST"
        assert client.open(url, method=method).status_code == 403, endpoint


def test_manage_routes_refuse_reviewers_and_changes_are_post_only(app, client, setup, login):
    login(setup)
    for endpoint, url, methods in _review_routes(app):
        if "/manage/" in url:
            method = "GET" if "GET" in methods else "POST"
            assert client.open(url, method=method).status_code == 403, endpoint
        if methods == {"POST"}:
            assert client.get(url).status_code == 405, endpoint
    assert client.get(f"/c/devcon/reviews/{IDS['proposal_id']}").status_code == 200


def test_review_without_csrf_token_is_refused(database_url, conference, db):
    csrf_app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    reviewer = make_reviewer(conference)
    proposal = make_proposal(conference)
    assign(proposal, reviewer)
    db.session.commit()
    client = csrf_app.test_client()
    try:
        login_token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"email": reviewer.email, "password": DEFAULT_PASSWORD, "csrf_token": login_token})
        url = f"/c/devcon/reviews/{proposal.id}"
        data = {"comment_for_organisers": "Fine.", "lock_version": "0"}
        assert client.post(url, data=data).status_code == 400
        page_token = TOKEN.search(client.get(url).get_data(as_text=True)).group(1)
        assert client.post(url, data={**data, "csrf_token": page_token}).status_code == 302
        list_page = client.get("/c/devcon/reviews/").get_data(as_text=True)
        assert TOKEN.search(list_page)  # the conflict buttons carry a token too
        db.session.expire_all()
        assert len(db.session.scalars(select(Review)).all()) == 1
    finally:
        with csrf_app.app_context():
            db.engine.dispose()
