"""Simulated annealing over complete schedules, with exact incremental cost updates.

CP-SAT sub-models (LNS) re-optimise a few talks at a time but cost about a second each at
200 talks, because their LP relaxes the coupling terms poorly and most time is spent
proving. This search instead makes millions of small moves (move one talk to another
placement; take a placement held by one other talk and re-place that talk; swap the
placements of two talks) and keeps every term up to date incrementally, so a move costs a
few microseconds of bookkeeping. Moves that cannot be accepted at the current temperature
are skipped before any bookkeeping (`REACH`). `Annealer.descend` then tries every placement
of every talk.

Hard rules are never broken by a move: a placement must be one of the talk's options, its
room free and its presenters (speakers and chairs) not busy. Person clashes already present
(only possible when `person-clash` is relaxed) are left as they are; the final objective is
always recomputed exactly by `formulation.evaluate`.
"""

from __future__ import annotations

import random
import time as clock
from collections import defaultdict

import numpy as np

from . import anneal_kernel as kernel
from .formulation import static, term_weights
from .instance import Instance, Option
from .rules import (
    RULE_ATTENDEE_CONFLICT,
    RULE_SIMILAR_TRACK_CLASH,
    RULE_TRACK_COHESION,
    RULE_TRACK_ORDER,
)

# Share of an annealing run's time left for the exhaustive descent (`Annealer.descend`) at the
# end: one round over every placement of 1000 talks takes about 1.5 s.
POLISH_SHARE = 0.04
# Move mix: relocations (half to one of the talk's cheapest placements), ejections (take one of
# the cheapest placements and re-place the talk holding its room), and swaps of placements.
RELOCATE_SHARE = 0.45
EJECT_SHARE = 0.15
# Relocations pick among placements costing at most the talk's current placement, what leaving
# it would save (`coupling`), and this many temperatures: the rest is almost never accepted. At
# 1000 talks, seeds 2 and 3, 8 M moves (`bench/solver_parts.py anneal`): 47787 / 50263 before,
# 47625 / 50034 with this and the swap screen below, at about 5 % fewer moves per second.
REACH = 6.0
EJECT_TRIES = 3  # placements tried for the ejected talk, besides the one the mover left
# Compiled moves per call of the kernel between deadline checks, and talks per descent call.
RUN_CHUNK = 20_000
DESCENT_CHUNK = 25


class Annealer:
    """Incremental cost of a schedule under single-talk moves (state in `anneal_kernel.State`)."""

    def __init__(self, inst: Instance, placed: dict[int, Option | None]):
        st = static(inst)
        weights = term_weights(inst.problem)
        grid_size, n_rooms, n_blocks = inst.grid.size, len(inst.rooms), len(inst.grid.blocks)
        n = len(inst.talks)
        lengths = [t.slots for t in inst.talks]
        # Options, cheapest first per talk (a stable sort: equal costs keep the instance's order).
        self.options: list[list[Option]] = []
        lo, o_cost = [0], []
        for t in range(n):
            options, costs = inst.option_list(t), inst.option_costs(t)
            order = sorted(range(len(options)), key=costs.__getitem__)
            self.options.append([options[i] for i in order])
            o_cost.extend(costs[i] for i in order)
            lo.append(len(o_cost))
        flat = [o for options in self.options for o in options]
        self._flat = flat
        # (room, start) -> option, per talk, through a dense table over the talk's rooms and starts.
        room_pos = [-1] * (n * n_rooms)
        start_pos = [-1] * (n * grid_size)
        n_starts, table_lo, table = [], [], []
        for t, options in enumerate(self.options):
            rooms = list(dict.fromkeys(o[0] for o in options))
            starts = list(dict.fromkeys(o[3] for o in options))
            for i, r in enumerate(rooms):
                room_pos[t * n_rooms + r] = i
            for i, g in enumerate(starts):
                start_pos[t * grid_size + g] = i
            n_starts.append(len(starts))
            table_lo.append(len(table))
            cells = [-1] * (len(rooms) * len(starts))
            for k, o in enumerate(options, start=lo[t]):
                cells[room_pos[t * n_rooms + o[0]] * len(starts) + start_pos[t * grid_size + o[3]]] = k
            table.extend(cells)
        people = {p: i for i, p in enumerate(dict.fromkeys(p for ps in inst.presenters for p in ps))}
        w_att = weights[RULE_ATTENDEE_CONFLICT]
        groups = [(talks, multiplicity * w_att) for talks, multiplicity in st.groups] if w_att else []
        talk_groups: list[list[int]] = [[] for _ in range(n)]
        for i, (talks, _) in enumerate(groups):
            for t in talks:
                talk_groups[t].append(i)
        track_ids = list(dict.fromkeys(t.track for t in inst.talks if t.track is not None))
        track_index = {k: i for i, k in enumerate(track_ids)}
        w_sim = weights[RULE_SIMILAR_TRACK_CLASH]
        similar: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for a, b, penalty in st.similar if w_sim else ():
            if a in track_index and b in track_index:
                similar[track_index[a]].append((track_index[b], penalty * w_sim))
                similar[track_index[b]].append((track_index[a], penalty * w_sim))
        w_coh, w_ord = weights[RULE_TRACK_COHESION], weights[RULE_TRACK_ORDER]
        cohesive = set(st.cohesive) if w_coh else set()
        order_pairs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for a, b in st.ordered_pairs if w_ord else ():
            order_pairs[a].append((a, b))
            order_pairs[b].append((a, b))
        self.keys = list(placed)
        movable = sorted((lengths[t], t) for t, o in placed.items() if o is not None and lo[t + 1] - lo[t] > 1)
        len_lo = [0] * (max(lengths, default=0) + 2)
        for length, _ in movable:
            len_lo[length + 1] += 1
        for i in range(1, len(len_lo)):
            len_lo[i] += len_lo[i - 1]
        arrays = {
            "size": [grid_size, n_rooms, n_blocks],
            "length": lengths,
            "lo": lo,
            "cheap": [min(lo[t + 1] - lo[t], max(8, (lo[t + 1] - lo[t]) // 8)) for t in range(n)],
            "o_room": [o[0] for o in flat], "o_block": [o[1] for o in flat], "o_gs": [o[3] for o in flat],
            "o_cost": o_cost,
            "room_pos": room_pos, "start_pos": start_pos, "n_starts": n_starts, "table_lo": table_lo,
            "table": table,
            "pres_lo": _offsets(len(ps) for ps in inst.presenters),
            "pres": [people[p] for ps in inst.presenters for p in ps],
            "busy": [0] * (len(people) * grid_size),
            "wish_lo": _offsets(len(g) for g in talk_groups), "wish": [i for g in talk_groups for i in g],
            "wish_weight": [weight for _, weight in groups],
            "wish_count": [0] * (len(groups) * grid_size),
            "track": [track_index[t.track] if t.track is not None else -1 for t in inst.talks],
            "track_count": [0] * (len(track_ids) * grid_size),
            "part_lo": _offsets(len(similar[k]) for k in range(len(track_ids))),
            "part_other": [o for k in range(len(track_ids)) for o, _ in similar[k]],
            "part_penalty": [p for k in range(len(track_ids)) for _, p in similar[k]],
            "cohesive": [int(k in cohesive) for k in track_ids],
            "coh_count": [0] * (len(track_ids) * n_blocks * n_rooms),
            "coh_rooms": [0] * (len(track_ids) * n_blocks),
            "ord_lo": _offsets(len(pairs) for pairs in order_pairs),
            "ord_a": [a for pairs in order_pairs for a, _ in pairs],
            "ord_b": [b for pairs in order_pairs for _, b in pairs],
            "weights": [w_coh, w_ord],
            "room_at": [-1] * (n_rooms * grid_size),
            "placed": [-1] * n,
            "movable": [t for _, t in movable],
            "len_lo": len_lo,
        }
        self.S = kernel.State(**{name: _array(values) for name, values in arrays.items()})
        self.V = _array([0, 1, 0])  # cost, random generator state, best cost of a run
        self.load(placed)

    def load(self, schedule: dict[int, Option | None]) -> None:
        """Make `schedule` (placed or not as before: the movable talks stay the same) the state."""
        for t in self.keys:
            if self.S.placed[t] >= 0:
                self.V[0] += kernel.remove(self.S, t)
        for t in self.keys:
            option = schedule[t]
            if option is not None:
                self.V[0] += kernel.add(self.S, t, self._index(t, option))

    # -- views in the instance's terms ---------------------------------------------------------
    @property
    def cost(self) -> int:
        return int(self.V[0])

    @property
    def placed(self) -> dict[int, Option | None]:
        return self._schedule(self.S.placed)

    def _schedule(self, at) -> dict[int, Option | None]:
        flat = self._flat
        return {t: flat[at[t]] if at[t] >= 0 else None for t in self.keys}

    def _index(self, t: int, option: Option) -> int:
        k = int(kernel.lookup(self.S, t, option[0], option[3]))
        if k < 0:
            raise ValueError(f"{option} is not an option of talk {t}")
        return k

    def placement_cost(self, t: int, option: Option) -> int:
        return int(self.S.o_cost[self._index(t, option)])

    def coupling(self, t: int, option: Option) -> int:
        """At least what leaving `option` would save (see `anneal_kernel.coupling`)."""
        return int(kernel.coupling(self.S, t, self._index(t, option)))

    def fits_moved(self, t: int, option: Option) -> bool:
        """Placed talk `t` could move to `option`: room free and presenters not busy."""
        return bool(kernel.fits_moved(self.S, t, self._index(t, option)))

    def eject(self, t: int, new: Option, temperature: float, rng: random.Random) -> bool:
        """One ejection move of placed talk `t` to `new` (see `anneal_kernel.eject`)."""
        self.V[1] = rng.getrandbits(32) or 1
        return bool(kernel.eject(self.S, self.V, t, int(self.S.placed[t]), self._index(t, new),
                                 float(temperature), EJECT_TRIES))

    # -- the search ---------------------------------------------------------------------------
    def descend(self, deadline: float | None = None) -> int:
        """Best-improvement descent: each talk in turn moves to its best free placement if that
        lowers the cost, in rounds until a round changes nothing (or `deadline`). Returns the
        change of the cost. Annealing samples placements; this looks at all of them, which finds
        the improvements the sampling missed (about 80 at 1000 talks after 120 s).
        """
        talks = _array([t for t in self.keys if self.S.placed[t] >= 0])
        step = DESCENT_CHUNK if kernel.COMPILED else 1
        total = 0
        changed = True
        while changed:
            changed = False
            for first in range(0, len(talks), step):
                if deadline is not None and clock.monotonic() >= deadline:
                    return total
                change = int(kernel.descend(self.S, self.V, talks, first, min(len(talks), first + step)))
                if change < 0:
                    total += change
                    changed = True
        return total

    def run(
        self,
        rng: random.Random,
        *,
        moves: int,
        deadline: float | None = None,
        start_temperature: float = 30.0,
        end_temperature: float = 0.5,
        stop=None,
    ) -> tuple[int, dict[int, Option | None]]:
        """Anneal for `moves` moves (or until `deadline`); return the best cost and schedule seen.

        The temperature falls geometrically with the move count, so a run with a move budget
        and no deadline is deterministic for a given seed (compiled or not).
        """
        S, V = self.S, self.V
        V[1] = rng.getrandbits(32) or 1
        V[2] = V[0]
        best = S.placed.copy()
        step = RUN_CHUNK if kernel.COMPILED else 2000
        for first in range(0, moves, step):
            if (deadline is not None and clock.monotonic() >= deadline) or (stop is not None and stop.is_set()):
                break
            V[2] = kernel.run(S, V, best, first, min(moves, first + step), moves, float(start_temperature),
                              float(end_temperature), float(RELOCATE_SHARE), float(EJECT_SHARE), float(REACH),
                              int(EJECT_TRIES))
        return int(V[2]), self._schedule(best)


def _offsets(sizes) -> list[int]:
    out = [0]
    for size in sizes:
        out.append(out[-1] + size)
    return out


def _array(values: list[int]):
    """A numpy array for the compiled kernel; a list (faster to index in Python) without it."""
    return np.asarray(values, dtype=np.int64) if kernel.COMPILED else list(values)
