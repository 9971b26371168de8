"""CalendarEntry bookkeeping across published versions, and personal feed tokens."""

from __future__ import annotations

from conference.feeds.operations import feed_token_for, revoke_feed_token
from conference.models import CalendarEntry, FeedToken
from tests.conference.feeds.helpers import at, events_by_uid, make_world, publish, read_feed
from tests.factories import UserFactory


def _entries(db) -> dict[int, CalendarEntry]:
    db.session.expire_all()
    return {entry.proposal_id: entry for entry in db.session.scalars(db.select(CalendarEntry))}


def _sequences(client, slug) -> dict[str, tuple[int, str]]:
    calendar = read_feed(client.get(f"/c/{slug}/calendar.ics").data)
    return {
        uid: (int(event["SEQUENCE"]), str(event["STATUS"]))
        for uid, event in events_by_uid(calendar).items()
    }


def test_sequence_rises_only_for_moved_talks_and_cancelled_talks_stay(app, client, db):
    world = make_world()
    slug = world.conference.slug
    publish(world.conference, world.placements)
    first = _sequences(client, slug)
    assert [sequence for sequence, _ in first.values()] == [0, 0, 0]

    moved = dict(world.placements)
    moved[world.talks[0]] = (world.london_room, at(24, 11), at(24, 11, 30))
    publish(world.conference, moved)
    second = _sequences(client, slug)
    uid_moved = _entries(db)[world.talks[0].id].uid
    assert second[uid_moved][0] > first[uid_moved][0]
    for uid in first:
        if uid != uid_moved:
            assert second[uid] == first[uid]

    del moved[world.talks[2]]
    publish(world.conference, moved)
    third = _sequences(client, slug)
    uid_removed = _entries(db)[world.talks[2].id].uid
    assert len(third) == 3
    assert third[uid_removed] == (second[uid_removed][0] + 1, "CANCELLED")
    for uid, (sequence, _status) in third.items():
        assert sequence >= second[uid][0]


def test_cancelled_talk_that_returns_is_confirmed_with_a_higher_sequence(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    without = {k: v for k, v in world.placements.items() if k is not world.talks[1]}
    publish(world.conference, without)
    cancelled = _entries(db)[world.talks[1].id]
    assert cancelled.cancelled is True
    cancelled_sequence = cancelled.sequence
    publish(world.conference, world.placements)
    back = _entries(db)[world.talks[1].id]
    assert back.cancelled is False
    assert back.sequence == cancelled_sequence + 1
    assert back.uid == cancelled.uid


def test_republishing_unchanged_talks_keeps_sequence_and_last_modified(app, db):
    world = make_world()
    publish(world.conference, world.placements)
    before = {pid: (e.sequence, e.last_modified) for pid, e in _entries(db).items()}
    publish(world.conference, world.placements)
    after = {pid: (e.sequence, e.last_modified) for pid, e in _entries(db).items()}
    assert before == after


def test_feed_token_is_created_once_and_unguessable(app, db):
    world = make_world()
    user = UserFactory()
    first = feed_token_for(user, world.conference)
    again = feed_token_for(user, world.conference)
    other = feed_token_for(UserFactory(), world.conference)
    assert first.id == again.id
    assert len(first.token) >= 40
    assert first.token != other.token
    assert db.session.scalar(db.select(db.func.count(FeedToken.id))) == 2


def test_revoking_a_feed_token_replaces_it(app, db):
    world = make_world()
    user = UserFactory()
    old = feed_token_for(user, world.conference).token
    new = revoke_feed_token(user, world.conference).token
    assert new != old
    assert db.session.scalar(db.select(db.func.count(FeedToken.id))) == 1
