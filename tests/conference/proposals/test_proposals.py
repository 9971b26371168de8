from datetime import UTC, datetime

from sqlalchemy import select

from conference.conferences.models import ConferenceRole, Role
from conference.proposals.models import Proposal, ProposalState
from tests.conference.proposals.conftest import count, make_user, proposal_form
from tests.conference.proposals.factories import proposal_of
from tests.factories import ConferenceFactory, SessionFormatFactory, TrackFactory


def test_create_proposal_submit_makes_person_a_speaker(client, db, conference, speaker):
    response = client.post("/c/devcon/proposals/new", data=proposal_form(conference))
    assert response.status_code == 302
    db.session.expire_all()
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state is ProposalState.SUBMITTED
    assert proposal.submitted_at is not None
    assert proposal.speakers[0].user_id == speaker.id
    assert count(db, ConferenceRole, ConferenceRole.user_id == speaker.id,
                 ConferenceRole.role == Role.SPEAKER) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>split</strong>" in page


def test_create_proposal_save_as_draft_keeps_it_a_draft(client, db, conference, speaker):
    form = proposal_form(conference, abstract="", submit=None, save_draft="Save as draft")
    assert client.post("/c/devcon/proposals/new", data=form).status_code == 302
    db.session.expire_all()
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state is ProposalState.DRAFT
    assert proposal.submitted_at is None


def test_submit_without_abstract_is_a_form_error(client, db, conference, speaker):
    response = client.post("/c/devcon/proposals/new", data=proposal_form(conference, abstract="  "))
    assert response.status_code == 400
    assert "An abstract is needed to submit" in response.get_data(as_text=True)
    assert count(db, Proposal) == 0


def test_edit_draft_then_submit(client, db, conference, speaker):
    proposal = proposal_of(speaker, conference, state=ProposalState.DRAFT)
    db.session.commit()
    assert client.get(f"/c/devcon/proposals/{proposal.id}/edit").status_code == 200
    form = proposal_form(conference, title="Better title", lock_version=str(proposal.lock_version))
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=form)
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "Better title"
    assert proposal.state is ProposalState.SUBMITTED
    assert proposal.lock_version == 2


def test_withdraw_needs_post_and_confirmation(client, db, conference, speaker):
    proposal = proposal_of(speaker, conference)
    db.session.commit()
    page = client.get(f"/c/devcon/proposals/{proposal.id}/withdraw")
    assert page.status_code == 200
    assert "Withdraw the proposal" in page.get_data(as_text=True)
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.SUBMITTED
    assert client.post(f"/c/devcon/proposals/{proposal.id}/withdraw").status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.WITHDRAWN
    # Withdrawn is final for speakers: no more editing.
    assert client.get(f"/c/devcon/proposals/{proposal.id}/edit").status_code == 302


def test_decided_proposal_cannot_be_edited_by_speakers(client, db, conference, speaker):
    proposal = proposal_of(speaker, conference, state=ProposalState.ACCEPTED)
    db.session.commit()
    form = proposal_form(conference, title="Sneaky", lock_version=str(proposal.lock_version))
    client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=form)
    db.session.refresh(proposal)
    assert proposal.title != "Sneaky"


def test_my_proposals_lists_only_own_accepted_speakerships(client, db, conference, speaker):
    mine = proposal_of(speaker, conference, title="Mine")
    proposal_of(make_user(), conference, title="Theirs")
    db.session.commit()
    page = client.get("/c/devcon/proposals/").get_data(as_text=True)
    assert mine.title in page
    assert "Theirs" not in page
    assert "Submit a proposal" in page


def test_closed_call_refuses_get_and_post_and_writes_nothing(client, db, conference, speaker, now):
    now.set(datetime(2027, 2, 1, 0, 0, tzinfo=UTC))
    draft = proposal_of(speaker, conference, state=ProposalState.DRAFT, title="Old")
    db.session.commit()
    page = client.get("/c/devcon/proposals/new")
    assert page.status_code == 200
    assert "The call for proposals is closed" in page.get_data(as_text=True)
    response = client.post("/c/devcon/proposals/new", data=proposal_form(conference, title="Late"))
    assert response.status_code == 403
    assert "The call for proposals is closed" in response.get_data(as_text=True)
    form = proposal_form(conference, title="Changed", lock_version=str(draft.lock_version))
    assert client.post(f"/c/devcon/proposals/{draft.id}/edit", data=form).status_code == 403
    db.session.expire_all()
    assert [p.title for p in db.session.scalars(select(Proposal))] == ["Old"]


def test_call_not_yet_open_refuses_creation(client, db, conference, speaker, now):
    now.set(datetime(2026, 10, 1, tzinfo=UTC))
    response = client.post("/c/devcon/proposals/new", data=proposal_form(conference))
    assert response.status_code == 403
    assert "not open yet" in response.get_data(as_text=True)
    assert count(db, Proposal) == 0


def test_call_closing_in_kolkata_refuses_post_a_minute_after_in_utc(client, db, speaker, now):
    # 2027-01-31 23:59 in Asia/Kolkata (UTC+05:30) is 18:29 UTC.
    conference = ConferenceFactory(
        slug="devcon", time_zone="Asia/Kolkata",
        cfp_closes_at=datetime(2027, 1, 31, 18, 29, tzinfo=UTC),
    )
    SessionFormatFactory(conference=conference)
    TrackFactory(conference=conference)
    db.session.commit()
    now.set(datetime(2027, 1, 31, 18, 28, tzinfo=UTC))
    assert client.post("/c/devcon/proposals/new", data=proposal_form(conference)).status_code == 302
    now.set(datetime(2027, 1, 31, 18, 30, tzinfo=UTC))
    response = client.post("/c/devcon/proposals/new", data=proposal_form(conference, title="Late"))
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    # The window is stated in the conference's zone and in the viewer's (Europe/London).
    assert "Sun 31 Jan 2027, 23:59 (Asia/Kolkata)" in text
    assert "Sun 31 Jan 2027, 18:29 (Europe/London)" in text
    assert count(db, Proposal) == 1


def test_oversized_title_and_abstract_are_form_errors(client, db, conference, speaker):
    form = proposal_form(conference, title="x" * 201, abstract="y" * 10_001,
                         notes_to_organisers="z" * 5_001)
    response = client.post("/c/devcon/proposals/new", data=form)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Keep the title under 200 characters." in text
    assert "Keep the abstract under 10,000 characters." in text
    assert "Keep the notes under 5,000 characters." in text
    assert "y" * 10_001 in text  # the input is kept
    assert count(db, Proposal) == 0


def test_script_in_title_and_abstract_is_harmless(client, db, conference, speaker):
    form = proposal_form(
        conference,
        title="<script>alert(1)</script>",
        abstract="<script>alert(2)</script> <img src=x onerror=alert(3)> [click](javascript:alert(4))",
    )
    response = client.post("/c/devcon/proposals/new", data=form)
    for path in (response.headers["Location"], "/c/devcon/proposals/", "/"):
        text = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in text, path
        assert "onerror=" not in text.replace("onerror=alert(3)&gt;", ""), path
        assert 'href="javascript:' not in text, path
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail


def test_double_submit_of_create_makes_one_proposal(client, db, conference, speaker):
    form = proposal_form(conference)
    first = client.post("/c/devcon/proposals/new", data=form)
    second = client.post("/c/devcon/proposals/new", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db, Proposal) == 1


def test_submitting_what_was_just_saved_as_a_draft_submits_that_draft(client, db, conference, speaker):
    draft = proposal_form(conference, submit=None, save_draft="Save as draft")
    first = client.post("/c/devcon/proposals/new", data=draft)
    second = client.post("/c/devcon/proposals/new", data=proposal_form(conference), follow_redirects=True)
    assert "Your proposal is submitted." in second.get_data(as_text=True)
    assert count(db, Proposal) == 1
    db.session.expire_all()
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state is ProposalState.SUBMITTED and proposal.submitted_at is not None
    assert first.headers["Location"].endswith(f"/proposals/{proposal.id}")


def test_a_new_proposal_with_a_recent_title_but_other_content_is_kept(client, db, conference, speaker):
    client.post("/c/devcon/proposals/new", data=proposal_form(conference, submit=None, save_draft="Save as draft"))
    response = client.post("/c/devcon/proposals/new",
                           data=proposal_form(conference, abstract="A different abstract, written again."),
                           follow_redirects=True)
    assert "Your proposal is submitted." in response.get_data(as_text=True)
    db.session.expire_all()
    proposals = db.session.scalars(select(Proposal).order_by(Proposal.id)).all()
    assert [p.state for p in proposals] == [ProposalState.DRAFT, ProposalState.SUBMITTED]
    assert proposals[1].abstract == "A different abstract, written again."


def test_another_speakers_proposal_is_not_found(client, db, conference, speaker):
    theirs = proposal_of(make_user(), conference)
    db.session.commit()
    base = f"/c/devcon/proposals/{theirs.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/edit", data=proposal_form(conference)).status_code == 404
    assert client.post(f"{base}/withdraw").status_code == 404
    assert client.post(f"{base}/co-speakers", data={"email": "x@example.com"}).status_code == 404
    db.session.refresh(theirs)
    assert theirs.state is ProposalState.SUBMITTED


def test_proposal_of_another_conference_is_not_found_here(client, db, conference, speaker):
    other = ConferenceFactory(slug="other")
    SessionFormatFactory(conference=other)
    TrackFactory(conference=other)
    db.session.flush()
    mine_elsewhere = proposal_of(speaker, other)
    db.session.commit()
    assert client.get(f"/c/other/proposals/{mine_elsewhere.id}").status_code == 200
    assert client.get(f"/c/devcon/proposals/{mine_elsewhere.id}").status_code == 404
    assert client.get(f"/c/devcon/proposals/{mine_elsewhere.id}/edit").status_code == 404


def test_speaker_pages_need_login(client, conference):
    for path in ("/c/devcon/proposals/", "/c/devcon/proposals/new", "/c/devcon/speaker/profile",
                 "/c/devcon/speaker/availability"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"], path


def test_session_format_of_another_conference_is_refused(client, db, conference, speaker):
    foreign_format = SessionFormatFactory(conference=ConferenceFactory(slug="other"))
    db.session.commit()
    form = proposal_form(conference, session_format_id=str(foreign_format.id))
    assert client.post("/c/devcon/proposals/new", data=form).status_code == 400
    assert count(db, Proposal) == 0


def test_concurrent_edit_gets_conflict_with_input_kept(app, client, db, conference, speaker):
    proposal = proposal_of(speaker, conference, title="Original", abstract="First text.")
    db.session.commit()
    loaded_version = str(proposal.lock_version)
    # Another client (e.g. a co-speaker's browser) saves first from the same version.
    first = client.post(
        f"/c/devcon/proposals/{proposal.id}/edit",
        data=proposal_form(conference, title="Their title", abstract="Their text.",
                           lock_version=loaded_version),
    )
    assert first.status_code == 302
    second = client.post(
        f"/c/devcon/proposals/{proposal.id}/edit",
        data=proposal_form(conference, title="My title", abstract="My text.",
                           lock_version=loaded_version),
    )
    assert second.status_code == 409
    text = second.get_data(as_text=True)
    assert "Someone else saved this proposal" in text
    assert 'value="My title"' in text
    assert "My text." in text
    assert "Their title" in text  # what changed is shown
    db.session.refresh(proposal)
    assert proposal.title == "Their title"
    # Saving again after seeing the conflict is a deliberate overwrite and works.
    assert f'value="{proposal.lock_version}"' in text
    third = client.post(
        f"/c/devcon/proposals/{proposal.id}/edit",
        data=proposal_form(conference, title="My title", abstract="My text.",
                           lock_version=str(proposal.lock_version)),
    )
    assert third.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "My title"


def test_nul_byte_in_title_is_rejected(client, db, conference, speaker):
    response = client.post("/c/devcon/proposals/new", data=proposal_form(conference, title="a\x00b"))
    assert response.status_code == 400
    assert count(db, Proposal) == 0


def test_save_racing_another_save_is_a_conflict_not_an_overwrite(client, db, conference, speaker,
                                                                  monkeypatch):
    from sqlalchemy import text

    from conference.proposals import operations

    proposal = proposal_of(speaker, conference, title="Original")
    db.session.commit()
    original_apply = operations._apply

    def apply_after_a_concurrent_save(target, details):
        # Another request commits between this request's version check and its UPDATE.
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE proposals SET title = 'Racing', lock_version = lock_version + 1 "
                     "WHERE id = :id"),
                {"id": target.id},
            )
        original_apply(target, details)

    monkeypatch.setattr(operations, "_apply", apply_after_a_concurrent_save)
    response = client.post(
        f"/c/devcon/proposals/{proposal.id}/edit",
        data=proposal_form(conference, title="Mine", lock_version=str(proposal.lock_version)),
    )
    assert response.status_code == 409
    assert 'value="Mine"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).title == "Racing"


def test_saving_a_submitted_proposal_as_draft_keeps_its_abstract_rule(client, db, conference, speaker):
    """Saving keeps a submitted proposal submitted, so it cannot lose its abstract that way."""
    proposal = proposal_of(speaker, conference, state=ProposalState.SUBMITTED, abstract="Original")
    db.session.commit()
    data = proposal_form(conference, abstract="", submit=None, save_draft="Save as draft",
                         lock_version=str(proposal.lock_version))
    response = client.post(f"/c/devcon/proposals/{proposal.id}/edit", data=data)
    assert response.status_code == 400
    assert "An abstract is needed to submit" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).abstract == "Original"
