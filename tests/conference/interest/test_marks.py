"""Marking and unmarking talks, the attendee role, "my interests" and organiser counts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from conference.conferences.models import ConferenceRole, Role
from conference.interest import operations
from conference.interest.models import InterestMark
from conference.proposals.models import ProposalState
from tests.conference.interest.conftest import make_user
from tests.factories import (
    ConferenceFactory,
    InterestMarkFactory,
    ProposalFactory,
    RoleFactory,
)


def marks(db, **where) -> list[InterestMark]:
    db.session.expire_all()
    query = select(InterestMark).filter_by(**where)
    return list(db.session.scalars(query))


def roles(db, user, conference) -> list[Role]:
    db.session.expire_all()
    return list(db.session.scalars(select(ConferenceRole.role).where(
        ConferenceRole.user_id == user.id, ConferenceRole.conference_id == conference.id)))


def mark_url(proposal) -> str:
    return f"/c/devcon/talks/{proposal.id}/interest"


def test_anonymous_marking_redirects_to_login_and_marks_nothing(client, talks, db):
    response = client.post(mark_url(talks[ProposalState.ACCEPTED]))

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert marks(db) == []


def test_marking_is_post_only(client, talks, attendee):
    assert client.get(mark_url(talks[ProposalState.ACCEPTED])).status_code == 405


def test_marking_twice_keeps_one_mark(client, talks, attendee, db):
    talk = talks[ProposalState.ACCEPTED]

    first = client.post(mark_url(talk))
    second = client.post(mark_url(talk))

    assert first.status_code == second.status_code == 302
    assert len(marks(db, user_id=attendee.id, proposal_id=talk.id)) == 1


def test_marking_grants_the_attendee_role_to_someone_without_a_role(client, talks, attendee, db, conference):
    client.post(mark_url(talks[ProposalState.CONFIRMED]))

    assert roles(db, attendee, conference) == [Role.ATTENDEE]


def test_marking_leaves_other_roles_alone(client, talks, db, conference, login):
    speaker = RoleFactory(conference=conference, user=make_user(), role=Role.SPEAKER).user
    login(speaker)

    client.post(mark_url(talks[ProposalState.ACCEPTED]))

    assert roles(db, speaker, conference) == [Role.SPEAKER]
    assert len(marks(db, user_id=speaker.id)) == 1


def test_marking_a_talk_that_is_not_accepted_is_not_found(client, talks, attendee, db):
    for state in (ProposalState.SUBMITTED, ProposalState.DRAFT, ProposalState.REJECTED,
                  ProposalState.WITHDRAWN, ProposalState.WAITLISTED):
        assert client.post(mark_url(talks[state])).status_code == 404, state
    assert marks(db) == []


def test_marking_a_talk_of_another_conference_through_this_url_is_not_found(client, talks, attendee, db):
    other = ProposalFactory(conference=ConferenceFactory(), state=ProposalState.ACCEPTED)
    db.session.commit()

    assert client.post(mark_url(other)).status_code == 404
    assert marks(db) == []


def test_marking_without_csrf_token_is_refused(app, talks, attendee, db, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(mark_url(talks[ProposalState.ACCEPTED]))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

    assert response.status_code == 400
    assert marks(db) == []


def test_unmarking_removes_the_mark(client, talks, attendee, db):
    talk = talks[ProposalState.ACCEPTED]
    client.post(mark_url(talk))

    response = client.post(mark_url(talk) + "/remove")

    assert response.status_code == 302
    assert marks(db) == []


def test_a_mark_on_a_talk_withdrawn_since_can_still_be_removed_by_its_owner_only(client, talks, attendee, db):
    talk = talks[ProposalState.ACCEPTED]
    client.post(mark_url(talk))
    other = make_user()
    InterestMarkFactory(user_id=other.id, proposal_id=talks[ProposalState.WITHDRAWN].id)
    talk.state, talk.submitted_at = ProposalState.WITHDRAWN, datetime(2026, 11, 1, tzinfo=UTC)
    db.session.commit()

    response = client.post(mark_url(talk) + "/remove")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/devcon/talks/mine")  # the talk's page is gone
    assert [mark.user_id for mark in marks(db)] == [other.id]
    # Someone else's mark on a withdrawn talk: nothing to find, as for any talk not public.
    assert client.post(mark_url(talks[ProposalState.WITHDRAWN]) + "/remove").status_code == 404
    assert len(marks(db)) == 1


def test_unmarking_a_talk_that_was_never_marked_does_nothing(client, talks, attendee, db):
    other_person = make_user()
    InterestMarkFactory(user_id=other_person.id, proposal_id=talks[ProposalState.ACCEPTED].id)
    db.session.commit()

    response = client.post(mark_url(talks[ProposalState.ACCEPTED]) + "/remove")

    assert response.status_code == 302
    assert len(marks(db)) == 1


def test_marking_returns_to_a_safe_next_page_only(client, talks, attendee):
    talk = talks[ProposalState.ACCEPTED]

    back_to_list = client.post(mark_url(talk), data={"next": "/c/devcon/talks/?q=the"})
    off_site = client.post(mark_url(talk), data={"next": "//evil.example/"})

    assert back_to_list.headers["Location"].endswith("/c/devcon/talks/?q=the")
    assert "evil" not in off_site.headers["Location"]
    assert off_site.headers["Location"].endswith(f"/c/devcon/talks/{talk.id}")


def test_my_interests_lists_only_my_marked_talks(client, talks, attendee, db):
    client.post(mark_url(talks[ProposalState.CONFIRMED]))
    InterestMarkFactory(user_id=make_user().id, proposal_id=talks[ProposalState.ACCEPTED].id)
    db.session.commit()

    page = client.get("/c/devcon/talks/mine").get_data(as_text=True)

    assert "The confirmed talk" in page
    assert "The accepted talk" not in page
    assert "Remove from my interests" in page


def test_talk_page_shows_the_right_button(client, talks, attendee):
    talk = talks[ProposalState.ACCEPTED]
    before = client.get(f"/c/devcon/talks/{talk.id}").get_data(as_text=True)
    client.post(mark_url(talk))
    after = client.get(f"/c/devcon/talks/{talk.id}").get_data(as_text=True)

    assert "I want to attend" in before and "Remove from my interests" not in before
    assert "Remove from my interests" in after


def test_interest_counts_are_shown_to_organisers(client, talks, organiser, db):
    talk = talks[ProposalState.ACCEPTED]
    for _ in range(3):
        InterestMarkFactory(user_id=make_user().id, proposal_id=talk.id)
    db.session.commit()

    listing = client.get("/c/devcon/talks/").get_data(as_text=True)
    detail = client.get(f"/c/devcon/talks/{talk.id}").get_data(as_text=True)

    assert '<th scope="col">Interested</th>' in listing
    assert "<td>3</td>" in listing
    assert "Interested people" in detail and "<dd>3</dd>" in detail


def test_interest_counts_are_hidden_from_attendees(client, talks, attendee, db):
    talk = talks[ProposalState.ACCEPTED]
    for _ in range(3):
        InterestMarkFactory(user_id=make_user().id, proposal_id=talk.id)
    db.session.commit()

    listing = client.get("/c/devcon/talks/").get_data(as_text=True)
    detail = client.get(f"/c/devcon/talks/{talk.id}").get_data(as_text=True)

    assert "Interested" not in listing
    assert "Interested people" not in detail


def test_start_page_attendee_panel_links_to_talks_and_counts_marks(client, talks, attendee, db):
    client.post(mark_url(talks[ProposalState.ACCEPTED]))
    client.post(mark_url(talks[ProposalState.CONFIRMED]))

    page = client.get("/").get_data(as_text=True)

    assert "You have marked 2 talks." in page
    assert "/c/devcon/talks/" in page


def test_interest_counts_and_wanted_talks_count_only_public_talks(db, talks, conference):
    first, second = make_user(), make_user()
    accepted, confirmed = talks[ProposalState.ACCEPTED], talks[ProposalState.CONFIRMED]
    for user, proposal in [(first, accepted), (first, confirmed), (second, confirmed),
                           (second, talks[ProposalState.WITHDRAWN])]:
        InterestMarkFactory(user_id=user.id, proposal_id=proposal.id)
    elsewhere = ProposalFactory(conference=ConferenceFactory(), state=ProposalState.ACCEPTED)
    InterestMarkFactory(user_id=first.id, proposal_id=elsewhere.id)
    db.session.flush()

    assert operations.interest_counts(conference) == {accepted.id: 1, confirmed.id: 2}
    assert operations.wanted_talks(conference) == {
        first.id: sorted([accepted.id, confirmed.id]),
        second.id: [confirmed.id],
    }


def test_mark_interest_operation_is_idempotent(db, talks, conference):
    user = make_user()
    talk = talks[ProposalState.ACCEPTED]

    first = operations.mark_interest(user, talk)
    second = operations.mark_interest(user, talk)
    operations.unmark_interest(user, talks[ProposalState.CONFIRMED])

    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(InterestMark)) == 1
    assert operations.marked_talk_count(user, conference) == 1
