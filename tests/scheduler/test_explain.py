"""Explanations name real conflicts in the organiser's terms."""

from dataclasses import replace

from factories import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import HardRules, Placement, check, explain, load_problem, solve
from scheduler.rules import RELAXABLE_RULES, RULES

EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[2] / "scheduler" / "examples"


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_explain_names_a_real_conflict_when_infeasible(seed):
    problem = random_problem(seed)
    solution = solve(problem, time_limit=5, workers=1)
    explanation = explain(problem, time_limit=5)
    if solution.status == "OPTIMAL":
        assert explanation.feasible
        return
    assert solution.status == "INFEASIBLE"
    assert explanation.feasible is False
    assert explanation.findings or explanation.conflicts
    if explanation.conflicts:
        for conflict in explanation.conflicts:
            assert conflict.rule in RULES
        # The named rules alone (every other relaxable rule relaxed) still admit no schedule.
        named = {c.rule for c in explanation.conflicts}
        others_relaxed = HardRules(relaxed=frozenset(set(RELAXABLE_RULES) - named))
        assert not solve(replace(problem, hard_rules=others_relaxed), time_limit=5, workers=1).has_schedule
        # Relaxing the named rules makes the problem feasible unless some other conflict remains.
        relaxed = HardRules(relaxed=frozenset(RELAXABLE_RULES))
        assert solve(replace(problem, hard_rules=relaxed), time_limit=5, workers=1).has_schedule


def test_explain_infeasible_example_names_speaker_and_feature_in_plain_words():
    explanation = explain(load_problem(EXAMPLES / "infeasible.json"))
    text = explanation.text()
    assert explanation.feasible is False
    assert "Zoe (zoe) is available for 2 slots but has talks needing 3 slots" in text
    assert 'talk "rec" needs features {recording} that no room has' in text
    assert any(c.rule == "missing-room-feature" and c.subject == "rec" for c in explanation.conflicts)


def test_a_speaker_never_available_makes_their_talks_unschedulable_and_is_named():
    problem = load_problem(EXAMPLES / "dst-change.json")
    talk = problem.talks[0]
    speaker = talk.speakers[0]
    never = replace(problem, people=tuple(replace(p, unavailable=True) if p.id == speaker else p
                                          for p in problem.people))
    assert solve(problem, time_limit=5, workers=1).has_schedule
    solution = solve(never, time_limit=5, workers=1)
    assert solution.status == "INFEASIBLE"
    explanation = explain(never)
    assert explanation.feasible is False
    assert f"is not available at any time but has talks needing {sum(t.slots for t in problem.talks if speaker in t.speakers)} slots" in explanation.text()
    assert any(c.rule == "person-unavailable" and c.subject == speaker for c in explanation.conflicts)
    # Relaxed, the schedule is complete and the checker lists the broken rule for each of their talks.
    relaxed = replace(never, hard_rules=HardRules(relaxed=frozenset({"person-unavailable"})))
    solution = solve(relaxed, time_limit=5, workers=1)
    assert solution.has_schedule
    report = check(relaxed, solution)
    theirs = {t.id for t in problem.talks if speaker in t.speakers}
    assert report.ok
    broken = [v for v in report.relaxed_violations if v.rule == "person-unavailable"]
    assert {t for v in broken for t in v.talks} == theirs
    assert all("is not available" in v.message for v in broken)


def test_explain_feasible_problem_says_so():
    explanation = explain(load_problem(EXAMPLES / "dst-change.json"))
    assert explanation.feasible is True


def test_explain_says_why_a_pin_cannot_hold():
    problem = load_problem(EXAMPLES / "dst-change.json")
    block = problem.blocks[0]
    talk = replace(problem.talks[0], slots=2)
    pinned = replace(problem, talks=(talk, *problem.talks[1:]),
                     pins=(Placement(talk.id, problem.rooms[0].id, block.id, block.slots - 1),))
    explanation = explain(pinned)
    assert explanation.feasible is False
    assert (f'talk "{talk.id}" is pinned to block "{block.id}" from slot {block.slots - 1}, but its 2 slots run past '
            f"the block's {block.slots}") in explanation.findings
    relaxed = replace(pinned, hard_rules=HardRules(relaxed=frozenset({"pin-broken"})))
    assert not any("is pinned to block" in finding for finding in explain(relaxed).findings)


def test_explain_without_rooms_says_so_when_capacity_is_hard():
    from datetime import UTC, datetime

    from scheduler import Block, Problem, Talk

    problem = Problem(blocks=(Block("b", datetime(2026, 6, 1, 9, tzinfo=UTC), 2),), rooms=(), talks=(Talk("t"),),
                      hard_rules=HardRules(capacity_is_hard=True))
    explanation = explain(problem, time_limit=2)
    assert explanation.feasible is False
    assert "the talks need 1 room-slots but the rooms offer 0" in explanation.findings
