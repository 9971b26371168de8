from conference.conferences.models import Role
from conference.proposals.models import ProposalState
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    RoleFactory,
    RoomFactory,
    SessionFormatFactory,
    TrackFactory,
)


def test_dashboard_counts_places_people_and_proposals(client, organiser, conference, db):
    hub = HubFactory(conference=conference)
    RoomFactory.create_batch(2, conference=conference, hub=hub)
    RoomFactory(conference=conference, hub=None)
    TrackFactory(conference=conference)
    SessionFormatFactory(conference=conference)
    RoleFactory.create_batch(3, conference=conference, role=Role.SPEAKER)
    ProposalFactory.create_batch(2, conference=conference, state=ProposalState.SUBMITTED)
    ProposalFactory(conference=conference, state=ProposalState.ACCEPTED)
    ProposalFactory(conference=ConferenceFactory(), state=ProposalState.SUBMITTED)
    db.session.commit()
    body = client.get("/c/devcon/manage/").get_data(as_text=True)
    expected = {
        "hubs": 1, "rooms": 2, "online-streams": 1, "tracks": 4, "session-formats": 4,
        "role-organiser": 1, "role-speaker": 3, "role-reviewer": 0,
        "proposals-submitted": 2, "proposals-accepted": 1, "proposals-draft": 0,
    }
    for key, value in expected.items():
        assert f'data-count="{key}">{value}<' in body, key
    for page in ("settings", "people", "hubs", "rooms", "tracks", "formats"):
        assert f'href="/c/devcon/manage/{page}"' in body, page
