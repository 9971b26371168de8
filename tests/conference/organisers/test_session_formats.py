from sqlalchemy import select

from conference.conferences.models import SessionFormat
from tests.conference.organisers.conftest import count
from tests.factories import ProposalFactory, SessionFormatFactory


def test_create_session_format_and_list_it(client, organiser, conference, db):
    response = client.post("/c/devcon/manage/formats/new", data={"name": "Lightning", "duration_minutes": "10"})
    assert response.status_code == 302
    session_format = db.session.scalars(select(SessionFormat)).one()
    assert (session_format.name, session_format.duration_minutes) == ("Lightning", 10)
    assert "10 min" in client.get("/c/devcon/manage/formats").get_data(as_text=True)


def test_edit_session_format_saves_changes(client, organiser, conference, db):
    session_format = SessionFormatFactory(conference=conference, name="Talk")
    db.session.commit()
    url = f"/c/devcon/manage/formats/{session_format.id}/edit"
    assert 'value="Talk"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"name": "Long talk", "duration_minutes": "45"}).status_code == 302
    db.session.expire_all()
    assert (session_format.name, session_format.duration_minutes) == ("Long talk", 45)


def test_create_session_format_duration_rules_are_form_errors(client, organiser, db):
    cases = {"0": "from 5 to 480", "485": "from 5 to 480", "42": "multiple of 5"}
    for duration, message in cases.items():
        body = client.post(
            "/c/devcon/manage/formats/new", data={"name": "Odd", "duration_minutes": duration}
        ).get_data(as_text=True)
        assert message in body, duration
    assert count(db, SessionFormat) == 0


def test_create_session_format_duplicate_name_is_form_error(client, organiser, db):
    data = {"name": "Workshop", "duration_minutes": "90"}
    assert client.post("/c/devcon/manage/formats/new", data=data).status_code == 302
    response = client.post("/c/devcon/manage/formats/new", data=data)
    assert "already has a session format called “Workshop”" in response.get_data(as_text=True)
    assert count(db, SessionFormat) == 1


def test_delete_unused_session_format_deletes_it(client, organiser, conference, db):
    session_format = SessionFormatFactory(conference=conference)
    db.session.commit()
    assert client.post(f"/c/devcon/manage/formats/{session_format.id}/delete").status_code == 302
    assert count(db, SessionFormat) == 0


def test_delete_session_format_used_by_proposals_is_refused(client, organiser, conference, db):
    proposal = ProposalFactory(conference=conference, session_format__name="Keynote")
    db.session.commit()
    response = client.post(f"/c/devcon/manage/formats/{proposal.session_format_id}/delete", follow_redirects=True)
    assert "1 proposal uses the format “Keynote”, so it cannot be deleted" in response.get_data(as_text=True)
    assert count(db, SessionFormat) == 1
