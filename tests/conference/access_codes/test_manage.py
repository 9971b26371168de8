"""Organisers make, list, change, send, revoke and delete access codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from conference.access_codes.models import AccessCode
from conference.conferences.models import Role, SessionFormat, Track
from conference.mail.models import OutboxMessage
from tests.conference.access_codes.conftest import make_code, session_format, track
from tests.conference.proposals.conftest import count, make_user
from tests.conference.proposals.factories import proposal_of
from tests.factories import ConferenceFactory, RoleFactory

CODES = "/c/devcon/manage/access-codes"


def _new(client, **overrides):
    data = {"note": "Keynote: Ada", "track_id": "0", "session_format_id": "0", "valid_until": "", "max_uses": ""}
    data.update(overrides)
    return client.post(f"{CODES}/new", data=data)


def test_an_organiser_makes_a_code_and_finds_its_link_limits_and_uses_in_the_list(client, conference, organiser, db):
    keynotes = track(conference, "Keynotes")
    response = _new(
        client, track_id=str(keynotes.id), valid_until="2027-03-01T18:00", max_uses="5",
    )
    assert response.status_code == 302
    code = db.session.scalar(select(AccessCode))
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", code.code)
    assert (code.note, code.track_id, code.session_format_id, code.max_uses) == ("Keynote: Ada", keynotes.id, None, 5)
    assert code.valid_until == datetime(2027, 3, 1, 18, 0, tzinfo=UTC)  # London is on UTC in March
    assert code.created_by_id == organiser.id
    page = client.get(CODES).get_data(as_text=True)
    assert f"http://conference.test/c/devcon/proposals/new?code={code.code}" in page
    assert "Keynotes; any format" in page
    assert "0 of 5" in page
    assert "Mon 01 Mar 2027, 18:00" in page
    assert "(Europe/London)" in page


def test_each_code_is_new_and_random(client, conference, organiser, db):
    for _ in range(3):
        assert _new(client).status_code == 302
    codes = db.session.scalars(select(AccessCode.code)).all()
    assert len(set(codes)) == 3


def test_the_list_shows_times_in_the_viewers_zone(client, conference, login, db):
    user = make_user(time_zone="Asia/Kolkata")
    RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    make_code(db, conference, valid_until=datetime(2027, 3, 1, 18, 0, tzinfo=UTC), max_uses=3, times_used=2)
    login(user)
    page = client.get(CODES).get_data(as_text=True)
    assert "Mon 01 Mar 2027, 23:30" in page
    assert "(Asia/Kolkata)" in page
    assert "2 of 3" in page


def test_maximum_uses_below_one_is_a_form_error_and_nothing_is_made(client, conference, organiser, db):
    for value in ("0", "-3", "many"):
        response = _new(client, max_uses=value)
        assert response.status_code == 400
        assert "Keynote: Ada" in response.get_data(as_text=True)  # what was typed is kept
    assert "Enter a number from 1 to 10,000." in _new(client, max_uses="0").get_data(as_text=True)
    assert count(db, AccessCode) == 0


def test_a_note_is_required(client, conference, organiser, db):
    response = _new(client, note="  ")
    assert response.status_code == 400
    assert "Say whom the code is for" in response.get_data(as_text=True)
    assert count(db, AccessCode) == 0


def test_a_valid_until_in_the_past_is_refused(client, conference, organiser, db, now):
    # ``now`` stands on 1 Dec 2026.
    response = _new(client, valid_until="2026-11-30T09:00")
    assert response.status_code == 400
    assert "That time has passed" in response.get_data(as_text=True)
    assert count(db, AccessCode) == 0


def test_a_track_or_format_of_another_conference_is_refused(client, conference, organiser, db):
    other = ConferenceFactory(slug="other")
    db.session.add(Track(conference=other, name="Elsewhere"))
    db.session.add(SessionFormat(conference=other, name="Elsewhere", duration_minutes=30))
    db.session.commit()
    other_track = db.session.scalar(select(Track).where(Track.name == "Elsewhere"))
    other_format = db.session.scalar(select(SessionFormat).where(SessionFormat.name == "Elsewhere"))
    assert _new(client, track_id=str(other_track.id)).status_code == 400
    assert _new(client, session_format_id=str(other_format.id)).status_code == 400
    assert count(db, AccessCode) == 0


# --- a time the clocks show twice -------------------------------------------------------------

# 01:30 on 31 Oct 2027 happens twice in London: at 00:30 UTC (BST), then at 01:30 UTC (GMT).
AMBIGUOUS = "2027-10-31T01:30"


def test_an_ambiguous_valid_until_asks_which_one_and_keeps_the_one_chosen(client, conference, organiser, db):
    response = _new(client, valid_until=AMBIGUOUS)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "happens twice in Europe/London" in page
    assert "01:30 UTC+01:00 (the first, before the clocks go back)" in page
    assert "01:30 UTC+00:00 (the second, after the clocks go back)" in page
    assert count(db, AccessCode) == 0
    assert _new(client, valid_until=AMBIGUOUS, valid_until_occurrence="second").status_code == 302
    code = db.session.scalar(select(AccessCode))
    assert code.valid_until == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    edit_page = client.get(f"{CODES}/{code.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="valid_until_occurrence"[^>]*value="second"', edit_page)
    response = client.post(
        f"{CODES}/{code.id}/edit",
        data={"note": "Keynote: Ada", "track_id": "0", "session_format_id": "0",
              "valid_until": AMBIGUOUS, "valid_until_occurrence": "first", "max_uses": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AccessCode, code.id).valid_until == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_valid_until_the_clocks_skip_is_a_form_error(client, conference, organiser, db):
    response = _new(client, valid_until="2027-03-28T01:30")
    assert response.status_code == 400
    assert "does not exist in Europe/London" in response.get_data(as_text=True)


# --- changing, revoking, deleting -----------------------------------------------------------


def test_editing_changes_limits_but_never_the_secret(client, conference, organiser, db):
    code = make_code(db, conference, max_uses=5, times_used=3)
    secret = code.code
    form = client.get(f"{CODES}/{code.id}/edit").get_data(as_text=True)
    assert 'value="Keynote: Ada"' in form
    keynote = session_format(conference, "Keynote")
    response = client.post(
        f"{CODES}/{code.id}/edit",
        data={"note": "Keynote: Grace", "track_id": "0", "session_format_id": str(keynote.id),
              "valid_until": "", "max_uses": "3"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    code = db.session.get(AccessCode, code.id)
    assert (code.note, code.session_format_id, code.max_uses, code.code) == ("Keynote: Grace", keynote.id, 3, secret)


def test_maximum_uses_cannot_go_below_the_uses_already_made(client, conference, organiser, db):
    code = make_code(db, conference, max_uses=5, times_used=3)
    response = client.post(
        f"{CODES}/{code.id}/edit",
        data={"note": "Keynote: Ada", "track_id": "0", "session_format_id": "0", "valid_until": "", "max_uses": "2"},
    )
    assert response.status_code == 400
    assert "already used 3 times" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AccessCode, code.id).max_uses == 5


def test_revoking_stops_the_code_and_keeps_it_listed(client, conference, organiser, db):
    code = make_code(db, conference)
    response = client.post(f"{CODES}/{code.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AccessCode, code.id).revoked_at is not None
    assert "Revoked" in client.get(CODES).get_data(as_text=True)


def test_an_unused_code_is_deleted_and_a_used_one_is_kept(client, conference, organiser, db):
    unused = make_code(db, conference, note="Nobody yet")
    used = make_code(db, conference, note="Keynote: Ada")
    proposal_of(make_user(), conference, access_code_id=used.id)
    db.session.commit()
    assert client.post(f"{CODES}/{unused.id}/delete").status_code == 302
    response = client.post(f"{CODES}/{used.id}/delete", follow_redirects=True)
    assert "Revoke it instead" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(AccessCode.note)).all() == ["Keynote: Ada"]


def test_actions_need_the_form_token(app, client, conference, organiser, db):
    app.config["WTF_CSRF_ENABLED"] = True
    code = make_code(db, conference)
    assert client.post(f"{CODES}/{code.id}/revoke").status_code == 400
    assert client.post(f"{CODES}/{code.id}/delete").status_code == 400
    db.session.expire_all()
    assert db.session.get(AccessCode, code.id).revoked_at is None


# --- sending the link --------------------------------------------------------------------


def test_the_link_is_sent_once_through_the_outbox(client, conference, organiser, db):
    code = make_code(db, conference, track_id=track(conference, "Keynotes").id)
    for _ in range(2):
        response = client.post(f"{CODES}/{code.id}/send", data={"email": "ada@example.com"})
        assert response.status_code == 302
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 1
    assert messages[0].recipient == "ada@example.com"
    assert f"/c/devcon/proposals/new?code={code.code}" in messages[0].body
    assert "the track “Keynotes”" in messages[0].body


def test_a_bad_address_is_a_form_error_and_nothing_is_sent(client, conference, organiser, db):
    code = make_code(db, conference)
    response = client.post(f"{CODES}/{code.id}/send", data={"email": "not an address"})
    assert response.status_code == 400
    assert "Enter an e-mail address" in response.get_data(as_text=True)
    assert count(db, OutboxMessage) == 0


# --- who may ----------------------------------------------------------------------------------


def test_only_organisers_manage_codes(client, conference, login, db):
    code = make_code(db, conference)
    assert client.get(CODES).status_code == 302  # anonymous: sent to log in
    for role in (Role.SPEAKER, Role.REVIEWER):
        user = make_user()
        RoleFactory(conference=conference, user=user, role=role)
        db.session.commit()
        client.post("/logout")
        login(user)
        assert client.get(CODES).status_code == 403
        assert client.get(f"{CODES}/{code.id}/edit").status_code == 403
        assert _new(client).status_code == 403
        assert client.post(f"{CODES}/{code.id}/revoke").status_code == 403
        assert client.post(f"{CODES}/{code.id}/delete").status_code == 403
        assert client.post(f"{CODES}/{code.id}/send", data={"email": "x@example.com"}).status_code == 403
    db.session.expire_all()
    assert count(db, AccessCode) == 1
    assert db.session.get(AccessCode, code.id).revoked_at is None
    assert count(db, OutboxMessage) == 0


def test_a_code_of_another_conference_is_not_found(client, conference, organiser, db):
    other = ConferenceFactory(slug="other")
    db.session.commit()
    code = make_code(db, other)
    assert client.get(f"{CODES}/{code.id}/edit").status_code == 404
    assert client.post(f"{CODES}/{code.id}/revoke").status_code == 404


def test_the_management_navigation_links_the_codes(client, conference, organiser):
    page = client.get("/c/devcon/manage/").get_data(as_text=True)
    assert f'href="{CODES}"' in page


# --- tracks and formats only with a code --------------------------------------------------


def test_organisers_mark_a_track_and_a_format_as_only_with_an_access_code(client, conference, organiser, db):
    response = client.post(
        "/c/devcon/manage/tracks/new",
        data={"name": "Invited", "description": "", "colour": "#336699", "requires_access_code": "y"},
    )
    assert response.status_code == 302
    response = client.post(
        "/c/devcon/manage/formats/new",
        data={"name": "Fireside", "duration_minutes": "60", "requires_access_code": "y"},
    )
    assert response.status_code == 302
    invited = db.session.scalar(select(Track).where(Track.name == "Invited"))
    fireside = db.session.scalar(select(SessionFormat).where(SessionFormat.name == "Fireside"))
    assert invited.requires_access_code and fireside.requires_access_code
    assert "Only with an access code" in client.get("/c/devcon/manage/tracks").get_data(as_text=True)
    assert "Only with an access code" in client.get("/c/devcon/manage/formats").get_data(as_text=True)
    edit = client.get(f"/c/devcon/manage/tracks/{invited.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="requires_access_code"', edit)
    # Saving without the box ticked opens the track to everyone again.
    response = client.post(
        f"/c/devcon/manage/tracks/{invited.id}/edit",
        data={"name": "Invited", "description": "", "colour": "#336699"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Track, invited.id).requires_access_code is False


@pytest.mark.parametrize("value", ["0001-01-01T00:30", "9999-12-31T23:30", "10000-01-01T00:00"])
def test_a_valid_until_at_the_ends_of_the_calendar_is_a_form_error(client, conference, organiser, db, value):
    response = _new(client, valid_until=value)
    assert response.status_code == 400
    assert count(db, AccessCode) == 0


# --- deleting the track or format a code is limited to ----------------------------------------


def test_deleting_a_track_revokes_its_codes_which_stay_listed_and_keep_their_proposals(
    client, conference, organiser, db, now
):
    keynotes = track(conference, "Keynotes")
    limited = make_code(db, conference, note="Keynote: Ada", track_id=keynotes.id, times_used=1)
    revoked_before = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    make_code(db, conference, note="Keynote: Bob", track_id=keynotes.id, revoked_at=revoked_before)
    open_code = make_code(db, conference, note="Anyone")
    proposal = proposal_of(make_user(), conference, track=keynotes, access_code_id=limited.id, submitted_at=now.instant)
    db.session.commit()

    keynotes_id = keynotes.id
    response = client.post(f"/c/devcon/manage/tracks/{keynotes_id}/delete", data={"confirmed": "yes"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Track, keynotes_id) is None
    codes = {code.note: code for code in db.session.scalars(select(AccessCode))}
    assert set(codes) == {"Keynote: Ada", "Keynote: Bob", "Anyone"}
    assert (codes["Keynote: Ada"].track_id, codes["Keynote: Ada"].deleted_track_name) == (None, "Keynotes")
    assert codes["Keynote: Ada"].revoked_at == now.instant
    assert codes["Keynote: Bob"].revoked_at == revoked_before  # revoked earlier: that instant stays
    assert codes["Keynote: Bob"].deleted_track_name == "Keynotes"
    assert codes["Anyone"].revoked_at is None and codes["Anyone"].deleted_track_name is None
    assert db.session.get(type(proposal), proposal.id).access_code_id == limited.id
    page = client.get(CODES).get_data(as_text=True)
    assert page.count("The deleted track “Keynotes”; any format") == 2
    assert page.count("Revoked") == 2
    assert open_code.note in page and "Any track;" in page
    edit = client.get(f"{CODES}/{limited.id}/edit").get_data(as_text=True)
    assert "Limited to the deleted track “Keynotes”: the code was revoked when the track was deleted." in edit
    assert "Submitted with access code “Keynote: Ada”" in client.get(
        f"/c/devcon/manage/proposals/{proposal.id}"
    ).get_data(as_text=True)


def test_deleting_a_format_revokes_its_codes_which_stay_listed_and_keep_their_proposals(
    client, conference, organiser, db, now
):
    keynote = session_format(conference, "Keynote")
    limited = make_code(db, conference, note="Keynote: Ada", session_format_id=keynote.id, times_used=1)
    # Submitted with the code, then moved to another format: the keynote format is free to go.
    proposal = proposal_of(
        make_user(), conference, session_format=session_format(conference, "Talk"), access_code_id=limited.id
    )
    db.session.commit()

    keynote_id = keynote.id
    response = client.post(f"/c/devcon/manage/formats/{keynote_id}/delete")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SessionFormat, keynote_id) is None
    code = db.session.get(AccessCode, limited.id)
    assert (code.session_format_id, code.deleted_session_format_name) == (None, "Keynote")
    assert code.revoked_at == now.instant and code.deleted_track_name is None
    assert db.session.get(type(proposal), proposal.id).access_code_id == limited.id
    assert "Any track; the deleted format “Keynote”" in client.get(CODES).get_data(as_text=True)


def test_a_code_limited_to_a_deleted_track_or_format_grants_none_of_the_others(conference, db):
    from conference.access_codes.operations import may_leave_track_open
    from conference.organisers.operations import delete_session_format, delete_track

    by_track = make_code(db, conference, note="Track", track_id=track(conference, "Keynotes").id)
    by_format = make_code(db, conference, note="Format", session_format_id=session_format(conference, "Keynote").id)
    delete_track(track(conference, "Keynotes"))
    delete_session_format(session_format(conference, "Keynote"))
    db.session.commit()
    # Even were the revocation undone, neither code would open every track or format.
    for code in (by_track, by_format):
        code.revoked_at = None
    assert [by_track.grants_track(item) for item in conference.tracks] == [False]
    assert not by_track.grants_track(None) and not may_leave_track_open(by_track)
    assert [by_track.grants_format(item) for item in conference.session_formats] == [True]
    assert [by_format.grants_format(item) for item in conference.session_formats] == [False]
    assert [by_format.grants_track(item) for item in conference.tracks] == [True]


def test_editing_a_code_of_a_deleted_track_keeps_that_limit_until_another_is_chosen(
    client, conference, organiser, db
):
    from conference.organisers.operations import delete_track

    code = make_code(db, conference, track_id=track(conference, "Keynotes").id)
    delete_track(track(conference, "Keynotes"))
    db.session.commit()
    data = {"note": "Renamed", "track_id": "0", "session_format_id": "0", "valid_until": "", "max_uses": ""}
    assert client.post(f"{CODES}/{code.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (code.note, code.track_id, code.deleted_track_name) == ("Renamed", None, "Keynotes")
    platform = track(conference, "Platform")
    assert client.post(f"{CODES}/{code.id}/edit", data={**data, "track_id": str(platform.id)}).status_code == 302
    db.session.expire_all()
    assert (code.track_id, code.deleted_track_name) == (platform.id, None)
    assert code.revoked_at is not None  # a revoked code stays revoked


def test_the_database_refuses_to_delete_a_track_a_code_still_points_to(conference, db):
    from sqlalchemy import delete
    from sqlalchemy.exc import IntegrityError

    keynotes = track(conference, "Keynotes")
    code = make_code(db, conference, track_id=keynotes.id)
    with pytest.raises(IntegrityError):
        db.session.execute(delete(Track).where(Track.id == keynotes.id))
    db.session.rollback()
    assert db.session.get(AccessCode, code.id).track_id == keynotes.id
