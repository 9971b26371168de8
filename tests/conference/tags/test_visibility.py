"""Reviewers see only the tags marked visible to them; speakers never see a tag."""

from __future__ import annotations

from conference.conferences.models import Role
from conference.tags.models import Tag
from tests.conference.organisers.conftest import make_user
from tests.conference.tags.conftest import make_proposal, make_tag
from tests.factories import ReviewAssignmentFactory, RoleFactory

VISIBLE = "Visible to reviewers"
HIDDEN = "Organisers only"


def _tagged_proposal(conference, db):
    speaker = make_user()
    RoleFactory(conference=conference, user=speaker, role=Role.SPEAKER)
    proposal = make_proposal(conference, speaker=speaker, title="Observability at scale")
    make_tag(conference, VISIBLE, visible_to_reviewers=True, proposals=[proposal])
    make_tag(conference, HIDDEN, proposals=[proposal])
    reviewer = make_user()
    RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
    ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)
    db.session.commit()
    return proposal, reviewer, speaker


def test_reviewers_see_visible_tags_on_their_list_and_review_page_and_no_others(client, conference, login, db):
    proposal, reviewer, _speaker = _tagged_proposal(conference, db)
    login(reviewer)
    for path in ("/c/devcon/reviews/", f"/c/devcon/reviews/{proposal.id}"):
        response = client.get(path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Observability at scale" in page
        assert f">{VISIBLE}</span>" in page, path
        assert HIDDEN not in page, path


def test_a_tag_made_visible_later_reaches_reviewers(client, conference, login, db):
    proposal, reviewer, _speaker = _tagged_proposal(conference, db)
    hidden = db.session.query(Tag).filter_by(name=HIDDEN).one()
    hidden.visible_to_reviewers = True
    db.session.commit()
    login(reviewer)
    assert f">{HIDDEN}</span>" in client.get(f"/c/devcon/reviews/{proposal.id}").get_data(as_text=True)


def test_speakers_see_no_tag_on_their_proposal_pages(client, conference, login, db):
    proposal, _reviewer, speaker = _tagged_proposal(conference, db)
    login(speaker)
    for path in ("/c/devcon/proposals/", f"/c/devcon/proposals/{proposal.id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert "Observability at scale" in page
        assert VISIBLE not in page and HIDDEN not in page, path
        assert 'class="tag ' not in page
