"""Organisers set a proposal's tags with checkboxes on its page."""

from __future__ import annotations

from sqlalchemy import event, insert

from conference.conferences.models import Role
from conference.proposals.models import ProposalState
from conference.tags.models import ProposalTag
from tests.conference.organisers.conftest import count, make_user
from tests.conference.tags.conftest import make_proposal, make_tag, tag_names_of
from tests.factories import ConferenceFactory, RoleFactory


def _page(proposal) -> str:
    return f"/c/devcon/manage/proposals/{proposal.id}"


def test_the_proposal_page_shows_its_tags_and_ticks_them(client, organiser, conference, db):
    proposal = make_proposal(conference)
    make_tag(conference, "Keynote candidate", proposals=[proposal])
    make_tag(conference, "Needs mentor")
    db.session.commit()
    page = client.get(_page(proposal)).get_data(as_text=True)
    assert '<span class="tag tag-colour-blue">Keynote candidate</span>' in page
    assert f'action="/c/devcon/manage/proposals/{proposal.id}/tags"' in page
    assert page.count(" checked ") + page.count(" checked>") == 1  # only the tag it carries


def test_organiser_sets_a_proposals_tags_and_is_sent_back(client, organiser, conference, db):
    proposal = make_proposal(conference)
    keynote = make_tag(conference, "Keynote candidate", proposals=[proposal])
    mentor = make_tag(conference, "Needs mentor")
    diversity = make_tag(conference, "Diversity")
    db.session.commit()
    response = client.post(f"{_page(proposal)}/tags", data={"tag_ids": [str(mentor.id), str(diversity.id)]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_page(proposal)}#tags")
    assert tag_names_of(proposal) == ["Diversity", "Needs mentor"]
    page = client.get(_page(proposal)).get_data(as_text=True)
    assert "The tags of" in page and "are saved: “Diversity”, “Needs mentor”." in page
    assert count(db, ProposalTag, ProposalTag.tag_id == keynote.id) == 0


def test_a_tag_put_on_by_someone_else_meanwhile_changes_nothing_and_asks_to_save_again(
    client, organiser, conference, db
):
    proposal = make_proposal(conference)
    keynote = make_tag(conference, "Keynote candidate", proposals=[proposal])
    mentor = make_tag(conference, "Needs mentor")
    db.session.commit()

    def other_request_tags_it_first(session, _context, _instances):
        # Between this request's read of the proposal's tags and its insert, the same tag is
        # put on the proposal, as another organiser's request would.
        if any(isinstance(added, ProposalTag) for added in session.new):
            session.connection().execute(
                insert(ProposalTag.__table__).values(proposal_id=proposal.id, tag_id=mentor.id)
            )

    event.listen(db.session, "before_flush", other_request_tags_it_first)
    try:
        response = client.post(f"{_page(proposal)}/tags", data={"tag_ids": [str(mentor.id)]})
    finally:
        event.remove(db.session, "before_flush", other_request_tags_it_first)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_page(proposal)}#tags")
    # Neither half of the change is kept: the keynote tag is not taken off either.
    assert tag_names_of(proposal) == ["Keynote candidate"]
    assert count(db, ProposalTag, ProposalTag.tag_id == keynote.id) == 1
    page = client.get(_page(proposal)).get_data(as_text=True)
    assert "Someone changed this proposal&#39;s tags at the same time; nothing was changed." in page
    assert "Check them and save again." in page


def test_ticking_nothing_clears_the_tags(client, organiser, conference, db):
    proposal = make_proposal(conference)
    make_tag(conference, "Keynote", proposals=[proposal])
    db.session.commit()
    assert client.post(f"{_page(proposal)}/tags", data={}).status_code == 302
    assert tag_names_of(proposal) == []


def test_a_forged_tag_of_another_conference_is_a_form_error_and_nothing_changes(client, organiser, conference, db):
    proposal = make_proposal(conference)
    make_tag(conference, "Keynote", proposals=[proposal])
    other = make_tag(conference, "Diversity")
    foreign = make_tag(ConferenceFactory(), "Theirs")
    db.session.commit()
    response = client.post(
        f"{_page(proposal)}/tags", data={"tag_ids": [str(other.id), str(foreign.id)]}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Choose tags of this conference from the list; nothing was changed." in response.get_data(as_text=True)
    assert tag_names_of(proposal) == ["Keynote"]
    assert count(db, ProposalTag, ProposalTag.tag_id == foreign.id) == 0


def test_tag_ids_that_are_not_numbers_are_a_form_error(client, organiser, conference, db):
    proposal = make_proposal(conference)
    make_tag(conference, "Keynote", proposals=[proposal])
    db.session.commit()
    for forged in ("abc", "99999999999999999999999", "-1"):
        response = client.post(f"{_page(proposal)}/tags", data={"tag_ids": [forged]}, follow_redirects=True)
        assert response.status_code == 200
        assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert tag_names_of(proposal) == ["Keynote"]


def test_a_proposal_of_another_conference_or_a_draft_is_not_found(client, organiser, conference, db):
    tag = make_tag(conference, "Keynote")
    foreign = make_proposal(ConferenceFactory())
    draft = make_proposal(conference, state=ProposalState.DRAFT)
    db.session.commit()
    for proposal in (foreign, draft):
        assert client.post(f"{_page(proposal)}/tags", data={"tag_ids": [str(tag.id)]}).status_code == 404
    assert count(db, ProposalTag) == 0


def test_an_organiser_who_speaks_on_a_proposal_neither_sees_nor_sets_its_tags(client, organiser, conference, db):
    own = make_proposal(conference, speaker=organiser)
    make_tag(conference, "Secret triage label", proposals=[own])
    db.session.commit()
    page = client.get(_page(own)).get_data(as_text=True)
    assert "Secret triage label" not in page
    assert client.post(f"{_page(own)}/tags", data={}).status_code == 403
    assert tag_names_of(own) == ["Secret triage label"]


def test_only_organisers_may_set_tags(client, conference, login, db):
    proposal = make_proposal(conference)
    tag = make_tag(conference, "Keynote")
    users = [RoleFactory(conference=conference, user=make_user(), role=role).user
             for role in (Role.REVIEWER, Role.SPEAKER, Role.ATTENDEE)]
    db.session.commit()
    assert client.post(f"{_page(proposal)}/tags", data={"tag_ids": [str(tag.id)]}).status_code == 302
    for user in users:
        login(user)
        assert client.post(f"{_page(proposal)}/tags", data={"tag_ids": [str(tag.id)]}).status_code == 403
    assert tag_names_of(proposal) == []
