"""Erasing an account: the confirmation page, what goes, what stays, and each refusal."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import select

from conference.accounts.models import User
from conference.activity.models import ActivityAction, ActivityEntry
from conference.admin.operations import ERASURE_KEEPS, ERASURE_REMOVES
from conference.api.models import ApiToken
from conference.archive.models import ArchiveEntry
from conference.conferences.models import ConferenceRole
from conference.core.types import utcnow
from conference.discussion.models import DiscussionFollower, ProposalComment
from conference.feeds.models import FeedToken
from conference.interest.models import InterestMark
from conference.mail.models import OutboxMessage
from conference.proposals.models import (
    AvailabilityAnswer,
    AvailabilityWindow,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)
from conference.reviews.models import Conflict, Review, ReviewAssignment, ReviewerTrackPreference
from tests.conference.admin.conftest import count, log_in, make_user, reload
from tests.conference.security.conftest import SPEAKER_BIO, SPEAKER_NAME, TALK_TITLE
from tests.factories import DEFAULT_PASSWORD


def _erase(client, user, typed: str):
    return client.post(f"/admin/people/{user.id}/erase", data={"confirm_email": typed})


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_confirmation_page_says_exactly_what_is_removed_and_what_stays(app, db, world):
    client = log_in(app, world.users["site_admin"])
    page = _text(client.get(f"/admin/people/{world.users['speaker'].id}/erase"))
    assert "This cannot be undone" in page
    for item in (*ERASURE_REMOVES, *ERASURE_KEEPS):
        assert f"<strong>{item.label}</strong>: {item.detail}" in html.unescape(page)
    assert "This account uses speaker@example.com." in page


def test_a_wrong_or_missing_address_erases_nothing(app, db, world):
    client = log_in(app, world.users["site_admin"])
    speaker = world.users["speaker"]
    wrong = _erase(client, speaker, "someone.else@example.com")
    assert wrong.status_code == 400
    assert "That is not this account&#39;s e-mail address; nothing was erased." in _text(wrong)
    missing = _erase(client, speaker, "   ")
    assert missing.status_code == 400
    assert "Type the account&#39;s e-mail address to confirm." in _text(missing)
    stored = reload(db, speaker)
    assert stored.display_name == SPEAKER_NAME and not stored.is_erased and stored.is_active


def test_erasing_a_speaker_removes_their_personal_data_and_keeps_their_talks(app, db, world):
    speaker = world.users["speaker"]
    profile = db.session.scalar(select(SpeakerProfile).where(SpeakerProfile.user_id == speaker.id))
    profile.recording_consent = True
    now = utcnow()
    db.session.add_all([
        AvailabilityWindow(conference_id=world.conference.id, user_id=speaker.id,
                           starts_at=now, ends_at=now + timedelta(hours=2)),
        AvailabilityAnswer(conference_id=world.conference.id, user_id=speaker.id, saved_at=now),
    ])
    speaker.sso_subject = "https://sso.corp.example 4711"
    db.session.commit()
    their_browser = log_in(app, speaker)
    proposals_before = count(db, Proposal)
    speaker_rows_before = count(db, ProposalSpeaker, ProposalSpeaker.user_id == speaker.id)
    admin = log_in(app, world.users["site_admin"])

    response = _erase(admin, speaker, "  Speaker@Example.com ")
    assert response.status_code == 302
    neutral = f"Former participant {speaker.id}"
    assert f"it is now shown as {neutral}" in _text(admin.get(response.headers["Location"]))

    stored = reload(db, speaker)
    assert stored.display_name == neutral
    assert stored.email == f"erased-{speaker.id}@erased.invalid"
    assert not stored.check_password(DEFAULT_PASSWORD)
    assert not stored.is_active_account and stored.is_erased
    assert stored.deactivated_at is not None and stored.deactivated_by_id == world.users["site_admin"].id
    assert stored.time_zone == "UTC" and stored.home_hub_id is None
    assert not stored.starred_change_emails and stored.discussion_emails == "none"
    assert stored.sso_subject is None
    profile = db.session.scalar(select(SpeakerProfile).where(SpeakerProfile.user_id == speaker.id))
    assert (profile.bio, profile.hub_id, profile.recording_consent) == ("", None, True)
    assert count(db, AvailabilityWindow, AvailabilityWindow.user_id == speaker.id) == 0
    assert count(db, AvailabilityAnswer, AvailabilityAnswer.user_id == speaker.id) == 0
    assert count(db, OutboxMessage, OutboxMessage.recipient == "speaker@example.com") == 0
    # Kept: every proposal, their place on each, their role, and the invitation they sent.
    assert count(db, Proposal) == proposals_before
    assert count(db, ProposalSpeaker, ProposalSpeaker.user_id == speaker.id) == speaker_rows_before
    assert count(db, ConferenceRole, ConferenceRole.user_id == speaker.id) == 1
    assert count(db, ProposalSpeaker, ProposalSpeaker.id == world.invitation.id) == 1
    # Copied names follow: the archive's entry of the published talk.
    names = db.session.scalars(select(ArchiveEntry.speaker_names)).all()
    assert names and not any(SPEAKER_NAME in entry for entry in names)
    assert any(neutral in entry for entry in names)

    # Their session has ended, and the old address logs nobody in.
    assert their_browser.get("/account").status_code == 302
    refused = app.test_client().post("/login", data={"email": "speaker@example.com", "password": DEFAULT_PASSWORD})
    assert "do not match an account" in _text(refused)


def test_pages_show_the_neutral_name_after_erasure(app, db, world):
    speaker = world.users["speaker"]
    admin = log_in(app, world.users["site_admin"])
    visitor = app.test_client()
    talk_url = f"/c/summit/agenda/talks/{world.talk.id}"
    assert SPEAKER_NAME in _text(visitor.get(talk_url))  # seen (and cached) before
    assert _erase(admin, speaker, "speaker@example.com").status_code == 302
    neutral = f"Former participant {speaker.id}"
    organiser = log_in(app, world.users["organiser"])
    for client, url in (
        (visitor, talk_url),
        (visitor, "/c/summit/agenda/speakers"),
        (visitor, f"/c/summit/agenda/speakers/{speaker.id}"),
        (organiser, f"/c/summit/manage/proposals/{world.talk.id}"),
        (organiser, f"/c/summit/manage/proposals/{world.submission.id}"),
        (visitor, "/archive?q=monorepo"),
    ):
        page = _text(client.get(url, follow_redirects=True))
        assert SPEAKER_NAME not in page, url
        assert SPEAKER_BIO not in page, url
        assert neutral in page, url
    assert TALK_TITLE in _text(visitor.get(talk_url))


def test_erasing_an_attendee_removes_stars_feed_links_and_invitations(app, db, world):
    attendee = world.users["attendee"]
    db.session.add(ActivityEntry(conference_id=world.conference.id, proposal_id=world.submission.id,
                                 actor_id=world.users["speaker"].id, action=ActivityAction.CO_SPEAKER_INVITED,
                                 details={"email": "attendee@example.com"}))
    db.session.commit()
    admin = log_in(app, world.users["site_admin"])
    feed_url = f"/c/summit/feeds/{world.feed_token.token}/starred.ics"
    assert app.test_client().get(feed_url).status_code == 200
    invitation_id = world.invitation.id
    assert _erase(admin, attendee, "attendee@example.com").status_code == 302
    assert count(db, InterestMark, InterestMark.user_id == attendee.id) == 0
    assert count(db, FeedToken, FeedToken.user_id == attendee.id) == 0
    assert count(db, ProposalSpeaker, ProposalSpeaker.id == invitation_id) == 0
    assert count(db, ConferenceRole, ConferenceRole.user_id == attendee.id) == 1
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.action == ActivityAction.CO_SPEAKER_INVITED))
    assert entry.details == {"email": f"erased-{attendee.id}@erased.invalid"}
    assert app.test_client().get(feed_url).status_code == 404


def test_erasing_an_organiser_removes_their_api_tokens_and_keeps_their_comments(app, db, world):
    organiser = world.users["organiser"]
    db.session.add(DiscussionFollower(proposal_id=world.talk.id, user_id=organiser.id))
    db.session.commit()
    admin = log_in(app, world.users["site_admin"])
    assert _erase(admin, organiser, "organiser@example.com").status_code == 302
    assert count(db, ApiToken) == 0
    assert count(db, DiscussionFollower, DiscussionFollower.user_id == organiser.id) == 0
    comment = db.session.scalar(select(ProposalComment).where(ProposalComment.id == world.comment.id))
    assert comment.author_id == organiser.id and comment.body == "Worth a keynote slot?"


def test_erasing_a_reviewer_keeps_reviews_and_conflicts_and_releases_open_assignments(app, db, world):
    reviewer = world.users["reviewer"]
    db.session.add(ReviewerTrackPreference(conference_id=world.conference.id, reviewer_id=reviewer.id,
                                           track_id=world.track.id, preference=1))
    db.session.commit()
    admin = log_in(app, world.users["site_admin"])
    assert _erase(admin, reviewer, "reviewer@example.com").status_code == 302
    assert count(db, Review, Review.reviewer_id == reviewer.id) == 1
    assert count(db, ReviewerTrackPreference, ReviewerTrackPreference.reviewer_id == reviewer.id) == 0
    assigned = set(db.session.scalars(
        select(ReviewAssignment.proposal_id).where(ReviewAssignment.reviewer_id == reviewer.id)
    ))
    assert assigned == {world.talk.id, world.other_talk.id}
    assert count(db, Conflict) == 1


def test_refuses_erasing_yourself(app, db, world):
    admin_user = world.users["site_admin"]
    make_user(is_site_admin=True)
    db.session.commit()
    admin = log_in(app, admin_user)
    page = admin.get(f"/admin/people/{admin_user.id}/erase")
    assert "You cannot erase your own account" in _text(page)
    assert 'name="confirm_email"' not in _text(page)
    response = _erase(admin, admin_user, "admin@example.com")
    assert response.status_code == 409
    assert not reload(db, admin_user).is_erased


def test_refuses_erasing_an_account_twice_and_reactivating_an_erased_one(app, db, world):
    speaker = world.users["speaker"]
    admin = log_in(app, world.users["site_admin"])
    assert _erase(admin, speaker, "speaker@example.com").status_code == 302
    erased_email = reload(db, speaker).email
    again = _erase(admin, speaker, erased_email)
    assert again.status_code == 409 and "already erased" in _text(again)
    back = admin.post(f"/admin/people/{speaker.id}/reactivate")
    assert back.status_code == 409 and "cannot be reactivated" in _text(back)
    assert not reload(db, speaker).is_active_account
    person_page = _text(admin.get(f"/admin/people/{speaker.id}"))
    assert "Erased" in person_page and "Deactivate" not in person_page


def test_erasing_another_site_admin_takes_away_the_rights(app, db, world):
    other_admin = make_user(display_name="Second Admin", email="second@example.com", is_site_admin=True)
    db.session.commit()
    admin = log_in(app, world.users["site_admin"])
    assert _erase(admin, other_admin, "second@example.com").status_code == 302
    stored = db.session.get(User, other_admin.id)
    db.session.refresh(stored)
    assert not stored.is_site_admin and stored.is_erased
