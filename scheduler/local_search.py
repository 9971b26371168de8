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

import math
import random
import time as clock
from bisect import bisect_right
from collections import defaultdict

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


class Annealer:
    """Incremental cost of a schedule under single-talk moves."""

    def __init__(self, inst: Instance, placed: dict[int, Option | None]):
        self.inst = inst
        st = static(inst)
        weights = term_weights(inst.problem)
        self.lengths = [t.slots for t in inst.talks]
        self.presenters = inst.presenters
        self.tracks = [t.track for t in inst.talks]
        self.cost_of: list[dict[Option, int]] = []
        self.options: list[list[Option]] = []
        self.cheap: list[list[Option]] = []
        self.at: list[dict[tuple[int, int], Option]] = []
        self.by_cost: list[list[Option]] = []  # options, cheapest first
        self.sorted_costs: list[list[int]] = []
        for t in range(len(inst.talks)):
            options = inst.option_list(t)
            costs = inst.option_costs(t)
            self.options.append(options)
            self.cost_of.append(dict(zip(options, costs, strict=True)))
            self.at.append({(o[0], o[3]): o for o in options})
            order = sorted(range(len(options)), key=costs.__getitem__)
            by_cost = [options[i] for i in order]
            self.by_cost.append(by_cost)
            self.cheap.append(by_cost[: max(8, len(order) // 8)])
            self.sorted_costs.append([costs[i] for i in order])
        w_att = weights[RULE_ATTENDEE_CONFLICT]
        self.groups = (
            [(talks, multiplicity * w_att) for talks, multiplicity in st.groups] if w_att else []
        )
        self.talk_groups = [[] for _ in inst.talks]
        for i, (talks, _) in enumerate(self.groups):
            for t in talks:
                self.talk_groups[t].append(i)
        w_sim = weights[RULE_SIMILAR_TRACK_CLASH]
        self.similar: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for a, b, penalty in st.similar if w_sim else ():
            self.similar[a].append((b, penalty * w_sim))
            self.similar[b].append((a, penalty * w_sim))
        self.w_coh = weights[RULE_TRACK_COHESION]
        self.cohesive = set(st.cohesive) if self.w_coh else set()
        self.w_ord = weights[RULE_TRACK_ORDER]
        self.order_pairs = [[] for _ in inst.talks]
        for a, b in st.ordered_pairs if self.w_ord else ():
            self.order_pairs[a].append((a, b))
            self.order_pairs[b].append((a, b))
        self.placed: dict[int, Option | None] = dict.fromkeys(placed)
        # State as lists per global slot (indexing a list is faster than a dict keyed by tuples):
        # the talk holding each room (-1: free); per presenter, their talks running; per wish
        # set, its talks running; per track, its talks running. Per talk, the lists it touches.
        size = inst.grid.size
        self.room_at: list[list[int]] = [[-1] * size for _ in inst.rooms]
        person_count = {p: [0] * size for ps in self.presenters for p in ps}
        self.busy = [[person_count[p] for p in ps] for ps in self.presenters]
        self.group_count: list[list[int]] = [[0] * size for _ in self.groups]
        self.wishes = [[(self.group_count[i], self.groups[i][1]) for i in self.talk_groups[t]]
                       for t in range(len(inst.talks))]
        track_count = {k: [0] * size for k in self.tracks if k is not None}
        self.track_slots = [track_count.get(k) if k is not None else None for k in self.tracks]
        self.partners = [[(track_count[other], penalty) for other, penalty in self.similar.get(k, ())
                          if other in track_count] if k is not None else [] for k in self.tracks]
        self.cohesion: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
        self.cost = 0
        for t, option in placed.items():
            if option is not None:
                self.cost += self.add(t, option)

    # -- state updates, each returning the change of the objective --------------------------
    def _order_cost(self, t: int) -> int:
        late = 0
        for a, b in self.order_pairs[t]:
            oa, ob = self.placed.get(a), self.placed.get(b)
            if oa is not None and ob is not None and ob[3] < oa[3] + self.lengths[a]:
                late += 1
        return late * self.w_ord

    def add(self, t: int, option: Option) -> int:
        delta = self.cost_of[t][option]
        length = self.lengths[t]
        r, gs = option[0], option[3]
        slots = range(gs, gs + length)
        room_slots, busy = self.room_at[r], self.busy[t]
        for g in slots:
            room_slots[g] = t
            for counts in busy:
                counts[g] += 1
        for count, weight in self.wishes[t]:
            for g in slots:
                if count[g] >= 1:
                    delta += weight
                count[g] += 1
        track = self.tracks[t]
        if track is not None:
            mine, partners = self.track_slots[t], self.partners[t]
            for g in slots:
                if mine[g] == 0:
                    for other, penalty in partners:
                        if other[g]:
                            delta += penalty
                mine[g] += 1
            if track in self.cohesive:
                rooms = self.cohesion[track, option[1]]
                if r not in rooms:
                    if rooms:
                        delta += self.w_coh
                    rooms[r] = 0
                rooms[r] += 1
        before = self._order_cost(t) if self.order_pairs[t] else 0
        self.placed[t] = option
        if self.order_pairs[t]:
            delta += self._order_cost(t) - before
        return delta

    def remove(self, t: int) -> int:
        option = self.placed[t]
        delta = -self.cost_of[t][option]
        length = self.lengths[t]
        r, gs = option[0], option[3]
        slots = range(gs, gs + length)
        room_slots, busy = self.room_at[r], self.busy[t]
        for g in slots:
            if room_slots[g] == t:
                room_slots[g] = -1
            for counts in busy:
                counts[g] -= 1
        for count, weight in self.wishes[t]:
            for g in slots:
                count[g] -= 1
                if count[g] >= 1:
                    delta -= weight
        track = self.tracks[t]
        if track is not None:
            mine, partners = self.track_slots[t], self.partners[t]
            for g in slots:
                mine[g] -= 1
                if mine[g] == 0:
                    for other, penalty in partners:
                        if other[g]:
                            delta -= penalty
            if track in self.cohesive:
                rooms = self.cohesion[track, option[1]]
                rooms[r] -= 1
                if rooms[r] == 0:
                    del rooms[r]
                    if rooms:
                        delta -= self.w_coh
        before = self._order_cost(t) if self.order_pairs[t] else 0
        self.placed[t] = None
        if self.order_pairs[t]:
            delta += self._order_cost(t) - before
        return delta

    def coupling(self, t: int, option: Option) -> int:
        """At least what leaving `option` would save: its attendee conflicts and similar-track
        clashes exactly, plus the most that track cohesion and order can save."""
        gain = 0
        slots = range(option[3], option[3] + self.lengths[t])
        for count, weight in self.wishes[t]:
            for g in slots:
                if count[g] >= 2:
                    gain += weight
        partners = self.partners[t]
        if partners:
            mine = self.track_slots[t]
            for g in slots:
                if mine[g] == 1:
                    for other, penalty in partners:
                        if other[g]:
                            gain += penalty
        return gain + self.w_coh + self.w_ord * len(self.order_pairs[t])

    def fits(self, t: int, option: Option) -> bool:
        """Room free and presenters not busy (with `t` itself removed)."""
        room_slots, busy = self.room_at[option[0]], self.busy[t]
        for g in range(option[3], option[3] + self.lengths[t]):
            if room_slots[g] >= 0:
                return False
            for counts in busy:
                if counts[g]:
                    return False
        return True

    def fits_moved(self, t: int, option: Option) -> bool:
        """`fits` for placed talk `t` without removing it first (its own slots do not count)."""
        current = self.placed[t]
        own = range(current[3], current[3] + self.lengths[t])
        room_slots, busy = self.room_at[option[0]], self.busy[t]
        for g in range(option[3], option[3] + self.lengths[t]):
            holder = room_slots[g]
            if holder >= 0 and holder != t:
                return False
            mine = 1 if g in own else 0
            for counts in busy:
                if counts[g] > mine:
                    return False
        return True

    def move_delta(self, t: int, new: Option) -> int:
        """Objective change of moving placed talk `t` to `new`, without changing the state."""
        old = self.placed[t]
        delta = self.cost_of[t][new] - self.cost_of[t][old]
        length = self.lengths[t]
        before = range(old[3], old[3] + length)
        after = range(new[3], new[3] + length)
        left = [g for g in before if g not in after]
        entered = [g for g in after if g not in before]
        for count, weight in self.wishes[t]:
            for g in left:
                if count[g] >= 2:
                    delta -= weight
            for g in entered:
                if count[g] >= 1:
                    delta += weight
        track = self.tracks[t]
        if track is not None:
            mine, partners = self.track_slots[t], self.partners[t]
            if partners:
                for g in left:
                    if mine[g] == 1:
                        for other, penalty in partners:
                            if other[g]:
                                delta -= penalty
                for g in entered:
                    if mine[g] == 0:
                        for other, penalty in partners:
                            if other[g]:
                                delta += penalty
            if track in self.cohesive and (old[0], old[1]) != (new[0], new[1]):
                rooms_old = self.cohesion[track, old[1]]
                rooms_new = self.cohesion[track, new[1]]
                gone = rooms_old[old[0]] == 1  # `t` was the last talk of the track in its room
                if gone and len(rooms_old) > 1:
                    delta -= self.w_coh
                if new[0] not in rooms_new or (gone and new[1] == old[1] and new[0] == old[0]):
                    others = len(rooms_new) - (1 if gone and new[1] == old[1] else 0)
                    if others >= 1:
                        delta += self.w_coh
        if self.order_pairs[t]:
            cost_before = self._order_cost(t)
            self.placed[t] = new
            delta += self._order_cost(t) - cost_before
            self.placed[t] = old
        return delta

    def _eject(self, t: int, old: Option, new: Option, temperature: float, rand, exp) -> bool:
        """Move `t` to `new`, whose room is held by one other talk; re-place that talk at the best
        of a few placements (`t`'s old one among them). Metropolis decides; False leaves all as was.
        """
        room_slots = self.room_at[new[0]]
        holder = None
        for g in range(new[3], new[3] + self.lengths[t]):
            h = room_slots[g]
            if h >= 0 and h != t and h != holder:
                if holder is not None:
                    return False  # two talks in the way
                holder = h
        if holder is None or len(self.options[holder]) < 2:
            return False
        u, other = holder, self.placed[holder]
        delta = self.remove(t) + self.remove(u)
        if not self.fits(t, new):
            self.add(t, old)
            self.add(u, other)
            return False
        delta += self.add(t, new)
        cheap = self.cheap[u]
        candidates = [self.at[u].get((old[0], old[3]))]
        candidates += [cheap[int(rand() * len(cheap))] for _ in range(EJECT_TRIES)]
        best, best_delta = None, 0
        for option in candidates:
            if option is None or option == other or not self.fits(u, option):
                continue
            change = self.add(u, option)
            self.remove(u)
            if best is None or change < best_delta:
                best, best_delta = option, change
        if best is not None:
            delta += best_delta
            if delta <= 0 or rand() < exp(-delta / temperature):
                self.add(u, best)
                self.cost += delta
                return True
        self.remove(t)
        self.add(t, old)
        self.add(u, other)
        return False

    # -- the search ---------------------------------------------------------------------------
    def descend(self, deadline: float | None = None) -> int:
        """Best-improvement descent: each talk in turn moves to its best free placement if that
        lowers the cost, in rounds until a round changes nothing (or `deadline`). Returns the
        change of the cost. Annealing samples placements; this looks at all of them, which finds
        the improvements the sampling missed (about 80 at 1000 talks after 120 s).
        """
        total = 0
        changed = True
        while changed:
            changed = False
            for t, old in self.placed.items():
                if old is None or (deadline is not None and clock.monotonic() >= deadline):
                    return total
                best, best_delta = None, 0
                for option in self.options[t]:
                    if option != old and self.fits_moved(t, option):
                        delta = self.move_delta(t, option)
                        if delta < best_delta:
                            best, best_delta = option, delta
                if best is not None:
                    self.remove(t)
                    self.add(t, best)
                    self.cost += best_delta
                    total += best_delta
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
        and no deadline is deterministic for a given seed.
        """
        best_cost, best = self.cost, dict(self.placed)
        movable = [t for t, o in self.placed.items() if o is not None and len(self.options[t]) > 1]
        if not movable:
            return best_cost, best
        by_length: dict[int, list[int]] = defaultdict(list)
        for t in movable:
            by_length[self.lengths[t]].append(t)
        ratio = end_temperature / start_temperature
        temperature = start_temperature
        exp, rand = math.exp, rng.random
        same_length_below = (1.0 + RELOCATE_SHARE + EJECT_SHARE) / 2  # first half of the swaps
        for k in range(moves):
            if k % 2000 == 0:
                temperature = start_temperature * ratio ** (k / moves)
                if (deadline is not None and clock.monotonic() >= deadline) or (
                    stop is not None and stop.is_set()
                ):
                    break
            t = movable[int(rand() * len(movable))]
            old = self.placed[t]
            kind = rand()
            if kind < RELOCATE_SHARE:  # move to another placement
                if kind < RELOCATE_SHARE / 2:
                    pool = self.cheap[t]
                    new = pool[int(rand() * len(pool))]
                else:
                    limit = self.cost_of[t][old] + self.coupling(t, old) + REACH * temperature
                    costs = self.sorted_costs[t]
                    reach = bisect_right(costs, limit)
                    new = self.by_cost[t][int(rand() * reach)]  # reach >= 1: `old` is within it
                if new == old or not self.fits_moved(t, new):
                    continue
                delta = self.move_delta(t, new)
                if delta <= 0 or rand() < exp(-delta / temperature):
                    self.remove(t)
                    self.add(t, new)
                    self.cost += delta
                else:
                    continue
            elif kind < RELOCATE_SHARE + EJECT_SHARE:  # take a cheap placement, re-place its holder
                cheap = self.cheap[t]
                new = cheap[int(rand() * len(cheap))]
                if new == old or not self._eject(t, old, new, temperature, rand, exp):
                    continue
            else:  # swap placements with another talk (of equal length, half of the time)
                same = by_length[self.lengths[t]] if kind < same_length_below else movable
                u = same[int(rand() * len(same))]
                other = self.placed[u]
                if u == t or other is None:
                    continue
                new_t = self.at[t].get((other[0], other[3]))
                new_u = self.at[u].get((old[0], old[3]))
                if new_t is None or new_u is None:
                    continue
                # Screen: a swap whose placement costs rise by more than both talks' coupling
                # costs and REACH temperatures is (almost) never accepted; skip its bookkeeping.
                cost_t, cost_u = self.cost_of[t], self.cost_of[u]
                placement = cost_t[new_t] - cost_t[old] + cost_u[new_u] - cost_u[other]
                if placement > self.coupling(t, old) + self.coupling(u, other) + REACH * temperature:
                    continue
                delta = self.remove(t) + self.remove(u)
                if not self.fits(t, new_t):
                    self.add(t, old)
                    self.add(u, other)
                    continue
                delta += self.add(t, new_t)
                if not self.fits(u, new_u):
                    self.remove(t)
                    self.add(t, old)
                    self.add(u, other)
                    continue
                delta += self.add(u, new_u)
                if delta <= 0 or rand() < exp(-delta / temperature):
                    self.cost += delta
                else:
                    self.remove(t)
                    self.remove(u)
                    self.add(t, old)
                    self.add(u, other)
                    continue
            if self.cost < best_cost:
                best_cost, best = self.cost, dict(self.placed)
        return best_cost, best

