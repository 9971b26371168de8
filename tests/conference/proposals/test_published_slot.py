"""Speakers see where and when the published schedule has their talks, in their own zone."""

from __future__ import annotations

from conference.proposals.models import ProposalState
from tests.conference.feeds.helpers import at, make_world, publish
from tests.factories import ProposalFactory, ProposalSpeakerFactory


def test_speakers_list_and_proposal_page_show_the_published_slot_in_their_zone(client, db, login):
    world = make_world(slug="devcon")
    world.speaker.time_zone = "America/New_York"
    unscheduled = ProposalFactory(conference=world.conference, title="Not placed", state=ProposalState.ACCEPTED)
    ProposalSpeakerFactory(proposal=unscheduled, user=world.speaker)
    db.session.commit()
    login(world.speaker)
    talk = world.talks[0]  # Thames, London, 24 Mar 2027 09:00-09:30 UTC (London on GMT)
    assert "Thames" not in client.get("/c/devcon/proposals/").get_data(as_text=True)  # nothing published yet

    publish(world.conference, world.placements)
    listing = client.get("/c/devcon/proposals/").get_data(as_text=True)
    assert "In the schedule (America/New_York)" in listing
    assert f'href="/c/devcon/agenda/talks/{talk.id}">Wed 24 Mar 2027, 05:00–05:30</a>' in listing
    assert "Thames · London" in listing
    # Accepted, not yet confirmed: the list says how to confirm; it has no slot.
    assert f'href="/c/devcon/proposals/{unscheduled.id}/confirmation">Confirm participation</a>' in listing
    assert f"/c/devcon/proposals/{talk.id}/confirmation" not in listing  # confirmed already

    page = client.get(f"/c/devcon/proposals/{talk.id}").get_data(as_text=True)
    assert "In the schedule" in page and "Wed 24 Mar 2027, 05:00–05:30" in page
    assert "09:00 in London" in page  # the hub's own clock too
    assert client.get(f"/c/devcon/proposals/{unscheduled.id}").get_data(as_text=True).count("In the schedule") == 0


def test_a_slot_on_the_day_new_york_changes_its_clocks_carries_offsets(client, db, login):
    world = make_world(slug="devcon")
    world.speaker.time_zone = "America/New_York"
    db.session.commit()
    login(world.speaker)
    placements = dict(world.placements)
    placements[world.talks[0]] = (world.london_room, at(14, 9), at(14, 9, 30))  # Sun 14 Mar 2027
    publish(world.conference, placements)
    listing = client.get("/c/devcon/proposals/").get_data(as_text=True)
    assert "Sun 14 Mar 2027, 05:00–05:30 UTC-04:00" in listing
