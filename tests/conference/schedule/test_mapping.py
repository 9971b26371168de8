from dataclasses import replace
from datetime import UTC, datetime

import scheduler
from conference.drafts.operations import room_is_open
from conference.proposals.models import PresentationMode, ProposalState
from conference.proposals.operations import replace_availability
from conference.schedule import mapping, operations
from conference.schedule.models import ScheduledTalk
from tests.conference.schedule.factories import (
    AvailabilityWindowFactory,
    add_talk,
    small_conference,
)
from tests.factories import (
    InterestMarkFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    SpeakerProfileFactory,
    UserFactory,
)


def _talk(mapped, proposal):
    return next(t for t in mapped.problem.talks if t.id == mapped.talk_of_proposal[proposal.id])


def test_build_problem_maps_talk_lengths_from_session_formats(db):
    setup = small_conference(talk_count=1)
    workshop = SessionFormatFactory(conference=setup.conference, duration_minutes=90)
    long_talk = add_talk(setup, session_format=workshop)
    mapped = mapping.build_problem(setup.conference)
    assert _talk(mapped, setup.talks[0]).slots == 1
    assert _talk(mapped, long_talk).slots == 3
    assert [b.slots for b in mapped.problem.blocks] == [6, 6]
    assert mapped.problem.slot_minutes == 30


def test_build_problem_includes_accepted_talks_unless_turned_off(db):
    setup = small_conference(talk_count=1)
    accepted = add_talk(setup, state=ProposalState.ACCEPTED)
    add_talk(setup, state=ProposalState.SUBMITTED)
    add_talk(setup, state=ProposalState.REJECTED)
    assert set(mapping.build_problem(setup.conference).talk_of_proposal) == {setup.talks[0].id, accepted.id}
    setup.conference.settings = {**setup.conference.settings, mapping.INCLUDE_ACCEPTED_SETTING: False}
    db.session.flush()
    assert set(mapping.build_problem(setup.conference).talk_of_proposal) == {setup.talks[0].id}


def test_remote_speaker_talk_needs_a_streaming_room(db):
    setup = small_conference(talk_count=0)
    remote_speaker, local_speaker = UserFactory(), UserFactory()
    SpeakerProfileFactory(conference=setup.conference, user=remote_speaker, presentation_mode=PresentationMode.REMOTE)
    SpeakerProfileFactory(conference=setup.conference, user=local_speaker, hub_id=setup.hub.id)
    remote_talk = add_talk(setup, speaker=remote_speaker)
    local_talk = add_talk(setup, speaker=local_speaker)
    mapped = mapping.build_problem(setup.conference)
    remote, local = _talk(mapped, remote_talk), _talk(mapped, local_talk)
    assert remote.mode == "remote" and remote.required_features == ("streaming",)
    assert local.mode == "in_person" and local.hub == mapping.hub_key(setup.hub.id)
    features = {r.id: r.features for r in mapped.problem.rooms}
    assert "streaming" not in features[mapping.room_key(setup.rooms[1].id)]
    assert "streaming" in features[mapping.room_key(setup.rooms[2].id)]  # the online stream


def test_availability_windows_are_mapped_and_none_means_always(db):
    setup = small_conference(talk_count=0)
    busy, free = UserFactory(time_zone="Asia/Kolkata"), UserFactory()
    window = AvailabilityWindowFactory(conference_id=setup.conference.id, user=busy,
                                       starts_at=datetime(2027, 3, 24, 9, tzinfo=UTC),
                                       ends_at=datetime(2027, 3, 24, 11, tzinfo=UTC))
    add_talk(setup, speaker=busy)
    add_talk(setup, speaker=free)
    people = {p.id: p for p in mapping.build_problem(setup.conference).problem.people}
    person = people[mapping.person_key(busy.id)]
    assert person.time_zone == "Asia/Kolkata"
    assert person.availability == (scheduler.Window(window.starts_at, window.ends_at),)
    assert people[mapping.person_key(free.id)].availability == ()


def test_a_speaker_who_saved_no_time_at_all_is_never_available_and_the_run_says_so(db):
    setup = small_conference(talk_count=0)
    never, silent = UserFactory(display_name="Nora Never"), UserFactory()
    talk = add_talk(setup, speaker=never)
    add_talk(setup, speaker=silent)
    replace_availability(setup.conference, never, {day: [] for day in setup.conference.days()})
    mapped = mapping.build_problem(setup.conference)
    people = {p.id: p for p in mapped.problem.people}
    assert people[mapping.person_key(never.id)].unavailable is True
    assert people[mapping.person_key(never.id)].availability == ()
    assert people[mapping.person_key(silent.id)].unavailable is False
    explanation = scheduler.explain(mapped.problem, time_limit=5)
    assert explanation.feasible is False
    assert "Nora Never" in explanation.text() and "is not available at any time" in explanation.text()
    relaxed = replace(mapped.problem, hard_rules=scheduler.HardRules(relaxed=frozenset({"person-unavailable"})))
    solution = scheduler.solve(relaxed, time_limit=5, workers=1)
    assert solution.has_schedule
    broken = scheduler.check(relaxed, solution).relaxed_violations
    assert [(v.rule, v.talks) for v in broken] == [("person-unavailable", (mapping.talk_key(talk.id),))]
    assert "Nora Never" in broken[0].message and "is not available" in broken[0].message


def test_interest_marks_become_attendees_and_expected_audience(db):
    setup = small_conference(talk_count=2)
    first, second = setup.talks
    fan = UserFactory(time_zone="America/New_York")
    InterestMarkFactory(user_id=fan.id, proposal_id=first.id)
    InterestMarkFactory(user_id=fan.id, proposal_id=second.id)
    InterestMarkFactory(user_id=UserFactory().id, proposal_id=first.id)
    mapped = mapping.build_problem(setup.conference)
    fan_person = next(p for p in mapped.problem.people if p.id == mapping.person_key(fan.id))
    assert set(fan_person.wants) == {mapping.talk_key(first.id), mapping.talk_key(second.id)}
    assert _talk(mapped, first).audience == 2
    assert _talk(mapped, second).audience_time_zones == {"America/New_York": 1}
    assert mapped.problem.audience_time_zones["America/New_York"] == 1


def test_rooms_closed_in_a_block_are_not_available_there(db):
    setup = small_conference(talk_count=1)
    morning, afternoon = setup.blocks
    operations.set_open_rooms(
        setup.conference,
        {(morning.id, room.id) for room in setup.rooms} | {(afternoon.id, setup.rooms[0].id)},
    )
    rooms = {r.id: r for r in mapping.build_problem(setup.conference).problem.rooms}
    assert rooms[mapping.room_key(setup.rooms[0].id)].available_blocks == (
        mapping.block_key(morning.id), mapping.block_key(afternoon.id))
    assert rooms[mapping.room_key(setup.rooms[1].id)].available_blocks == (mapping.block_key(morning.id),)


def test_a_block_with_every_room_closed_hosts_nothing(db):
    """The solver and the editor agree: unticking every room of a block closes it."""
    setup = small_conference(talk_count=1)
    morning, afternoon = setup.blocks
    operations.set_open_rooms(setup.conference, {(morning.id, room.id) for room in setup.rooms})
    problem = mapping.build_problem(setup.conference).problem
    assert all(mapping.block_key(afternoon.id) not in room.available_blocks for room in problem.rooms)
    assert all(mapping.block_key(morning.id) in room.available_blocks for room in problem.rooms)
    assert not room_is_open(afternoon, setup.rooms[0])
    assert [block.id for block in operations.blocks_without_rooms(setup.conference)] == [afternoon.id]


def test_pins_and_published_schedule_are_mapped(db):
    setup = small_conference(talk_count=2)
    morning = setup.blocks[0]
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    ScheduledTalkFactory(version=draft, proposal=setup.talks[0], room=setup.rooms[0], block=morning,
                         starts_at=datetime(2027, 3, 24, 10, tzinfo=UTC), ends_at=datetime(2027, 3, 24, 10, 30, tzinfo=UTC),
                         pinned=True)
    published = ScheduleVersionFactory(conference=setup.conference, is_draft=False, number=1)
    ScheduledTalkFactory(version=published, proposal=setup.talks[1], room=setup.rooms[1], block=None,
                         starts_at=datetime(2027, 3, 24, 13, 30, tzinfo=UTC), ends_at=datetime(2027, 3, 24, 14, tzinfo=UTC))
    mapped = mapping.build_problem(setup.conference)
    assert mapped.problem.pins == (scheduler.Placement(mapping.talk_key(setup.talks[0].id), mapping.room_key(setup.rooms[0].id),
                                                      mapping.block_key(morning.id), 2),)
    assert mapped.problem.previous == (scheduler.Placement(mapping.talk_key(setup.talks[1].id), mapping.room_key(setup.rooms[1].id),
                                                          mapping.block_key(setup.blocks[1].id), 1),)


def test_solution_rows_round_trip_through_the_checker(db):
    setup = small_conference()
    mapped = mapping.build_problem(setup.conference)
    solution = scheduler.solve(mapped.problem, time_limit=5, workers=1)
    assert solution.has_schedule
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    db.session.add_all(ScheduledTalk(version_id=draft.id, **row) for row in mapping.solution_to_rows(mapped, solution))
    db.session.flush()
    report = scheduler.check(mapped.problem, mapping.draft_to_solution(mapped, draft))
    assert report.ok, report.hard_violations
    assert report.objective == solution.objective


def test_checker_reports_talks_missing_from_the_draft(db):
    setup = small_conference(talk_count=2)
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    mapped = mapping.build_problem(setup.conference)
    report = scheduler.check(mapped.problem, mapping.draft_to_solution(mapped, draft))
    assert {v.rule for v in report.hard_violations} == {"talk-once"}


def test_readable_names_every_quoted_id_and_labels_utc_instants():
    from scheduler.rules import quoted

    mapped = mapping.MappedProblem(problem=None, names={"r1": "Main hall", "t1": "Intro", "t2": "Deep dive"})
    message = f'room "r1" hosts {quoted(["t1", "t2"])} at 2027-03-24T09:00:00+00:00'
    assert mapped.readable(message) == "room “Main hall” hosts “Intro”, “Deep dive” at Wed 24 Mar 2027, 09:00 UTC"


def test_a_placement_whose_block_does_not_hold_it_is_located_by_its_time(db):
    # Rows written before deleting a block cleared their block id still name it on SQLite,
    # and SQLite may since have given that id to a new block elsewhere in the week.
    setup = small_conference(talk_count=1)
    morning, afternoon = setup.blocks
    draft = ScheduleVersionFactory(conference=setup.conference, is_draft=True)
    ScheduledTalkFactory(version=draft, proposal=setup.talks[0], room=setup.rooms[0], block=afternoon,
                         starts_at=datetime(2027, 3, 24, 10, tzinfo=UTC), ends_at=datetime(2027, 3, 24, 10, 30, tzinfo=UTC),
                         pinned=True)
    mapped = mapping.build_problem(setup.conference)
    assert mapped.problem.pins == (scheduler.Placement(mapping.talk_key(setup.talks[0].id), mapping.room_key(setup.rooms[0].id),
                                                      mapping.block_key(morning.id), 2),)
    assert scheduler.check(mapped.problem, mapping.draft_to_solution(mapped, draft)).ok
