"""Renames reach the archive in the same transaction: listing, filters, topic pages and search."""

from __future__ import annotations

from sqlalchemy import select

from conference.archive.models import ArchiveEntry
from conference.archive.search import ArchiveQuery, search_archive
from conference.conferences.models import Role
from conference.organisers import operations as organiser_operations
from conference.proposals.models import InvitationState
from tests.conference.archive.conftest import make_user, titles
from tests.factories import HubFactory, ProposalSpeakerFactory, RoleFactory

ASHAS_TALKS = {"Tracing requests across services", "Tracing at scale: sampling"}


def search(client, **params):
    response = client.get("/archive", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response


def page(client, **params) -> str:
    return search(client, **params).get_data(as_text=True)


def organise(db, login, edition):
    """Log in as an organiser of ``edition``."""
    user = make_user(display_name="Olga Organiser")
    RoleFactory(conference=edition.conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    return login(user)


def test_speaker_renaming_themselves_renames_them_in_the_archive(db, client, login, archive):
    login(archive.asha)
    response = client.post("/account", data={"display_name": "Asha Verma", "time_zone": "UTC"})
    assert response.status_code == 302

    assert set(titles(search(client, q="verma"))) == ASHAS_TALKS
    assert titles(search(client, q="rao")) == []
    assert set(titles(search(client, speaker="Verma"))) == ASHAS_TALKS
    assert titles(search(client, speaker="Rao")) == []
    listing = page(client)
    assert ">Asha Verma</a>" in listing
    assert "Asha Rao" not in listing
    topic_page = client.get("/archive/topics/observability").get_data(as_text=True)
    assert "Asha Verma" in topic_page
    assert "Asha Rao" not in topic_page


def test_organiser_renaming_a_track_renames_it_in_the_archive(db, client, login, archive):
    edition = archive.this_year
    organise(db, login, edition)
    response = client.post(
        f"/c/{edition.conference.slug}/manage/tracks/{edition.platform.id}/edit",
        data={"name": "Platform Engineering", "description": "", "colour": "#4a6fa5"},
    )
    assert response.status_code == 302

    assert set(titles(search(client, track="Platform Engineering"))) == {
        "Tracing at scale: sampling",
        "Team rituals",
    }
    # Last year's track of the same old name is another track: it keeps its name.
    assert titles(search(client, track="Platform")) == ["Tracing requests across services"]
    listing = page(client, q="rituals")
    assert "Track: Platform Engineering" in listing
    assert 'value="Platform Engineering"' in listing  # among the track filter's choices


def test_organiser_renaming_a_hub_renames_it_in_the_archive(db, client, login, archive):
    edition = archive.this_year
    hub = edition.london.hub
    organise(db, login, edition)
    response = client.post(
        f"/c/{edition.conference.slug}/manage/hubs/{hub.id}/edit",
        data={
            "name": "London Bridge",
            "time_zone": "Europe/London",
            "working_day_starts": "09:00",
            "working_day_ends": "17:30",
        },
    )
    assert response.status_code == 302

    assert set(titles(search(client, hub="London Bridge"))) == {
        "Tracing at scale: sampling",
        "Team rituals",
    }
    assert "Hub: London Bridge" in page(client, q="rituals")
    assert "Tracing at scale: sampling" not in titles(search(client, hub="London"))


def test_moving_a_room_to_another_hub_moves_its_talks_in_the_archive(db, client, archive):
    edition = archive.this_year
    leeds = HubFactory(conference=edition.conference, name="Leeds", time_zone="Europe/London")
    edition.london.hub = leeds
    db.session.commit()
    assert set(titles(search(client, hub="Leeds"))) == {
        "Tracing at scale: sampling",
        "Team rituals",
    }


def test_deleting_a_track_takes_its_name_off_its_archived_talks(db, client, archive):
    organiser_operations.delete_track(archive.this_year.platform)
    db.session.commit()
    entry = db.session.get(ArchiveEntry, archive.this_year.talks["Team rituals"].id)
    assert entry.track_name == ""
    assert titles(search(client, track="Platform")) == ["Tracing requests across services"]


def test_editing_an_archived_talks_title_renames_it_in_the_archive(db, client, archive):
    archive.this_year.talks["Team rituals"].title = "Retrospectives that work"
    db.session.commit()
    assert titles(search(client, q="retrospectives work")) == ["Retrospectives that work"]
    assert titles(search(client, q="team")) == []
    assert "Retrospectives that work" in titles(search(client))


def test_editing_an_archived_talks_abstract_is_searched(db, client, archive):
    archive.this_year.talks["Team rituals"].abstract = "Blameless **postmortems** in practice."
    db.session.commit()
    assert titles(search(client, q="postmortems")) == ["Team rituals"]
    assert titles(search(client, q="retrospectives")) == []


def test_renaming_a_topic_renames_it_in_the_archive_search(db, client, archive):
    archive.databases.name = "Relational databases"
    db.session.commit()
    assert titles(search(client, q="relational")) == ["Postgres upgrades without downtime"]


def test_retitling_a_talk_from_one_language_to_another_moves_it_in_the_search(db, client, archive):
    talk = archive.this_year.talks["Team rituals"]
    talk.title = "Team rituals in C++"
    db.session.commit()
    assert titles(search(client, q="c++")) == ["Team rituals in C++"]
    talk.title = "Team rituals in C#"
    db.session.commit()
    # The old title's words left the index with it: nothing is left behind under "c++".
    assert titles(search(client, q="c++")) == []
    assert titles(search(client, q="c#")) == ["Team rituals in C#"]


def test_renaming_a_topic_to_a_language_makes_its_talks_found_by_it(db, client, archive):
    archive.databases.name = "F# and databases"
    db.session.commit()
    assert titles(search(client, q="f#")) == ["Postgres upgrades without downtime"]
    assert titles(search(client, q="c#")) == []


def test_moving_a_conference_to_another_year_moves_its_archived_talks(db, client, archive):
    conference = archive.this_year.conference
    conference.starts_on = conference.starts_on.replace(year=2028)
    conference.ends_on = conference.ends_on.replace(year=2028)
    db.session.commit()
    assert set(titles(search(client, year=2028))) == {"Tracing at scale: sampling", "Team rituals"}


def test_a_co_speaker_accepting_joins_the_archived_talk(db, client, archive):
    chen = make_user(display_name="Chen Li")
    speaker = ProposalSpeakerFactory(
        proposal=archive.this_year.talks["Team rituals"],
        user=chen,
        invitation_state=InvitationState.INVITED,
    )
    db.session.commit()
    assert titles(search(client, q="chen")) == []
    speaker.invitation_state = InvitationState.ACCEPTED
    db.session.commit()
    assert titles(search(client, q="chen")) == ["Team rituals"]
    assert ">Chen Li</a>" in page(client, q="chen")


def test_a_rename_and_its_archive_refresh_share_one_transaction(db, archive):
    archive.asha.display_name = "Asha Verma"
    db.session.flush()
    assert {hit.entry.title for hit in search_archive(ArchiveQuery(text="verma")).hits} == (
        ASHAS_TALKS
    )
    db.session.rollback()
    assert search_archive(ArchiveQuery(text="verma")).total == 0
    assert {hit.entry.title for hit in search_archive(ArchiveQuery(text="rao")).hits} == (
        ASHAS_TALKS
    )


def _updated_at(db) -> dict[int, object]:
    return dict(db.session.execute(select(ArchiveEntry.proposal_id, ArchiveEntry.updated_at)).all())


def test_edits_of_what_the_archive_does_not_copy_change_no_entry(db, archive):
    before = _updated_at(db)
    dana = make_user(display_name="Dana Fox")
    db.session.commit()
    dana.display_name = "Dana Fox-Hill"  # speaks on no archived talk
    archive.ben.email = "ben@example.com"  # not a name the archive copies
    archive.this_year.platform.colour = "#112233"
    db.session.commit()
    assert _updated_at(db) == before
