"""Fast checks of the benchmark instance generator and of the PyData conversion."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.generate import generate, summary
from bench.solver_bench import at, first_feasible
from scheduler.io import dump_problem, load_problem, schema
from scheduler.validation import problem_errors

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def p200():
    return generate(200, seed=7)


def test_deterministic_for_a_seed():
    a, b = generate(50, seed=3), generate(50, seed=3)
    assert a == b
    assert dump_problem(a) == dump_problem(b)
    assert dump_problem(generate(50, seed=4)) != dump_problem(a)


@pytest.mark.parametrize("talks", [50, 200])
def test_valid_against_shipped_schema_and_loader(talks):
    problem = generate(talks, seed=1)
    data = json.loads(dump_problem(problem))
    jsonschema.validate(data, schema("problem"))
    assert problem_errors(problem) == []
    assert load_problem(data) == problem


def test_promised_shape(p200):
    s = summary(p200)
    assert s["talks"] == 200
    assert s["audience_zones"] >= 13
    assert 3 <= len(s["hubs"]) <= 5
    assert len(set(s["hub_zones"])) == len(s["hubs"])
    assert s["online_rooms"] >= 1
    assert 2 <= s["days"] <= 3
    assert s["workshops"] > 0 and s["lightning"] > 0
    assert s["multi_speaker_talks"] > 0
    assert s["chairs"] > 0 and s["speakers_with_windows"] > 0
    assert s["similar_track_pairs"] > 0 and s["attendees"] > 0
    assert set(s["modes"]) == {"in_person", "hybrid", "remote"}
    # rooms of varied capacity, hubs far apart (offsets spread over more than 12 hours)
    assert len({r.capacity for r in p200.rooms}) >= 5
    offsets = {p200.blocks[0].start.astimezone(ZoneInfo(z)).utcoffset() for z in s["hub_zones"]}
    assert max(offsets) - min(offsets) >= timedelta(hours=12)
    # multi-slot workshops need a lab and fit in a block
    longest = max(t.slots for t in p200.talks)
    assert longest > 1 and longest <= min(b.slots for b in p200.blocks)
    assert all("lab" in t.required_features for t in p200.talks if t.slots >= 6)
    # blocks have breaks between them
    ordered = sorted(p200.blocks, key=lambda b: b.start)
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before.start + timedelta(minutes=p200.slot_minutes * before.slots) < after.start


def test_rooms_scale_with_demand():
    for talks in (50, 200, 1000):
        s = summary(generate(talks, seed=2))
        assert s["room_block_slots"] >= 1.4 * s["talk_slots"]


def test_interest_follows_a_popularity_curve(p200):
    counts = Counter(t for p in p200.people for t in p.wants)
    ranked = sorted(counts.values(), reverse=True)
    assert ranked[0] >= 5 * ranked[len(ranked) // 2]
    audience = sorted((t.audience for t in p200.talks), reverse=True)
    assert audience[0] >= 3 * audience[len(audience) // 2]


def test_anytime_figures_from_a_trajectory():
    run = {"trajectory": [[1.0, None, 5.0], [2.0, 100.0, 5.0], [8.0, 50.0, 40.0], [30.0, 45.0, 44.0]],
           "solver_wall_time": 60.0, "objective": 45, "bound": 44.0, "status": "FEASIBLE",
           "mode": "full", "unscheduled": 0}
    assert first_feasible(run) == 2.0
    assert at(run, 10) == {"objective": 50.0, "bound": 40.0, "gap": pytest.approx(0.2),
                           "complete": True}
    assert at(run, 60)["objective"] == 45
    # LNS incumbents may leave talks out: their objective carries the unscheduled penalty
    lns = dict(run, mode="lns", trajectory=[[3.0, 300_050.0, 10.0], [9.0, 60.0, 10.0]])
    assert first_feasible(lns) == 9.0
    assert at(lns, 5)["complete"] is False and at(lns, 10)["complete"] is True
    assert first_feasible(dict(lns, status="UNKNOWN", unscheduled=2)) is None


# ------------------------------------------------------------------ PyData conversion

@pytest.fixture(scope="module")
def pyd():
    pytest.importorskip("conference_scheduler")
    from bench import pydata_compare

    return pydata_compare


def _greedy(pyd, inst):
    """A schedule respecting the documented rules, built slot by slot."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for e in range(len(inst.events)):
        for s in sorted(range(len(inst.slots)), key=lambda k: (k * 7919) % len(inst.slots)):
            if s in used:
                continue
            if not pyd.documented_violations(inst, [*pairs, (e, s)], require_all=False):
                pairs.append((e, s))
                used.add(s)
                break
    return pairs


def test_pydata_conversion_preserves_the_instance(pyd):
    from scheduler import check
    from scheduler.model import Assignment, Solution

    inst = pyd.make_instance(50, seed=1)
    problem, slot_index = pyd.to_problem(inst)
    assert problem_errors(problem) == []
    jsonschema.validate(json.loads(dump_problem(problem)), schema("problem"))
    assert len(problem.talks) == len(inst.events)
    assert len(slot_index) == len(inst.slots)
    assert sorted(t.audience for t in problem.talks) == sorted(e.demand for e in inst.events)

    pairs = _greedy(pyd, inst)
    assert pyd.documented_violations(inst, pairs) == []
    assert pyd.pydata_violations(inst, pairs) == 0
    where = {k: v for v, k in slot_index.items()}
    solution = Solution("FEASIBLE", tuple(
        Assignment(f"e{e}", *where[s]) for e, s in pairs))
    report = check(problem, solution)
    assert report.ok, report.hard_violations[:3]
    theirs = pyd.pydata_objective(inst, pairs)
    assert report.objective == pyd.our_objective_from_pydata(inst, theirs)
    assert pyd.ours_to_pairs(solution, slot_index) == sorted(pairs)
    assert theirs >= pyd.lower_bound(inst)


def test_pydata_clash_is_a_person_clash_in_ours(pyd):
    from scheduler import check
    from scheduler.model import Assignment, Solution

    inst = pyd.make_instance(50, seed=1)
    problem, slot_index = pyd.to_problem(inst)
    # two events sharing a tag, placed at the same time in two venues
    tag_of = {}
    a = b = None
    for i, e in enumerate(inst.events):
        for tag in e.tags:
            if tag in tag_of:
                a, b = tag_of[tag], i
                break
            tag_of[tag] = i
        if b is not None:
            break
    t0 = inst.slots[0].starts_at
    s_a, s_b = [k for k, s in enumerate(inst.slots) if s.starts_at == t0][:2]
    pairs = [(a, s_a), (b, s_b)]
    assert pyd.documented_violations(inst, pairs)[-1].endswith("clash")
    where = {k: v for v, k in slot_index.items()}
    solution = Solution("FEASIBLE", tuple(Assignment(f"e{e}", *where[s]) for e, s in pairs))
    rules = {v.rule for v in check(problem, solution).hard_violations}
    assert "person-clash" in rules
