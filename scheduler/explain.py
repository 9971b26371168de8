"""Explaining why no schedule exists, in the organiser's terms.

Quick counting checks come first; then every hard rule instance (one speaker's
availability, one talk's room features, ...) is put behind an assumption literal and
CP-SAT's `sufficient_assumptions_for_infeasibility` names a conflicting set, which is then
shrunk by deletion so that each named rule is needed for the conflict.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict

from ortools.sat.python import cp_model

from .instance import COEF_NAMES, Instance
from .model import Conflict, Explanation, Problem
from .rules import (
    RULE_MISSING_FEATURE,
    RULE_PERSON_CLASH,
    RULE_PERSON_UNAVAILABLE,
    RULE_PIN_BROKEN,
    RULE_ROOM_NOT_ALLOWED,
    RULE_ROOM_TOO_SMALL,
    RULE_ROOM_UNAVAILABLE,
    RULE_WRONG_HUB,
    quoted,
)
from .validation import validate_settings

EXPLAIN_OPTION_LIMIT = 400_000


def pre_checks(problem: Problem, inst: Instance | None = None) -> list[str]:
    """Plain-word counting checks that prove infeasibility on their own."""
    inst = inst or Instance(problem, keep_all=True)
    hard = inst.hard
    clash_hard = RULE_PERSON_CLASH not in problem.hard_rules.relaxed
    grid = inst.grid
    findings = []
    people = inst.people
    longest = max(b.slots for b in grid.blocks)
    all_features = set().union(*(set(r.features) for r in problem.rooms))
    hubs = defaultdict(list)
    for room in problem.rooms:
        hubs[room.hub].append(room)

    def room_slots(rooms) -> int:
        return sum(b.slots for room in rooms for b in grid.blocks
                   if room.available_blocks is None or b.id in room.available_blocks
                   or RULE_ROOM_UNAVAILABLE not in hard)

    for talk in problem.talks:
        if talk.slots > longest:
            findings.append(f'talk "{talk.id}" lasts {talk.slots} slots but the longest block has {longest}')
        missing = set(talk.required_features) - all_features
        if missing and RULE_MISSING_FEATURE in hard:
            findings.append(f'talk "{talk.id}" needs features {{{", ".join(sorted(missing))}}} that no room has')
        if talk.mode != "remote" and talk.hub is not None and talk.hub not in hubs and RULE_WRONG_HUB in hard:
            findings.append(f'talk "{talk.id}" must be in hub "{talk.hub}", which has no rooms')
        if problem.hard_rules.capacity_is_hard and RULE_ROOM_TOO_SMALL in hard and problem.rooms:
            biggest = max(r.capacity for r in problem.rooms)
            if talk.audience > biggest:
                findings.append(f'talk "{talk.id}" expects {talk.audience} people but the largest room holds {biggest}')
    if RULE_PIN_BROKEN in hard:
        lengths = {t.id: t.slots for t in problem.talks}
        block_slots = {b.id: b.slots for b in grid.blocks}
        for pin in problem.pins:
            if pin.start_slot + lengths[pin.talk] > block_slots[pin.block]:
                findings.append(f'talk "{pin.talk}" is pinned to block "{pin.block}" from slot {pin.start_slot}, but its '
                                f"{lengths[pin.talk]} slots run past the block's {block_slots[pin.block]}")
    talk_slots = sum(t.slots for t in problem.talks)
    total_room_slots = room_slots(problem.rooms)
    if talk_slots > total_room_slots:
        findings.append(f"the talks need {talk_slots} room-slots but the rooms offer {total_room_slots}")
    if RULE_WRONG_HUB in hard:
        need = defaultdict(int)
        for talk in problem.talks:
            if talk.mode != "remote" and talk.hub is not None:
                need[talk.hub] += talk.slots
        for hub, slots in sorted(need.items()):
            have = room_slots(hubs.get(hub, []))
            if hub in hubs and slots > have:
                findings.append(f'in-person talks of hub "{hub}" need {slots} room-slots, but its rooms offer {have}')
    if clash_hard:
        load = defaultdict(int)
        for t, talk in enumerate(problem.talks):
            for p in inst.presenters[t]:
                load[p] += talk.slots
        for p, slots in sorted(load.items()):
            person = people.get(p)
            available = grid.size
            avail = inst._available.get(p)
            if avail is not None and RULE_PERSON_UNAVAILABLE in hard:
                available = sum(avail)
            if slots > available:
                who = f"{person.name} ({p})" if person and person.name else f'person "{p}"'
                role = "has" if any(p in t.speakers for t in problem.talks) else "chairs"
                said = "is not available at any time" if available == 0 else f"is available for {available} slots"
                findings.append(f"{who} {said} but {role} talks needing {slots} slots")
        for track in problem.tracks:
            if track.chairs:
                slots = sum(t.slots for t in problem.talks if t.track == track.id)
                if slots > grid.size:
                    findings.append(f'track "{track.id}" has a chair, so its talks run one after another and need '
                                    f"{slots} slots; the conference has {grid.size}")
    return findings


def _describe(problem: Problem, rule: str, subject: str) -> str:
    people = {p.id: p for p in problem.people}
    talks = {t.id: t for t in problem.talks}
    rooms = {r.id: r for r in problem.rooms}
    pins = {p.talk: p for p in problem.pins}
    who = (f"{people[subject].name} ({subject})" if subject in people and people[subject].name
           else f'person "{subject}"')
    if rule == RULE_PERSON_CLASH:
        return f"{who} cannot present or chair two talks at once"
    if rule == RULE_PERSON_UNAVAILABLE:
        if people[subject].unavailable:
            return f"{who} is not available at any time"
        windows = ", ".join(f"{w.start:%Y-%m-%d %H:%M}-{w.end:%H:%M} UTC" for w in people[subject].availability)
        return f"{who} is only available {windows}"
    if rule == RULE_ROOM_UNAVAILABLE:
        return f'room "{subject}" is only available in blocks {quoted(rooms[subject].available_blocks or ())}'
    talk = talks.get(subject)
    if rule == RULE_ROOM_NOT_ALLOWED:
        return f'talk "{subject}" may only use rooms {quoted(talk.allowed_rooms or ())}'
    if rule == RULE_MISSING_FEATURE:
        return f'talk "{subject}" needs a room with {", ".join(sorted(talk.required_features))}'
    if rule == RULE_WRONG_HUB:
        return f'talk "{subject}" must be in a room of hub "{talk.hub}"'
    if rule == RULE_ROOM_TOO_SMALL:
        return f'talk "{subject}" needs a room for {talk.audience} people'
    if rule == RULE_PIN_BROKEN:
        pin = pins[subject]
        return f'talk "{subject}" is pinned to room "{pin.room}", block "{pin.block}", slot {pin.start_slot}'
    return f"{rule}: {subject}"


def explain(problem: Problem, *, time_limit: float = 10.0) -> Explanation:
    """Say why `problem` has no schedule: counting checks plus a minimal set of conflicting rules.

    Raises ValueError for a time limit that is not a positive number of seconds."""
    validate_settings(time_limit=time_limit)
    started = clock.monotonic()
    inst = Instance(problem, keep_all=True)
    findings = pre_checks(problem, inst)
    options_count = sum(len(inst.room_parts[t]) * len(inst.time_parts[t]) for t in range(len(inst.talks)))
    if options_count > EXPLAIN_OPTION_LIMIT:
        return Explanation(feasible=False if findings else None, findings=tuple(findings))
    model = cp_model.CpModel()
    groups: dict[tuple[str, str], list] = defaultdict(list)
    room_cover = defaultdict(list)
    person_cover = defaultdict(list)
    for t, talk in enumerate(inst.talks):
        xs = []
        for option in inst.options(t):
            r, _b, _s, gs, coefs = option
            x = model.new_bool_var("x")
            xs.append(x)
            named = dict(zip(COEF_NAMES, coefs, strict=True))
            for rule in (RULE_ROOM_NOT_ALLOWED, RULE_MISSING_FEATURE, RULE_WRONG_HUB, RULE_ROOM_TOO_SMALL,
                         RULE_PIN_BROKEN):
                if named[rule] and rule in inst.hard:
                    groups[rule, talk.id].append(x)
            if named[RULE_ROOM_UNAVAILABLE] and RULE_ROOM_UNAVAILABLE in inst.hard:
                groups[RULE_ROOM_UNAVAILABLE, inst.rooms[r].id].append(x)
            covered = range(gs, gs + talk.slots)
            if named[RULE_PERSON_UNAVAILABLE] and RULE_PERSON_UNAVAILABLE in inst.hard:
                for p in inst.presenters[t]:
                    avail = inst._available.get(p)
                    if avail is not None and not all(avail[g] for g in covered):
                        groups[RULE_PERSON_UNAVAILABLE, p].append(x)
            for g in covered:
                room_cover[r, g].append(x)
                for p in inst.presenters[t]:
                    person_cover[p, g].append((t, x))
        model.add_exactly_one(xs)
    for xs in room_cover.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    literals: dict[tuple[str, str], cp_model.IntVar] = {}

    def literal(key: tuple[str, str]):
        if key not in literals:
            literals[key] = model.new_bool_var(f"{key[0]}:{key[1]}")
        return literals[key]

    for key, xs in groups.items():
        model.add(sum(xs) == 0).only_enforce_if(literal(key))
    if RULE_PERSON_CLASH not in problem.hard_rules.relaxed:
        for (p, _g), items in person_cover.items():
            if len({t for t, _ in items}) > 1:
                model.add(sum(x for _, x in items) <= 1).only_enforce_if(literal((RULE_PERSON_CLASH, p)))
    keys = list(literals)
    status, core = _solve_with(model, [literals[k] for k in keys], time_limit, want_core=True)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Explanation(feasible=True, findings=tuple(findings))
    if status != cp_model.INFEASIBLE:
        return Explanation(feasible=False if findings else None, findings=tuple(findings))
    index_of = {literals[k].index: k for k in keys}
    core_keys = [index_of[i] for i in core if i in index_of]
    # Deletion-based shrinking: drop any rule the conflict does not need.
    needed = list(core_keys)
    for key in list(core_keys):
        remaining = time_limit - (clock.monotonic() - started)
        if remaining <= 0.2:
            break
        trial = [k for k in needed if k != key]
        status, _ = _solve_with(model, [literals[k] for k in trial], min(remaining, 2.0), want_core=False)
        if status == cp_model.INFEASIBLE:
            needed = trial
    conflicts = tuple(Conflict(rule, subject, _describe(problem, rule, subject)) for rule, subject in needed)
    if not needed and not findings:
        findings.append("the rooms cannot host every talk exactly once without double-booking a room")
    return Explanation(feasible=False, findings=tuple(findings), conflicts=conflicts)


def _solve_with(model: cp_model.CpModel, assumptions: list, time_limit: float, want_core: bool):
    model.clear_assumptions()
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    status = solver.solve(model)
    core = solver.sufficient_assumptions_for_infeasibility() if want_core and status == cp_model.INFEASIBLE else []
    return status, core
