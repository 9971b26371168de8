"""Publishing numbered versions, the changelog, speaker e-mails and concurrent publishes."""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from conference.conferences.models import Role
from conference.mail.models import OutboxMessage
from conference.proposals.models import InvitationState, PresentationMode, SpeakerRole
from conference.schedule.models import CalendarEntry, ScheduledTalk, ScheduleVersion
from tests.conference.drafts.conftest import add_talk, at, make_scene
from tests.conference.organisers.conftest import make_user
from tests.factories import ProposalSpeakerFactory, RoleFactory, SpeakerProfileFactory

PUBLISH = "/c/devcon/manage/schedule/publish"
EDITOR = "/c/devcon/manage/schedule/draft"


def _published(db, conference):
    db.session.expire_all()
    return db.session.scalars(
        select(ScheduleVersion)
        .where(ScheduleVersion.conference_id == conference.id, ScheduleVersion.is_draft.is_(False))
        .order_by(ScheduleVersion.number)
    ).all()


def _rows(db, version):
    return db.session.scalars(select(ScheduledTalk).where(ScheduledTalk.version_id == version.id)).all()


def _move(client, db, scene, talk, room, starts_at):
    db.session.expire_all()
    lock = db.session.get(ScheduleVersion, scene.draft.id).lock_version
    response = client.post(
        f"{EDITOR}/talks/{talk.id}/move",
        data={"room_id": room.id, "starts_at": starts_at.isoformat(), "lock_version": lock},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_publish_creates_version_one_with_a_copy_of_the_draft(client, db, scene, organiser):
    response = client.post(PUBLISH, data={"note": "First cut"})
    assert response.status_code == 302
    [version] = _published(db, scene.conference)
    assert (version.number, version.note, version.published_by_id) == (1, "First cut", organiser.id)
    assert version.based_on_id == scene.draft.id and version.published_at is not None
    [row] = _rows(db, version)
    assert (row.proposal_id, row.room_id, row.starts_at) == (scene.talk.proposal_id, scene.main_hall.id, at(14))
    assert row.id != scene.talk.id
    # The draft stays the draft, and the calendar feeds learn about the talk.
    assert db.session.get(ScheduleVersion, scene.draft.id).is_draft is True
    assert db.session.scalar(select(func.count(CalendarEntry.id))) == 1


def test_publish_twice_without_changes_is_refused(client, db, scene, organiser):
    client.post(PUBLISH, data={"note": ""})
    response = client.post(PUBLISH, data={"note": ""}, follow_redirects=True)
    assert "Nothing to publish: the draft equals version 1." in response.get_data(as_text=True)
    assert len(_published(db, scene.conference)) == 1


def test_published_versions_stay_unchanged_when_the_draft_moves_on(client, db, scene, organiser):
    client.post(PUBLISH, data={"note": ""})
    _move(client, db, scene, scene.talk, scene.side_room, at(10))
    assert client.post(PUBLISH, data={"note": "Moved one"}).status_code == 302
    first, second = _published(db, scene.conference)
    assert (first.number, second.number) == (1, 2)
    assert _rows(db, first)[0].starts_at == at(14)
    assert _rows(db, second)[0].starts_at == at(10)


def test_a_talk_declined_after_placing_is_flagged_and_left_out_of_the_next_version(client, db, scene, organiser):
    from conference.proposals.models import Proposal, ProposalState

    other = add_talk(db, scene.draft, scene.side_room, at(10), "Stays on")
    db.session.commit()
    assert client.post(PUBLISH, data={"note": ""}).status_code == 302
    db.session.get(Proposal, scene.talk.proposal_id).state = ProposalState.DECLINED
    db.session.commit()
    editor = client.get(EDITOR).get_data(as_text=True)
    assert "Declined since it was placed: publishing leaves it out" in editor
    assert client.post(PUBLISH, data={"note": "Without the declined talk"}).status_code == 302
    first, second = _published(db, scene.conference)
    assert {row.proposal_id for row in _rows(db, first)} == {scene.talk.proposal_id, other.proposal_id}
    assert {row.proposal_id for row in _rows(db, second)} == {other.proposal_id}
    # The feeds cancel it: its calendar entry is marked as removed.
    entry = db.session.scalar(select(CalendarEntry).where(CalendarEntry.proposal_id == scene.talk.proposal_id))
    assert entry is not None and entry.cancelled


def test_publish_an_empty_draft_is_refused(client, db, scene, organiser):
    db.session.delete(db.session.get(ScheduledTalk, scene.talk.id))
    db.session.commit()
    response = client.post(PUBLISH, data={"note": ""}, follow_redirects=True)
    assert "nothing to publish" in response.get_data(as_text=True)
    assert _published(db, scene.conference) == []


def test_publish_note_too_long_is_refused_with_a_message(client, db, scene, organiser):
    response = client.post(PUBLISH, data={"note": "x" * 2001}, follow_redirects=True)
    assert "2000" in response.get_data(as_text=True)
    assert _published(db, scene.conference) == []


def test_speakers_get_their_slot_in_their_own_zone_once_per_version(client, db, scene, organiser):
    client.post(PUBLISH, data={"note": ""})
    [version] = _published(db, scene.conference)
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == scene.speaker.email
    assert message.dedupe_key == f"schedule:{version.id}:{scene.talk.proposal_id}:{scene.speaker.id}"
    assert "Wed 24 Mar 2027, 19:30–20:00 Asia/Kolkata" in message.body
    assert "Main Hall (London)" in message.body
    assert "Zero-downtime deploys" in message.subject


def test_speakers_are_told_when_their_talk_moves_or_is_cancelled(client, db, scene, organiser):
    other = add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(11),
                     "Observability", block=scene.block)
    other_speaker = other.proposal.speakers[0].user
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    _move(client, db, scene, scene.talk, scene.main_hall, at(15))
    db.session.delete(db.session.get(ScheduledTalk, other.id))
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    _, second = _published(db, scene.conference)
    new = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"schedule:{second.id}:"))
    ).all()
    by_recipient = {message.recipient: message for message in new}
    assert set(by_recipient) == {scene.speaker.email, other_speaker.email}
    moved = by_recipient[scene.speaker.email]
    assert "Before: Wed 24 Mar 2027, 19:30–20:00 Asia/Kolkata" in moved.body
    assert "Now: Wed 24 Mar 2027, 20:30–21:00 Asia/Kolkata" in moved.body
    assert "cancelled" in by_recipient[other_speaker.email].body


def test_unchanged_talks_get_no_second_email(client, db, scene, organiser):
    client.post(PUBLISH, data={"note": ""})
    add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(11), "New one",
             block=scene.block)
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients.count(scene.speaker.email) == 1 and len(recipients) == 2


def test_remote_speakers_get_a_join_line(client, db, scene, organiser):
    SpeakerProfileFactory(conference=scene.conference, user=scene.speaker,
                          presentation_mode=PresentationMode.REMOTE)
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    message = db.session.scalar(select(OutboxMessage))
    assert "You present remotely in “Main Hall”" in message.body


def test_public_changelog_lists_moves_additions_and_cancellations(client, db, scene, organiser):
    other = add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(11),
                     "Observability", block=scene.block)
    db.session.commit()
    client.post(PUBLISH, data={"note": "First"})
    _move(client, db, scene, scene.talk, scene.side_room, at(15))
    db.session.delete(db.session.get(ScheduledTalk, other.id))
    add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.main_hall, at(9), "Opening",
             block=scene.block)
    db.session.commit()
    client.post(PUBLISH, data={"note": "Second"})
    client.post("/logout")
    page = client.get("/c/devcon/changelog?tz=America/New_York").get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page
    moved = page.split("<h3>Moved</h3>")[1].split("</ul>")[0]
    assert "Main Hall, Wed 24 Mar 2027, 10:00" in moved and "Side Room, Wed 24 Mar 2027, 11:00" in moved
    assert "Opening" in page.split("<h3>Added</h3>")[1].split("</ul>")[0]
    assert "Observability" in page.split("<h3>Cancelled</h3>")[1].split("</ul>")[0]
    assert '<span class="tz-label">America/New_York</span>' in page


def test_public_changelog_is_readable_by_anyone(client, scene):
    response = client.get("/c/devcon/changelog")
    assert response.status_code == 200
    assert "No schedule has been published yet." in response.get_data(as_text=True)
    assert client.get("/c/nope/changelog").status_code == 404


def test_versions_page_lists_versions_and_links_to_each(client, db, scene, organiser):
    client.post(PUBLISH, data={"note": "First cut"})
    [version] = _published(db, scene.conference)
    page = client.get("/c/devcon/manage/schedule/versions").get_data(as_text=True)
    assert "Version 1" in page and "First cut" in page and organiser.display_name in page
    detail = client.get(f"/c/devcon/manage/schedule/versions/{version.id}")
    assert detail.status_code == 200 and "Zero-downtime deploys" in detail.get_data(as_text=True)


def test_another_conferences_version_or_the_draft_is_a_404(client, db, scene, organiser):
    other = make_scene(db, slug="othercon")
    foreign = ScheduleVersion(conference_id=other.conference.id, is_draft=False, number=1)
    db.session.add(foreign)
    db.session.commit()
    assert client.get(f"/c/devcon/manage/schedule/versions/{foreign.id}").status_code == 404
    assert client.get(f"/c/devcon/manage/schedule/versions/{scene.draft.id}").status_code == 404


def test_publish_is_for_organisers_only(client, db, scene, login):
    assert client.post(PUBLISH, data={"note": ""}).status_code == 302  # to the login page
    speaker = make_user()
    RoleFactory(conference=scene.conference, user=speaker, role=Role.SPEAKER)
    db.session.commit()
    login(speaker)
    assert client.post(PUBLISH, data={"note": ""}).status_code == 403
    assert _published(db, scene.conference) == []


def test_concurrent_publishes_create_exactly_one_version(app, db, scene):
    # PostgreSQL locks the draft row; SQLite's single writer serialises the two requests.
    organisers = [make_user() for _ in range(2)]
    for user in organisers:
        RoleFactory(conference=scene.conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    emails = [user.email for user in organisers]
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def publish(email: str) -> None:
        try:
            with app.app_context():
                client = app.test_client()
                assert client.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 302
                barrier.wait(timeout=10)
                statuses.append(client.post(PUBLISH, data={"note": email}).status_code)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert statuses == [302, 302]
    versions = _published(db, scene.conference)
    assert [version.number for version in versions] == [1]
    assert len(_rows(db, versions[0])) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_schedule_email_kinds_preview_on_the_email_templates_page(client, scene, organiser):
    for kind in ("schedule_slot", "schedule_change"):
        response = client.get(f"/c/devcon/manage/emails/{kind}")
        assert response.status_code == 200, kind
        assert "Main Hall (London)" in response.get_data(as_text=True)


def test_publishing_from_a_page_older_than_the_draft_is_a_409_and_publishes_nothing(client, db, scene, organiser):
    lock = db.session.get(ScheduleVersion, scene.draft.id).lock_version
    editor = client.get(EDITOR).get_data(as_text=True)
    publish_form = editor.split(f'action="{PUBLISH}"')[1].split("</form>")[0]
    assert re.search(rf'name="lock_version"[^>]*value="{lock}"', publish_form), publish_form
    # Another organiser moves a talk after this page was loaded: publishing it would put a
    # schedule nobody here has seen in front of every speaker.
    _move(client, db, scene, scene.talk, scene.side_room, at(10))
    response = client.post(PUBLISH, data={"note": "Final <b>cut</b>", "lock_version": lock})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone changed the draft since you loaded this page, so nothing was published." in page
    assert "Final &lt;b&gt;cut&lt;/b&gt;</textarea>" in page  # the note is kept to send again
    assert _published(db, scene.conference) == []
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    response = client.post(PUBLISH, data={"note": "", "lock_version": lock + 1})
    assert response.status_code == 302
    assert [version.number for version in _published(db, scene.conference)] == [1]


def test_a_co_speaker_who_joined_after_publication_gets_the_slot_with_the_next_version(client, db, scene, organiser):
    client.post(PUBLISH, data={"note": ""})
    co_speaker = make_user(display_name="Ben Okafor", time_zone="America/New_York")
    ProposalSpeakerFactory(proposal=scene.talk.proposal, user=co_speaker, role=SpeakerRole.CO_SPEAKER,
                           invitation_state=InvitationState.ACCEPTED)
    add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(11), "New one",
             block=scene.block)
    db.session.commit()
    assert client.post(PUBLISH, data={"note": ""}).status_code == 302
    _, second = _published(db, scene.conference)
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == co_speaker.email)).all()
    assert message.dedupe_key == f"schedule:{second.id}:{scene.talk.proposal_id}:{co_speaker.id}"
    assert "Wed 24 Mar 2027, 10:00–10:30 America/New_York" in message.body
    # The speaker told with version 1 is not told again, and nobody is told twice on a third version.
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients.count(scene.speaker.email) == 1
    add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(12), "Newer one",
             block=scene.block)
    db.session.commit()
    assert client.post(PUBLISH, data={"note": ""}).status_code == 302
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients.count(co_speaker.email) == 1 and recipients.count(scene.speaker.email) == 1


def _emails_of_version(db, version):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(f"schedule:{version.id}:"))
    ).all()


def test_a_room_only_move_email_names_the_rooms_and_the_time_once(client, db, scene, organiser):
    client.post(PUBLISH, data={"note": ""})
    _move(client, db, scene, scene.talk, scene.side_room, at(14))
    assert client.post(PUBLISH, data={"note": "Bigger room needed elsewhere"}).status_code == 302
    _, second = _published(db, scene.conference)
    [message] = _emails_of_version(db, second)
    body = message.body
    assert "The room changed; the time stays the same." in body
    assert "Room before: Main Hall (London)" in body
    assert "Room now: Side Room (London)" in body
    assert body.count("Wed 24 Mar 2027, 19:30–20:00 Asia/Kolkata") == 1
    assert "Before:" not in body


def test_a_move_in_time_and_room_email_shows_both_before_and_now(client, db, scene, organiser):
    client.post(PUBLISH, data={"note": ""})
    _move(client, db, scene, scene.talk, scene.side_room, at(10))
    client.post(PUBLISH, data={"note": ""})
    _, second = _published(db, scene.conference)
    [message] = _emails_of_version(db, second)
    assert "The time and the room changed." in message.body
    assert "Before: Wed 24 Mar 2027, 19:30–20:00 Asia/Kolkata, Main Hall (London)" in message.body
    assert "Now: Wed 24 Mar 2027, 15:30–16:00 Asia/Kolkata, Side Room (London)" in message.body


def test_a_cancellation_email_says_where_and_when_the_talk_was(client, db, scene, organiser):
    add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.side_room, at(11), "Stays on",
             block=scene.block)
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    db.session.delete(db.session.get(ScheduledTalk, scene.talk.id))
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    _, second = _published(db, scene.conference)
    [message] = _emails_of_version(db, second)
    assert "cancelled" in message.body
    assert "It was: Wed 24 Mar 2027, 19:30–20:00 Asia/Kolkata, Main Hall (London)" in message.body


def test_schedule_emails_carry_utc_offsets_on_a_day_the_clocks_change(client, db, scene, organiser):
    from datetime import UTC, datetime

    from tests.factories import ScheduleBlockFactory

    # New York falls back at 06:00 UTC on 7 November 2027: 01:15 happens at 05:15 and at 06:15 UTC.
    block = ScheduleBlockFactory(conference=scene.conference, name="Night", hub=scene.new_york,
                                 starts_at=datetime(2027, 11, 7, 4, 0, tzinfo=UTC),
                                 ends_at=datetime(2027, 11, 7, 8, 0, tzinfo=UTC))
    speaker = make_user(display_name="Maya Cruz", time_zone="America/New_York")
    talk = add_talk(db, db.session.get(ScheduleVersion, scene.draft.id), scene.closed_room,
                    datetime(2027, 11, 7, 5, 15, tzinfo=UTC), "Night owls", speaker=speaker, block=block)
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    [first] = _published(db, scene.conference)
    [slot] = [message for message in _emails_of_version(db, first) if message.recipient == speaker.email]
    assert "Sun 07 Nov 2027, 01:15 UTC-04:00–01:45 UTC-04:00 America/New_York" in slot.body
    assert "Sun 07 Nov 2027, 01:15 UTC-04:00" in slot.subject
    # The same wall clock an hour later: only the offsets tell the speaker what changed.
    row = db.session.get(ScheduledTalk, talk.id)
    row.starts_at = datetime(2027, 11, 7, 6, 15, tzinfo=UTC)
    row.ends_at = datetime(2027, 11, 7, 6, 45, tzinfo=UTC)
    db.session.commit()
    client.post(PUBLISH, data={"note": ""})
    _, second = _published(db, scene.conference)
    [change] = _emails_of_version(db, second)
    assert "Before: Sun 07 Nov 2027, 01:15 UTC-04:00–01:45 UTC-04:00 America/New_York" in change.body
    assert "Now: Sun 07 Nov 2027, 01:15 UTC-05:00–01:45 UTC-05:00 America/New_York" in change.body
    # Days without a change keep plain times (the Kolkata speaker's e-mail of version 1).
    [plain] = [message for message in _emails_of_version(db, first) if message.recipient == scene.speaker.email]
    assert "Wed 24 Mar 2027, 19:30–20:00 Asia/Kolkata" in plain.body and "UTC+" not in plain.body


def test_the_schedule_change_template_previews_with_the_room_placeholders(client, scene, organiser):
    page = client.get("/c/devcon/manage/emails/schedule_change").get_data(as_text=True)
    assert "<code>{{ change }}</code>" in page and "<code>{{ previous_where }}</code>" in page
    assert "The time and the room changed." in page  # the default body previewed with sample values
