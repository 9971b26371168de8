"""The checker's report on the draft: talks not in the draft are listed apart, not broken rules."""

from __future__ import annotations

from conference.drafts.checks import draft_warnings
from conference.proposals.models import ProposalState
from conference.schedule.models import ScheduleVersion
from tests.conference.drafts.conftest import add_talk, at
from tests.conference.organisers.conftest import make_user
from tests.factories import InterestMarkFactory, ProposalFactory, ProposalSpeakerFactory

EDITOR = "/c/devcon/manage/schedule/draft"
TALK_ONCE = "Every talk is scheduled exactly once"


def _draft(db, scene) -> ScheduleVersion:
    db.session.expire_all()
    return db.session.get(ScheduleVersion, scene.draft.id)


def _unschedule(client, db, scene, talk) -> None:
    response = client.post(f"{EDITOR}/talks/{talk.id}/unschedule",
                           data={"lock_version": _draft(db, scene).lock_version})
    assert response.status_code == 302


def _checks_section(page: str) -> str:
    return page.split('id="checker-heading"')[1].split("</section>")[0]


def test_a_talk_taken_out_of_the_draft_is_not_a_broken_rule(client, db, scene, organiser):
    add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.commit()
    _unschedule(client, db, scene, scene.talk)

    summary = draft_warnings(scene.conference, _draft(db, scene))
    page = client.get(EDITOR).get_data(as_text=True)

    assert summary.hard_violations == [] and summary.violations_by_proposal == {}
    assert TALK_ONCE not in page and "broken rule(s)" not in page
    checks = _checks_section(page)
    assert "No hard rule is broken." in checks
    # Said once, in the organiser's words, pointing at the list that has it.
    assert checks.count('class="checker-not-in-draft"') == 1 and "Zero-downtime deploys" not in checks
    assert "1 accepted talk is not in the draft, so these checks leave it out" in checks
    assert 'href="#not-in-draft-heading"' in checks
    assert "Zero-downtime deploys" in page.split('id="not-in-draft"')[1].split('id="draft-grid"')[0]


def test_a_talk_accepted_after_the_draft_was_made_is_not_a_broken_rule_either(client, db, scene, organiser):
    for title in ("Caching at the edge", "Rust for the rest of us"):
        proposal = ProposalFactory(conference=scene.conference, title=title, state=ProposalState.ACCEPTED)
        ProposalSpeakerFactory(proposal=proposal, user=make_user())
        # Wanted by someone: the goals do not count a clash with a talk that has no slot yet.
        InterestMarkFactory(proposal_id=proposal.id, user_id=scene.speaker.id)
    db.session.commit()

    page = client.get(EDITOR).get_data(as_text=True)

    assert TALK_ONCE not in page
    assert "2 accepted talks are not in the draft, so these checks leave them out" in _checks_section(page)
    assert not draft_warnings(scene.conference, _draft(db, scene)).hard_violations


def test_the_checks_still_report_what_the_draft_talks_break_while_a_talk_is_out(client, db, scene, organiser):
    clashing = add_talk(db, scene.draft, scene.side_room, at(14), "Same speaker, same time", speaker=scene.speaker,
                        block=scene.block)
    left_out = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.commit()
    _unschedule(client, db, scene, left_out)

    summary = draft_warnings(scene.conference, _draft(db, scene))
    page = client.get(EDITOR).get_data(as_text=True)

    assert [rule for rule, _ in summary.hard_violations] == ["A speaker or track chair is needed in two places at once"]
    assert set(summary.violations_by_proposal) == {scene.talk.proposal_id, clashing.proposal_id}
    assert "1 broken rule(s):" in page and TALK_ONCE not in page


def test_no_note_about_talks_not_in_the_draft_when_the_draft_has_every_talk(client, db, scene, organiser):
    page = client.get(EDITOR).get_data(as_text=True)
    assert "No hard rule is broken." in page
    assert "not in the draft" not in _checks_section(page)
