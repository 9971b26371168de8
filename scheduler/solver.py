"""CP-SAT model building, the full-model solve and the large-neighbourhood search.

Below `LNS_OPTION_THRESHOLD` candidate placements the whole problem is one CP-SAT model.
Above it, a greedy schedule is improved by repeatedly freeing one block, a few tracks or
some random talks and re-solving that part with everything else held as constants.
In LNS mode the reported bound is the sum over talks of each talk's cheapest placement
cost (every other term is non-negative), so it is valid but often weak.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time as clock
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.sat.python import cp_model

from .instance import COEF_NAMES, PLACEMENT_RULES, Instance, Option
from .model import Assignment, Problem, Progress, Solution, Violation, unscheduled_value
from .rules import (
    RULE_ATTENDEE_CONFLICT,
    RULE_PERSON_CLASH,
    RULE_SIMILAR_TRACK_CLASH,
    RULE_TRACK_COHESION,
    RULE_TRACK_ORDER,
    RULE_UNSCHEDULED,
    SOFT_TERMS,
    label,
)

LNS_OPTION_THRESHOLD = 150_000
LNS_OPTIONS_PER_TALK = 160  # candidate placements per freed talk in an LNS sub-model
_STATUS = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
           cp_model.UNKNOWN: "UNKNOWN", cp_model.MODEL_INVALID: "MODEL_INVALID"}


@dataclass
class _Terms:
    """Linear expressions per reported term (name -> list of (coefficient, var or 1))."""

    parts: dict[str, list] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, coefficient: int, item) -> None:
        if coefficient:
            self.parts[name].append((coefficient, item))

    def expr(self, name: str):
        return sum(c * v for c, v in self.parts.get(name, ()))


@dataclass
class _Built:
    model: cp_model.CpModel
    choice: dict[int, list[tuple[object, Option]]]  # talk -> [(x var or 1, option)]
    unscheduled: dict[int, object]
    terms: _Terms
    weights: dict[str, int]


def _term_weights(problem: Problem) -> dict[str, int]:
    weights = {name: problem.weights.for_rule(name) for name in SOFT_TERMS}
    for name in (*PLACEMENT_RULES, RULE_PERSON_CLASH):
        weights[name] = problem.hard_rules.relaxed_weight
    return weights


def _split(items) -> tuple[int, list]:
    const, variables = 0, []
    for item in items:
        if isinstance(item, int):
            const += item
        else:
            variables.append(item)
    return const, variables


def build_model(inst: Instance, free: dict[int, list[Option]], fixed: dict[int, Option],
                allow_unscheduled: bool) -> _Built:
    """One CP-SAT model: `free` talks choose among options, `fixed` talks are constants."""
    problem = inst.problem
    grid = inst.grid
    model = cp_model.CpModel()
    terms = _Terms()
    choice: dict[int, list] = {}
    unscheduled: dict[int, object] = {}
    running: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))  # talk -> slot -> items
    room_cover: dict[tuple[int, int], list] = defaultdict(list)
    in_block_room: dict[tuple[int, int, int], list] = defaultdict(list)  # (talk, block, room)
    start_expr: dict[int, list] = defaultdict(list)
    for t, option in fixed.items():
        choice[t] = [(1, option)]
    for t, options in free.items():
        tid = inst.talks[t].id
        choice[t] = [(model.new_bool_var(f"x[{tid},{o[0]},{o[3]}]"), o) for o in options]
        xs = [x for x, _ in choice[t]]
        if allow_unscheduled:
            u = model.new_bool_var(f"unscheduled[{tid}]")
            unscheduled[t] = u
            model.add_exactly_one([*xs, u])
            terms.add(RULE_UNSCHEDULED, unscheduled_value(problem, [tid]), u)
        else:
            model.add_exactly_one(xs)
    for t, pairs in choice.items():
        length = inst.talks[t].slots
        for x, option in pairs:
            r, b, _s, gs, coefs = option
            for name, c in zip(COEF_NAMES, coefs, strict=True):
                terms.add(name, c, x)
            for g in range(gs, gs + length):
                running[t][g].append(x)
                room_cover[r, g].append(x)
            in_block_room[t, b, r].append(x)
            if gs:
                start_expr[t].append((gs, x))
    for items in room_cover.values():
        const, variables = _split(items)
        if const >= 1 and variables:
            for v in variables:
                model.add(v == 0)
        elif len(variables) > 1:
            model.add_at_most_one(variables)
    # Nobody in two places at once: one aggregated constraint per person and slot.
    person_talks: dict[str, list[int]] = defaultdict(list)
    for t in choice:
        for p in inst.presenters[t]:
            person_talks[p].append(t)
    clash_relaxed = RULE_PERSON_CLASH in problem.hard_rules.relaxed
    for p, talks in person_talks.items():
        if len(talks) < 2:
            continue
        slots = set().union(*(running[t].keys() for t in talks))
        for g in slots:
            const, variables = _split(item for t in talks for item in running[t].get(g, ()))
            if const + len(variables) < 2:
                continue
            if clash_relaxed:
                excess = model.new_int_var(0, const + len(variables), f"clash[{p},{g}]")
                model.add_max_equality(excess, [0, const + sum(variables) - 1])
                terms.add(RULE_PERSON_CLASH, 1, excess)
            elif const >= 1:
                for v in variables:
                    model.add(v == 0)
            else:
                model.add_at_most_one(variables)
    # Attendee conflicts: missed >= (wanted talks running) - 1, attendees with equal wishes merged.
    groups = Counter(frozenset(inst.talk_index[w] for w in person.wants) for person in problem.people
                     if len(set(person.wants)) >= 2)
    for wanted, multiplicity in groups.items():
        talks = [t for t in wanted if t in choice]
        slots = set().union(*(running[t].keys() for t in talks)) if talks else set()
        for g in slots:
            const, variables = _split(item for t in talks for item in running[t].get(g, ()))
            if const + len(variables) < 2:
                continue
            if not variables:
                terms.add(RULE_ATTENDEE_CONFLICT, multiplicity * (const - 1), 1)
                continue
            # Exact (max, not just >=) so reported values are right for non-optimal schedules too.
            missed = model.new_int_var(0, const + len(variables) - 1, "missed")
            model.add_max_equality(missed, [0, const + sum(variables) - 1])
            terms.add(RULE_ATTENDEE_CONFLICT, multiplicity, missed)
    # Similar tracks running in the same slot.
    track_talks: dict[str, list[int]] = defaultdict(list)
    for t in choice:
        if inst.talks[t].track is not None:
            track_talks[inst.talks[t].track].append(t)
    active: dict[tuple[str, int], object] = {}

    def track_active(track: str, g: int):
        if (track, g) not in active:
            const, variables = _split(item for t in track_talks.get(track, ()) for item in running[t].get(g, ()))
            if const:
                active[track, g] = 1
            elif variables:
                a = model.new_bool_var(f"active[{track},{g}]")
                model.add(sum(variables) <= len(variables) * a)
                model.add(a <= sum(variables))
                active[track, g] = a
            else:
                active[track, g] = 0
        return active[track, g]

    for pair in problem.similar_tracks:
        if pair.track_a == pair.track_b or not pair.penalty:
            continue
        for g in range(grid.size):
            a, b = track_active(pair.track_a, g), track_active(pair.track_b, g)
            if isinstance(a, int) and isinstance(b, int):
                terms.add(RULE_SIMILAR_TRACK_CLASH, pair.penalty * int(a and b), 1)
            elif not (isinstance(a, int) and a == 0) and not (isinstance(b, int) and b == 0):
                clash = model.new_bool_var("similar")
                model.add(a + b - 1 <= clash)
                model.add(clash <= a)
                model.add(clash <= b)
                terms.add(RULE_SIMILAR_TRACK_CLASH, pair.penalty, clash)
    # Cohesive tracks: rooms used per block beyond the first.
    for track in problem.tracks:
        if not track.cohesive:
            continue
        talks = track_talks.get(track.id, [])
        for b in range(len(grid.blocks)):
            used = []
            for r in range(len(inst.rooms)):
                const, variables = _split(item for t in talks for item in in_block_room.get((t, b, r), ()))
                if const:
                    used.append(1)
                elif variables:
                    u = model.new_bool_var("room_used")
                    model.add(sum(variables) <= len(variables) * u)
                    model.add(u <= sum(variables))
                    used.append(u)
            if len(used) < 2:
                continue
            const, variables = _split(used)
            if not variables:
                terms.add(RULE_TRACK_COHESION, const - 1, 1)
                continue
            present = model.new_bool_var("track_present")
            model.add(present <= sum(used))
            for item in used:
                model.add(present >= item)
            for item in used:
                terms.add(RULE_TRACK_COHESION, 1, item)
            terms.add(RULE_TRACK_COHESION, -1, present)
    # Track order: each ordered talk should start after the previous one (by order) ends.
    horizon = grid.size
    for _track, talks in track_talks.items():
        ordered = sorted((inst.talks[t].track_order, inst.talks[t].id, t) for t in talks
                         if inst.talks[t].track_order is not None)
        for (oa, _, a), (ob, _, b) in zip(ordered, ordered[1:], strict=False):
            if oa == ob:
                continue
            if a in fixed and b in fixed:
                broken = fixed[b][3] < fixed[a][3] + inst.talks[a].slots
                terms.add(RULE_TRACK_ORDER, int(broken), 1)
                continue
            late = model.new_bool_var("order_broken")
            start_a = sum(c * x for c, x in start_expr[a])
            start_b = sum(c * x for c, x in start_expr[b])
            end_a = start_a + inst.talks[a].slots
            in_order = model.add(start_b >= end_a - (horizon + 1) * late)
            out_of_order = model.add(start_b <= end_a - 1 + (horizon + 1) * (1 - late))
            enforce = [unscheduled[t].Not() for t in (a, b) if t in unscheduled]
            if enforce:
                in_order.only_enforce_if(enforce)
                out_of_order.only_enforce_if(enforce)
                for t in (a, b):
                    if t in unscheduled:
                        model.add_implication(unscheduled[t], late.Not())
            terms.add(RULE_TRACK_ORDER, 1, late)
    weights = _term_weights(problem)
    model.minimize(sum(weights[name] * c * v for name, parts in terms.parts.items() for c, v in parts))
    return _Built(model, choice, unscheduled, terms, weights)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress, stop, started: float, offset: float = 0.0):
        super().__init__()
        self.on_progress = on_progress
        self.stop = stop
        self.started = started
        self.offset = offset
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.on_progress is not None:
            self.on_progress(Progress(self.objective_value + self.offset, self.best_objective_bound + self.offset,
                                      clock.monotonic() - self.started, self.count))
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


def _params(solver: cp_model.CpSolver, *, time_limit: float, workers: int, seed: int, deterministic: bool) -> None:
    p = solver.parameters
    p.num_workers = max(1, workers)
    p.random_seed = seed
    if deterministic:
        # Wall time would make the stopping point depend on machine load.
        p.interleave_search = workers > 1
        p.max_deterministic_time = max(0.01, time_limit)
        p.max_time_in_seconds = max(1.0, time_limit * 20)
    else:
        p.max_time_in_seconds = max(0.01, time_limit)


def _run(built: _Built, *, time_limit, workers, seed, deterministic, on_progress, stop, started,
         hint: dict[int, tuple[int, int]] | None = None):
    model = built.model
    if deterministic and workers > 1:
        hint = None  # OR-Tools 9.15 aborts on hints combined with interleave_search
    if hint:
        for t, pairs in built.choice.items():
            wanted = hint.get(t)
            for x, option in pairs:
                if not isinstance(x, int):
                    model.add_hint(x, wanted is not None and (option[0], option[3]) == wanted)
            if t in built.unscheduled:
                model.add_hint(built.unscheduled[t], wanted is None)
        _complete_hint(model, min(5.0, max(1.5, time_limit / 2)))
    solver = cp_model.CpSolver()
    _params(solver, time_limit=time_limit, workers=workers, seed=seed, deterministic=deterministic)
    callback = _Callback(on_progress, stop, started)
    if on_progress is not None:
        def bound_changed(bound: float) -> None:
            on_progress(Progress(None, bound, clock.monotonic() - started, callback.count))
        solver.best_bound_callback = bound_changed
    watcher_done = threading.Event()
    if stop is not None:
        def watch() -> None:
            while not watcher_done.wait(0.02):
                if stop.is_set():
                    solver.stop_search()
                    return
        threading.Thread(target=watch, daemon=True).start()
    try:
        status = solver.solve(model, callback)
    finally:
        watcher_done.set()
    return solver, status


def _complete_hint(model: cp_model.CpModel, time_limit: float) -> None:
    """Extend a hint on the placement variables to every auxiliary variable.

    With several workers CP-SAT rarely completes a partial hint by itself on big models, so a
    quick single-worker solve with the hinted variables fixed fills in the rest.
    """
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.stop_after_first_solution = True
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    values = solver.response_proto.solution
    model.clear_hints()
    for index in range(len(model.proto.variables)):
        model.add_hint(model.get_int_var_from_proto_index(index), values[index])


def _read(built: _Built, solver: cp_model.CpSolver) -> tuple[dict[int, Option | None], dict[str, int]]:
    placed: dict[int, Option | None] = {}
    for t, pairs in built.choice.items():
        placed[t] = None
        for x, option in pairs:
            if isinstance(x, int) or solver.boolean_value(x):
                placed[t] = option
                break
    values = {name: int(solver.value(built.terms.expr(name))) if built.terms.parts.get(name) else 0
              for name in built.terms.parts}
    return placed, values


def _solution(inst: Instance, status: str, placed: dict[int, Option | None], values: dict[str, int],
              objective: int | None, bound: float | None, started: float, mode: str) -> Solution:
    problem = inst.problem
    grid = inst.grid
    assignments, unscheduled = [], []
    for t, talk in enumerate(inst.talks):
        option = placed.get(t)
        if option is None:
            unscheduled.append(talk.id)
            continue
        r, b, s, gs, _ = option
        starts = grid.instants[gs]
        assignments.append(Assignment(talk.id, inst.rooms[r].id, grid.blocks[b].id, s, starts,
                                      starts + timedelta(minutes=problem.slot_minutes * talk.slots)))
    soft = {name: values.get(name, 0) for name in SOFT_TERMS}
    relaxed = {name: values[name] for name in (*PLACEMENT_RULES, RULE_PERSON_CLASH)
               if values.get(name) and name in problem.hard_rules.relaxed | {"room-too-small"}}
    for name, count in relaxed.items():
        soft[name] = count
    violations = tuple(Violation(name, f"{label(name)} ({count}x)") for name, count in relaxed.items())
    if objective is not None:
        # Recomputed from the term values (exact by construction) so the figures always add up.
        weights = _term_weights(problem)
        objective = sum(weights.get(name, 0) * value for name, value in soft.items())
    gap = None
    if objective is not None and bound is not None:
        gap = max(0.0, (objective - bound) / max(1.0, abs(objective)))
    return Solution(status=status, assignments=tuple(assignments), soft_terms=soft, objective=objective,
                    best_bound=bound, gap=gap, wall_time=clock.monotonic() - started,
                    unscheduled=tuple(unscheduled), violations=violations, mode=mode)


def solve(problem: Problem, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0,
          on_progress: Callable[[Progress], None] | None = None, stop=None, hint=None,
          allow_unscheduled: bool = False, deterministic: bool = False, mode: str = "auto") -> Solution:
    """Schedule every talk (or the largest priority-weighted subset) minimising the weighted soft terms."""
    started = clock.monotonic()
    inst = Instance(problem)
    if mode == "auto":
        mode = "lns" if inst.count_options() > LNS_OPTION_THRESHOLD else "full"
    hint_map = _hint_map(inst, hint)
    if mode == "lns":
        return _solve_lns(inst, time_limit=time_limit, workers=workers, seed=seed, on_progress=on_progress,
                          stop=stop, hint=hint_map, allow_unscheduled=allow_unscheduled,
                          deterministic=deterministic, started=started)
    free = {t: list(inst.options(t)) for t in range(len(inst.talks))}
    if not hint_map:
        rng = random.Random(seed)
        greedy = _greedy(inst, free, rng)
        if any(o is None for o in greedy.values()) and len(inst.talks) > 20:
            greedy = _repair(inst, greedy, rng, deadline=started + time_limit * 0.3, workers=workers, seed=seed,
                             deterministic=deterministic, stop=stop, started=started)
        hint_map = {t: (o[0], o[3]) for t, o in greedy.items() if o is not None}
    built = build_model(inst, free, {}, allow_unscheduled)
    solver, status = _run(built, time_limit=time_limit, workers=workers, seed=seed, deterministic=deterministic,
                          on_progress=on_progress, stop=stop, started=started, hint=hint_map)
    name = _STATUS.get(status, "UNKNOWN")
    if stop is not None and stop.is_set() and name != "OPTIMAL":
        name = "CANCELLED" if status not in (cp_model.FEASIBLE,) else "FEASIBLE"
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placed, values = _read(built, solver)
        return _solution(inst, name, placed, values, round(solver.objective_value),
                         solver.best_objective_bound, started, "full")
    return Solution(status=name, wall_time=clock.monotonic() - started, mode="full")


def _hint_map(inst: Instance, hint) -> dict[int, tuple[int, int]]:
    """Talk index -> (room index, global start) from a Solution or list of placements."""
    if hint is None:
        hint = inst.problem.previous
    items = hint.assignments if isinstance(hint, Solution) else hint
    result = {}
    for item in items:
        if item.talk in inst.talk_index and item.room in inst.room_index and item.block in inst.block_index:
            b = inst.block_index[item.block]
            result[inst.talk_index[item.talk]] = (inst.room_index[item.room], inst.grid.offsets[b] + item.start_slot)
    return result


def largest_subset(problem: Problem, **options) -> Solution:
    """Schedule the largest priority-weighted subset of talks; left-out talks are listed."""
    return solve(problem, allow_unscheduled=True, **options)


# ---------------------------------------------------------------- greedy and LNS

def _greedy(inst: Instance, free: dict[int, list[Option]] | None, rng: random.Random,
            fixed: dict[int, Option] | None = None, preferred: dict[int, tuple[int, int]] | None = None,
            ) -> dict[int, Option | None]:
    """Place talks one by one at their cheapest placement that breaks no hard rule."""
    fixed = fixed or {}
    preferred = preferred or {}
    room_busy: set[tuple[int, int]] = set()
    person_busy: set[tuple[str, int]] = set()
    clash_hard = RULE_PERSON_CLASH not in inst.problem.hard_rules.relaxed
    placed: dict[int, Option | None] = dict(fixed)

    def occupy(t: int, option: Option) -> None:
        for g in range(option[3], option[3] + inst.talks[t].slots):
            room_busy.add((option[0], g))
            if clash_hard:
                for p in inst.presenters[t]:
                    person_busy.add((p, g))

    for t, option in fixed.items():
        occupy(t, option)
    order = [t for t in range(len(inst.talks)) if t not in fixed]
    rng.shuffle(order)
    order.sort(key=lambda t: (inst.talks[t].id not in inst.pins, -len(inst.presenters[t]), -inst.talks[t].slots))
    for t in order:
        options = free[t] if free is not None else inst.options(t)
        length = inst.talks[t].slots
        presenters = inst.presenters[t] if clash_hard else ()
        best, best_cost = None, None
        for option in options:
            r, gs = option[0], option[3]
            cost = inst.cost(option) - (10**9 if preferred.get(t) == (r, gs) else 0)
            if best_cost is not None and cost >= best_cost:
                continue
            if any((r, g) in room_busy for g in range(gs, gs + length)):
                continue
            if any((p, g) in person_busy for p in presenters for g in range(gs, gs + length)):
                continue
            best, best_cost = option, cost
        placed[t] = best
        if best is not None:
            occupy(t, best)
    return placed


def _related(inst: Instance, talks: list[int], rng: random.Random, limit: int,
             placed: dict[int, Option | None] | None = None) -> set[int]:
    """Talks that block `talks`: they share a speaker or chair, or occupy one of their rooms."""
    by_person: dict[str, list[int]] = defaultdict(list)
    for t in range(len(inst.talks)):
        for p in inst.presenters[t]:
            by_person[p].append(t)
    occupant: dict[tuple[int, int], int] = {}
    for t, o in (placed or {}).items():
        if o is not None:
            for g in range(o[3], o[3] + inst.talks[t].slots):
                occupant[o[0], g] = t
    share = max(2, limit // max(1, len(talks)))
    related: set[int] = set(talks)
    for t in talks:
        for p in inst.presenters[t]:
            others = by_person[p]
            related.update(rng.sample(others, min(len(others), share)))
        if occupant:
            options = list(inst.options(t))
            for o in rng.sample(options, min(len(options), share)):
                related.update(occupant[o[0], g] for g in range(o[3], o[3] + inst.talks[t].slots)
                               if (o[0], g) in occupant)
    return related


def _repair(inst: Instance, placed: dict[int, Option | None], rng: random.Random, *, deadline: float,
            workers: int, seed: int, deterministic: bool, stop, started: float) -> dict[int, Option | None]:
    """Place talks the greedy left out by re-solving them with the talks that block them."""
    n = len(inst.talks)
    for attempt in range(20):
        unplaced = [t for t, o in placed.items() if o is None]
        if not unplaced or clock.monotonic() >= deadline or (stop is not None and stop.is_set()):
            break
        chosen = _related(inst, unplaced, rng, 30 + 10 * attempt, placed)
        chosen |= set(rng.sample(range(n), min(n, 10 + 10 * attempt)))
        fixed = {t: o for t, o in placed.items() if t not in chosen and o is not None}
        built = build_model(inst, _free_options(inst, chosen, fixed, rng, placed), fixed, allow_unscheduled=True)
        current = {t: (o[0], o[3]) for t, o in placed.items() if o is not None}
        solver, status = _run(built, time_limit=max(0.2, min(deadline - clock.monotonic(), 2.0)), workers=workers,
                              seed=seed + attempt, deterministic=deterministic, on_progress=None, stop=stop,
                              started=started, hint=current)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            new_placed, _ = _read(built, solver)
            if sum(o is None for o in new_placed.values()) <= sum(placed[t] is None for t in new_placed):
                placed.update(new_placed)
    return placed


def _lower_bound(inst: Instance, allow_unscheduled: bool) -> int:
    """Sum over talks of the cheapest placement: a valid bound, all other terms being >= 0."""
    total = 0
    for t, talk in enumerate(inst.talks):
        costs = [inst.cost(o) for o in inst.options(t)]
        if allow_unscheduled:
            costs.append(inst.problem.weights.unscheduled * unscheduled_value(inst.problem, [talk.id]))
        total += min(costs) if costs else 0
    return total


def _solve_lns(inst: Instance, *, time_limit, workers, seed, on_progress, stop, hint, allow_unscheduled,
               deterministic, started) -> Solution:
    rng = random.Random(seed)
    deadline = started + time_limit
    placed = _greedy(inst, None, rng, preferred=hint)
    if any(o is None for o in placed.values()):
        placed = _repair(inst, placed, rng, deadline=started + time_limit * 0.25, workers=workers, seed=seed,
                         deterministic=deterministic, stop=stop, started=started)
    n = len(inst.talks)
    bound = None
    best_objective, best_values = None, {}
    # Value the starting schedule at once (all talks fixed: the model is constants only).
    fixed_all = {t: o for t, o in placed.items() if o is not None}
    built = build_model(inst, {t: [] for t, o in placed.items() if o is None}, fixed_all, allow_unscheduled=True)
    solver, status = _run(built, time_limit=5.0, workers=1, seed=seed, deterministic=deterministic,
                          on_progress=None, stop=None, started=started)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        _, best_values = _read(built, solver)
        best_objective = round(solver.objective_value)
        if on_progress is not None:
            on_progress(Progress(best_objective, None, clock.monotonic() - started, 1))
    iteration, stale = 0, 0
    free_size = max(15, min(60, n // 8))
    blocks = len(inst.grid.blocks)
    tracks = sorted({t.track for t in inst.talks if t.track is not None})
    while True:
        now = clock.monotonic()
        if now >= deadline - 0.05 or (stop is not None and stop.is_set()):
            break
        unplaced = [t for t, o in placed.items() if o is None]
        kind = iteration % 3
        if iteration == 0 and best_objective is None:
            chosen = set(unplaced) | set(rng.sample(range(n), min(n, 10)))
        elif kind == 0 and blocks > 1:
            b = rng.randrange(blocks)
            chosen = {t for t, o in placed.items() if o is not None and o[1] == b}
        elif kind == 1 and tracks:
            chosen = set()
            for track in rng.sample(tracks, len(tracks)):
                chosen |= {t for t, talk in enumerate(inst.talks) if talk.track == track}
                if len(chosen) >= free_size:
                    break
        else:
            chosen = set(rng.sample(range(n), min(n, free_size)))
        chosen = set(list(chosen)[: free_size * 2]) if len(chosen) > free_size * 2 else chosen
        if unplaced:
            chosen |= _related(inst, unplaced[:free_size], rng, free_size, placed)
        chosen = sorted(chosen)
        rng.shuffle(chosen)
        chosen = set(chosen[: free_size * 2])
        fixed = {t: o for t, o in placed.items() if t not in chosen and o is not None}
        free = _free_options(inst, chosen, fixed, rng, placed)
        built = build_model(inst, free, fixed, allow_unscheduled=True)
        sub_limit = min(max(0.5, deadline - clock.monotonic()), 4.0 if iteration else 2.0)
        current = {t: (o[0], o[3]) for t, o in placed.items() if o is not None}
        solver, status = _run(built, time_limit=sub_limit, workers=workers, seed=seed + iteration,
                              deterministic=deterministic, on_progress=None, stop=stop, started=started, hint=current)
        iteration += 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            _debug(f"lns iteration {iteration}: {len(chosen)} free, status {solver.status_name(status)}")
            continue
        new_placed, values = _read(built, solver)
        objective = round(solver.objective_value)
        if best_objective is None or objective <= best_objective:
            stale = 0 if best_objective is None or objective < best_objective else stale + 1
            for t in range(n):
                if t in new_placed:
                    placed[t] = new_placed[t]
            best_objective, best_values = objective, values
            if bound is None:
                bound = _lower_bound(inst, allow_unscheduled)
            if on_progress is not None:
                on_progress(Progress(best_objective, bound, clock.monotonic() - started, iteration))
        else:
            stale += 1
        if best_objective is not None and bound is not None and best_objective <= bound:
            break
        if stale > 10:
            free_size = min(n, int(free_size * 1.3) + 1)
            stale = 0
    if best_objective is None:
        status_name = "CANCELLED" if stop is not None and stop.is_set() else "UNKNOWN"
        return Solution(status=status_name, wall_time=clock.monotonic() - started, mode="lns")
    missing = [t for t, o in placed.items() if o is None]
    status_name = "FEASIBLE" if (allow_unscheduled or not missing) else "UNKNOWN"
    if best_objective <= (bound if bound is not None else -1):
        status_name = "OPTIMAL" if status_name == "FEASIBLE" else status_name
    if not allow_unscheduled and missing:
        best_objective -= best_values.get(RULE_UNSCHEDULED, 0) * inst.problem.weights.unscheduled
        best_values[RULE_UNSCHEDULED] = 0
    return _solution(inst, status_name, placed, best_values, best_objective, bound, started, "lns")


def _debug(message: str) -> None:
    if os.environ.get("SCHEDULER_DEBUG"):
        print(message, file=sys.stderr)


def _free_options(inst: Instance, chosen: set[int], fixed: dict[int, Option], rng: random.Random | None = None,
                  current_placement: dict[int, Option | None] | None = None) -> dict[int, list[Option]]:
    """Options of the freed talks that do not collide with fixed rooms or presenters."""
    room_busy, person_busy = set(), set()
    clash_hard = RULE_PERSON_CLASH not in inst.problem.hard_rules.relaxed
    for t, o in fixed.items():
        for g in range(o[3], o[3] + inst.talks[t].slots):
            room_busy.add((o[0], g))
            if clash_hard:
                person_busy.update((p, g) for p in inst.presenters[t])
    free = {}
    for t in chosen:
        length = inst.talks[t].slots
        presenters = inst.presenters[t] if clash_hard else ()
        options = [o for o in inst.options(t)
                   if not any((o[0], g) in room_busy for g in range(o[3], o[3] + length))
                   and not any((p, g) in person_busy for p in presenters for g in range(o[3], o[3] + length))]
        if rng is not None and len(options) > LNS_OPTIONS_PER_TALK:
            # Keep sub-models small: the current placement, the cheapest options and a random sample.
            keep = set(sorted(range(len(options)), key=lambda i: inst.cost(options[i]))[: LNS_OPTIONS_PER_TALK // 2])
            keep.update(rng.sample(range(len(options)), LNS_OPTIONS_PER_TALK // 2))
            current = (current_placement or {}).get(t)
            keep.update(i for i, o in enumerate(options) if o == current)
            options = [options[i] for i in sorted(keep)]
        free[t] = options
    return free
