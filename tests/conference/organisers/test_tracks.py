from sqlalchemy import select

from conference.conferences.models import Track
from conference.proposals.models import Proposal
from tests.conference.organisers.conftest import count
from tests.factories import ProposalFactory, TrackFactory

NEW_TRACK = {"name": "Platform", "description": "Infrastructure talks.", "colour": "#1A2B3C"}


def test_create_track_and_list_it(client, organiser, conference, db):
    assert client.post("/c/devcon/manage/tracks/new", data=NEW_TRACK).status_code == 302
    track = db.session.scalars(select(Track)).one()
    assert (track.name, track.colour, track.conference_id) == ("Platform", "#1a2b3c", conference.id)
    assert "Infrastructure talks." in client.get("/c/devcon/manage/tracks").get_data(as_text=True)


def test_edit_track_saves_changes(client, organiser, conference, db):
    track = TrackFactory(conference=conference, name="Data")
    db.session.commit()
    response = client.post(f"/c/devcon/manage/tracks/{track.id}/edit", data=dict(NEW_TRACK, name="Data & ML"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (track.name, track.colour) == ("Data & ML", "#1a2b3c")


def test_create_track_bad_colour_and_duplicate_name_are_form_errors(client, organiser, conference, db):
    TrackFactory(conference=conference, name="Platform")
    db.session.commit()
    body = client.post("/c/devcon/manage/tracks/new", data=dict(NEW_TRACK, colour="red")).get_data(as_text=True)
    assert "Use a colour written as #rrggbb" in body
    body = client.post("/c/devcon/manage/tracks/new", data=NEW_TRACK).get_data(as_text=True)
    assert "already has a track called “Platform”" in body
    assert count(db, Track) == 1


def test_delete_unused_track_deletes_it(client, organiser, conference, db):
    track = TrackFactory(conference=conference)
    db.session.commit()
    assert client.post(f"/c/devcon/manage/tracks/{track.id}/delete").status_code == 302
    assert count(db, Track) == 0


def test_delete_track_used_by_proposals_asks_confirmation_then_keeps_proposals(client, organiser, conference, db):
    proposal = ProposalFactory(conference=conference, track__name="Frontend")
    track_id = proposal.track_id
    db.session.commit()
    first = client.post(f"/c/devcon/manage/tracks/{track_id}/delete", follow_redirects=True)
    body = first.get_data(as_text=True)
    assert "1 proposal uses track “Frontend”" in body
    assert "Delete anyway: Frontend" in body
    assert count(db, Track) == 1
    second = client.post(f"/c/devcon/manage/tracks/{track_id}/delete", data={"confirmed": "yes"})
    assert second.status_code == 302
    assert count(db, Track) == 0
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).track_id is None
