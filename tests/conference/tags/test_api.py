"""The JSON API's proposals give the organisers' tags by name."""

from __future__ import annotations

from conference.api.operations import create_api_token
from conference.conferences.models import Role
from tests.conference.organisers.conftest import make_user
from tests.conference.tags.conftest import make_proposal, make_tag
from tests.factories import RoleFactory


def _proposals(client, secret) -> dict[str, list[str]]:
    response = client.get("/api/v1/conferences/devcon/proposals", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["title"]: row["tags"] for row in response.get_json()["results"]}


def test_api_proposals_list_their_tags_by_name(client, conference, db):
    organiser = make_user()
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    tagged = make_proposal(conference, title="Tagged")
    make_proposal(conference, title="Plain")
    make_tag(conference, "Keynote", proposals=[tagged])
    make_tag(conference, "Diversity", visible_to_reviewers=True, proposals=[tagged])
    _token, secret = create_api_token(conference, "Intranet", organiser)
    db.session.commit()
    assert _proposals(client, secret) == {"Tagged": ["Diversity", "Keynote"], "Plain": []}


def test_api_gives_no_tags_of_a_proposal_the_tokens_maker_speaks_on(client, conference, db):
    organiser = make_user()
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    own = make_proposal(conference, title="Own", speaker=organiser)
    other = make_proposal(conference, title="Other")
    make_tag(conference, "Keynote", proposals=[own, other])
    _token, secret = create_api_token(conference, "Intranet", organiser)
    db.session.commit()
    assert _proposals(client, secret) == {"Own": [], "Other": ["Keynote"]}
