"""Attendees hear by e-mail when a talk they starred moves or is cancelled in a new version."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from conference.mail.models import OutboxMessage
from conference.schedule.models import ScheduledTalk, ScheduleVersion
from tests.conference.drafts.conftest import add_talk, at
from tests.conference.drafts.test_publish import PUBLISH, _move, _published
from tests.conference.organisers.conftest import make_user
from tests.factories import InterestMarkFactory, ProposalSpeakerFactory, ScheduleBlockFactory


def _starred_emails(db, version) -> dict[str, OutboxMessage]:
    db.session.expire_all()
    return {message.recipient: message for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"starred:{version.id}:")))}


def _star(db, user, *talks) -> None:
    for talk in talks:
        InterestMarkFactory(user_id=user.id, proposal_id=talk.proposal_id)
    db.session.commit()


def test_people_who_starred_a_moved_or_cancelled_talk_get_one_email_in_their_zone(client, db, scene, organiser):
    other = add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(11),
                     "Observability", block=scene.block)
    steady = add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(15),
                      "Stays put", block=scene.block)
    ana = make_user(display_name="Ana", time_zone="America/New_York")
    ben = make_user(display_name="Ben", time_zone="Europe/Berlin")
    cleo = make_user(display_name="Cleo", time_zone="UTC")
    _star(db, ana, scene.talk, other)
    _star(db, ben, scene.talk)
    _star(db, cleo, steady)
    response = client.post(PUBLISH, data={"note": ""}, follow_redirects=True)
    assert "told about talks they starred" not in response.get_data(as_text=True)
    [first] = _published(db, scene.conference)
    assert _starred_emails(db, first) == {}  # a first publication changes nothing starred

    _move(client, db, scene, scene.talk, scene.main_hall, at(16))
    db.session.delete(db.session.get(ScheduledTalk, other.id))
    db.session.commit()
    response = client.post(PUBLISH, data={"note": ""}, follow_redirects=True)
    assert "2 people are told about talks they starred that changed." in response.get_data(as_text=True)
    _, second = _published(db, scene.conference)
    emails = _starred_emails(db, second)

    assert set(emails) == {ana.email, ben.email}  # Cleo's talk did not change
    to_ana = emails[ana.email]
    assert to_ana.subject == f"{scene.conference.name}: 2 talks you starred changed"
    assert "times in America/New_York" in to_ana.body
    # Ordered by their time in the old version: Observability (11:00 UTC) first.
    assert to_ana.body.index("“Observability”") < to_ana.body.index("“Zero-downtime deploys”")
    assert "Before: Wed 24 Mar 2027, 10:00–10:30 America/New_York" in to_ana.body
    assert "Now: Wed 24 Mar 2027, 12:00–12:30 America/New_York" in to_ana.body
    assert "It was: Wed 24 Mar 2027, 07:00–07:30 America/New_York, Side Room (London)" in to_ana.body
    assert "/c/devcon/agenda/mine" in to_ana.body and "/account" in to_ana.body
    to_ben = emails[ben.email]
    assert to_ben.subject == f"{scene.conference.name}: a talk you starred changed"
    assert "Before: Wed 24 Mar 2027, 15:00–15:30 Europe/Berlin" in to_ben.body
    assert "Observability" not in to_ben.body


def test_no_email_for_those_who_turned_it_off_or_speak_on_the_talk(client, db, scene, organiser):
    quiet = make_user(display_name="Quiet", time_zone="UTC")
    quiet.starred_change_emails = False
    co_speaker = make_user(display_name="Co", time_zone="UTC")
    ProposalSpeakerFactory(proposal=scene.talk.proposal, user=co_speaker)
    _star(db, quiet, scene.talk)
    _star(db, co_speaker, scene.talk)
    _star(db, scene.speaker, scene.talk)
    client.post(PUBLISH, data={"note": ""})
    _move(client, db, scene, scene.talk, scene.side_room, at(10))
    client.post(PUBLISH, data={"note": ""})
    _, second = _published(db, scene.conference)
    assert _starred_emails(db, second) == {}


def test_a_room_only_change_names_both_rooms(client, db, scene, organiser):
    fan = make_user(display_name="Fan", time_zone="Europe/London")
    _star(db, fan, scene.talk)
    client.post(PUBLISH, data={"note": ""})
    _move(client, db, scene, scene.talk, scene.side_room, at(14))
    client.post(PUBLISH, data={"note": ""})
    _, second = _published(db, scene.conference)
    body = _starred_emails(db, second)[fan.email].body
    assert "The room changed; the time stays the same." in body
    assert "Room before: Main Hall (London)" in body and "Room now: Side Room (London)" in body


def test_times_carry_utc_offsets_on_a_day_the_clocks_change_for_the_reader(client, db, scene, organiser):
    # New York falls back at 06:00 UTC on 7 November 2027: 01:15 happens at 05:15 and at 06:15 UTC.
    block = ScheduleBlockFactory(conference=scene.conference, name="Night", hub=scene.new_york,
                                 starts_at=datetime(2027, 11, 7, 4, 0, tzinfo=UTC),
                                 ends_at=datetime(2027, 11, 7, 8, 0, tzinfo=UTC))
    talk = add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.closed_room,
                    datetime(2027, 11, 7, 5, 15, tzinfo=UTC), "Night owls", block=block)
    owl = make_user(display_name="Owl", time_zone="America/New_York")
    _star(db, owl, talk)
    client.post(PUBLISH, data={"note": ""})
    row = db.session.get(ScheduledTalk, talk.id)
    row.starts_at, row.ends_at = datetime(2027, 11, 7, 6, 15, tzinfo=UTC), datetime(2027, 11, 7, 6, 45, tzinfo=UTC)
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    _, second = _published(db, scene.conference)
    body = _starred_emails(db, second)[owl.email].body
    assert "Before: Sun 07 Nov 2027, 01:15 UTC-04:00–01:45 UTC-04:00 America/New_York" in body
    assert "Now: Sun 07 Nov 2027, 01:15 UTC-05:00–01:45 UTC-05:00 America/New_York" in body


def test_the_account_page_turns_the_emails_off_and_on(client, db, login):
    user = make_user(display_name="Pat", time_zone="Europe/Paris")
    db.session.commit()
    login(user)
    page = client.get("/account").get_data(as_text=True)
    assert "E-mail me when a talk I starred moves or is cancelled" in page
    assert re.search(r'<input checked id="starred_change_emails" name="starred_change_emails" type="checkbox"', page)
    response = client.post("/account", data={"display_name": "Pat", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.starred_change_emails is False
    assert not re.search(r'<input checked id="starred_change_emails"', client.get("/account").get_data(as_text=True))
    client.post("/account", data={"display_name": "Pat", "time_zone": "Europe/Paris", "starred_change_emails": "y"})
    db.session.expire_all()
    assert user.starred_change_emails is True
    page = client.get("/account").get_data(as_text=True)
    assert re.search(r'<input checked id="starred_change_emails"', page)


def test_the_links_use_the_public_address_when_one_is_configured(app, client, db, scene, organiser, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://conference.acme.example/")
    fan = make_user(display_name="Fan", time_zone="UTC")
    _star(db, fan, scene.talk)
    client.post(PUBLISH, data={"note": ""})
    _move(client, db, scene, scene.talk, scene.side_room, at(10))
    client.post(PUBLISH, data={"note": ""})
    _, second = _published(db, scene.conference)
    body = _starred_emails(db, second)[fan.email].body
    assert "Your agenda: https://conference.acme.example/c/devcon/agenda/mine" in body
    assert "To stop these e-mails: https://conference.acme.example/account" in body
