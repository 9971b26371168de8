"""Organisers keep their conference's tags: list with counts, create, edit, delete."""

from __future__ import annotations

from sqlalchemy import select

from conference.conferences.models import Role
from conference.proposals.models import Proposal
from conference.tags.models import ProposalTag, Tag
from tests.conference.organisers.conftest import count, make_user
from tests.conference.tags.conftest import make_proposal, make_tag
from tests.factories import ConferenceFactory, RoleFactory

TAGS = "/c/devcon/manage/tags"


def _tag(db, name):
    db.session.expire_all()
    return db.session.scalar(select(Tag).where(Tag.name == name))


def test_the_management_navigation_links_the_tags_page(client, organiser, conference):
    page = client.get("/c/devcon/manage/tracks").get_data(as_text=True)
    assert f'href="{TAGS}"' in page
    assert "Proposal tags" in page


def test_organiser_creates_a_tag_through_the_form(client, organiser, conference, db):
    assert "Add a tag" in client.get(TAGS).get_data(as_text=True)
    assert client.get(f"{TAGS}/new").status_code == 200
    response = client.post(
        f"{TAGS}/new",
        data={"name": "  Keynote   candidate ", "colour": "green", "description": "Maybe a keynote.",
              "visible_to_reviewers": "y"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Tag “Keynote candidate” is added." in response.get_data(as_text=True)
    tag = _tag(db, "Keynote candidate")
    assert (tag.conference_id, tag.colour, tag.description, tag.visible_to_reviewers) == (
        conference.id, "green", "Maybe a keynote.", True,
    )
    assert "tag-colour-green" in client.get(TAGS).get_data(as_text=True)


def test_a_new_tag_is_hidden_from_reviewers_unless_ticked(client, organiser, conference, db):
    client.post(f"{TAGS}/new", data={"name": "Needs mentor", "colour": "grey"})
    assert _tag(db, "Needs mentor").visible_to_reviewers is False


def test_a_name_taken_in_another_case_is_a_form_error(client, organiser, conference, db):
    make_tag(conference, "Diversity")
    db.session.commit()
    response = client.post(f"{TAGS}/new", data={"name": "DIVERSITY", "colour": "red"})
    assert response.status_code == 400
    assert "already has a tag called “DIVERSITY” (ignoring case)" in response.get_data(as_text=True)
    assert count(db, Tag, Tag.conference_id == conference.id) == 1


def test_the_same_name_is_free_at_another_conference(client, organiser, conference, db):
    make_tag(ConferenceFactory(), "Diversity")
    db.session.commit()
    assert client.post(f"{TAGS}/new", data={"name": "diversity", "colour": "red"}).status_code == 302
    assert count(db, Tag, Tag.conference_id == conference.id) == 1


def test_an_over_long_name_is_a_form_error_and_nothing_is_stored(client, organiser, conference, db):
    response = client.post(f"{TAGS}/new", data={"name": "x" * 61, "colour": "red"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Keep the name to 60 characters or fewer." in page
    assert "x" * 61 in page  # the input is kept for correcting
    assert count(db, Tag) == 0


def test_a_colour_outside_the_palette_is_a_form_error(client, organiser, conference, db):
    response = client.post(f"{TAGS}/new", data={"name": "Odd", "colour": "#ff00ff"})
    assert response.status_code == 400
    assert count(db, Tag) == 0


def test_organiser_edits_a_tag_and_may_change_only_its_case(client, organiser, conference, db):
    tag = make_tag(conference, "needs mentor")
    db.session.commit()
    assert "needs mentor" in client.get(f"{TAGS}/{tag.id}/edit").get_data(as_text=True)
    response = client.post(
        f"{TAGS}/{tag.id}/edit",
        data={"name": "Needs Mentor", "colour": "purple", "description": "", "visible_to_reviewers": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Tag, tag.id)
    assert (edited.name, edited.colour, edited.visible_to_reviewers) == ("Needs Mentor", "purple", True)


def test_renaming_to_another_tags_name_is_a_form_error(client, organiser, conference, db):
    make_tag(conference, "Keynote")
    tag = make_tag(conference, "Duplicate")
    db.session.commit()
    response = client.post(f"{TAGS}/{tag.id}/edit", data={"name": "keynote", "colour": "grey"})
    assert response.status_code == 400
    assert db.session.get(Tag, tag.id).name == "Duplicate"


def test_the_list_says_how_many_proposals_carry_each_tag(client, organiser, conference, db):
    proposals = [make_proposal(conference) for _ in range(3)]
    make_tag(conference, "Keynote", proposals=proposals[:2])
    make_tag(conference, "Unused")
    db.session.commit()
    page = client.get(TAGS).get_data(as_text=True)
    assert '>2<span class="visually-hidden"> proposals tagged Keynote</span>' in page
    assert "<td>0</td>" in page


def test_deleting_a_tag_on_proposals_asks_first_then_keeps_the_proposals(client, organiser, conference, db):
    proposals = [make_proposal(conference) for _ in range(2)]
    tag = make_tag(conference, "Keynote", proposals=proposals)
    db.session.commit()
    first = client.post(f"{TAGS}/{tag.id}/delete", follow_redirects=True)
    page = first.get_data(as_text=True)
    assert "2 proposals carry the tag “Keynote”" in page
    assert "Delete anyway: Keynote" in page
    assert count(db, Tag) == 1 and count(db, ProposalTag) == 2

    confirmed = client.post(f"{TAGS}/{tag.id}/delete", data={"confirmed": "yes"}, follow_redirects=True)
    assert "Tag “Keynote” is deleted. It was taken off 2 proposals." in confirmed.get_data(as_text=True)
    assert count(db, Tag) == 0
    assert count(db, ProposalTag) == 0
    assert count(db, Proposal, Proposal.conference_id == conference.id) == 2


def test_an_unused_tag_is_deleted_at_once(client, organiser, conference, db):
    tag = make_tag(conference, "Unused")
    db.session.commit()
    response = client.post(f"{TAGS}/{tag.id}/delete", follow_redirects=True)
    assert "Tag “Unused” is deleted." in response.get_data(as_text=True)
    assert count(db, Tag) == 0


def test_the_database_removes_links_of_a_deleted_tag(conference, db):
    """The foreign key cascades too, for deletes that bypass the ORM."""
    proposal = make_proposal(conference)
    tag = make_tag(conference, "Keynote", proposals=[proposal])
    db.session.commit()
    db.session.execute(Tag.__table__.delete().where(Tag.id == tag.id))
    db.session.commit()
    assert count(db, ProposalTag) == 0
    assert count(db, Proposal, Proposal.id == proposal.id) == 1


def test_a_tag_of_another_conference_is_not_found(client, organiser, conference, db):
    foreign = make_tag(ConferenceFactory(), "Theirs")
    db.session.commit()
    assert client.get(f"{TAGS}/{foreign.id}/edit").status_code == 404
    assert client.post(f"{TAGS}/{foreign.id}/edit", data={"name": "Mine", "colour": "red"}).status_code == 404
    assert client.post(f"{TAGS}/{foreign.id}/delete", data={"confirmed": "yes"}).status_code == 404
    assert db.session.get(Tag, foreign.id).name == "Theirs"


def test_reviewers_speakers_and_attendees_may_not_manage_tags(client, conference, login, db):
    tag = make_tag(conference, "Keynote")
    people = {}
    for role in (Role.REVIEWER, Role.SPEAKER, Role.ATTENDEE):
        people[role] = RoleFactory(conference=conference, user=make_user(), role=role).user
    db.session.commit()
    paths = [TAGS, f"{TAGS}/new", f"{TAGS}/{tag.id}/edit"]
    for path in paths:
        assert client.get(path).status_code == 302  # anonymous: sent to log in
    for user in people.values():
        login(user)
        for path in paths:
            assert client.get(path).status_code == 403, path
        assert client.post(f"{TAGS}/new", data={"name": "Mine", "colour": "red"}).status_code == 403
        assert client.post(f"{TAGS}/{tag.id}/delete", data={"confirmed": "yes"}).status_code == 403
        client.post("/logout")
    assert count(db, Tag) == 1
