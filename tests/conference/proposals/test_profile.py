from sqlalchemy import select

from conference.conferences.models import ConferenceRole, Role
from conference.proposals.models import PresentationMode, SpeakerProfile
from tests.conference.proposals.conftest import count


def _profile_form(hub_id, **overrides):
    data = {
        "display_name": "Ada Lovelace",
        "bio": "Writes *engines*.",
        "time_zone": "Asia/Kolkata",
        "hub_id": str(hub_id),
        "presentation_mode": "in_person",
        "recording_consent": "yes",
    }
    data.update(overrides)
    return data


def test_saving_profile_updates_account_and_makes_a_speaker(client, db, conference, speaker):
    hub = conference.hubs[0]
    response = client.post("/c/devcon/speaker/profile", data=_profile_form(hub.id))
    assert response.status_code == 302
    db.session.expire_all()
    profile = db.session.scalar(select(SpeakerProfile))
    assert profile.hub_id == hub.id
    assert profile.presentation_mode is PresentationMode.IN_PERSON
    assert profile.recording_consent is True
    db.session.refresh(speaker)
    assert (speaker.display_name, speaker.time_zone, speaker.home_hub_id) == (
        "Ada Lovelace", "Asia/Kolkata", hub.id)
    assert count(db, ConferenceRole, ConferenceRole.role == Role.SPEAKER) == 1
    # Saving again neither duplicates the profile nor the role.
    client.post("/c/devcon/speaker/profile", data=_profile_form(hub.id, presentation_mode="remote"))
    assert count(db, SpeakerProfile) == 1
    assert count(db, ConferenceRole, ConferenceRole.role == Role.SPEAKER) == 1
    page = client.get("/c/devcon/speaker/profile").get_data(as_text=True)
    assert "<em>engines</em>" in page


def test_in_person_without_hub_and_bad_zone_are_form_errors(client, db, conference, speaker):
    response = client.post(
        "/c/devcon/speaker/profile", data=_profile_form(0, time_zone="IST", bio="b" * 2001)
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Choose the hub where you will present in person." in text
    assert "is not a time zone name we know" in text
    assert "Keep the bio under 2,000 characters." in text
    assert count(db, SpeakerProfile) == 0


def test_remote_speaker_needs_no_hub(client, db, conference, speaker):
    response = client.post("/c/devcon/speaker/profile", data=_profile_form(0, presentation_mode="remote"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(SpeakerProfile)).hub_id is None


def test_hub_of_another_conference_is_refused(client, db, conference, speaker):
    from tests.factories import HubFactory

    foreign = HubFactory()
    db.session.commit()
    assert client.post("/c/devcon/speaker/profile", data=_profile_form(foreign.id)).status_code == 400
    assert count(db, SpeakerProfile) == 0


def test_script_in_bio_is_harmless_in_preview(client, db, conference, speaker):
    bio = "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    client.post("/c/devcon/speaker/profile", data=_profile_form(conference.hubs[0].id, bio=bio))
    page = client.get("/c/devcon/speaker/profile").get_data(as_text=True)
    preview = page.split('id="bio-preview"', 1)[1]
    assert "<script" not in preview
    assert "<img" not in preview
    assert 'href="javascript:' not in preview


def test_start_page_speaker_panel_links_and_invitations(client, db, conference, speaker):
    page = client.get("/").get_data(as_text=True)
    assert "Submit a proposal" in page  # anyone logged in may propose while the call is open
    assert "/c/devcon/speaker/availability" not in page
    client.post("/c/devcon/speaker/profile", data=_profile_form(conference.hubs[0].id))
    page = client.get("/").get_data(as_text=True)
    for link in ("/c/devcon/proposals/", "/c/devcon/speaker/profile", "/c/devcon/speaker/availability"):
        assert link in page, link
