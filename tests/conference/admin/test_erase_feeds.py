"""Erasing a speaker reaches what calendar feeds remember having sent: a talk that later leaves
a feed is cancelled there under the neutral name, and stored renders naming them are dropped."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.admin.operations import erase_account
from conference.feeds.models import RenderedFeed
from tests.conference.feeds.helpers import make_world, publish, read_feed


def _events(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {str(event["SUMMARY"]): event for event in read_feed(response.data).walk("VEVENT")}


def test_a_cancelled_copy_after_erasure_shows_the_neutral_name(client, db):
    world = make_world()
    platform = f"/c/{world.conference.slug}/tracks/{world.track.id}/calendar.ics"
    publish(world.conference, world.placements)
    assert "Ada Speaker" in str(_events(client, platform)["Scaling queues"]["DESCRIPTION"])
    assert db.session.scalar(select(func.count()).select_from(RenderedFeed)) > 0

    erase_account(world.speaker, None)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RenderedFeed)) == 0

    # The talk leaves the track: the track's feed sends it cancelled, as it last sent it.
    world.talks[0].track = world.other_track
    db.session.commit()
    publish(world.conference, world.placements)
    left = _events(client, platform)["Scaling queues"]

    assert str(left["STATUS"]) == "CANCELLED"
    assert "Ada Speaker" not in str(left["DESCRIPTION"])
    assert f"Former participant {world.speaker.id}" in str(left["DESCRIPTION"])
