"""Speakers with an access code: outside the call's window, into code-only tracks and formats,
with every use counted once and never beyond the maximum."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from conference.access_codes.models import AccessCode
from conference.access_codes.operations import use_access_code, use_statement
from conference.proposals import operations
from conference.proposals.models import AudienceLevel, Proposal, ProposalState
from tests.conference.access_codes.conftest import (
    AFTER_CALL,
    make_code,
    proposal_data,
    session_format,
    track,
)
from tests.conference.proposals.conftest import count, make_user
from tests.factories import ConferenceFactory

NEW = "/c/devcon/proposals/new"


def _options(page: str, field: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_html)


def _times_used(db, code) -> int:
    db.session.expire_all()
    return db.session.get(AccessCode, code.id).times_used


# --- outside the window -----------------------------------------------------------------------


def test_closed_call_with_a_valid_code_creates_and_submits_and_counts_one_use(client, conference, speaker, db, now):
    code = make_code(db, conference, max_uses=2)
    now.set(AFTER_CALL)
    page = client.get(f"{NEW}?code={code.code}").get_data(as_text=True)
    assert "You are using an access code" in page
    assert "Proposals in any track, any format." in page
    response = client.post(f"{NEW}?code={code.code}", data=proposal_data(conference))
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state is ProposalState.SUBMITTED
    assert proposal.access_code_id == code.id
    assert _times_used(db, code) == 1


def test_closed_call_without_a_code_is_still_refused(client, conference, speaker, db, now):
    now.set(AFTER_CALL)
    response = client.post(NEW, data=proposal_data(conference))
    assert response.status_code == 403
    assert "closed" in response.get_data(as_text=True)
    assert count(db, Proposal) == 0


@pytest.mark.parametrize("text", ["no-such-code", "", "x" * 500, "ü-nicode"])
def test_an_unknown_code_is_a_clear_404(client, conference, speaker, db, now, text):
    now.set(AFTER_CALL)
    response = client.post(NEW, query_string={"code": text}, data=proposal_data(conference))
    assert response.status_code == 404
    assert "This access code is not known here" in response.get_data(as_text=True)
    assert count(db, Proposal) == 0


def test_a_code_of_another_conference_is_unknown_here(client, conference, speaker, db, now):
    other = ConferenceFactory(slug="other")
    db.session.commit()
    code = make_code(db, other)
    response = client.get(f"{NEW}?code={code.code}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"valid_until": AFTER_CALL - timedelta(minutes=1)}, "This access code has expired."),
        ({"max_uses": 1, "times_used": 1}, "used as often as the organisers allowed"),
        ({"revoked_at": AFTER_CALL - timedelta(days=1)}, "revoked"),
    ],
    ids=["expired", "used-up", "revoked"],
)
def test_a_code_that_no_longer_works_is_a_clear_403(client, conference, speaker, db, now, fields, message):
    code = make_code(db, conference, **fields)
    now.set(AFTER_CALL)
    for response in (
        client.get(f"{NEW}?code={code.code}"),
        client.post(f"{NEW}?code={code.code}", data=proposal_data(conference)),
    ):
        assert response.status_code == 403
        assert message in response.get_data(as_text=True)
    assert count(db, Proposal) == 0
    assert _times_used(db, code) == fields.get("times_used", 0)


def test_a_code_works_until_the_instant_before_it_expires(client, conference, speaker, db, now):
    code = make_code(db, conference, valid_until=AFTER_CALL + timedelta(minutes=1))
    now.set(AFTER_CALL)
    assert client.post(f"{NEW}?code={code.code}", data=proposal_data(conference)).status_code == 302
    now.set(AFTER_CALL + timedelta(minutes=1))
    assert client.get(f"{NEW}?code={code.code}").status_code == 403


def test_anonymous_people_with_a_code_are_sent_to_log_in(client, conference, db):
    code = make_code(db, conference)
    response = client.get(f"{NEW}?code={code.code}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- tracks and formats only with a code ------------------------------------------------------


def test_code_only_tracks_and_formats_are_not_offered_without_a_code(client, conference, speaker):
    page = client.get(NEW).get_data(as_text=True)
    assert _options(page, "track_id") == ["No particular track", "Platform"]
    assert _options(page, "session_format_id") == ["Talk (30 min)"]


def test_a_forged_code_only_track_without_a_code_is_a_form_error(client, conference, speaker, db):
    response = client.post(NEW, data=proposal_data(conference, track_id=str(track(conference, "Keynotes").id)))
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = client.post(
        NEW, data=proposal_data(conference, session_format_id=str(session_format(conference, "Keynote").id))
    )
    assert response.status_code == 400
    assert count(db, Proposal) == 0


def test_an_unrestricted_code_offers_every_track_and_format(client, conference, speaker, db):
    code = make_code(db, conference)
    page = client.get(f"{NEW}?code={code.code}").get_data(as_text=True)
    assert _options(page, "track_id") == ["No particular track", "Keynotes", "Platform"]
    assert _options(page, "session_format_id") == ["Talk (30 min)", "Keynote (45 min)"]
    keynotes, keynote = track(conference, "Keynotes"), session_format(conference, "Keynote")
    response = client.post(
        f"{NEW}?code={code.code}",
        data=proposal_data(conference, track_id=str(keynotes.id), session_format_id=str(keynote.id)),
    )
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert (proposal.track_id, proposal.session_format_id) == (keynotes.id, keynote.id)


def test_a_code_for_one_track_and_format_offers_only_them(client, conference, speaker, db, now):
    keynotes, keynote = track(conference, "Keynotes"), session_format(conference, "Keynote")
    code = make_code(db, conference, track_id=keynotes.id, session_format_id=keynote.id)
    now.set(AFTER_CALL)
    page = client.get(f"{NEW}?code={code.code}").get_data(as_text=True)
    assert _options(page, "track_id") == ["Keynotes"]
    assert _options(page, "session_format_id") == ["Keynote (45 min)"]
    assert "Proposals in the track “Keynotes”, the format “Keynote”." in page
    for forged in (
        {"track_id": str(track(conference, "Platform").id), "session_format_id": str(keynote.id)},
        {"track_id": "0", "session_format_id": str(keynote.id)},
        {"track_id": str(keynotes.id), "session_format_id": str(session_format(conference, "Talk").id)},
    ):
        response = client.post(f"{NEW}?code={code.code}", data=proposal_data(conference, **forged))
        assert response.status_code == 400
        assert "Not a valid choice" in response.get_data(as_text=True)
    assert count(db, Proposal) == 0
    assert _times_used(db, code) == 0


def test_the_operation_refuses_a_track_the_code_does_not_grant(conference, db, now):
    """The code is an input the operation checks itself, not only the form's choices."""
    keynotes = track(conference, "Keynotes")
    code = make_code(db, conference, track_id=keynotes.id)
    user = make_user()
    details = operations.ProposalDetails(
        title="Forged", abstract="A.", session_format_id=session_format(conference, "Talk").id,
        track_id=track(conference, "Platform").id, audience_level=AudienceLevel.BEGINNER,
        notes_to_organisers="",
    )
    now.set(AFTER_CALL)
    with pytest.raises(operations.SpeakerActionRefused, match="track is not open"):
        operations.create_proposal(conference, user, details, submit=True, access_code=code)
    with pytest.raises(operations.SpeakerActionRefused, match="closed"):
        operations.create_proposal(conference, user, details, submit=True)


# --- drafts saved with a code -----------------------------------------------------------------


def _save_draft_with(client, conference, code):
    data = proposal_data(conference, submit=None, save_draft="Save as draft")
    response = client.post(f"{NEW}?code={code.code}", data=data)
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_a_draft_saved_with_a_code_is_submitted_later_while_the_code_works(client, conference, speaker, db, now):
    code = make_code(db, conference, max_uses=1, valid_until=AFTER_CALL + timedelta(days=2))
    now.set(AFTER_CALL)
    proposal_id = _save_draft_with(client, conference, code)
    assert _times_used(db, code) == 0  # a draft does not use the code up
    detail = client.get(f"/c/devcon/proposals/{proposal_id}").get_data(as_text=True)
    assert f"/proposals/{proposal_id}/edit" in detail
    edit_page = client.get(f"/c/devcon/proposals/{proposal_id}/edit").get_data(as_text=True)
    assert "You are using an access code" in edit_page
    now.set(AFTER_CALL + timedelta(days=1))
    response = client.post(
        f"/c/devcon/proposals/{proposal_id}/edit", data=proposal_data(conference, lock_version="1")
    )
    assert response.status_code == 302
    db.session.expire_all()
    proposal = db.session.get(Proposal, int(proposal_id))
    assert proposal.state is ProposalState.SUBMITTED
    assert proposal.access_code_id == code.id
    assert _times_used(db, code) == 1
    # Submitted, the proposal follows the call's window: closed, so no more edits.
    response = client.post(
        f"/c/devcon/proposals/{proposal_id}/edit", data=proposal_data(conference, lock_version="2")
    )
    assert response.status_code == 403


def test_a_draft_whose_code_expired_cannot_be_submitted_after_the_call(client, conference, speaker, db, now):
    code = make_code(db, conference, valid_until=AFTER_CALL + timedelta(days=1))
    now.set(AFTER_CALL)
    proposal_id = _save_draft_with(client, conference, code)
    now.set(AFTER_CALL + timedelta(days=2))
    detail = client.get(f"/c/devcon/proposals/{proposal_id}").get_data(as_text=True)
    assert f"/proposals/{proposal_id}/edit" not in detail
    response = client.post(
        f"/c/devcon/proposals/{proposal_id}/edit", data=proposal_data(conference, lock_version="1")
    )
    assert response.status_code == 403
    assert "This access code has expired." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, int(proposal_id)).state is ProposalState.DRAFT
    assert _times_used(db, code) == 0


# --- counting uses ----------------------------------------------------------------------------


def test_the_last_use_goes_to_one_submission_only(client, conference, speaker, login, db, now):
    code = make_code(db, conference, max_uses=1)
    now.set(AFTER_CALL)
    assert client.post(f"{NEW}?code={code.code}", data=proposal_data(conference)).status_code == 302
    response = client.post(f"{NEW}?code={code.code}", data=proposal_data(conference, title="Another"))
    assert response.status_code == 403
    assert count(db, Proposal) == 1
    assert _times_used(db, code) == 1


def test_the_conditional_update_refuses_once_the_last_use_is_taken(conference, db, now):
    code = make_code(db, conference, max_uses=2, times_used=1)
    assert use_access_code(code, now.instant) is True
    assert code.times_used == 2
    assert use_access_code(code, now.instant) is False
    db.session.commit()
    assert _times_used(db, code) == 2


def test_a_submission_with_a_stale_copy_of_the_code_cannot_take_a_use_already_taken(conference, db, now):
    """The code was loaded with a use left; another request took it before this one submits."""
    code = make_code(db, conference, max_uses=1)
    user = make_user()
    db.session.commit()
    assert code.times_used == 0
    with db.engine.begin() as other_request:
        other_request.execute(use_statement(code.id, now.instant))
    details = operations.ProposalDetails(
        title="Late", abstract="A.", session_format_id=session_format(conference, "Talk").id,
        track_id=None, audience_level=AudienceLevel.BEGINNER, notes_to_organisers="",
    )
    now.set(AFTER_CALL)
    with pytest.raises(operations.SpeakerActionRefused, match="used up"):
        operations.create_proposal(conference, user, details, submit=True, access_code=code)
    db.session.rollback()
    assert count(db, Proposal) == 0
    assert _times_used(db, code) == 1


# PostgreSQL only: SQLite has one writer at a time, so the race needs PostgreSQL's two open
# transactions (on SQLite the second writer waits for the first to commit, as the count does).
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_concurrent_submissions_cannot_both_take_the_last_use(conference, db, now, database_url):
    code = make_code(db, conference, max_uses=1)
    engine = db.engine  # the thread has no application context to look it up
    results: dict[str, int] = {}

    def second_submission():
        with engine.begin() as second:
            # Blocks on the first transaction's row lock, then sees its committed count.
            results["second"] = second.execute(use_statement(code.id, now.instant)).rowcount

    with engine.connect() as first:
        first_transaction = first.begin()
        try:
            results["first"] = first.execute(use_statement(code.id, now.instant)).rowcount
            thread = threading.Thread(target=second_submission)
            thread.start()
            thread.join(timeout=0.5)
            assert thread.is_alive(), "the second UPDATE should wait for the first transaction"
        finally:
            first_transaction.commit()
    thread.join(timeout=10)
    assert results == {"first": 1, "second": 0}
    assert _times_used(db, code) == 1


# --- what organisers see ----------------------------------------------------------------------


def test_organisers_see_which_code_a_proposal_was_submitted_with(client, conference, speaker, login, db, now):
    code = make_code(db, conference, note="Keynote: Grace Hopper")
    now.set(AFTER_CALL)
    client.post(f"{NEW}?code={code.code}", data=proposal_data(conference))
    proposal = db.session.scalar(select(Proposal))
    client.post("/logout")
    from conference.conferences.models import Role
    from tests.factories import RoleFactory

    organiser = RoleFactory(conference=conference, user=make_user(), role=Role.ORGANISER).user
    login(organiser)
    page = client.get(f"/c/devcon/manage/proposals/{proposal.id}").get_data(as_text=True)
    assert "Submitted with access code “Keynote: Grace Hopper”." in page


def _keynote_data(conference, **overrides) -> dict:
    return proposal_data(conference, session_format_id=str(session_format(conference, "Keynote").id),
                         track_id=str(track(conference, "Keynotes").id), **overrides)


@pytest.mark.parametrize("spoilt", ["used_up", "revoked"])
def test_a_draft_whose_code_stopped_working_cannot_go_into_a_code_only_track_while_the_call_is_open(
        client, conference, speaker, db, now, spoilt):
    """A code limited to one use made two drafts in the keynote track; once its use is taken
    (or it is revoked), the other draft is no longer let into that track by the open call."""
    code = make_code(db, conference, max_uses=1)
    drafts = []
    for title in ("First keynote", "Second keynote"):
        response = client.post(f"{NEW}?code={code.code}",
                               data=_keynote_data(conference, title=title, submit=None, save_draft="Save as draft"))
        assert response.status_code == 302
        drafts.append(int(response.headers["Location"].rsplit("/", 1)[-1]))
    if spoilt == "used_up":
        response = client.post(f"/c/devcon/proposals/{drafts[0]}/edit",
                               data=_keynote_data(conference, title="First keynote", lock_version="1"))
        assert response.status_code == 302
    else:
        db.session.get(AccessCode, code.id).revoked_at = now.instant
        db.session.commit()

    edit_page = client.get(f"/c/devcon/proposals/{drafts[1]}/edit").get_data(as_text=True)
    assert "Keynotes" not in _options(edit_page, "track_id")
    response = client.post(f"/c/devcon/proposals/{drafts[1]}/edit",
                           data=_keynote_data(conference, title="Second keynote", lock_version="1"))

    assert response.status_code in (400, 403)
    db.session.expire_all()
    second = db.session.get(Proposal, drafts[1])
    assert second.state is ProposalState.DRAFT
    assert _times_used(db, code) == (1 if spoilt == "used_up" else 0)
    # In an open track it may still be submitted, without the code.
    response = client.post(f"/c/devcon/proposals/{drafts[1]}/edit",
                           data=proposal_data(conference, title="Second keynote", lock_version="1"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, drafts[1]).state is ProposalState.SUBMITTED
