"""Two people save the same thing at the same moment: one wins, the other gets a 409 and keeps their input.

Both clients load the edit page first (so both hold the same lock_version), then post from two
threads. A gate on the engine holds each request just before its UPDATE, so both have passed
every check in Python and really race on PostgreSQL: without the version column in the UPDATE's
WHERE, the second save would silently overwrite the first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from conference.conferences.models import Role
from conference.extensions import db
from conference.proposals.models import InvitationState, Proposal, ProposalState, SpeakerRole
from conference.reviews.models import Review
from conference.schedule.models import ScheduleBlockRoom, ScheduledTalk, ScheduleVersion
from tests.conference.faults.conftest import (
    gate_before,
    lock_version_in,
    logged_in_client,
    make_user,
    run_in_threads,
)
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
    ReviewFactory,
    ReviewScoreFactory,
    RoleFactory,
    RoomFactory,
    ScheduleBlockFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    TrackFactory,
)


def _by_status(statuses_and_inputs):
    """{status: input} of the two requests; exactly one 302 and one 409."""
    found = {status: (label, page) for status, label, page in statuses_and_inputs}
    assert sorted(found) == [302, 409], [status for status, _, _ in statuses_and_inputs]
    return found


def test_two_speakers_saving_one_proposal_at_once_one_wins_the_other_keeps_their_text(pg_app):
    conference = ConferenceFactory(slug="devcon")
    session_format = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    track = TrackFactory(conference=conference, name="Platform")
    proposal = ProposalFactory(
        conference=conference,
        title="Original",
        abstract="First text.",
        session_format=session_format,
        track=track,
    )
    speakers = [make_user(display_name="Ada"), make_user(display_name="Ben")]
    ProposalSpeakerFactory(
        proposal=proposal,
        user=speakers[0],
        role=SpeakerRole.SUBMITTER,
        invitation_state=InvitationState.ACCEPTED,
    )
    ProposalSpeakerFactory(
        proposal=proposal,
        user=speakers[1],
        role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.ACCEPTED,
    )
    db.session.commit()
    url = f"/c/devcon/proposals/{proposal.id}/edit"
    clients = [logged_in_client(pg_app, user) for user in speakers]
    versions = [lock_version_in(client.get(url).get_data(as_text=True)) for client in clients]
    assert versions[0] == versions[1]
    format_id, track_id = session_format.id, track.id  # read here: the threads have no app context

    def save(client, title):
        form = {
            "title": title,
            "abstract": f"{title} abstract.",
            "session_format_id": str(format_id),
            "track_id": str(track_id),
            "audience_level": "intermediate",
            "notes_to_organisers": "",
            "lock_version": versions[0],
            "submit": "Submit",
        }
        response = client.post(url, data=form)
        return response.status_code, title, response.get_data(as_text=True)

    with gate_before(db.engine, "UPDATE proposals", 2):
        results = run_in_threads(
            lambda: save(clients[0], "Title by Ada"), lambda: save(clients[1], "Title by Ben")
        )
    outcome = _by_status(results)
    winner, _ = outcome[302]
    loser, page = outcome[409]
    assert "Someone else saved this proposal" in page
    assert f'value="{loser}"' in page and f"{loser} abstract." in page
    db.session.expire_all()
    saved = db.session.get(Proposal, proposal.id)
    assert saved.title == winner and saved.abstract == f"{winner} abstract."
    # The 409 page offers the current version, so saving again is a deliberate overwrite.
    assert lock_version_in(page) == str(saved.lock_version)


def test_one_review_saved_from_two_tabs_at_once_keeps_the_first_and_shows_both(pg_app):
    conference = ConferenceFactory(slug="devcon")
    criterion = ReviewCriterionFactory(conference=conference, name="Relevance")
    proposal = ProposalFactory(conference=conference, state=ProposalState.SUBMITTED)
    ProposalSpeakerFactory(proposal=proposal, user=make_user())
    reviewer = make_user(display_name="Rita Reviewer")
    RoleFactory(conference=conference, user=reviewer, role=Role.REVIEWER)
    ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)
    review = ReviewFactory(
        proposal=proposal, reviewer=reviewer, comment_for_organisers="Draft thoughts."
    )
    ReviewScoreFactory(review=review, criterion=criterion, value=3)
    db.session.commit()
    url = f"/c/devcon/reviews/{proposal.id}"
    tabs = [logged_in_client(pg_app, reviewer) for _ in range(2)]
    versions = [lock_version_in(tab.get(url).get_data(as_text=True)) for tab in tabs]
    assert versions[0] == versions[1] == str(review.lock_version)
    score_field = f"score_{criterion.id}"

    def save(tab, comment, score):
        response = tab.post(
            url,
            data={
                score_field: str(score),
                "comment_for_organisers": comment,
                "comment_for_speaker": "",
                "lock_version": versions[0],
            },
        )
        return response.status_code, comment, response.get_data(as_text=True)

    with gate_before(db.engine, "UPDATE reviews", 2):
        results = run_in_threads(
            lambda: save(tabs[0], "Strong yes from tab one", 5),
            lambda: save(tabs[1], "Weak no from tab two", 1),
        )
    outcome = _by_status(results)
    winner, _ = outcome[302]
    loser, page = outcome[409]
    assert "This review was changed" in page and "Your input is kept below" in page
    assert loser in page and winner in page  # their input in the form, the saved version beside it
    db.session.expire_all()
    saved = db.session.scalar(select(Review).where(Review.id == review.id))
    assert saved.comment_for_organisers == winner
    assert [score.value for score in saved.scores] == [5 if winner.startswith("Strong") else 1]


def test_two_organisers_moving_talks_in_one_draft_at_once_the_second_is_told_and_keeps_the_choice(
    pg_app,
):
    day = datetime(2027, 3, 24, tzinfo=UTC)
    conference = ConferenceFactory(slug="devcon", time_zone="Europe/London")
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    main_hall = RoomFactory(conference=conference, hub=london, name="Main Hall")
    side_room = RoomFactory(conference=conference, hub=london, name="Side Room")
    block = ScheduleBlockFactory(
        conference=conference,
        name="Wednesday",
        starts_at=day.replace(hour=9),
        ends_at=day.replace(hour=17),
    )
    db.session.flush()
    for room in (main_hall, side_room):
        db.session.add(ScheduleBlockRoom(block_id=block.id, room_id=room.id))
    draft = ScheduleVersionFactory(conference=conference, is_draft=True)
    talks = []
    for hour in (10, 11):
        proposal = ProposalFactory(conference=conference, title=f"Talk at {hour}")
        ProposalSpeakerFactory(proposal=proposal, user=make_user())
        talks.append(
            ScheduledTalkFactory(
                version=draft,
                proposal=proposal,
                room=main_hall,
                block=block,
                starts_at=day.replace(hour=hour),
                ends_at=day.replace(hour=hour, minute=30),
            )
        )
    organisers = [make_user(), make_user()]
    for user in organisers:
        RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    clients = [logged_in_client(pg_app, user) for user in organisers]
    urls = [
        f"/c/devcon/manage/schedule/draft/talks/{talk.id}/move?tz=Europe/London" for talk in talks
    ]
    versions = [
        lock_version_in(client.get(url).get_data(as_text=True))
        for client, url in zip(clients, urls, strict=True)
    ]
    assert versions[0] == versions[1]
    targets = [day.replace(hour=14), day.replace(hour=15)]
    side_room_id = side_room.id

    def move(index):
        response = clients[index].post(
            urls[index],
            data={
                "room_id": side_room_id,
                "starts_at": targets[index].isoformat(),
                "lock_version": versions[index],
            },
        )
        return response.status_code, index, response.get_data(as_text=True)

    with gate_before(db.engine, "UPDATE schedule_versions", 2):
        results = run_in_threads(lambda: move(0), lambda: move(1))
    outcome = _by_status(results)
    winner, _ = outcome[302]
    loser, page = outcome[409]
    assert "Someone changed the draft" in page and "Your choice is kept below" in page
    # The loser's room and start are still selected, with the draft's current version to resend.
    assert (
        f'<option selected value="{side_room.id}"' in page
        or f'value="{side_room.id}" selected' in page
    )
    assert (
        f'value="{targets[loser].isoformat()}" selected' in page
        or f'<option selected value="{targets[loser].isoformat()}"' in page
    )
    db.session.expire_all()
    moved = {
        row.id: (row.room_id, row.starts_at) for row in db.session.scalars(select(ScheduledTalk))
    }
    assert moved[talks[winner].id] == (side_room.id, targets[winner])
    assert moved[talks[loser].id] == (main_hall.id, talks[loser].starts_at)
    current = db.session.get(ScheduleVersion, draft.id).lock_version
    assert lock_version_in(page) == str(current)
    # Sending the kept choice again applies it to the current draft.
    again = clients[loser].post(
        urls[loser],
        data={
            "room_id": side_room.id,
            "starts_at": targets[loser].isoformat(),
            "lock_version": lock_version_in(page),
        },
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(ScheduledTalk, talks[loser].id).starts_at == targets[loser]
