"""The Build page's "Re-optimise the draft" and a failed run's "Try again" offer the editor's choice.

Talks not in the draft stay out of a re-optimised draft unless the organiser ticks "Also place
the talks not in the draft", wherever the run is started from. "Try again" of a failed
re-optimise run offers the choice again, ticked as that run had it (see test_run_options).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference.conferences.models import Role
from conference.schedule.models import RunKind, RunState, ScheduledTalk, ScheduleVersion, SolverRun
from conference.tasks import huey
from tests.conference.drafts.conftest import add_talk, at, make_scene
from tests.conference.organisers.conftest import make_user
from tests.conference.schedule.factories import ScheduleSettingsFactory
from tests.factories import ConferenceFactory, RoleFactory, SolverRunFactory

BUILD = "/c/devcon/manage/schedule/"
RUNS = "/c/devcon/manage/schedule/runs"
EDITOR = "/c/devcon/manage/schedule/draft"
CHECKBOX = 'name="place_talks_not_in_draft" type="checkbox"'


@pytest.fixture
def scene(db):
    """The drafts scene (one talk in the draft) with a second talk, and quick solves."""
    scene = make_scene(db)
    ScheduleSettingsFactory(conference_id=scene.conference.id, slot_minutes=15, time_limit_seconds=5)
    scene.kept = add_talk(db, scene.draft, scene.side_room, at(10), "Kubernetes at scale", block=scene.block)
    db.session.commit()
    return scene


@pytest.fixture
def organiser(login, scene, db):
    role = RoleFactory(conference=scene.conference, user=make_user(), role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)


def _take_out_of_the_draft(client, db, scene, talk) -> int:
    """Unschedule ``talk`` in the editor, as the organiser does; returns its proposal's id."""
    db.session.expire_all()
    lock_version = db.session.get(ScheduleVersion, scene.draft.id).lock_version
    proposal_id = talk.proposal_id
    response = client.post(f"{EDITOR}/talks/{talk.id}/unschedule", data={"lock_version": lock_version})
    assert response.status_code == 302
    return proposal_id


def _run_form(page: str, kind: str) -> str:
    """The form of the page that starts a run of ``kind``."""
    [form] = [part for part in page.split("<form")[1:] if f'name="kind" value="{kind}"' in part]
    return form.split("</form>")[0]


def _start(client, **form) -> str:
    """Send a run form; the page the organiser lands on, with the flash."""
    response = client.post(RUNS, data=form)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _solve_queued(enqueued) -> SolverRun:
    """Run the queued task the way the consumer does: serialised, read back, executed."""
    from conference.extensions import db

    task = enqueued.pop()
    huey.deserialize_task(huey.serialize_task(task)).execute()
    db.session.expire_all()
    return db.session.get(SolverRun, task.args[0])


def _draft_proposals(db, scene) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == scene.draft.id)))


def test_the_build_page_offers_to_place_the_talk_not_in_the_draft_unticked(client, db, scene, organiser):
    _take_out_of_the_draft(client, db, scene, scene.talk)
    form = _run_form(client.get(BUILD).get_data(as_text=True), "reoptimise")
    assert CHECKBOX in form and "checked" not in form
    assert "Also place the talk not in the draft, “Zero-downtime deploys”" in form
    assert "Unticked, it stays out of the new draft" in form
    assert f'href="{EDITOR}#not-in-draft-heading"' in form
    assert "Re-optimise the draft</button>" in form


def test_the_build_page_counts_several_talks_not_in_the_draft(client, db, scene, organiser):
    _take_out_of_the_draft(client, db, scene, scene.talk)
    _take_out_of_the_draft(client, db, scene, scene.kept)
    form = _run_form(client.get(BUILD).get_data(as_text=True), "reoptimise")
    assert "Also place the 2 talks not in the draft" in form and "Unticked, they stay out" in form


def test_the_build_page_has_no_choice_when_every_talk_is_in_the_draft(client, scene, organiser):
    page = client.get(BUILD).get_data(as_text=True)
    assert "Re-optimise the draft</button>" in _run_form(page, "reoptimise")
    assert CHECKBOX not in page


def test_re_optimising_from_the_build_page_keeps_a_talk_taken_out_of_the_draft_out(
        client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    _take_out_of_the_draft(client, db, scene, scene.talk)

    landed = _start(client, kind="reoptimise")
    run = _solve_queued(enqueued)

    assert "Re-optimising the draft: the run is queued. The talk not in the draft stays out of it." in landed
    assert run.kind is RunKind.REOPTIMISE and run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept}


def test_re_optimising_from_the_build_page_places_the_talks_not_in_the_draft_when_ticked(
        client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    taken_out = _take_out_of_the_draft(client, db, scene, scene.talk)

    landed = _start(client, kind="reoptimise", place_talks_not_in_draft="y")
    run = _solve_queued(enqueued)

    assert "It places the talk not in the draft too." in landed
    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept, taken_out}


def test_building_still_places_every_talk(client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    taken_out = _take_out_of_the_draft(client, db, scene, scene.talk)

    landed = _start(client, kind="build")
    run = _solve_queued(enqueued)

    assert "Build schedule: the run is queued." in landed
    assert run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept, taken_out}


@pytest.mark.parametrize("state", [RunState.FAILED, RunState.ABANDONED])
def test_try_again_of_a_failed_re_optimise_run_offers_the_choice_again(client, db, scene, organiser, state):
    _take_out_of_the_draft(client, db, scene, scene.talk)
    failed = SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=state, result={},
                              error="No schedule was found within the time limit of 5 s.",
                              options={"place_talks_not_in_draft": False, "not_in_draft": []})
    db.session.commit()

    page = client.get(f"{RUNS}/{failed.id}").get_data(as_text=True)

    assert "“Try again” starts with this run's choice; change it below if you like." in page
    form = _run_form(page, "reoptimise")
    assert CHECKBOX in form and "checked" not in form
    assert "Also place the talk not in the draft, “Zero-downtime deploys”" in form
    assert "Try again</button>" in form


def test_trying_again_with_the_tick_places_the_talk_not_in_the_draft(client, db, scene, organiser, enqueued):
    kept = scene.kept.proposal_id
    taken_out = _take_out_of_the_draft(client, db, scene, scene.talk)
    # The error a re-optimise run that was not asked to place them fails with when the draft is empty.
    failed = SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=RunState.FAILED,
                              result={}, error="The draft has no talks to re-optimise.")
    db.session.commit()
    form = _run_form(client.get(f"{RUNS}/{failed.id}").get_data(as_text=True), "reoptimise")
    assert CHECKBOX in form

    landed = _start(client, kind="reoptimise", place_talks_not_in_draft="y")
    run = _solve_queued(enqueued)

    assert "It places the talk not in the draft too." in landed
    assert run.id != failed.id and run.state is RunState.SUCCEEDED, run.error
    assert _draft_proposals(db, scene) == {kept, taken_out}


def test_try_again_has_no_choice_when_every_talk_is_in_the_draft(client, db, scene, organiser):
    failed = SolverRunFactory(conference=scene.conference, kind=RunKind.REOPTIMISE, state=RunState.FAILED,
                              result={}, error="No schedule was found within the time limit of 5 s.")
    db.session.commit()
    page = client.get(f"{RUNS}/{failed.id}").get_data(as_text=True)
    assert "Try again</button>" in _run_form(page, "reoptimise")
    assert CHECKBOX not in page and "choose again" not in page


def test_try_again_of_a_failed_build_never_asks(client, db, scene, organiser):
    _take_out_of_the_draft(client, db, scene, scene.talk)
    failed = SolverRunFactory(conference=scene.conference, kind=RunKind.BUILD, state=RunState.FAILED, result={},
                              error="No schedule was found within the time limit of 5 s.")
    db.session.commit()
    page = client.get(f"{RUNS}/{failed.id}").get_data(as_text=True)
    assert "Try again</button>" in _run_form(page, "build")
    assert CHECKBOX not in page


def test_re_optimising_without_a_draft_is_refused_with_a_message(client, db, login, enqueued):
    conference = ConferenceFactory(slug="nodraft")
    role = RoleFactory(conference=conference, user=make_user(), role=Role.ORGANISER)
    db.session.commit()
    login(role.user)

    response = client.post("/c/nodraft/manage/schedule/runs", data={"kind": "reoptimise"}, follow_redirects=True)

    assert response.status_code == 200
    assert "There is no draft to re-optimise yet: build the schedule first." in response.get_data(as_text=True)
    assert enqueued == [] and db.session.scalar(select(SolverRun.id)) is None
