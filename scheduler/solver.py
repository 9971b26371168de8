"""Full-model solve, construction heuristic, annealing and large-neighbourhood search.

The model itself lives in `formulation.py`. Up to 19 talks (or with one worker, or
deterministic): one hinted CP-SAT run on the full model. Otherwise: construction, CP-SAT LNS
until every talk is placed, then simulated annealing (`local_search.py`), with a bound worker
in a background thread: by default the Lagrangian bound (`lagrangian.py`, in a child
process), then the time relaxation when it is small enough; or the full model, or the
decomposition bound over room-disjoint components (README "Bound and gap"). The bound is
always valid for the full objective: at least the sum of each talk's cheapest placement.
"""

from __future__ import annotations

import math
import os
import random
import sys
import threading
import time as clock
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from ortools.sat.python import cp_model

from .anneal_kernel import COMPILED
from .child import call_when_set
from .formulation import (
    Built,
    add_full_hint,
    build_model,
    build_time_relaxation,
    evaluate,
    static,
    term_weights,
    weighted,
)
from .instance import PLACEMENT_RULES, Instance, Option
from .lagrangian import LagrangianBound, bounds_in_process
from .local_search import POLISH_SHARE, Annealer
from .model import Assignment, Problem, Progress, Solution, Violation, unscheduled_value
from .rules import (
    RULE_ATTENDEE_CONFLICT,
    RULE_PERSON_CLASH,
    RULE_SIMILAR_TRACK_CLASH,
    RULE_UNSCHEDULED,
    SOFT_TERMS,
    label,
)
from .validation import validate_settings

LNS_OPTION_THRESHOLD = 150_000
# Above this many talks (with 2 workers, not deterministic) search (construction, annealing, LNS)
# runs in front and the bound worker behind; at most this many, one CP-SAT run on the full model.
# Generated instances (`bench/solver_parts.py small`), 30 s at 20 talks (seed 1), 30 and 40 (seeds
# 1-3), 60 s at 50 (seeds 1-3): the hybrid's objective is equal or better except once at 30 talks
# (1470 against a proven 1464), and its bound (Lagrangian, then the time relaxation) is far stronger
# from 40 talks on (50 talks: gaps 0.5-1.2 % against 1.6-10.7 %).
HYBRID_MIN_TALKS = 19
LNS_OPTIONS_PER_TALK = 160
# The bound worker solves the time relaxation when it has at most this many (talk, start) pairs.
RELAXATION_START_THRESHOLD = 40_000
# Share of the time limit the bound worker spends on the Lagrangian bound before the time
# relaxation (README "Bound and gap").
LAGRANGIAN_SHARE = 0.15
# The Lagrangian bound prices each room (`rooms=True`) up to this many placements; above, the
# cheaper time relaxation's pricing rises faster. Measured alone: 1000 talks (541 k placements),
# 90 s: 44761 with rooms, 44539 without; 2000 talks (2.1 M), 60 s: 81073 with, 82680 without.
LAGRANGIAN_ROOMS_MAX_OPTIONS = 800_000
# Simulated annealing once every talk is placed: share of the remaining time (the CP-SAT LNS
# gets the rest; after annealing it found nothing at 200 and 1000 talks, and the bound worker's
# final bound is reported on time only from the annealing loop), temperatures (objective
# units), move budget per second of time limit in deterministic mode, moves per chunk.
ANNEAL_SHARE = 1.0
# ... except when talks may be left out and some are: the annealer never moves a talk in or
# out, so the CP-SAT LNS (which swaps low-priority talks out for high-priority ones) gets half.
SUBSET_ANNEAL_SHARE = 0.5
ANNEAL_QUENCH_SHARE = 0.10 if COMPILED else 0.05
ANNEAL_QUENCH_TEMPERATURE = 10.0 if COMPILED else 2.0
ANNEAL_START_TEMPERATURE = 100.0
ANNEAL_END_TEMPERATURE = 1.0
# (the compiled kernel makes about 10x more moves per second than plain Python, `anneal_kernel`).
ANNEAL_MOVES_PER_SECOND = 300_000 if COMPILED else 40_000
# Start temperature scaled down (quadratically) below this many expected moves per talk
# (measured at 1000 talks: 1.5 M moves from 20 ended 1.6 % lower than from 100; 6 M moves
# from 30 lower than 8.6 M from 100; in 120 s, from 8 and 15: 47109, 47247 and 47091 against
# 47212, 47417 and 47511 from about 40, whose best did not move for the first 60 s).
ANNEAL_FULL_MOVES_PER_TALK = 20_000
ANNEAL_MIN_START_TEMPERATURE = 10.0
ANNEAL_CHUNK = 40_000 if COMPILED else 5_000
GREEDY_CANDIDATES = 40  # cheapest free placements the greedy compares with coupling costs  # candidate placements per freed talk in an LNS sub-model
_STATUS = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
           cp_model.UNKNOWN: "UNKNOWN", cp_model.MODEL_INVALID: "MODEL_INVALID"}


class _Callback(cp_model.CpSolverSolutionCallback):
    """Reports each solution's cost, recomputed exactly from its placement when `exact` is given:
    CP-SAT's own objective value can exceed it, since auxiliary variables carry only their lower side."""

    def __init__(self, on_progress, stop, started: float, offset: float = 0.0, floor: float | None = None,
                 exact: Callable[[cp_model.CpSolverSolutionCallback], float] | None = None):
        super().__init__()
        self.exact = exact
        self.floor = floor  # a bound known before the search (the cheapest-placement sum)
        self.on_progress = on_progress
        self.stop = stop
        self.started = started
        self.offset = offset
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.on_progress is not None:
            objective = self.objective_value + self.offset if self.exact is None else self.exact(self)
            self.on_progress(Progress(objective, self.bound(self.best_objective_bound),
                                      clock.monotonic() - self.started, self.count))
        if self.stop is not None and self.stop.is_set():
            self.stop_search()

    def bound(self, cp_bound: float) -> float:
        return cp_bound + self.offset if self.floor is None else max(self.floor, cp_bound + self.offset)


def _params(solver: cp_model.CpSolver, *, time_limit: float, workers: int, seed: int, deterministic: bool) -> None:
    p = solver.parameters
    p.num_workers = max(1, workers)
    p.random_seed = seed & 0x7FFFFFFF  # CP-SAT takes a 32-bit seed; any whole number maps onto one
    if deterministic:
        # Wall time would make the stopping point depend on machine load.
        p.interleave_search = workers > 1
        p.max_deterministic_time = max(0.01, time_limit)
        p.max_time_in_seconds = max(1.0, time_limit * 20)
    else:
        p.max_time_in_seconds = max(0.01, time_limit)


def _run(built: Built, inst: Instance, *, time_limit, workers, seed, deterministic, on_progress, stop, started,
         hint: dict[int, tuple[int, int]] | None = None, offset: float = 0.0, progress_objective=True,
         bound_floor: float | None = None):
    model = built.model
    if deterministic and workers > 1:
        hint = None  # OR-Tools 9.15 aborts on hints combined with interleave_search
    if hint:
        add_full_hint(built, inst, hint)
    solver = cp_model.CpSolver()
    _params(solver, time_limit=time_limit, workers=workers, seed=seed, deterministic=deterministic)
    exact = None
    if offset == 0.0 and len(built.choice) == len(inst.talks):  # the whole schedule is in this model
        def exact(found: cp_model.CpSolverSolutionCallback) -> float:
            return _objective(inst, _read(built, found))
    callback = _Callback(on_progress if progress_objective else None, stop, started, offset, bound_floor, exact)
    if on_progress is not None:
        def bound_changed(bound: float) -> None:
            on_progress(Progress(None, callback.bound(bound), clock.monotonic() - started, callback.count))
        solver.best_bound_callback = bound_changed
    watcher_done = call_when_set(stop, solver.stop_search) if stop is not None else None
    try:
        status = solver.solve(model, callback)
    finally:
        if watcher_done is not None:
            watcher_done.set()
    return solver, status


def _read(built: Built, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> dict[int, Option | None]:
    placed: dict[int, Option | None] = {}
    for t, pairs in built.choice.items():
        placed[t] = None
        for x, option in pairs:
            if isinstance(x, int) or solver.boolean_value(x):
                placed[t] = option
                break
    return placed


def _solution(inst: Instance, status: str, placed: dict[int, Option | None], bound: float | None,
              started: float, mode: str) -> Solution:
    """Solution with every term value recomputed exactly from the placement."""
    problem = inst.problem
    grid = inst.grid
    values = evaluate(inst, placed)
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
    weights = term_weights(problem)
    objective = sum(weights.get(name, 0) * value for name, value in soft.items())
    gap = None
    if bound is not None:
        bound = min(float(bound), float(objective))
        gap = max(0.0, (objective - bound) / max(1.0, abs(objective)))
    return Solution(status=status, assignments=tuple(assignments), soft_terms=soft, objective=objective,
                    best_bound=bound, gap=gap, wall_time=clock.monotonic() - started,
                    unscheduled=tuple(unscheduled), violations=violations, mode=mode)


def _objective(inst: Instance, placed: dict[int, Option | None], allow_unscheduled: bool = True) -> int:
    values = evaluate(inst, placed)
    if not allow_unscheduled:
        values.pop(RULE_UNSCHEDULED, None)
    return weighted(inst, values)


def solve(problem: Problem, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0,
          on_progress: Callable[[Progress], None] | None = None, stop=None, hint=None,
          allow_unscheduled: bool = False, deterministic: bool = False, mode: str = "auto") -> Solution:
    """Schedule every talk (or the largest priority-weighted subset) minimising the weighted soft terms.

    Raises ValueError for a time limit that is not a positive number of seconds, fewer than one worker
    or a seed that is not a whole number."""
    validate_settings(time_limit=time_limit, workers=workers, seed=seed)
    started = clock.monotonic()
    inst = Instance(problem)
    if mode == "auto":
        mode = "lns" if inst.count_options() > LNS_OPTION_THRESHOLD else "full"
    hint_map = _hint_map(inst, hint)
    if mode == "lns":
        return _solve_lns(inst, time_limit=time_limit, workers=workers, seed=seed, on_progress=on_progress,
                          stop=stop, hint=hint_map, allow_unscheduled=allow_unscheduled,
                          deterministic=deterministic, started=started)
    if not deterministic and workers >= 2 and len(inst.talks) > HYBRID_MIN_TALKS:
        return _solve_lns(inst, time_limit=time_limit, workers=workers, seed=seed, on_progress=on_progress,
                          stop=stop, hint=hint_map, allow_unscheduled=allow_unscheduled,
                          deterministic=deterministic, started=started, with_full_model=True)
    free = {t: inst.option_list(t) for t in range(len(inst.talks))}
    rng = random.Random(seed)
    greedy = _construct(inst, rng, preferred=hint_map, time_limit=time_limit * 0.3, workers=workers, seed=seed,
                        deterministic=deterministic, stop=stop, started=started, complete=not allow_unscheduled)
    start_map = {t: (o[0], o[3]) for t, o in greedy.items() if o is not None}
    built = build_model(inst, free, {}, allow_unscheduled)
    bound = _lower_bound(inst, allow_unscheduled)
    # Progress bounds are never below the cheapest-placement sum (CP-SAT's early bound can be 0).
    # Deterministic time is not wall time: the main run's share must not depend on how long construction took.
    main_limit = time_limit * 0.7 if deterministic else max(0.01, time_limit - (clock.monotonic() - started))
    solver, status = _run(built, inst, time_limit=main_limit,
                          workers=workers, seed=seed, deterministic=deterministic, on_progress=on_progress,
                          stop=stop, started=started, hint=start_map, bound_floor=bound)
    name = _STATUS.get(status, "UNKNOWN")
    if stop is not None and stop.is_set() and name != "OPTIMAL":
        name = "CANCELLED" if status not in (cp_model.FEASIBLE,) else "FEASIBLE"
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placed = _read(built, solver)
        return _solution(inst, name, placed, max(bound, solver.best_objective_bound), started, "full")
    if status != cp_model.INFEASIBLE and (allow_unscheduled or all(o is not None for o in greedy.values())):
        # CP-SAT found nothing in time, but the constructed schedule is a valid answer.
        return _solution(inst, "FEASIBLE", greedy, bound, started, "full")
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

class _Occupancy:
    """Rooms and presenters busy per global slot, for the constructive heuristic."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.clash_hard = RULE_PERSON_CLASH not in inst.problem.hard_rules.relaxed
        self.room: dict[tuple[int, int], int] = {}
        self.person: dict[tuple[str, int], int] = {}

    def blockers(self, t: int, option: Option) -> set[int]:
        inst = self.inst
        r, gs = option[0], option[3]
        found = set()
        for g in range(gs, gs + inst.talks[t].slots):
            if (r, g) in self.room:
                found.add(self.room[r, g])
            if self.clash_hard:
                for p in inst.presenters[t]:
                    if (p, g) in self.person:
                        found.add(self.person[p, g])
        return found

    def free(self, t: int, option: Option) -> bool:
        inst = self.inst
        r, gs = option[0], option[3]
        for g in range(gs, gs + inst.talks[t].slots):
            if (r, g) in self.room:
                return False
            if self.clash_hard and any((p, g) in self.person for p in inst.presenters[t]):
                return False
        return True

    def occupy(self, t: int, option: Option) -> None:
        for g in range(option[3], option[3] + self.inst.talks[t].slots):
            self.room[option[0], g] = t
            if self.clash_hard:
                for p in self.inst.presenters[t]:
                    self.person[p, g] = t

    def release(self, t: int, option: Option) -> None:
        for g in range(option[3], option[3] + self.inst.talks[t].slots):
            if self.room.get((option[0], g)) == t:
                del self.room[option[0], g]
            if self.clash_hard:
                for p in self.inst.presenters[t]:
                    if self.person.get((p, g)) == t:
                        del self.person[p, g]


def _greedy(inst: Instance, rng: random.Random, fixed: dict[int, Option] | None = None,
            preferred: dict[int, tuple[int, int]] | None = None, order: list[int] | None = None,
            ) -> dict[int, Option | None]:
    """Constructive heuristic: most constrained talks first, each at its cheapest free placement.

    A talk that finds no free placement ejects the talks blocking one of its placements when
    each of them can move to another free placement (tried over increasing numbers of
    blockers), so a talk is only left out when this one-level repair cannot place it.
    """
    fixed = fixed or {}
    preferred = preferred or {}
    occ = _Occupancy(inst)
    placed: dict[int, Option | None] = dict(fixed)
    for t, option in fixed.items():
        occ.occupy(t, option)
    if order is None:
        order = [t for t in range(len(inst.talks)) if t not in fixed]
        rng.shuffle(order)
        order.sort(key=lambda t: (inst.talks[t].id not in inst.pins, len(inst.option_list(t)),
                                  -len(inst.presenters[t]), -inst.talks[t].slots))
    ranked: dict[int, list[int]] = {}

    def by_cost(t: int) -> list[int]:
        if t not in ranked:
            costs = inst.option_costs(t)
            want = preferred.get(t)
            options = inst.option_list(t)
            ranked[t] = sorted(range(len(options)), key=lambda i: (
                (options[i][0], options[i][3]) != want, costs[i]))
        return ranked[t]

    def best_free(t: int) -> Option | None:
        options = inst.option_list(t)
        for i in by_cost(t):
            if occ.free(t, options[i]):
                return options[i]
        return None

    # Coupling-aware choice: among the cheapest free placements, add the similar-track and
    # attendee-conflict cost against the talks placed so far.
    st = static(inst)
    weights = term_weights(inst.problem)
    w_sim, w_att = weights[RULE_SIMILAR_TRACK_CLASH], weights[RULE_ATTENDEE_CONFLICT]
    similar_of: dict[str, list[tuple[str, int]]] = {}
    for a, b, penalty in st.similar:
        similar_of.setdefault(a, []).append((b, penalty * w_sim))
        similar_of.setdefault(b, []).append((a, penalty * w_sim))
    co_wanted: dict[int, dict[int, int]] = {}
    for talks, multiplicity in st.groups:
        for a in talks:
            row = co_wanted.setdefault(a, {})
            for b in talks:
                if a != b:
                    row[b] = row.get(b, 0) + multiplicity * w_att
    track_running: dict[tuple[str, int], int] = {}
    running: dict[int, range] = {}

    def coupling(t: int, option: Option) -> int:
        track = inst.talks[t].track
        slots = range(option[3], option[3] + inst.talks[t].slots)
        extra = 0
        for g in slots:
            if track is not None and not track_running.get((track, g)):
                extra += sum(pen for other, pen in similar_of.get(track, ()) if track_running.get((other, g)))
        for other, w in co_wanted.get(t, {}).items():
            span = running.get(other)
            if span is not None and span.start < slots.stop and slots.start < span.stop:
                extra += w * (min(span.stop, slots.stop) - max(span.start, slots.start))
        return extra

    def best_coupled(t: int) -> Option | None:
        options = inst.option_list(t)
        costs = inst.option_costs(t)
        best, best_cost, seen = None, None, 0
        for i in by_cost(t):
            if best_cost is not None and costs[i] >= best_cost:
                break
            if not occ.free(t, options[i]):
                continue
            cost = costs[i] + coupling(t, options[i])
            if best_cost is None or cost < best_cost:
                best, best_cost = options[i], cost
            seen += 1
            if seen >= GREEDY_CANDIDATES:
                break
        return best

    def take(t: int, option: Option) -> None:
        occ.occupy(t, option)
        running[t] = range(option[3], option[3] + inst.talks[t].slots)
        if inst.talks[t].track is not None:
            for g in running[t]:
                key = (inst.talks[t].track, g)
                track_running[key] = track_running.get(key, 0) + 1

    for t, option in fixed.items():
        running[t] = range(option[3], option[3] + inst.talks[t].slots)
        if inst.talks[t].track is not None:
            for g in running[t]:
                key = (inst.talks[t].track, g)
                track_running[key] = track_running.get(key, 0) + 1
    for t in order:
        if t in fixed:
            continue
        best = best_coupled(t) if t not in preferred else best_free(t)
        if best is None:
            best = _eject(inst, t, occ, placed, best_free, by_cost, fixed)
            if best is not None:
                occ.occupy(t, best)
                for b, o in placed.items():  # ejected talks moved: rebuild the running index
                    if o is not None:
                        running[b] = range(o[3], o[3] + inst.talks[b].slots)
                occ.release(t, best)
        placed[t] = best
        if best is not None:
            take(t, best)
    return placed


def _construct(inst: Instance, rng: random.Random, *, preferred=None, order=None, time_limit: float,
               workers: int = 2, seed: int = 0, deterministic: bool = False, stop=None,
               started: float | None = None, complete: bool = True) -> dict[int, Option | None]:
    """Greedy with ejection, then CP-SAT repair of the talks left out (freeing ever more talks).

    `complete`: the schedule must hold every talk, so the repair places talks whatever their
    placements cost; otherwise a talk may stay out when that is cheaper (largest subset)."""
    started = clock.monotonic() if started is None else started
    placed = _greedy(inst, rng, preferred=preferred, order=order)
    if any(o is None for o in placed.values()):
        placed = _repair(inst, placed, rng, time_limit=time_limit, workers=workers, seed=seed,
                         deterministic=deterministic, stop=stop, started=started, place_first=complete)
    return placed


def _eject(inst: Instance, t: int, occ: _Occupancy, placed: dict, best_free, by_cost, fixed) -> Option | None:
    """Place `t` by moving the (few) talks that block one of its placements elsewhere."""
    options = inst.option_list(t)
    candidates = []
    for i in by_cost(t):
        blockers = occ.blockers(t, options[i])
        if blockers and not blockers & fixed.keys():
            candidates.append((len(blockers), inst.option_costs(t)[i], i, blockers))
    candidates.sort(key=lambda c: (c[0], c[1]))
    for _, _, i, blockers in candidates[:200]:
        option = options[i]
        saved = {b: placed[b] for b in blockers}
        for b in blockers:
            occ.release(b, saved[b])
        occ.occupy(t, option)
        moved = {}
        for b in sorted(blockers, key=lambda b: len(inst.option_list(b))):
            new = best_free(b)
            if new is None:
                break
            moved[b] = new
            occ.occupy(b, new)
        if len(moved) == len(blockers):
            occ.release(t, option)
            placed.update(moved)
            return option
        for b, new in moved.items():
            occ.release(b, new)
        occ.release(t, option)
        for b in blockers:
            occ.occupy(b, saved[b])
    return None


def _related(inst: Instance, talks: list[int], rng: random.Random, limit: int,
             placed: dict[int, Option | None] | None = None) -> set[int]:
    """Talks that block `talks`: they share a speaker or chair, or occupy one of their rooms."""
    st = static(inst)
    occupant: dict[tuple[int, int], int] = {}
    for t, o in (placed or {}).items():
        if o is not None:
            for g in range(o[3], o[3] + inst.talks[t].slots):
                occupant[o[0], g] = t
    share = max(2, limit // max(1, len(talks)))
    related: set[int] = set(talks)
    for t in talks:
        for p in inst.presenters[t]:
            others = st.person_talks[p]
            related.update(rng.sample(others, min(len(others), share)))
        if occupant:
            options = inst.option_list(t)
            for o in rng.sample(options, min(len(options), share)):
                related.update(occupant[o[0], g] for g in range(o[3], o[3] + inst.talks[t].slots)
                               if (o[0], g) in occupant)
    return related


def _repair(inst: Instance, placed: dict[int, Option | None], rng: random.Random, *, time_limit: float,
            workers: int, seed: int, deterministic: bool, stop, started: float,
            place_first: bool = True) -> dict[int, Option | None]:
    """Place talks the greedy left out by re-solving them with the talks that block them.

    The time limit is wall time, or with `deterministic` CP-SAT's deterministic time summed
    over the attempts (so the same seed repairs the same way however loaded the machine is)."""
    n = len(inst.talks)
    deadline = clock.monotonic() + time_limit
    budget = time_limit
    for attempt in range(20):
        unplaced = [t for t, o in placed.items() if o is None]
        left = budget if deterministic else deadline - clock.monotonic()
        if not unplaced or left <= 0 or (stop is not None and stop.is_set()):
            break
        chosen = _related(inst, unplaced, rng, 30 + 10 * attempt, placed)
        chosen |= set(rng.sample(range(n), min(n, 10 + 10 * attempt)))
        fixed = {t: o for t, o in placed.items() if t not in chosen and o is not None}
        built = build_model(inst, _free_options(inst, chosen, fixed, rng, placed), fixed, allow_unscheduled=True,
                            place_first=place_first)
        current = {t: (o[0], o[3]) for t, o in placed.items() if o is not None}
        limit = max(0.2, min(left, 2.0))
        budget -= limit
        solver, status = _run(built, inst, time_limit=limit,
                              workers=workers, seed=seed + attempt, deterministic=deterministic, on_progress=None,
                              stop=stop, started=started, hint=current)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            new_placed = _read(built, solver)
            if sum(o is None for o in new_placed.values()) <= sum(placed[t] is None for t in new_placed):
                placed.update(new_placed)
    return placed


def _lower_bound(inst: Instance, allow_unscheduled: bool) -> int:
    """Sum over talks of the cheapest placement: a valid bound, all other terms being >= 0."""
    return _lower_bound_of(inst, range(len(inst.talks)), allow_unscheduled)


def _lower_bound_of(inst: Instance, talks, allow_unscheduled: bool) -> int:
    total = 0
    for t in talks:
        talk = inst.talks[t]
        costs = list(inst.option_costs(t))
        if allow_unscheduled:
            costs.append(inst.problem.weights.unscheduled * unscheduled_value(inst.problem, [talk.id]))
        total += min(costs) if costs else 0
    return total


class _Background:
    """A CP-SAT model solved in a thread, merged into the LNS run.

    `relaxation=False`: the full model; its incumbents and its bound are valid for the whole
    problem. `relaxation=True` (the default bound worker): the time relaxation
    (`formulation.build_time_relaxation`), much smaller; only its bound is used (its
    solutions are not schedules), valid because every schedule costs at least its optimum.
    """

    def __init__(self, inst: Instance, placed: dict[int, Option | None], *, time_limit: float, workers: int,
                 seed: int, allow_unscheduled: bool, stop, started: float, relaxation: bool = False,
                 lagrangian_share: float = 0.0, target: float = math.inf):
        self.inst = inst
        self.relaxation = relaxation
        # The Lagrangian bound (`lagrangian.py`) runs first, for this share of the time limit
        # (1.0: alone, no CP-SAT model afterwards); `target` is the incumbent objective.
        self.lagrangian_share = lagrangian_share
        self.target = target
        self.bound: float | None = None
        self.best: tuple[int, dict[int, Option | None]] | None = None
        self.optimal = False
        self.relaxation_optimal = False
        self.solver: cp_model.CpSolver | None = None
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.args = (placed, time_limit, workers, seed, allow_unscheduled, stop, started)
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()

    def _main(self) -> None:
        placed, time_limit, workers, seed, allow_unscheduled, stop, started = self.args
        inst = self.inst
        # Finish a little early so that the LNS loop merges (and reports) the final bound in time.
        deadline = started + time_limit - min(1.0, 0.02 * time_limit)
        if self.lagrangian_share > 0:
            self._lagrangian(min(deadline, started + time_limit * self.lagrangian_share), stop, allow_unscheduled)
            if self.lagrangian_share >= 1.0 or self.stopped.is_set() or clock.monotonic() >= deadline - 0.1:
                return
        if self.relaxation:
            built = build_time_relaxation(inst, allow_unscheduled)
            starts = {t: o[3] for t, o in placed.items() if o is not None}
            wanted = {t: (o[0], o[3]) for t, pairs in built.choice.items() for _, o in pairs
                      if starts.get(t) == o[3]}
        else:
            free = {t: inst.option_list(t) for t in range(len(inst.talks))}
            built = build_model(inst, free, {}, allow_unscheduled)
            wanted = {t: (o[0], o[3]) for t, o in placed.items() if o is not None}
        if self.stopped.is_set():
            return
        add_full_hint(built, inst, wanted)
        owner = self

        class Callback(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                if owner.relaxation:
                    return
                new = {}
                for t, pairs in built.choice.items():
                    new[t] = next((o for x, o in pairs if self.boolean_value(x)), None)
                objective = _objective(inst, new)
                with owner.lock:
                    if owner.best is None or objective < owner.best[0]:
                        owner.best = (objective, new)

        solver = cp_model.CpSolver()
        _params(solver, time_limit=max(0.05, deadline - clock.monotonic()), workers=workers, seed=seed,
                deterministic=False)
        if self.relaxation:
            # Bound-oriented worker: on the 200-talk benchmark it raises the bound faster
            # (5949 after 15 deterministic seconds vs 5903 for the default worker).
            solver.parameters.subsolvers.append("lb_tree_search")
        else:
            solver.parameters.linearization_level = 2  # its LP reaches the cheapest-placement sum

        def bound_changed(bound: float) -> None:
            with owner.lock:
                owner.bound = bound if owner.bound is None else max(owner.bound, bound)

        solver.best_bound_callback = bound_changed
        self.solver = solver
        if self.stopped.is_set():
            return
        status = solver.solve(built.model, Callback())
        with self.lock:
            # CP-SAT's bound is proven even without a solution (UNKNOWN): the relaxation's
            # bound-oriented worker often finds none.
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
                self.bound = max(self.bound or solver.best_objective_bound, solver.best_objective_bound)
            if self.relaxation:
                self.relaxation_optimal = status == cp_model.OPTIMAL
            else:
                self.optimal = status == cp_model.OPTIMAL
        _debug(f"background {'time relaxation' if self.relaxation else 'full model'}: "
               f"{solver.status_name(status)} bound {solver.best_objective_bound} "
               f"deterministic time {solver.deterministic_time:.1f}")

    def _lagrangian(self, until: float, stop, allow_unscheduled: bool) -> None:
        """Subgradient steps on the Lagrangian dual until `until`; every value found is a valid bound."""
        owner = self

        class Stopping:  # finish() was called or the caller's `stop` is set
            def is_set(self) -> bool:
                return owner.stopped.is_set() or (stop is not None and stop.is_set())

        stopping = Stopping()

        def bound_changed(bound: int) -> None:
            with self.lock:
                self.bound = bound if self.bound is None else max(self.bound, bound)

        begin = clock.monotonic()
        dual = LagrangianBound(self.inst, allow_unscheduled,
                               rooms=self.inst.count_options() <= LAGRANGIAN_ROOMS_MAX_OPTIONS)
        _debug(f"background lagrangian: set up in {clock.monotonic() - begin:.1f} s")
        bound = None
        if until - clock.monotonic() > 0.5 and not stopping.is_set():
            for bound in bounds_in_process(dual, target=self.target, deadline=until, stopped=stopping):
                bound_changed(bound)
        _debug(f"background lagrangian: bound {bound}")

    def finish(self) -> None:
        self.stopped.set()
        if self.solver is not None:
            self.solver.stop_search()
        self.thread.join()


def _components(inst: Instance) -> list[list[int]]:
    """Talks grouped by the rooms they may use: talks of different groups never share a room.

    On the generated instances these are the hubs and the online streams.
    """
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for t in range(len(inst.talks)):
        for r, _ in inst.room_parts[t]:
            parent[find(("t", t))] = find(("r", r))
    groups: dict[tuple[str, int], list[int]] = {}
    for t in range(len(inst.talks)):
        groups.setdefault(find(("t", t)), []).append(t)
    return sorted(groups.values(), key=lambda talks: (len(talks), talks))


def _component_pairs(inst: Instance, components: list[list[int]]) -> dict[int, set[int]]:
    """Each similar-track pair in exactly one component: where both tracks have most talk-slots."""
    comp_of = {t: c for c, talks in enumerate(components) for t in talks}
    st = static(inst)
    pairs: dict[int, set[int]] = {}
    for i, (a, b, _) in enumerate(st.similar):
        load: dict[int, list[int]] = {}
        for side, track in enumerate((a, b)):
            for t in st.track_talks.get(track, ()):
                load.setdefault(comp_of[t], [0, 0])[side] += inst.talks[t].slots
        if load:
            c = max(sorted(load), key=lambda c: min(load[c]))
            pairs.setdefault(c, set()).add(i)
    return pairs


class _ComponentBound:
    """Decomposition bound in a thread: the time relaxation of each room-disjoint component.

    The components (`_components`) share no room, so every term splits into a part per
    component plus a non-negative remainder: placement costs and track order (pairs in one
    component) exactly; attendee conflicts per component (sum over components of
    (wanted talks running there - 1)+ is at most (all wanted talks running - 1)+); track
    cohesion per component (sum of (rooms used there - 1)+ <= rooms used - 1); each
    similar-track pair is counted in one component only; person clashes across components
    are dropped. So the sum of the components' optima, and of CP-SAT's bounds on them, is a
    valid lower bound on the full objective. Components are solved one after the other,
    smallest first, each for a share of the remaining time proportional to its size; a
    component not reached yet counts its cheapest-placement sum.
    """

    def __init__(self, inst: Instance, *, time_limit: float, seed: int, allow_unscheduled: bool,
                 started: float):
        self.inst = inst
        self.bound: float | None = None
        self.best = None
        self.optimal = False
        self.solver: cp_model.CpSolver | None = None
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.args = (time_limit, seed, allow_unscheduled, started)
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()

    def _main(self) -> None:
        time_limit, seed, allow_unscheduled, started = self.args
        inst = self.inst
        deadline = started + time_limit - min(1.0, 0.02 * time_limit)
        components = _components(inst)
        pairs = _component_pairs(inst, components)
        floors = [_lower_bound_of(inst, talks, allow_unscheduled) for talks in components]
        done = list(floors)
        # Pass 1: rooms counted, coupling terms dropped (an assignment-like LP, mostly solved
        # to optimality in seconds); pass 2, if time is left: with the coupling terms, on a
        # bound-oriented worker.
        for coupling in (False, True):
            pass_end = deadline
            remaining = sum(len(talks) for talks in components)
            for c, talks in enumerate(components):
                if self.stopped.is_set() or clock.monotonic() >= pass_end - 0.1:
                    break
                share = (pass_end - clock.monotonic()) * len(talks) / remaining
                remaining -= len(talks)
                self._solve(c, talks, coupling, share, pairs.get(c, set()), floors, done, seed, allow_unscheduled)

    def _solve(self, c: int, talks: list[int], coupling: bool, share: float, pairs: set[int], floors: list[int],
               done: list[float], seed: int, allow_unscheduled: bool) -> None:
        """Solve one component's relaxation; `done[c]` keeps its best bound."""
        inst = self.inst
        built = build_time_relaxation(inst, allow_unscheduled, talks=talks, similar_pairs=pairs,
                                      coupling=coupling)
        solver = cp_model.CpSolver()
        _params(solver, time_limit=max(0.05, share), workers=1, seed=seed, deterministic=False)
        if coupling:
            solver.parameters.subsolvers.append("lb_tree_search")
        others = sum(done) - done[c]

        def bound_changed(bound: float) -> None:
            with self.lock:
                self.bound = max(self.bound or 0.0, others + max(done[c], bound))

        solver.best_bound_callback = bound_changed
        self.solver = solver
        if self.stopped.is_set():
            return
        status = solver.solve(built.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
            done[c] = max(done[c], solver.best_objective_bound)
        with self.lock:
            self.bound = max(self.bound or 0.0, sum(done))
        _debug(f"component {c} ({len(talks)} talks, coupling {coupling}): {solver.status_name(status)} "
               f"bound {solver.best_objective_bound} (cheapest {floors[c]}), total {sum(done)}")

    def finish(self) -> None:
        self.stopped.set()
        if self.solver is not None:
            self.solver.stop_search()
        self.thread.join()


def _solve_lns(inst: Instance, *, time_limit, workers, seed, on_progress, stop, hint, allow_unscheduled,
               deterministic, started, with_full_model: bool = False) -> Solution:
    """Construct a schedule, then improve it by re-solving neighbourhoods with the rest fixed.

    With `with_full_model` the full CP-SAT model runs in a background thread on one worker:
    its bound (valid for the whole problem) and its incumbents are merged with the LNS ones.
    """
    rng = random.Random(seed)
    deadline = started + time_limit
    placed = _construct(inst, rng, preferred=hint, time_limit=time_limit * 0.25, workers=workers, seed=seed,
                        deterministic=deterministic, stop=stop, started=started, complete=not allow_unscheduled)
    n = len(inst.talks)
    bound = _lower_bound(inst, allow_unscheduled)
    best_objective = _objective(inst, placed)

    def missing_count(schedule: dict[int, Option | None]) -> int:
        """Talks out of a schedule that must hold all: fewer is better whatever the objective."""
        return 0 if allow_unscheduled else sum(o is None for o in schedule.values())

    best_missing = missing_count(placed)
    found = 1
    if on_progress is not None:
        on_progress(Progress(best_objective, bound, clock.monotonic() - started, found))
    background = None
    # "auto" (default), "lagrangian", "relaxation", "full", "components" or "none".
    bound_kind = os.environ.get("SCHEDULER_BOUND_WORKER", "auto")
    relaxable = sum(len(parts) for parts in inst.time_parts) <= RELAXATION_START_THRESHOLD
    lagrangian_share = 0.0
    if bound_kind == "auto":
        # The Lagrangian bound first (it reaches its level in seconds), then the time relaxation
        # (CP-SAT's bound on it overtakes after ~40 s at 200 talks); alone when the relaxation
        # is too big for CP-SAT.
        bound_kind, lagrangian_share = ("relaxation", LAGRANGIAN_SHARE) if relaxable else ("lagrangian", 1.0)
    elif bound_kind == "lagrangian":
        lagrangian_share = 1.0
    if bound_kind == "relaxation" and not relaxable:
        bound_kind = "full" if with_full_model else "none"
    if bound_kind == "full" and not with_full_model:
        bound_kind = "none"
    if bound_kind == "none" and not with_full_model and os.environ.get("SCHEDULER_BOUND_WORKER") is None:
        bound_kind = "components"
    if bound_kind == "components" and best_objective > bound and workers >= 2 and not deterministic:
        background = _ComponentBound(inst, time_limit=time_limit, seed=seed, allow_unscheduled=allow_unscheduled,
                                     started=started)
        workers = 1
    elif best_objective > bound and workers >= 2 and not deterministic and bound_kind != "none":
        background = _Background(inst, placed, time_limit=time_limit, workers=max(1, workers - 1), seed=seed,
                                 allow_unscheduled=allow_unscheduled, stop=stop, started=started,
                                 relaxation=bound_kind in ("relaxation", "lagrangian"),
                                 lagrangian_share=lagrangian_share, target=best_objective)
        workers = 1
    annealed = False
    iteration, stale = 0, 0
    free_size = float(max(12, min(40, n // 10)))
    sub_time = 1.0 if n <= 400 else 2.0
    tracks = sorted({t.track for t in inst.talks if t.track is not None})
    while best_missing or best_objective > bound:
        now = clock.monotonic()
        if now >= deadline - 0.05 or (stop is not None and stop.is_set()):
            break
        if background is not None:
            with background.lock:
                their = background.best
                their_bound = background.bound
                optimal = background.optimal
            improved = False
            if their is not None and (missing_count(their[1]), their[0]) < (best_missing, best_objective):
                best_objective, placed = their[0], dict(their[1])
                best_missing = missing_count(placed)
                improved = True
            if their_bound is not None and their_bound > bound:
                bound = their_bound
                improved = True
            if improved and on_progress is not None:
                found += 1
                on_progress(Progress(best_objective, bound, clock.monotonic() - started, found))
            if optimal or (not best_missing and best_objective <= bound):
                break
        unplaced = [t for t, o in placed.items() if o is None]
        if not annealed and (allow_unscheduled or not unplaced):
            # Once every talk is placed (the LNS places talks the construction left out).
            annealed = True
            share = SUBSET_ANNEAL_SHARE if unplaced else ANNEAL_SHARE
            until = now + (deadline - now) * share
            placed, best_objective, found, bound = _anneal(
                inst, placed, best_objective, rng, bound=bound, found=found, background=background,
                until=until, deterministic=deterministic, time_limit=time_limit, on_progress=on_progress,
                stop=stop, started=started, share=share)
            continue
        kind = _NEIGHBOURHOODS[iteration % len(_NEIGHBOURHOODS)]
        size = max(4, int(free_size))
        chosen = _neighbourhood(inst, kind, placed, rng, size, tracks)
        if len(chosen) > size * 2:
            chosen = set(rng.sample(sorted(chosen), size * 2))
        if unplaced:
            chosen |= _related(inst, unplaced[:size], rng, size, placed)
        fixed = {t: o for t, o in placed.items() if t not in chosen and o is not None}
        free = _free_options(inst, chosen, fixed, rng, placed)
        # Talks may go out in the sub-model (so it can take in the ones still out), but when the
        # schedule must hold every talk, only at a cost above any placement.
        built = build_model(inst, free, fixed, allow_unscheduled=True, place_first=not allow_unscheduled)
        sub_limit = min(max(0.2, deadline - clock.monotonic()), sub_time)
        current = {t: (o[0], o[3]) for t, o in placed.items() if o is not None}
        solver, status = _run(built, inst, time_limit=sub_limit, workers=workers, seed=seed + iteration,
                              deterministic=deterministic, on_progress=None, stop=stop, started=started,
                              hint=current)
        iteration += 1
        # Adaptive size: grow while sub-models are solved to optimality, shrink when they time out.
        if status == cp_model.OPTIMAL:
            free_size = min(float(n), free_size * 1.1 + 0.5)
        else:
            free_size = max(6.0, free_size * 0.85)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            _debug(f"lns iteration {iteration}: {len(chosen)} free, status {solver.status_name(status)}")
            stale += 1
            continue
        candidate = dict(placed)
        candidate.update(_read(built, solver))
        objective = _objective(inst, candidate)
        rank, best_rank = (missing_count(candidate), objective), (best_missing, best_objective)
        _debug(f"lns iteration {iteration} {kind}: {len(chosen)} free, {solver.status_name(status)}, "
               f"{rank} vs {best_rank}")
        if rank <= best_rank:
            stale = 0 if rank < best_rank else stale + 1
            if rank < best_rank:
                found += 1
                if on_progress is not None:
                    on_progress(Progress(objective, bound, clock.monotonic() - started, found))
            placed, (best_missing, best_objective) = candidate, rank
        else:
            stale += 1
    optimal = False
    if background is not None:
        background.finish()
        their = background.best
        if their is not None and (missing_count(their[1]), their[0]) < (best_missing, best_objective):
            best_objective, placed = their[0], dict(their[1])
            if on_progress is not None:
                found += 1
                on_progress(Progress(best_objective, min(bound, best_objective), clock.monotonic() - started, found))
        if background.bound is not None and background.bound > bound:
            bound = background.bound
            if on_progress is not None:  # bound-oriented workers often report their bound only at the end
                on_progress(Progress(best_objective, min(bound, best_objective), clock.monotonic() - started, found))
        optimal = background.optimal
    missing = [t for t, o in placed.items() if o is None]
    status_name = "FEASIBLE" if (allow_unscheduled or not missing) else "UNKNOWN"
    if status_name == "UNKNOWN" and stop is not None and stop.is_set():
        status_name = "CANCELLED"  # stopped before every talk was placed, as in the full mode
    if (optimal or best_objective <= bound) and status_name == "FEASIBLE":
        status_name = "OPTIMAL"
    solution = _solution(inst, status_name, placed, bound, started, "full" if with_full_model else "lns")
    if not allow_unscheduled and missing:
        # Not a schedule: its objective leaves the missing talks out, so no gap is measured against it
        # (the bound still holds for every complete schedule).
        soft = dict(solution.soft_terms)
        soft[RULE_UNSCHEDULED] = 0
        objective = solution.objective - unscheduled_value(inst.problem, [inst.talks[t].id for t in missing]) \
            * inst.problem.weights.unscheduled
        solution = replace(solution, soft_terms=soft, objective=objective, best_bound=float(bound), gap=None)
    return solution


def _anneal(inst: Instance, placed: dict[int, Option | None], objective: int, rng: random.Random, *,
            bound: float, found: int, background, until: float, deterministic: bool, time_limit: float,
            on_progress, stop, started: float,
            share: float = ANNEAL_SHARE) -> tuple[dict[int, Option | None], int, int, float]:
    """Simulated annealing (`local_search.Annealer`) until `until`, before the CP-SAT LNS.

    The temperature falls with the elapsed share of the annealing time, or, when
    `deterministic`, with the share of a move budget proportional to the time limit (so the
    same seed gives the same schedule unless the wall-clock limit cuts the run short).
    Progress (and the background worker's bound) is reported between chunks of moves.
    """
    annealer = Annealer(inst, placed)
    offset = objective - annealer.cost  # terms the annealer does not track (unscheduled talks)
    begin = clock.monotonic()
    duration = max(1e-3, until - begin)
    budget = int(ANNEAL_MOVES_PER_SECOND * time_limit * share)
    done = 0
    start_temperature = ANNEAL_START_TEMPERATURE
    best_cost, best = annealer.cost, dict(placed)
    def report(improved: bool) -> bool:
        """Merge the bound worker's bound, report progress if anything improved; True when the
        best schedule meets the bound."""
        nonlocal bound, found
        if background is not None:
            with background.lock:
                their_bound = background.bound
            if their_bound is not None and their_bound > bound:
                bound, improved = their_bound, True
        if improved and on_progress is not None:
            found += 1
            on_progress(Progress(best_cost + offset, min(bound, best_cost + offset), clock.monotonic() - started,
                                 found))
        return best_cost + offset <= bound

    # A short, cool run first (cooling from ANNEAL_QUENCH_TEMPERATURE to the end temperature),
    # so that progress shows a good schedule early: the main run starts hot and its best
    # improves on this one only once it has cooled (after about half of the time).
    chunks = max(1, int(ANNEAL_QUENCH_SHARE * budget / ANNEAL_CHUNK))
    quench = chunks if deterministic else 0
    quench_until = begin + ANNEAL_QUENCH_SHARE * duration
    cool = ANNEAL_END_TEMPERATURE / ANNEAL_QUENCH_TEMPERATURE
    while quench > 0 if deterministic else clock.monotonic() < quench_until:
        if stop is not None and stop.is_set():
            break
        progress = (1 - quench / chunks) if deterministic else (clock.monotonic() - begin) / (quench_until - begin)
        temperature = ANNEAL_QUENCH_TEMPERATURE * cool ** min(1.0, progress)
        cost, schedule = annealer.run(rng, moves=ANNEAL_CHUNK,
                                      deadline=started + time_limit if deterministic else quench_until,
                                      start_temperature=temperature, end_temperature=temperature, stop=stop)
        quench -= 1
        improved = cost < best_cost
        if improved:
            best_cost, best = cost, schedule
        if report(improved):
            break
    polish_until = until
    until -= POLISH_SHARE * max(0.0, until - clock.monotonic())
    begin = clock.monotonic()
    duration = max(1e-3, until - begin)
    while done < budget and clock.monotonic() < started + time_limit if deterministic else clock.monotonic() < until:
        if (stop is not None and stop.is_set()) or best_cost + offset <= bound:
            break
        progress = done / budget if deterministic else (clock.monotonic() - begin) / duration
        chunk_progress = progress + (ANNEAL_CHUNK / budget if deterministic else 0.0)
        ratio = ANNEAL_END_TEMPERATURE / start_temperature
        cost, schedule = annealer.run(
            rng, moves=ANNEAL_CHUNK, deadline=started + time_limit if deterministic else until,
            start_temperature=start_temperature * ratio ** min(1.0, progress),
            end_temperature=start_temperature * ratio ** min(1.0, chunk_progress), stop=stop)
        done += ANNEAL_CHUNK
        if done == ANNEAL_CHUNK:
            # Fewer moves per talk (big instances, short limits): start cooler.
            expected = budget if deterministic else ANNEAL_CHUNK * duration / max(1e-3, clock.monotonic() - begin)
            per_talk = expected / max(1, len(inst.talks))
            start_temperature = min(ANNEAL_START_TEMPERATURE, max(
                ANNEAL_MIN_START_TEMPERATURE, ANNEAL_START_TEMPERATURE * (per_talk / ANNEAL_FULL_MOVES_PER_TALK) ** 2))
        improved = cost < best_cost
        if improved:
            best_cost, best = cost, schedule
        if report(improved):
            break
    if not (stop is not None and stop.is_set()) and best_cost + offset > bound:
        # The last few per cent of the time: every placement of every talk, not a sample.
        annealer.load(best)  # far cheaper than a new Annealer (1.5 s at 2000 talks)
        before = annealer.cost
        if annealer.descend(started + time_limit if deterministic else polish_until) < 0:
            best_cost, best = annealer.cost, annealer.placed
            if on_progress is not None:
                found += 1
                on_progress(Progress(best_cost + offset, min(bound, best_cost + offset), clock.monotonic() - started,
                                     found))
        _debug(f"descent: {before} -> {annealer.cost}")
    exact = _objective(inst, best)
    _debug(f"annealing: {done} moves, {objective} -> {exact}")
    if exact <= objective:
        return best, exact, found, bound
    return placed, objective, found, bound


_NEIGHBOURHOODS = ("block", "clash-slot", "tracks", "room-day", "wishes", "clash-slot", "random")


def _neighbourhood(inst: Instance, kind: str, placed: dict[int, Option | None], rng: random.Random, size: int,
                   tracks: list[str]) -> set[int]:
    """Talks to free in one LNS iteration (about `size` of them)."""
    st = static(inst)
    n = len(inst.talks)
    running = [(t, o) for t, o in placed.items() if o is not None]
    blocks = inst.grid.blocks
    chosen: set[int] = set()
    if kind == "block" and len(blocks) > 1:
        b = rng.randrange(len(blocks))
        chosen = {t for t, o in running if o[1] == b}
    elif kind == "tracks" and tracks:
        for track in rng.sample(tracks, len(tracks)):
            chosen |= set(st.track_talks.get(track, ()))
            if len(chosen) >= size:
                break
    elif kind == "room-day" and running:
        # One room over one day, plus talks of the same blocks to swap with.
        _, pick = rng.choice(running)
        day = blocks[pick[1]].start.date()
        day_blocks = {b for b, block in enumerate(blocks) if block.start.date() == day}
        chosen = {t for t, o in running if o[0] == pick[0] and o[1] in day_blocks}
        others = [t for t, o in running if o[1] in day_blocks and t not in chosen]
        chosen |= set(rng.sample(others, min(len(others), max(0, size - len(chosen)))))
    elif kind == "clash-slot" and running:
        # The talks running in a slot with many attendee / similar-track clashes, plus
        # talks elsewhere that they can swap with.
        weights = term_weights(inst.problem)
        slot_cost: dict[int, int] = {}
        spans = {t: range(o[3], o[3] + inst.talks[t].slots) for t, o in running}
        for talks, multiplicity in st.groups:
            seen: dict[int, int] = {}
            for t in talks:
                for g in spans.get(t, ()):
                    seen[g] = seen.get(g, 0) + 1
            for g, c in seen.items():
                if c > 1:
                    slot_cost[g] = slot_cost.get(g, 0) + (c - 1) * multiplicity * weights[RULE_ATTENDEE_CONFLICT]
        if slot_cost:
            ranked = sorted(slot_cost, key=lambda g: -slot_cost[g])[:5]
            g = rng.choice(ranked)
            chosen = {t for t, span in spans.items() if g in span}
            others = [t for t, _ in running if t not in chosen]
            chosen |= set(rng.sample(others, min(len(others), max(0, size - len(chosen)))))
    elif kind == "wishes" and st.groups:
        for _ in range(4 * size):
            chosen |= set(st.groups[rng.randrange(len(st.groups))][0])
            if len(chosen) >= size:
                break
    if not chosen:
        chosen = set(rng.sample(range(n), min(n, size)))
    return chosen


def _debug(message: str) -> None:
    if os.environ.get("SCHEDULER_DEBUG"):
        print(message, file=sys.stderr)


def _free_options(inst: Instance, chosen: set[int], fixed: dict[int, Option], rng: random.Random | None = None,
                  current_placement: dict[int, Option | None] | None = None) -> dict[int, list[Option]]:
    """Options of the freed talks that do not collide with fixed rooms or presenters."""
    occ = _Occupancy(inst)
    for t, o in fixed.items():
        occ.occupy(t, o)
    free = {}
    for t in chosen:
        options = inst.option_list(t)
        costs = inst.option_costs(t)
        keep = [i for i, o in enumerate(options) if occ.free(t, o)]
        if rng is not None and len(keep) > LNS_OPTIONS_PER_TALK:
            # Keep sub-models small: the current placement, the cheapest options and a random sample.
            keep.sort(key=lambda i: costs[i])
            chosen_i = set(keep[: LNS_OPTIONS_PER_TALK // 2])
            chosen_i.update(rng.sample(keep, LNS_OPTIONS_PER_TALK // 2))
            current = (current_placement or {}).get(t)
            chosen_i.update(i for i in keep if options[i] == current)
            keep = sorted(chosen_i)
        free[t] = [options[i] for i in keep]
    return free
