"""Re-optimising from the editor: talks not in the draft stay out unless the organiser asks.

Each run goes the way production runs go: the form queues a task, which is serialised for the
queue, read back and executed as the consumer would.
"""

from __future__ import annotations

from sqlalchemy import select

from conference.schedule.models import RunState, ScheduledTalk, ScheduleVersion, SolverRun
from conference.tasks import huey
from tests.conference.drafts.conftest import add_talk, at
from tests.conference.schedule.factories import ScheduleSettingsFactory

EDITOR = "/c/devcon/manage/schedule/draft"
CHECKBOX = 'name="place_talks_not_in_draft" type="checkbox"'


def _lock(db, scene) -> int:
    db.session.expire_all()
    return db.session.get(ScheduleVersion, scene.draft.id).lock_version


def _draft_proposals(db, scene) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == scene.draft.id)))


def _with_a_second_talk_taken_out(client, db, scene):
    """Quick solves, a second talk in the draft, and the scene's talk unscheduled by the organiser."""
    ScheduleSettingsFactory(conference_id=scene.conference.id, slot_minutes=15, time_limit_seconds=5)
    kept = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.commit()
    kept_id, taken_out_id = kept.proposal_id, scene.talk.proposal_id
    response = client.post(f"{EDITOR}/talks/{scene.talk.id}/unschedule", data={"lock_version": _lock(db, scene)})
    assert response.status_code == 302
    return kept_id, taken_out_id


def _reoptimise(client, **form) -> str:
    """Press Re-optimise; the page the organiser lands on (the run page, with the flash)."""
    response = client.post(f"{EDITOR}/reoptimise", data=form)
    assert response.status_code == 302 and "/manage/schedule/runs/" in response.headers["Location"]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _solve_queued(enqueued) -> SolverRun:
    [task] = enqueued
    consumed = huey.deserialize_task(huey.serialize_task(task))
    consumed.execute()
    from conference.extensions import db

    db.session.expire_all()
    return db.session.get(SolverRun, task.args[0])


def test_the_reoptimise_form_offers_to_place_the_talks_not_in_the_draft_unticked(client, db, scene, organiser):
    _with_a_second_talk_taken_out(client, db, scene)
    page = client.get(EDITOR).get_data(as_text=True)
    actions = page.split('id="actions-heading"')[1].split("</section>")[0]
    assert CHECKBOX in actions and "checked" not in actions
    assert "Also place the talk not in the draft, “Zero-downtime deploys”" in actions
    assert "Unticked, it stays out of the new draft" in actions


def test_the_reoptimise_form_counts_several_talks_not_in_the_draft(client, db, scene, organiser):
    _with_a_second_talk_taken_out(client, db, scene)
    other = add_talk(db, scene.draft, scene.side_room, at(11), "Rust for the rest of us", block=scene.block)
    db.session.commit()
    client.post(f"{EDITOR}/talks/{other.id}/unschedule", data={"lock_version": _lock(db, scene)})
    page = client.get(EDITOR).get_data(as_text=True)
    assert "Also place the 2 talks not in the draft" in page and "Unticked, they stay out" in page


def test_the_reoptimise_form_has_no_choice_when_every_talk_is_in_the_draft(client, scene, organiser):
    page = client.get(EDITOR).get_data(as_text=True)
    assert "Re-optimise (keeps pinned talks, moves few others)" in page
    assert CHECKBOX not in page


def test_unscheduling_says_re_optimising_leaves_the_talk_out(client, db, scene, organiser):
    client.post(f"{EDITOR}/talks/{scene.talk.id}/unschedule", data={"lock_version": _lock(db, scene)})
    page = client.get(EDITOR).get_data(as_text=True)
    assert (
        "It is listed under “Talks not in the draft” to place again; re-optimising leaves it out"
        " unless you tick “Also place the talks not in the draft”."
    ) in page
    assert "re-optimising may place it too" not in page


def test_reoptimising_keeps_a_talk_taken_out_of_the_draft_out(client, db, scene, organiser, enqueued):
    kept, taken_out = _with_a_second_talk_taken_out(client, db, scene)

    landed = _reoptimise(client)
    run = _solve_queued(enqueued)

    assert "The talk not in the draft stays out of it." in landed
    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept}
    page = client.get(EDITOR).get_data(as_text=True)
    unplaced = page.split('id="not-in-draft"')[1].split('id="draft-grid"')[0]
    assert "Zero-downtime deploys" in unplaced and f"{EDITOR}/proposals/{taken_out}/place" in unplaced
    assert "No hard rule is broken." in page


def test_reoptimising_places_the_talks_not_in_the_draft_when_asked(client, db, scene, organiser, enqueued):
    kept, taken_out = _with_a_second_talk_taken_out(client, db, scene)

    landed = _reoptimise(client, place_talks_not_in_draft="y")
    run = _solve_queued(enqueued)

    assert "It places the talk not in the draft too." in landed
    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept, taken_out}
    assert 'id="not-in-draft"' not in client.get(EDITOR).get_data(as_text=True)


def test_reoptimising_a_draft_left_with_no_talks_fails_saying_how_to_place_them(client, db, scene, organiser,
                                                                             enqueued):
    ScheduleSettingsFactory(conference_id=scene.conference.id, slot_minutes=15, time_limit_seconds=5)
    db.session.commit()
    client.post(f"{EDITOR}/talks/{scene.talk.id}/unschedule", data={"lock_version": _lock(db, scene)})

    _reoptimise(client)
    run = _solve_queued(enqueued)

    assert run.state is RunState.FAILED
    assert run.error == (
        "The draft has no talks to re-optimise. To place the talks not in the draft, "
        "re-optimise again with “Also place the talks not in the draft” ticked."
    )
    assert _draft_proposals(db, scene) == set()


def test_reoptimise_without_a_csrf_token_is_refused_and_queues_nothing(app, client, db, scene, organiser, enqueued):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"{EDITOR}/reoptimise", data={"place_talks_not_in_draft": "y"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert enqueued == [] and db.session.scalar(select(SolverRun.id)) is None
