"""Reviewers see only their assigned, conflict-free proposals of this conference; else 404."""

from conference.conferences.models import Role
from conference.proposals.models import ProposalState
from conference.reviews.models import ConflictSource
from tests.conference.reviews.conftest import assign, make_proposal, make_user
from tests.factories import (
    ConferenceFactory,
    ConflictFactory,
    ProposalSpeakerFactory,
    ReviewFactory,
    RoleFactory,
    SpeakerProfileFactory,
)


def _hidden(client, proposal):
    body = client.get("/c/devcon/reviews/").get_data(as_text=True)
    return (
        client.get(f"/c/devcon/reviews/{proposal.id}").status_code == 404
        and proposal.title not in body
        and client.post(f"/c/devcon/reviews/{proposal.id}", data={}).status_code == 404
        and client.post(f"/c/devcon/reviews/{proposal.id}/conflict", data={}).status_code == 404
    )


def test_assigned_submitted_proposal_is_listed_and_opens(client, reviewer, conference, db):
    proposal = make_proposal(conference, title="Scaling queues")
    assign(proposal, reviewer)
    db.session.commit()
    assert "Scaling queues" in client.get("/c/devcon/reviews/").get_data(as_text=True)
    assert client.get(f"/c/devcon/reviews/{proposal.id}").status_code == 200


def test_unassigned_draft_and_withdrawn_proposals_are_not_found(client, reviewer, conference, db):
    unassigned = make_proposal(conference, title="Unassigned talk")
    draft = make_proposal(conference, title="Draft talk", state=ProposalState.DRAFT)
    withdrawn = make_proposal(conference, title="Withdrawn talk", state=ProposalState.WITHDRAWN)
    assign(draft, reviewer)
    assign(withdrawn, reviewer)
    db.session.commit()
    for proposal in (unassigned, draft, withdrawn):
        assert _hidden(client, proposal), proposal.title


def test_own_proposal_is_not_found_even_when_assigned(client, reviewer, conference, db):
    own = make_proposal(conference, speaker=reviewer, title="My own talk")
    co_spoken = make_proposal(conference, title="Talk I co-present")
    ProposalSpeakerFactory(proposal=co_spoken, user=reviewer)
    assign(own, reviewer)
    assign(co_spoken, reviewer)
    db.session.commit()
    assert _hidden(client, own)
    assert _hidden(client, co_spoken)


def test_declared_and_organiser_conflicts_hide_the_proposal(client, reviewer, conference, db):
    declared = make_proposal(conference, title="Declared conflict talk")
    organiser_set = make_proposal(conference, title="Organiser conflict talk")
    teammate = make_user(display_name="Tess Teammate")
    by_speaker = make_proposal(conference, speaker=teammate, title="Teammate talk")
    for proposal in (declared, organiser_set, by_speaker):
        assign(proposal, reviewer)
    ConflictFactory(proposal=declared, reviewer=reviewer, source=ConflictSource.DECLARED)
    ConflictFactory(proposal=organiser_set, reviewer=reviewer, source=ConflictSource.ORGANISER)
    ConflictFactory(
        proposal=None, conference_id=conference.id, speaker=teammate, reviewer=reviewer,
        source=ConflictSource.ORGANISER,
    )
    db.session.commit()
    for proposal in (declared, organiser_set, by_speaker):
        assert _hidden(client, proposal), proposal.title
    body = client.get("/c/devcon/reviews/").get_data(as_text=True)
    assert "0 to do · 0 done" in body
    assert "Next proposal" not in body


def test_proposal_of_another_conference_is_not_found(client, reviewer, conference, db):
    other = ConferenceFactory(slug="other")
    RoleFactory(conference=other, user=reviewer, role=Role.REVIEWER)
    foreign = make_proposal(other, title="Foreign talk")
    assign(foreign, reviewer)
    db.session.commit()
    assert _hidden(client, foreign)
    assert client.get(f"/c/other/reviews/{foreign.id}").status_code == 200


def test_counts_and_start_page_count_only_visible_proposals(client, reviewer, conference, db):
    visible = make_proposal(conference, title="Visible")
    done = make_proposal(conference, title="Reviewed")
    own = make_proposal(conference, speaker=reviewer, title="Own")
    for proposal in (visible, done, own):
        assign(proposal, reviewer)
    ReviewFactory(proposal=done, reviewer=reviewer)
    db.session.commit()
    assert "1 to do · 1 done" in client.get("/c/devcon/reviews/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "Reviews: 1 to do · 1 done." in home
    assert "Own" not in client.get("/c/devcon/reviews/?status=to_do").get_data(as_text=True)


def test_list_filters_by_status_and_track_and_links_next(client, reviewer, conference, db):
    first = make_proposal(conference, title="Alpha talk")
    second = make_proposal(conference, title="Beta talk")
    assign(first, reviewer)
    assign(second, reviewer)
    ReviewFactory(proposal=first, reviewer=reviewer)
    db.session.commit()
    to_do = client.get("/c/devcon/reviews/?status=to_do").get_data(as_text=True)
    assert "Beta talk" in to_do and "Alpha talk</a></th>" not in to_do
    done = client.get("/c/devcon/reviews/?status=done").get_data(as_text=True)
    assert "Alpha talk</a></th>" in done and "Beta talk</a></th>" not in done
    by_track = client.get(f"/c/devcon/reviews/?track={first.track_id}").get_data(as_text=True)
    assert "Alpha talk</a></th>" in by_track and "Beta talk</a></th>" not in by_track
    assert f"/c/devcon/reviews/{second.id}" in to_do
    assert client.get("/c/devcon/reviews/next").headers["Location"].endswith(f"/reviews/{second.id}")


def test_non_reviewer_and_anonymous_cannot_open_review_pages(client, conference, login, db):
    assert "/login" in client.get("/c/devcon/reviews/").headers["Location"]
    login(make_user())
    assert client.get("/c/devcon/reviews/").status_code == 403
    assert client.get("/c/nope/reviews/").status_code == 404


def test_anonymised_review_hides_names_bios_emails_and_notes(client, reviewer, conference, db):
    speaker = make_user(display_name="Zelda Speakwell", email="zelda@example.com")
    co_speaker = make_user(display_name="Quentin Cospeaker", email="quentin@example.com")
    proposal = make_proposal(
        conference, speaker=speaker, title="Anonymous talk", notes_to_organisers="Secret organiser note"
    )
    ProposalSpeakerFactory(proposal=proposal, user=co_speaker)
    SpeakerProfileFactory(conference=conference, user=speaker, bio="Zelda's unique biography")
    assign(proposal, reviewer)
    db.session.commit()
    pages = [
        client.get("/c/devcon/reviews/").get_data(as_text=True),
        client.get(f"/c/devcon/reviews/{proposal.id}").get_data(as_text=True),
        client.get("/c/devcon/reviews/next", follow_redirects=True).get_data(as_text=True),
        client.get("/").get_data(as_text=True),
    ]
    for body in pages:
        for secret in ("Zelda", "Speakwell", "zelda@example.com", "Quentin", "quentin@example.com",
                       "unique biography", "Secret organiser note"):
            assert secret not in body
    assert "<title>Review: Anonymous talk" in pages[1]


def test_non_anonymised_review_shows_speaker_names_and_bios(client, reviewer, conference, db):
    conference.settings = {"anonymised_review": False, "reviewers_per_proposal": 2}
    speaker = make_user(display_name="Zelda Speakwell", email="zelda@example.com")
    proposal = make_proposal(conference, speaker=speaker, notes_to_organisers="Secret organiser note")
    SpeakerProfileFactory(conference=conference, user=speaker, bio="Zelda's unique biography")
    assign(proposal, reviewer)
    db.session.commit()
    assert "Zelda Speakwell" in client.get("/c/devcon/reviews/").get_data(as_text=True)
    detail = client.get(f"/c/devcon/reviews/{proposal.id}").get_data(as_text=True)
    assert "Zelda Speakwell" in detail and "unique biography" in detail
    assert "zelda@example.com" not in detail
    assert "Secret organiser note" not in detail
