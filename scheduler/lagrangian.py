"""A Lagrangian lower bound on the scheduling model, computed with numpy.

Each talk chooses one of its placements (room and start) on its own; the constraints that
couple talks are moved into the objective with multipliers, one per constraint and slot:

* rooms, per room and slot: talks placed in the room and running <= 1 (multiplier >= 0).
  (`rooms=False` instead relaxes as `formulation.build_time_relaxation` does: each talk
  chooses a start at the cost of its cheapest room there, with counting rows per class of
  rooms; weaker where rooms differ in capacity or preference: 44539 against 44761 at 1000
  talks, seed 1, after 90 s);
* person clashes (when hard): talks of a person running <= 1 (>= 0);
* attendee conflicts, per merged wish set and slot: wanted talks running <= 1 + missed,
  missed costing the set's weight (multiplier in [0, weight]);
* similar tracks: a track is active in a slot when any of its talks runs. Its talks are
  partitioned into groups of talks sharing a presenter (with person clashes hard, at most
  one talk of a group runs at a time), and per group and slot: talks of the group running
  <= active (>= 0). With groups, a chaired track counts as active exactly as long as its
  talks run, which the time relaxation's active >= each talk's occupancy does not express.
  The clashes themselves are not relaxed where they can be counted exactly: the similarity
  graph is cut into parts of at most `EXACT_TRACKS` tracks (a connected family whole when it
  fits), and per part and slot the Lagrangian chooses which of its tracks are active, a
  0/1 choice paying every clash among them at its full weight (the subsets of the tracks
  whose activity earns something are enumerated: a track priced at 0 never lowers the
  sum). Only pairs between two parts are relaxed, per pair and slot: active_a + active_b <=
  1 + clash, clash costing the pair's weight (multiplier in [0, weight]). The exact choice
  is what a schedule must pay: with many similar tracks each half active in a slot, the
  relaxed pairs cost nothing while any 0/1 choice pays for the tracks it keeps together
  (200 talks, seed 1: 6076 against 5987; see `bench/solver_parts.py lagrangian --tracks`).

Track cohesion and track order are dropped (both are >= 0). For any multipliers in their
ranges the Lagrangian function (the minimum, over independent placement choices per talk and
active in [0, 1], of cost + multipliers x constraint slack) is at most the
optimum, hence a valid lower bound on every schedule. It is evaluated exactly (every term
of the minimum is computed, not estimated) and rounded up only past a small float margin,
since every objective is an integer. The multipliers are improved by projected subgradient
steps (Polyak step towards a target above the best value, the step factor halved when the
value stops improving); every iterate gives a valid bound, so the method is anytime.
"""

from __future__ import annotations

import math
import time as clock
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cache

import numpy as np

from .child import results_from_child, serve
from .formulation import static, term_weights
from .instance import Instance
from .model import unscheduled_value
from .rules import (
    RULE_ATTENDEE_CONFLICT,
    RULE_PERSON_CLASH,
    RULE_SIMILAR_TRACK_CLASH,
    RULE_UNSCHEDULED,
)

# Float margin before rounding a Lagrangian value up to the next integer.
_ROUNDING_MARGIN = 1e-4
# Step control: the step factor halves after this many steps without a better value, and each
# direction adds this share of the previous one (less zig-zagging). Measured at 200 talks,
# seed 1, 1000 steps: 5937 (20 steps, no deflection), 5975 (50, none), 5984 (50, 0.5).
PATIENCE = 50
DEFLECTION = 0.5
# Talks per chunk when summing their prices from the rows (see `_index_rows`).
_PRICE_CHUNK = 16
# Largest part of the similar-track graph whose clashes are counted exactly, and the most tracks
# whose subsets are enumerated in one slot (2^k subsets; only the tracks whose activity earns
# something are candidates, and beyond this many, the others run without their clashes).
EXACT_TRACKS = 16
EXACT_SLOT_TRACKS = 12


class _Rows:
    """Constraints `sum over member talks of occupancy[t, g] <= rhs[r, g] (+ active)` per slot."""

    def __init__(self, size: int):
        self.members: list[list[int]] = []
        self.rhs: list[np.ndarray | float] = []
        self.upper: list[float] = []  # multiplier upper bound (inf: none)
        self.active: list[int] = []  # active variable on the right-hand side, or -1
        self.size = size

    def add(self, talks, rhs, upper: float = math.inf, active: int = -1) -> None:
        self.members.append(sorted(set(talks)))
        self.rhs.append(rhs)
        self.upper.append(upper)
        self.active.append(active)


class LagrangianBound:
    """The Lagrangian dual (of the model, or with `rooms=False` of the time relaxation); every
    value `run` reports is a valid bound."""

    def __init__(self, inst: Instance, allow_unscheduled: bool, rooms: bool = True,
                 exact_tracks: int = EXACT_TRACKS, slot_tracks: int = EXACT_SLOT_TRACKS):
        self.rooms = rooms
        self.slot_tracks = slot_tracks
        problem = inst.problem
        st = static(inst)
        weights = term_weights(problem)
        n = len(inst.talks)
        size = inst.grid.size
        self.size = size
        self.lengths = np.array([talk.slots for talk in inst.talks], dtype=np.int64)
        # Start costs: cheapest room per (talk, global start); inf where no placement starts.
        cost = np.full((n, size), np.inf)
        room_sets: list[frozenset[int]] = []
        usable_slots = np.zeros((len(inst.rooms), size), dtype=bool)  # room x slot: some placement uses it
        for t in range(n):
            options = inst.option_list(t)
            if options:
                rooms = np.fromiter((o[0] for o in options), dtype=np.int64, count=len(options))
                starts = np.fromiter((o[3] for o in options), dtype=np.int64, count=len(options))
                np.minimum.at(cost[t], starts, np.asarray(inst.option_costs(t), dtype=float))
                usable_slots[rooms[:, None], starts[:, None] + np.arange(inst.talks[t].slots)] = True
                room_sets.append(frozenset(rooms.tolist()))
            else:
                room_sets.append(frozenset())
        self.cost = cost
        # With `rooms`, each talk chooses a placement (room and start) and every room holds at
        # most one talk per slot (one multiplier per room and slot), instead of the counting
        # rows per class of rooms: a stronger relaxation (rooms differ in capacity and
        # preference), about a third slower per step at 1000 talks (23 ms against 17 ms).
        self.n_rooms = len(inst.rooms)
        if self.rooms:
            counts = [len(inst.option_list(t)) for t in range(n)]
            self.opt_talk = np.repeat(np.arange(n, dtype=np.int64), counts)
            self.opt_room = np.fromiter((o[0] for t in range(n) for o in inst.option_list(t)), dtype=np.int64,
                                        count=len(self.opt_talk))
            self.opt_start = np.fromiter((o[3] for t in range(n) for o in inst.option_list(t)), dtype=np.int64,
                                         count=len(self.opt_talk))
            self.opt_cost = np.fromiter((c for t in range(n) for c in inst.option_costs(t)), dtype=float,
                                        count=len(self.opt_talk))
            self.opt_end = self.opt_start + self.lengths[self.opt_talk]
            # Flat indices into the (talk or room) x (slot + 1) cumulative prices.
            self.opt_talk_start = self.opt_talk * (size + 1) + self.opt_start
            self.opt_talk_end = self.opt_talk * (size + 1) + self.opt_end
            self.opt_room_start = self.opt_room * (size + 1) + self.opt_start
            self.opt_room_end = self.opt_room * (size + 1) + self.opt_end
            self.with_options = np.flatnonzero(np.asarray(counts) > 0)
            self.opt_first = np.concatenate(([0], np.cumsum(counts)[:-1]))[self.with_options]
            self.opt_counts = np.asarray(counts, dtype=np.int64)[self.with_options]
        unscheduled = np.full(n, np.inf)
        if allow_unscheduled:
            w = weights[RULE_UNSCHEDULED]
            unscheduled = np.array([w * unscheduled_value(problem, [talk.id]) for talk in inst.talks], dtype=float)
        # A talk without any placement counts 0, as in the cheapest-placement sum (no complete
        # schedule exists then; the bound stays comparable with partial ones).
        unscheduled[~np.isfinite(cost).any(axis=1)] = 0.0
        self.unscheduled = unscheduled
        # End index of every (talk, start) in the per-talk cumulative price, clipped to the grid.
        self.end = np.minimum(np.arange(size)[None, :] + self.lengths[:, None], size)
        rows = _Rows(size)
        # Room counting per class of rooms (as `build_time_relaxation`).
        used_rooms = frozenset(np.flatnonzero(usable_slots.any(axis=1)).tolist())
        for rooms in [] if self.rooms else sorted(set(room_sets) | {used_rooms}, key=sorted):
            talks = [t for t in range(n) if room_sets[t] and room_sets[t] <= rooms]
            if len(talks) < 2:
                continue
            rows.add(talks, usable_slots[sorted(rooms)].sum(axis=0).astype(float))
        clash_hard = RULE_PERSON_CLASH not in problem.hard_rules.relaxed
        if clash_hard:
            for talks in st.person_talks.values():
                if len(talks) >= 2:
                    rows.add(talks, 1.0)
        w_att = weights[RULE_ATTENDEE_CONFLICT]
        if w_att:
            for talks, multiplicity in st.groups:
                rows.add(talks, 1.0, upper=float(w_att * multiplicity))
        # Similar tracks: active variables per track, groups of talks linked to them.
        w_sim = weights[RULE_SIMILAR_TRACK_CLASH]
        pairs = [(a, b, penalty) for a, b, penalty in st.similar if w_sim and st.track_talks.get(a)
                 and st.track_talks.get(b)]
        tracks = sorted({k for a, b, _ in pairs for k in (a, b)})
        track_id = {k: i for i, k in enumerate(tracks)}
        for k in tracks:
            for group in _presenter_groups(inst, st.track_talks[k], clash_hard):
                rows.add(group, 0.0, active=track_id[k])
        self.n_tracks = len(tracks)
        edges = [(track_id[a], track_id[b], float(w_sim * penalty)) for a, b, penalty in pairs]
        # Exact parts: (track ids, clash cost of every subset of them by bit mask); the pairs
        # between parts are relaxed.
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []
        part_of = {}
        for part in _similar_parts(edges, exact_tracks):
            bit = {k: i for i, k in enumerate(part)}
            masks = np.arange(2 ** len(part), dtype=np.int64)
            table = np.zeros(len(masks))
            for a, b, cost in edges:
                if a in bit and b in bit:
                    table += cost * ((masks >> bit[a]) & (masks >> bit[b]) & 1)
            self.parts.append((np.array(part, dtype=np.int64), table))
            part_of.update(dict.fromkeys(part, len(self.parts)))
        # A pair is relaxed unless both tracks lie in the same part (tracks outside every part
        # get distinct negative ids).
        relaxed = [(a, b, cost) for a, b, cost in edges if part_of.get(a, -1 - a) != part_of.get(b, -1 - b)]
        self.lp_tracks = np.array([k for k in range(self.n_tracks) if k not in part_of], dtype=np.int64)
        self.pair_a = np.array([a for a, _, _ in relaxed], dtype=np.int64)
        self.pair_b = np.array([b for _, b, _ in relaxed], dtype=np.int64)
        self.pair_upper = np.array([cost for _, _, cost in relaxed])
        self._index_rows(rows, n)

    def _index_rows(self, rows: _Rows, n: int) -> None:
        size = self.size
        n_rows = len(rows.members)
        self.n_rows = n_rows
        self.rhs = np.zeros((n_rows, size))
        for r, rhs in enumerate(rows.rhs):
            self.rhs[r] = rhs
        self.upper = np.array(rows.upper)[:, None]
        self.row_active = np.array(rows.active, dtype=np.int64)
        pair_row = np.array([r for r, talks in enumerate(rows.members) for _ in talks], dtype=np.int64)
        pair_talk = np.array([t for talks in rows.members for t in talks], dtype=np.int64)
        # By row (pairs are generated row by row), for the rows' activity: each pair's talk and
        # the flat index of its row in a rows x (slot + 1) array.
        self.by_row_talk = pair_talk
        self.pair_row_offset = pair_row * (size + 1)
        # By talk: price of each talk from the rows containing it.
        order = np.argsort(pair_talk, kind="stable")
        self.by_talk_row = pair_row[order]
        talks_sorted = pair_talk[order]
        self.priced_talks, self.talk_starts = np.unique(talks_sorted, return_index=True)
        # Prices are summed over chunks of talks: the gathered rows then stay in the cache
        # (7 ms against 17 ms per step at 1000 talks).
        ends = np.append(self.talk_starts, len(pair_row))
        self.price_chunks = [(i, min(i + _PRICE_CHUNK, len(self.priced_talks)), ends[i],
                              ends[min(i + _PRICE_CHUNK, len(self.priced_talks))])
                             for i in range(0, len(self.priced_talks), _PRICE_CHUNK)]
        self.linked = np.flatnonzero(self.row_active >= 0)
        self.n_talks = n

    def evaluate(self, mult: np.ndarray, sigma: np.ndarray, mu: np.ndarray | None = None):
        """Lagrangian value and subgradients for row multipliers `mult`, pair multipliers `sigma`
        and (with `rooms`) room multipliers `mu`."""
        n, size = self.n_talks, self.size
        price = np.zeros((n, size))
        if self.n_rows:
            summed = np.empty((len(self.priced_talks), size))
            for i, j, lo, hi in self.price_chunks:
                summed[i:j] = np.add.reduceat(mult[self.by_talk_row[lo:hi]], self.talk_starts[i:j] - lo, axis=0)
            price[self.priced_talks] = summed
        cum = np.zeros((n, size + 1))
        np.cumsum(price, axis=1, out=cum[:, 1:])
        if self.rooms:
            room_cum = np.zeros((self.n_rooms, size + 1))
            np.cumsum(mu, axis=1, out=room_cum[:, 1:])
            flat, room_flat = cum.ravel(), room_cum.ravel()
            total = (self.opt_cost + flat[self.opt_talk_end] - flat[self.opt_talk_start]
                     + room_flat[self.opt_room_end] - room_flat[self.opt_room_start])
            best = np.full(n, np.inf)
            best_start = np.zeros(n, dtype=np.int64)
            best_room = np.zeros(n, dtype=np.int64)
            if len(total):
                lowest = np.minimum.reduceat(total, self.opt_first)
                hits = np.flatnonzero(total == np.repeat(lowest, self.opt_counts))
                talks, first = np.unique(self.opt_talk[hits], return_index=True)
                chosen = hits[first]
                best[talks] = total[chosen]
                best_start[talks] = self.opt_start[chosen]
                best_room[talks] = self.opt_room[chosen]
        else:
            start_cost = self.cost + (np.take_along_axis(cum, self.end, axis=1) - cum[:, :size])
            best_start = np.argmin(start_cost, axis=1)
            best = start_cost[np.arange(n), best_start]
        placed = best <= self.unscheduled
        value = float(np.where(placed, best, self.unscheduled).sum())
        rows_placed = np.flatnonzero(placed)
        value -= float((mult * self.rhs).sum())
        grad = -self.rhs.copy()
        if self.n_rows:
            # Per row, its placed talks running in each slot: +1 at each start, -1 at each end,
            # summed along the slots.
            keep = placed[self.by_row_talk]
            talks = self.by_row_talk[keep]
            first = self.pair_row_offset[keep] + best_start[talks]
            width = self.n_rows * (size + 1)
            steps = np.bincount(first, minlength=width) - np.bincount(first + self.lengths[talks], minlength=width)
            grad += np.cumsum(steps.reshape(self.n_rows, size + 1), axis=1)[:, :size]
        active = np.zeros((self.n_tracks, size))
        if self.n_tracks:
            coef = np.zeros((self.n_tracks, size))
            np.add.at(coef, self.pair_a, sigma)
            np.add.at(coef, self.pair_b, sigma)
            np.subtract.at(coef, self.row_active[self.linked], mult[self.linked])
            rest = coef[self.lp_tracks]
            value += float(np.minimum(rest, 0.0).sum()) - float(sigma.sum())
            active[self.lp_tracks] = rest < 0
            for part, table in self.parts:
                part_value, active[part] = _cheapest_active(coef[part], table, self.slot_tracks)
                value += part_value
            grad[self.linked] -= active[self.row_active[self.linked]]
        sigma_grad = active[self.pair_a] + active[self.pair_b] - 1.0 if len(self.pair_a) else np.zeros((0, size))
        mu_grad = None
        if self.rooms:
            # Rooms: talks placed in the room and running, minus the one it can hold.
            delta = np.zeros((self.n_rooms, size + 1))
            np.add.at(delta, (best_room[rows_placed], best_start[rows_placed]), 1.0)
            np.add.at(delta, (best_room[rows_placed], best_start[rows_placed] + self.lengths[rows_placed]), -1.0)
            mu_grad = np.cumsum(delta, axis=1)[:, :size] - 1.0
            value -= float(mu.sum())
        return value, grad, sigma_grad, mu_grad

    def run(self, *, target: float, deadline: float, stop=None, iterations: int | None = None,
            on_bound: Callable[[int], None] | None = None, floor: float = 0.0) -> int:
        """Subgradient steps until `deadline`, `iterations`, `stop` or the bound reaches `target`.

        Returns the best valid bound (an integer); `on_bound` is called with every improvement.
        """
        mult = np.zeros((self.n_rows, self.size))
        sigma = np.zeros((len(self.pair_a), self.size))
        mu = np.zeros((self.n_rooms, self.size)) if self.rooms else None
        best_value = -math.inf
        reported = math.floor(floor)
        factor, stale = 1.0, 0
        done = 0
        last_grad, last_sigma, last_mu = None, None, None
        while True:
            value, grad, sigma_grad, mu_grad = self.evaluate(mult, sigma, mu)
            done += 1
            if not math.isfinite(value):
                break  # a talk without any placement: no schedule, no bound to report
            if value > best_value + 1e-9:
                best_value, stale = value, 0
            else:
                stale += 1
                if stale >= PATIENCE:
                    factor, stale = max(factor / 2, 1e-4), 0
            bound = math.ceil(best_value - _ROUNDING_MARGIN)
            if bound > reported:
                reported = bound
                if on_bound is not None:
                    on_bound(bound)
            if reported >= target or (iterations is not None and done >= iterations):
                break
            if clock.monotonic() >= deadline or (stop is not None and stop.is_set()):
                break
            # Projected direction: components that would leave the multiplier's range are zeroed.
            grad[((mult <= 0) & (grad < 0)) | ((mult >= self.upper) & (grad > 0))] = 0.0
            sigma_grad[((sigma <= 0) & (sigma_grad < 0)) | ((sigma >= self.pair_upper[:, None]) & (sigma_grad > 0))] = 0
            if mu is not None:
                mu_grad[(mu <= 0) & (mu_grad < 0)] = 0.0
            norm = _norm(grad, sigma_grad, mu_grad)
            if norm <= 0:
                break  # the relaxation's optimum is reached
            if last_grad is not None:
                grad = grad + DEFLECTION * last_grad
                sigma_grad = sigma_grad + DEFLECTION * last_sigma
                if mu is not None:
                    mu_grad = mu_grad + DEFLECTION * last_mu
                norm = _norm(grad, sigma_grad, mu_grad)
            last_grad, last_sigma, last_mu = grad, sigma_grad, mu_grad
            step = factor * max(target - value, 1.0) / norm
            mult = np.clip(mult + step * grad, 0.0, self.upper)
            sigma = np.clip(sigma + step * sigma_grad, 0.0, self.pair_upper[:, None])
            if mu is not None:
                mu = np.maximum(mu + step * mu_grad, 0.0)
        self.iterations = done
        return reported


@cache
def _subsets(r: int) -> tuple[np.ndarray, np.ndarray]:
    """Every subset of r items as rows of 0/1 (2^r x r), as integers and as floats."""
    bits = (np.arange(2 ** r, dtype=np.int64)[:, None] >> np.arange(r, dtype=np.int64)) & 1
    return bits, bits.astype(float)


def _cheapest_active(coef: np.ndarray, table: np.ndarray, limit: int = EXACT_SLOT_TRACKS
                     ) -> tuple[float, np.ndarray]:
    """Per slot, the subset A of a part's tracks minimising table[A] + sum of coef over A.

    `coef` is tracks x slots, `table` the clash cost of every subset by bit mask (>= 0, and
    adding a track never lowers it). A track with coef >= 0 never lowers the sum, so per slot
    only the subsets of the tracks with coef < 0 are enumerated, slots grouped by their count.
    Where more than `limit` tracks have coef < 0, the subsets of the `limit` lowest are
    enumerated and the others are active without their clashes: dropping costs >= 0 keeps
    the minimum a lower bound (exact below the limit). Returns the summed minimum and the
    chosen 0/1 activity (tracks x slots).
    """
    m, size = coef.shape
    negative = coef < 0
    counts = negative.sum(axis=0)
    active = np.zeros((m, size))
    value = 0.0
    over = counts > limit
    if over.any():
        # Beyond the limit: the lowest `limit` stay candidates, the rest run with coef alone.
        order = np.argsort(coef[:, over], axis=0, kind="stable")
        rest = np.zeros((m, int(over.sum())), dtype=bool)
        np.put_along_axis(rest, order[limit:], True, axis=0)
        rest &= negative[:, over]
        value += float(coef[:, over][rest].sum())
        active[:, over] = rest
        negative[:, over] &= ~rest
        counts = negative.sum(axis=0)
    for r in np.unique(counts[counts > 0]).tolist():
        slots = np.flatnonzero(counts == r)
        # The r tracks with coef < 0 of each slot (r x slots): True sorts first.
        tracks = np.argsort(~negative[:, slots], axis=0, kind="stable")[:r]
        bits, fbits = _subsets(r)
        masks = bits @ (np.int64(1) << tracks)
        values = table[masks] + fbits @ coef[tracks, slots[None, :]]
        best = np.argmin(values, axis=0)
        value += float(values[best, np.arange(len(slots))].sum())
        active[tracks, slots[None, :]] = fbits[best].T
    return value, active


def _similar_parts(edges: list[tuple[int, int, float]], limit: int) -> list[list[int]]:
    """Parts of at most `limit` tracks of the similarity graph: a connected family whole when it
    fits, else grown greedily from its most connected track by the track most tied to the part."""
    tie: dict[int, dict[int, float]] = defaultdict(dict)
    for a, b, cost in edges:
        tie[a][b] = tie[a].get(b, 0.0) + cost
        tie[b][a] = tie[b].get(a, 0.0) + cost
    parts: list[list[int]] = []
    left = set(tie) if limit >= 2 else set()
    while left:
        seed = max(sorted(left), key=lambda k: sum(w for j, w in tie[k].items() if j in left))
        part, left = [seed], left - {seed}
        pull = {j: w for j, w in tie[seed].items() if j in left}
        while pull and len(part) < limit:
            k = max(sorted(pull), key=pull.__getitem__)
            part.append(k)
            left.discard(k)
            del pull[k]
            for j, w in tie[k].items():
                if j in left:
                    pull[j] = pull.get(j, 0.0) + w
        if len(part) >= 2:
            parts.append(sorted(part))
    return parts


def _norm(*grads: np.ndarray | None) -> float:
    """Squared norm of a subgradient given in parts."""
    return float(sum((g * g).sum() for g in grads if g is not None))


def _presenter_groups(inst: Instance, talks: list[int], clash_hard: bool) -> list[list[int]]:
    """Partition of a track's talks into groups sharing a presenter (singletons when clashes are soft)."""
    if not clash_hard:
        return [[t] for t in talks]
    left = set(talks)
    groups = []
    while left:
        # The presenter shared by most remaining talks (the chair, when the track has one).
        count: dict[str, list[int]] = defaultdict(list)
        for t in sorted(left):
            for p in inst.presenters[t]:
                count[p].append(t)
        person = max(sorted(count), key=lambda p: len(count[p]), default=None)
        group = count[person] if person is not None else []
        if len(group) < 2:
            groups.extend([t] for t in sorted(left))
            break
        groups.append(group)
        left -= set(group)
    return groups


def bounds_in_process(dual: LagrangianBound, *, target: float, deadline: float, stopped) -> Iterator[int]:
    """Run `dual.run` until `deadline` (`time.monotonic()`) in a child process; yield its bounds.

    A process, not a thread: the annealer keeps the GIL busy in the main thread, and the
    many small numpy calls of a step then wait for it (190 ms per step instead of 8 ms at
    200 talks). The child is killed as soon as `stopped.is_set()`.
    """
    yield from results_from_child("scheduler.lagrangian:_serve", (dual, target, deadline), stopped)


def _serve() -> None:
    """Child side of `bounds_in_process`."""

    def work(payload, emit) -> None:
        dual, target, deadline = payload
        dual.run(target=target, deadline=deadline, on_bound=emit)

    serve(work)
