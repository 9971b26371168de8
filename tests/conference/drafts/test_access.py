"""Every route of the drafts area x every role, generated from the URL map."""

from __future__ import annotations

from conference.conferences.models import Role
from tests.conference.drafts.conftest import make_scene
from tests.conference.organisers.conftest import make_user
from tests.factories import RoleFactory

PUBLIC = {"drafts.changelog"}


def _routes(app, scene, version_id):
    ids = {"talk_id": scene.talk.id, "version_id": version_id, "proposal_id": scene.talk.proposal_id}
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("drafts."):
            values = {"slug": "devcon", **{name: ids[name] for name in rule.arguments if name in ids}}
            method = "GET" if "GET" in rule.methods else "POST"
            routes.append((rule.endpoint, rule.build(values)[1], method))
    return routes


def _scene_with_a_version(db):
    scene = make_scene(db)
    from conference.schedule.models import ScheduleVersion

    version = ScheduleVersion(conference_id=scene.conference.id, is_draft=False, number=1)
    db.session.add(version)
    db.session.commit()
    return scene, version.id


def test_every_drafts_route_refuses_anonymous_visitors_except_the_changelog(app, client, db):
    scene, version_id = _scene_with_a_version(db)
    routes = _routes(app, scene, version_id)
    assert len(routes) >= 9
    for endpoint, url, method in routes:
        response = client.open(url, method=method)
        if endpoint in PUBLIC:
            assert response.status_code == 200, endpoint
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], endpoint


def test_every_drafts_route_refuses_every_role_but_organiser(app, client, db, login):
    scene, version_id = _scene_with_a_version(db)
    person = make_user()
    for role in (Role.ATTENDEE, Role.SPEAKER, Role.REVIEWER):
        RoleFactory(conference=scene.conference, user=person, role=role)
    other = make_scene(db, slug="othercon")
    RoleFactory(conference=other.conference, user=person, role=Role.ORGANISER)
    db.session.commit()
    login(person)
    for endpoint, url, method in _routes(app, scene, version_id):
        response = client.open(url, method=method)
        assert response.status_code == (200 if endpoint in PUBLIC else 403), endpoint


def test_every_drafts_route_answers_an_organiser_without_errors(app, client, db, login):
    scene, version_id = _scene_with_a_version(db)
    organiser = make_user()
    RoleFactory(conference=scene.conference, user=organiser, role=Role.ORGANISER)
    db.session.commit()
    login(organiser)
    for endpoint, url, method in _routes(app, scene, version_id):
        response = client.open(url, method=method)
        assert response.status_code in (200, 302, 400, 422), (endpoint, response.status_code)
