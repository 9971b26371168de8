"""The daily digest of discussions: one e-mail a day at about 08:00 in each person's own zone,
with the new comments they may still read, made once however often the job runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from conference.conferences.models import Role
from conference.core.timezones import local_to_utc, to_zone
from conference.core.types import utcnow
from conference.discussion.digest import digest_day, queue_digest, queue_due_digests
from conference.discussion.models import DiscussionDigest, DiscussionFollower, ProposalComment
from conference.mail.models import OutboxMessage
from tests.conference.decisions.conftest import add_review, make_proposal, make_reviewer
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ConferenceFactory,
    ConflictFactory,
    ReviewAssignmentFactory,
    RoleFactory,
)

LONDON = "Europe/London"


def at(text: str) -> datetime:
    """An instant in UTC, written ``2025-06-10 07:05``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def say(db, proposal, author, body: str, when: datetime) -> ProposalComment:
    comment = ProposalComment(conference_id=proposal.conference_id, proposal_id=proposal.id,
                              author_id=author.id if author else None, body=body, created_at=when)
    db.session.add(comment)
    return comment


def follow(db, proposal, person) -> None:
    db.session.add(DiscussionFollower(proposal_id=proposal.id, user_id=person.id))


@pytest.fixture
def conference(db):
    conference = ConferenceFactory(slug="devcon", name="DevCon", time_zone=LONDON)
    db.session.commit()
    return conference


@pytest.fixture
def scene(db, conference):
    """A proposal, its organiser Olga, and Rita who reviewed it, follows it and chose digests."""
    proposal = make_proposal(conference, title="Tracing at scale")
    organiser = make_user(display_name="Olga Organiser")
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    rita = make_reviewer(conference, "Rita Reviewer")
    rita.discussion_emails = "digest"
    rita.time_zone = LONDON
    ReviewAssignmentFactory(proposal=proposal, reviewer=rita)
    add_review(proposal, rita, 4)
    follow(db, proposal, rita)
    db.session.commit()
    return proposal, organiser, rita


def test_a_digest_lists_the_new_comments_one_may_read_by_conference_and_proposal(db, conference, scene):
    proposal, olga, rita = scene
    conflicted = make_proposal(conference, title="Now conflicted")
    ReviewAssignmentFactory(proposal=conflicted, reviewer=rita)
    add_review(conflicted, rita, 3)
    ConflictFactory(conference_id=conference.id, reviewer=rita, proposal=conflicted)
    other = ConferenceFactory(slug="othercon", name="OtherCon")
    RoleFactory(conference=other, user=rita, role=Role.ORGANISER)
    elsewhere = make_proposal(other, title="Beta flags")
    unfollowed = make_proposal(conference, title="Not followed")
    for followed in (conflicted, elsewhere):
        follow(db, followed, rita)
    say(db, proposal, olga, "Too old to be new.", at("2025-06-08 12:00"))
    say(db, proposal, olga, "Does this overlap with the keynote?", at("2025-06-09 15:00"))
    say(db, proposal, rita, "My own words.", at("2025-06-09 15:30"))
    say(db, proposal, None, "From someone who left.", at("2025-06-09 16:00"))
    say(db, conflicted, olga, "Hidden by the conflict.", at("2025-06-09 17:00"))
    say(db, unfollowed, olga, "Not followed.", at("2025-06-09 17:00"))
    say(db, elsewhere, olga, "Beta note,\nover two lines.", at("2025-06-10 06:00"))
    db.session.commit()

    assert queue_due_digests(at("2025-06-10 07:05")) == 1  # 08:05 in London

    [message] = outbox(db)
    body = message.body
    assert message.recipient == rita.email
    assert message.subject == "Discussion digest: 3 new comments on 2 proposals"
    assert "Hello Rita Reviewer," in body and "(times in Europe/London)" in body
    order = ["DevCon\n======", "“Tracing at scale”: 2 new comments",
             f"Read and reply: http://conference.test/c/devcon/reviews/{proposal.id}#discussion",
             "Olga Organiser, Mon 09 Jun 2025, 16:00:\n    Does this overlap with the keynote?",
             "A former member, Mon 09 Jun 2025, 17:00:\n    From someone who left.",
             "OtherCon\n========", "“Beta flags”: 1 new comment\n",
             f"Read and reply: http://conference.test/c/othercon/manage/proposals/{elsewhere.id}#discussion",
             "Tue 10 Jun 2025, 07:00:\n    Beta note,\n    over two lines."]
    positions = [body.index(part) for part in order]
    assert positions == sorted(positions)
    for absent in ("Too old", "My own words", "Hidden by the conflict", "Not followed"):
        assert absent not in body
    assert "http://conference.test/account" in body


def test_nothing_is_sent_when_nothing_is_new_and_each_digest_starts_where_the_last_ended(db, scene):
    proposal, olga, rita = scene

    assert queue_due_digests(at("2025-06-10 07:05")) == 0
    assert db.session.get(DiscussionDigest, rita.id).day.isoformat() == "2025-06-10"
    say(db, proposal, olga, "Afternoon thought.", at("2025-06-10 12:00"))
    # Saved a moment before the next digest is made: it goes into the one after.
    say(db, proposal, olga, "Just in time?", at("2025-06-11 07:04:30"))
    db.session.commit()
    assert queue_due_digests(at("2025-06-10 19:00")) == 0  # that day's digest is made
    assert outbox(db) == []

    assert queue_due_digests(at("2025-06-11 07:05")) == 1
    assert queue_due_digests(at("2025-06-12 07:05")) == 1
    assert queue_due_digests(at("2025-06-13 07:05")) == 0

    first, second = outbox(db)
    assert "Afternoon thought." in first.body and "Just in time?" not in first.body
    assert "Just in time?" in second.body and "Afternoon thought." not in second.body


def test_a_days_digest_is_made_once_when_the_job_runs_twice_or_overlaps(db, scene):
    proposal, olga, rita = scene
    say(db, proposal, olga, "First.", at("2025-06-10 06:00"))
    db.session.commit()
    # A run that read "no digest yet" before another run made the first one.
    assert queue_due_digests(at("2025-06-10 07:05")) == 1
    assert queue_digest(rita, None, at("2025-06-10 07:05")) is False
    db.session.commit()
    assert queue_due_digests(at("2025-06-10 07:05")) == 0
    assert queue_due_digests(at("2025-06-10 08:00")) == 0

    say(db, proposal, olga, "Second.", at("2025-06-10 12:00"))
    db.session.commit()
    state = db.session.get(DiscussionDigest, rita.id)
    stale = DiscussionDigest(user_id=rita.id, day=state.day, through=state.through)
    assert queue_due_digests(at("2025-06-11 07:05")) == 1
    # The slower run still holds what it read before the other made the day's digest.
    assert queue_digest(rita, stale, at("2025-06-11 07:10")) is False
    db.session.commit()

    assert [message.subject for message in outbox(db)] == ["Discussion digest: 1 new comment on 1 proposal"] * 2
    assert db.session.get(DiscussionDigest, rita.id).day.isoformat() == "2025-06-11"


@pytest.mark.parametrize(("zone_name", "first_day", "sent_at"), [
    # London moves to summer time on Sunday 30 March 2025: 08:00 is then 07:00 UTC.
    (LONDON, "2025-03-28", ["2025-03-28 08:00", "2025-03-29 08:00", "2025-03-30 07:00", "2025-03-31 07:00"]),
    # New York goes back to standard time on Sunday 2 November 2025: 08:00 is then 13:00 UTC.
    ("America/New_York", "2025-10-31",
     ["2025-10-31 12:00", "2025-11-01 12:00", "2025-11-02 13:00", "2025-11-03 13:00"]),
])
def test_the_digest_comes_at_eight_every_day_in_ones_zone_when_the_clocks_change(
        db, scene, zone_name, first_day, sent_at):
    proposal, olga, rita = scene
    rita.time_zone = zone_name
    start = at(f"{first_day} 00:00")
    for day in range(-1, 4):
        say(db, proposal, olga, f"Comment of day {day}.", start + timedelta(days=day, hours=14))
    db.session.commit()

    sent = []
    for hour in range(4 * 24):
        now = start + timedelta(hours=hour)
        if queue_due_digests(now):
            sent.append(now)

    assert [instant.strftime("%Y-%m-%d %H:%M") for instant in sent] == sent_at
    assert all(to_zone(instant, zone_name).hour == 8 for instant in sent)
    bodies = [message.body for message in outbox(db)]
    assert [body.count("Comment of day") for body in bodies] == [1, 1, 1, 1]
    assert [f"Comment of day {day}." in body for day, body in zip(range(-1, 3), bodies, strict=True)] == [True] * 4


def test_runs_every_quarter_hour_reach_a_half_hour_zone_at_eight(db, scene):
    # Kolkata is UTC+05:30: 08:00 there is 02:30 UTC, between two hourly runs.
    proposal, olga, rita = scene
    rita.time_zone = "Asia/Kolkata"
    start = at("2025-03-10 00:00")
    for day in range(-1, 2):
        say(db, proposal, olga, f"Comment of day {day}.", start + timedelta(days=day, hours=10))
    db.session.commit()

    sent = [
        now
        for now in (start + timedelta(minutes=15 * run) for run in range(2 * 24 * 4))
        if queue_due_digests(now)
    ]

    assert [instant.strftime("%Y-%m-%d %H:%M") for instant in sent] == ["2025-03-10 02:30", "2025-03-11 02:30"]
    assert all(to_zone(instant, "Asia/Kolkata").strftime("%H:%M") == "08:00" for instant in sent)
    # The consumer's schedule runs then (huey reads its crontab in naive UTC).
    from conference.tasks import queue_discussion_digests_every_quarter_hour as task

    assert task.s().validate_datetime(sent[0].replace(tzinfo=None))


def test_the_digest_day_is_the_last_whose_eight_oclock_has_passed():
    assert digest_day(at("2025-03-30 06:59"), LONDON).isoformat() == "2025-03-29"
    assert digest_day(at("2025-03-30 07:00"), LONDON).isoformat() == "2025-03-30"
    assert digest_day(at("2025-06-10 02:29"), "Asia/Kolkata").isoformat() == "2025-06-09"
    assert digest_day(at("2025-06-10 02:30"), "Asia/Kolkata").isoformat() == "2025-06-10"


def _next_digest_time(zone_name: str) -> datetime:
    """The next 08:30 in ``zone_name`` a few minutes from now at least (within a day)."""
    now = utcnow()
    today = to_zone(now, zone_name).date()
    return next(instant for instant in (local_to_utc(today + timedelta(days=days), time(8, 30), zone_name)
                                        for days in (0, 1)) if instant > now + timedelta(minutes=2))


def _post(client, proposal, body):
    return client.post(f"/c/devcon/proposals/{proposal.id}/discussion",
                       data={"comment-body": body, "comment-back": "manage"})


def test_each_follower_gets_comments_as_they_chose_and_a_digest_repeats_no_e_mailed_one(
        client, login, db, conference, scene):
    proposal, olga, rita = scene
    each = make_reviewer(conference, "Eve Each")
    silent = make_reviewer(conference, "Nora None")
    silent.discussion_emails = "none"
    for person in (each, silent):
        ReviewAssignmentFactory(proposal=proposal, reviewer=person)
        add_review(proposal, person, 3)
        follow(db, proposal, person)
    db.session.commit()
    login(olga)
    _post(client, proposal, "Shall we accept?")
    assert [message.recipient for message in outbox(db)] == [each.email]

    # Eve switches to the digest: her first one does not repeat what she was e-mailed.
    client.post("/logout")
    login(each)
    response = client.post("/account", data={"display_name": "Eve Each", "time_zone": LONDON,
                                              "discussion_emails": "digest"})
    assert response.status_code == 302
    assert queue_due_digests(_next_digest_time(LONDON)) == 1
    [_, digest] = outbox(db)
    assert digest.recipient == rita.email and "Shall we accept?" in digest.body


def test_the_account_page_offers_and_saves_the_choice_of_discussion_e_mails(client, login, db):
    person = login()
    page = client.get("/account").get_data(as_text=True)
    assert "<legend>Discussion e-mails</legend>" in page
    [each] = re.findall(r'<input[^>]*value="each"[^>]*>', page)
    assert "checked" in each
    for label in ("Every comment", "One daily digest", "None"):
        assert label in page

    response = client.post("/account", data={"display_name": person.display_name, "time_zone": LONDON,
                                              "discussion_emails": "digest"})
    assert response.status_code == 302
    db.session.expire_all()
    assert person.discussion_emails == "digest"

    refused = client.post("/account", data={"display_name": person.display_name, "time_zone": LONDON,
                                             "discussion_emails": "hourly"})
    assert "Not a valid choice" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert person.discussion_emails == "digest"


def _made_yesterday(db, person) -> None:
    """A digest made for ``person``'s previous day, up to an hour ago: today's is due now."""
    now = utcnow()
    db.session.add(DiscussionDigest(user_id=person.id, day=digest_day(now, person.time_zone) - timedelta(days=1),
                                    through=now - timedelta(hours=1)))


def test_the_command_and_the_periodic_task_queue_due_digests_once(runner, db, scene):
    from conference.tasks import queue_discussion_digests_every_quarter_hour

    proposal, olga, rita = scene
    _made_yesterday(db, rita)
    say(db, proposal, olga, "Seen by cron.", utcnow() - timedelta(minutes=30))
    db.session.commit()

    first = runner.invoke(args=["discussion-digest"])
    second = runner.invoke(args=["discussion-digest"])
    assert first.exit_code == 0, first.output
    assert "Queued 1 discussion digest;" in first.output
    assert "Queued 0 discussion digests;" in second.output
    # The consumer's periodic task runs the same, here in the test's app context.
    assert queue_discussion_digests_every_quarter_hour.call_local() == 0
    assert [message.recipient for message in outbox(db)] == [rita.email]


def test_the_periodic_task_sends_a_due_digest(db, scene):
    from conference.tasks import queue_discussion_digests_every_quarter_hour

    proposal, olga, rita = scene
    _made_yesterday(db, rita)
    say(db, proposal, olga, "Seen by huey.", utcnow() - timedelta(minutes=30))
    db.session.commit()
    assert queue_discussion_digests_every_quarter_hour.call_local() == 1
    assert "Seen by huey." in outbox(db)[0].body
