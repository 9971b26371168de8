"""The conference page: its description as Markdown, and the viewer's part in the conference."""
from datetime import UTC, datetime, timedelta

from conference.conferences.models import Role
from tests.factories import ConferenceFactory, RoleFactory


def _conference(db, **fields):
    now = datetime.now(UTC)
    conference = ConferenceFactory(
        slug="devcon", cfp_opens_at=now - timedelta(days=1), cfp_closes_at=now + timedelta(days=30), **fields)
    db.session.commit()
    return conference


def test_description_is_rendered_as_markdown_and_sanitised(client, db):
    _conference(db, description="Run from our **London** hub.\n\n<script>alert(1)</script> *Mind the clocks.*")
    page = client.get("/c/devcon/").get_data(as_text=True)
    assert "<strong>London</strong>" in page and "<em>Mind the clocks.</em>" in page
    assert "**London**" not in page
    assert "<script>alert(1)" not in page


def test_speaker_finds_their_proposals_from_the_conference_page(client, db, login):
    conference = _conference(db)
    user = login()
    page = client.get("/c/devcon/").get_data(as_text=True)
    assert "/c/devcon/proposals/new" in page  # anyone logged in may propose while the call is open
    assert "/c/devcon/proposals/" not in page.replace("/c/devcon/proposals/new", "")
    RoleFactory(conference=conference, user=user, role=Role.SPEAKER)
    db.session.commit()
    page = client.get("/c/devcon/").get_data(as_text=True)
    assert "<h2>Speaking</h2>" in page
    for link in ("/c/devcon/proposals/", "/c/devcon/speaker/profile", "/c/devcon/speaker/availability"):
        assert f'href="{link}"' in page, link


def test_reviewer_sees_their_review_counts_on_the_conference_page(client, db, login):
    conference = _conference(db)
    user = login()
    assert "/c/devcon/reviews/" not in client.get("/c/devcon/").get_data(as_text=True)
    RoleFactory(conference=conference, user=user, role=Role.REVIEWER)
    db.session.commit()
    page = client.get("/c/devcon/").get_data(as_text=True)
    assert "<h2>Reviewing</h2>" in page and "Reviews: 0 to do · 0 done." in page
    assert 'href="/c/devcon/reviews/"' in page


def test_anonymous_visitor_gets_no_personal_part(client, db):
    _conference(db)
    page = client.get("/c/devcon/").get_data(as_text=True)
    assert "Speaking" not in page and "Reviewing" not in page and "/proposals/new" not in page
