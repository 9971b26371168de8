"""Recording consent: a recording is published only once every speaker of the talk said yes;
until then nobody but the speakers and the organisers sees it, and they are told why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conference.core.types import utcnow
from conference.materials.queries import (
    newest_recordings,
    public_materials_by_talk,
    recording_consents,
    withheld_recording_ids,
)
from conference.proposals.models import InvitationState
from tests.conference.materials.conftest import add_recording, make_user, profile_of
from tests.factories import (
    ConferenceFactory,
    InterestMarkFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    SpeakerProfileFactory,
)
from tests.statements import statements_for_page

TALK_PAGE = "/c/summit/agenda/talks/{}"
WITHHELD_NOTE = "Only the talk's speakers and the organisers see its recordings"
ANSWER_LINK = 'href="/c/summit/speaker/profile#recording-consent"'


def refuse_consent(talk, user):
    profile_of(talk, user).recording_consent = False


def leave_unanswered(talk, user):
    profile_of(talk, user).recording_consent = None


def remove_profile(talk, user):
    from conference.extensions import db

    db.session.delete(profile_of(talk, user))


def browser_of(app, person):
    browser = app.test_client()
    browser.post("/login", data={"email": person.email, "password": "correct horse battery"})
    return browser


def test_talk_page_shows_a_withheld_recording_only_to_the_speakers_and_organisers(
    app, client, talk, db
):
    refuse_consent(talk, talk.co_speaker)
    add_recording(talk.proposal, url="https://video.example.com/withheld")
    db.session.commit()
    path = TALK_PAGE.format(talk.proposal.id)

    anonymous = client.get(path).get_data(as_text=True)
    assert "video.example.com/withheld" not in anonymous
    assert "Slides and recordings" not in anonymous  # nothing left to show

    for person in (talk.attendee, talk.speaker, talk.organiser, talk.co_speaker):
        html = browser_of(app, person).get(path).get_data(as_text=True)
        if person is talk.attendee:
            assert "video.example.com/withheld" not in html and WITHHELD_NOTE not in html
        else:
            assert "video.example.com/withheld" in html and WITHHELD_NOTE in html
            assert "Co Speaker declined." in html
            # Only the one who said no is offered to change it.
            assert (ANSWER_LINK in html) is (person is talk.co_speaker)


@pytest.mark.parametrize("no_yes", [leave_unanswered, remove_profile], ids=["unanswered", "no profile"])
def test_a_speaker_who_has_not_said_yes_withholds_the_recording_everywhere(
    app, client, talk, db, no_yes
):
    talk.scheduled.starts_at = utcnow() - timedelta(days=1)
    talk.scheduled.ends_at = talk.scheduled.starts_at + timedelta(minutes=30)
    no_yes(talk, talk.co_speaker)
    add_recording(talk.proposal, url="https://video.example.com/awaiting")
    InterestMarkFactory(user_id=talk.attendee.id, proposal_id=talk.proposal.id)
    db.session.commit()
    path = TALK_PAGE.format(talk.proposal.id)

    assert "video.example.com/awaiting" not in client.get(path).get_data(as_text=True)
    assert "video.example.com/awaiting" not in client.get("/archive/recordings.atom").get_data(
        as_text=True
    )
    catch_up = browser_of(app, talk.attendee).get("/c/summit/agenda/catch-up").get_data(as_text=True)
    assert "Observability at scale" in catch_up and "video.example.com/awaiting" not in catch_up
    # The speakers see it, and why it waits; the one who has not answered gets the link.
    for person in (talk.speaker, talk.co_speaker):
        html = browser_of(app, person).get(path).get_data(as_text=True)
        assert "video.example.com/awaiting" in html
        assert "Awaiting consent from Co Speaker." in html
        assert (ANSWER_LINK in html) is (person is talk.co_speaker)


def test_consent_of_a_speaker_who_declined_to_co_present_does_not_count(client, talk, db):
    refuse_consent(talk, talk.co_speaker)
    co_speaker_row = next(s for s in talk.proposal.speakers if s.user_id == talk.co_speaker.id)
    co_speaker_row.invitation_state = InvitationState.DECLINED
    add_recording(talk.proposal, url="https://video.example.com/shown")
    db.session.commit()

    html = client.get(TALK_PAGE.format(talk.proposal.id)).get_data(as_text=True)

    assert "video.example.com/shown" in html


def test_a_refusal_at_another_conference_does_not_count(client, talk, db):
    SpeakerProfileFactory(
        conference=ConferenceFactory(), user=talk.co_speaker, recording_consent=False
    )
    add_recording(talk.proposal, url="https://video.example.com/shown")
    db.session.commit()

    html = client.get(TALK_PAGE.format(talk.proposal.id)).get_data(as_text=True)

    assert "video.example.com/shown" in html


def test_a_yes_at_another_conference_does_not_count(client, talk, db):
    remove_profile(talk, talk.co_speaker)
    SpeakerProfileFactory(conference=ConferenceFactory(), user=talk.co_speaker, recording_consent=True)
    add_recording(talk.proposal, url="https://video.example.com/withheld")
    db.session.commit()

    html = client.get(TALK_PAGE.format(talk.proposal.id)).get_data(as_text=True)

    assert "video.example.com/withheld" not in html


def test_catch_up_and_the_recordings_feed_leave_out_withheld_recordings(
    client, login, talk, db
):
    talk.scheduled.starts_at = utcnow() - timedelta(days=1)
    talk.scheduled.ends_at = talk.scheduled.starts_at + timedelta(minutes=30)
    refuse_consent(talk, talk.speaker)
    add_recording(talk.proposal, url="https://video.example.com/withheld")
    InterestMarkFactory(user_id=talk.attendee.id, proposal_id=talk.proposal.id)
    db.session.commit()

    feed = client.get("/archive/recordings.atom").get_data(as_text=True)
    login(talk.attendee)
    catch_up = client.get("/c/summit/agenda/catch-up").get_data(as_text=True)

    assert "video.example.com/withheld" not in feed
    assert "Observability at scale" in catch_up  # still missed, just without the recording
    assert "video.example.com/withheld" not in catch_up


def test_the_reasons_agree_with_the_rule_for_every_kind_of_answer(talk, db):
    """Yes, no, not answered and no profile, alone and mixed: `recording_consents` says why
    exactly for the talks `recording_withheld` withholds."""
    people = {"yes": talk.speaker, "no": talk.co_speaker, "unanswered": make_user(display_name="Una"),
              "no profile": make_user(display_name="Nora")}
    SpeakerProfileFactory(conference=talk.conference, user=people["unanswered"])
    refuse_consent(talk, talk.co_speaker)
    talks = {}
    for answers in (("yes",), ("no",), ("unanswered",), ("no profile",), ("yes", "unanswered"),
                    ("yes", "no profile", "no")):
        proposal = ProposalFactory(conference=talk.conference, title=" and ".join(answers))
        for answer in answers:
            ProposalSpeakerFactory(proposal=proposal, user=people[answer])
        add_recording(proposal, url=f"https://video.example.com/{proposal.title}")
        talks[answers] = proposal
    db.session.commit()
    ids = [proposal.id for proposal in talks.values()]

    consents = recording_consents(ids)
    withheld = withheld_recording_ids(ids)
    public = public_materials_by_talk(ids)
    in_feed = {material.proposal_id for material in newest_recordings()}

    assert {proposal_id for proposal_id, found in consents.items() if found.withheld} == withheld
    assert withheld == {proposal.id for answers, proposal in talks.items() if answers != ("yes",)}
    assert {key for key, found in public.items() if found.recordings} == set(ids) - withheld
    assert in_feed.isdisjoint(withheld)
    assert consents[talks[("yes", "no profile", "no")].id].reason == (
        "Co Speaker declined; awaiting consent from Nora."
    )
    assert consents[talks[("unanswered",)].id].reason == "Awaiting consent from Una."
    assert consents[talks[("yes",)].id].reason == ""


def test_organisers_see_which_recordings_are_withheld_and_why(app, talk, db):
    refuse_consent(talk, talk.other_speaker)
    leave_unanswered(talk, talk.co_speaker)
    add_recording(talk.proposal, url="https://video.example.com/awaiting")
    add_recording(talk.other_proposal, url="https://video.example.com/declined")
    db.session.commit()
    organiser = browser_of(app, talk.organiser)

    overview = organiser.get("/c/summit/manage/materials").get_data(as_text=True)
    row_of = {title: overview.split(title, 1)[1].split("</tr>", 1)[0]
              for title in ("Observability at scale", "Another talk")}
    assert "Recording withheld" in row_of["Observability at scale"]
    assert "Awaiting consent from Co Speaker." in row_of["Observability at scale"]
    assert "Recording withheld" in row_of["Another talk"]
    assert "declined." in row_of["Another talk"]

    manage = organiser.get(f"/c/summit/talks/{talk.proposal.id}/materials").get_data(as_text=True)
    assert "The recording is withheld from the public" in manage
    assert "Awaiting consent from Co Speaker." in manage

    profile_of(talk, talk.co_speaker).recording_consent = True
    db.session.commit()
    overview = organiser.get("/c/summit/manage/materials").get_data(as_text=True)
    row = overview.split("Observability at scale", 1)[1].split("</tr>", 1)[0]
    assert "Every speaker agreed" in row and "withheld" not in row
    manage = organiser.get(f"/c/summit/talks/{talk.proposal.id}/materials").get_data(as_text=True)
    assert "Every speaker agreed to publishing the recording." in manage


def test_the_speaker_who_has_not_answered_is_sent_to_answer_from_the_materials_page(app, talk, db):
    leave_unanswered(talk, talk.co_speaker)
    db.session.commit()
    path = f"/c/summit/talks/{talk.proposal.id}/materials"

    waiting = browser_of(app, talk.co_speaker).get(path).get_data(as_text=True)
    other = browser_of(app, talk.speaker).get(path).get_data(as_text=True)

    assert "A recording added now would be withheld from the public." in waiting
    assert ANSWER_LINK in waiting
    assert "Awaiting consent from Co Speaker." in other and ANSWER_LINK not in other


def test_the_organiser_overview_reads_consent_in_a_fixed_number_of_queries(app, talk, db):
    organiser = browser_of(app, talk.organiser)
    one = statements_for_page(db.engine, organiser, "/c/summit/manage/materials")
    for number in range(10):
        proposal = ProposalFactory(conference=talk.conference, state=talk.proposal.state,
                                   title=f"Talk {number}")
        ProposalSpeakerFactory(proposal=proposal, user=make_user())
        add_recording(proposal, url=f"https://video.example.com/{number}")
    db.session.commit()

    assert statements_for_page(db.engine, organiser, "/c/summit/manage/materials") == one
