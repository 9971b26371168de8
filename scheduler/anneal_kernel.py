"""The annealer's inner loop over flat integer arrays, compiled by numba when it is installed.

`local_search.Annealer` lays a schedule out as flat arrays (one entry per option, per room and
slot, per person and slot, ...) and calls these functions for whole chunks of moves. With
numba (a dependency of the product, optional for the library) they are compiled to machine
code, about 10x faster than the same functions in Python; without it, or with
`SCHEDULER_NO_JIT=1`, the very same functions run as plain Python over lists. Both give the
same schedules for a seed: the random numbers come from a 32-bit xorshift generator kept in
the state, not from numba's or Python's.

`S` is a `State` (a named tuple of arrays, see `local_search.Annealer`), `V` a small array of
changing scalars: V[0] the current cost, V[1] the generator's state, V[2] the best cost of the
current run. Options are numbered globally; talk t's options are lo[t] ... lo[t+1]-1,
cheapest first.
"""

from __future__ import annotations

import math
import os
from collections import namedtuple

State = namedtuple("State", [
    "size",        # [slots in the grid, rooms, blocks]
    "length",      # per talk: slots it takes
    "lo",          # per talk (+1): first option; options of talk t are lo[t] .. lo[t+1]-1
    "cheap",       # per talk: how many of its cheapest options relocations and ejections sample
    "o_room", "o_block", "o_gs", "o_cost",  # per option
    "room_pos",    # per talk and room: the room's place among the talk's rooms, or -1
    "start_pos",   # per talk and global slot: the start's place among the talk's starts, or -1
    "n_starts",    # per talk: how many starts it has
    "table_lo",    # per talk: where its (room place, start place) -> option table begins
    "table",       # option at (room place, start place), or -1
    "pres_lo", "pres",  # per talk: presenters (speakers and chairs), by person index
    "busy",        # per person and slot: how many of their talks run
    "wish_lo", "wish",  # per talk: attendee wish sets that want it
    "wish_weight",  # per wish set: weight of one missed talk (attendees x term weight)
    "wish_count",  # per wish set and slot: how many of its talks run
    "track",       # per talk: track index, or -1
    "track_count",  # per track and slot: how many of its talks run
    "part_lo", "part_other", "part_penalty",  # per track: similar tracks and clash penalties
    "cohesive",    # per track: 1 if cohesion is counted
    "coh_count",   # per (track, block, room): talks of the track there
    "coh_rooms",   # per (track, block): rooms the track uses
    "ord_lo", "ord_a", "ord_b",  # per talk: ordered pairs (a before b) it belongs to
    "weights",     # [cohesion weight, order weight]
    "room_at",     # per room and slot: the talk holding it, or -1
    "placed",      # per talk: its option, or -1
    "movable",     # talks placed with more than one option, grouped by length
    "len_lo",      # per length (+1): where talks of that length begin in `movable`
])

if os.environ.get("SCHEDULER_NO_JIT"):
    numba = None
else:
    try:
        import numba
    except ImportError:  # the library runs without it, only slower
        numba = None

COMPILED = numba is not None


def _jit(function):
    return numba.njit(cache=True, nogil=True)(function) if COMPILED else function


@_jit
def rand(V):
    """Next number in [0, 1) from the 32-bit xorshift generator in V[1] (never 0)."""
    x = V[1]
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    V[1] = x
    return x / 4294967296.0


@_jit
def lookup(S, t, room, gs):
    """Talk t's option in `room` starting at global slot `gs`, or -1."""
    rp = S.room_pos[t * S.size[1] + room]
    if rp < 0:
        return -1
    sp = S.start_pos[t * S.size[0] + gs]
    if sp < 0:
        return -1
    return S.table[S.table_lo[t] + rp * S.n_starts[t] + sp]


@_jit
def order_cost(S, t):
    late = 0
    placed, o_gs, length = S.placed, S.o_gs, S.length
    for i in range(S.ord_lo[t], S.ord_lo[t + 1]):
        a, b = S.ord_a[i], S.ord_b[i]
        oa, ob = placed[a], placed[b]
        if oa >= 0 and ob >= 0 and o_gs[ob] < o_gs[oa] + length[a]:
            late += 1
    return late * S.weights[1]


@_jit
def add(S, t, option):
    """Place talk t at `option`; return the change of the cost."""
    G = S.size[0]
    delta = S.o_cost[option]
    r, gs = S.o_room[option], S.o_gs[option]
    end = gs + S.length[t]
    room_at, busy = S.room_at, S.busy
    for g in range(gs, end):
        room_at[r * G + g] = t
        for i in range(S.pres_lo[t], S.pres_lo[t + 1]):
            busy[S.pres[i] * G + g] += 1
    count = S.wish_count
    for i in range(S.wish_lo[t], S.wish_lo[t + 1]):
        w = S.wish[i]
        weight = S.wish_weight[w]
        for g in range(gs, end):
            if count[w * G + g] >= 1:
                delta += weight
            count[w * G + g] += 1
    k = S.track[t]
    if k >= 0:
        tc = S.track_count
        for g in range(gs, end):
            if tc[k * G + g] == 0:
                for i in range(S.part_lo[k], S.part_lo[k + 1]):
                    if tc[S.part_other[i] * G + g]:
                        delta += S.part_penalty[i]
            tc[k * G + g] += 1
        if S.cohesive[k]:
            kb = k * S.size[2] + S.o_block[option]
            cell = kb * S.size[1] + r
            if S.coh_count[cell] == 0:
                if S.coh_rooms[kb] > 0:
                    delta += S.weights[0]
                S.coh_rooms[kb] += 1
            S.coh_count[cell] += 1
    ordered = S.ord_lo[t + 1] > S.ord_lo[t]
    before = order_cost(S, t) if ordered else 0
    S.placed[t] = option
    if ordered:
        delta += order_cost(S, t) - before
    return delta


@_jit
def remove(S, t):
    """Take talk t out of the schedule; return the change of the cost."""
    G = S.size[0]
    option = S.placed[t]
    delta = -S.o_cost[option]
    r, gs = S.o_room[option], S.o_gs[option]
    end = gs + S.length[t]
    room_at, busy = S.room_at, S.busy
    for g in range(gs, end):
        if room_at[r * G + g] == t:
            room_at[r * G + g] = -1
        for i in range(S.pres_lo[t], S.pres_lo[t + 1]):
            busy[S.pres[i] * G + g] -= 1
    count = S.wish_count
    for i in range(S.wish_lo[t], S.wish_lo[t + 1]):
        w = S.wish[i]
        weight = S.wish_weight[w]
        for g in range(gs, end):
            count[w * G + g] -= 1
            if count[w * G + g] >= 1:
                delta -= weight
    k = S.track[t]
    if k >= 0:
        tc = S.track_count
        for g in range(gs, end):
            tc[k * G + g] -= 1
            if tc[k * G + g] == 0:
                for i in range(S.part_lo[k], S.part_lo[k + 1]):
                    if tc[S.part_other[i] * G + g]:
                        delta -= S.part_penalty[i]
        if S.cohesive[k]:
            kb = k * S.size[2] + S.o_block[option]
            cell = kb * S.size[1] + r
            S.coh_count[cell] -= 1
            if S.coh_count[cell] == 0:
                S.coh_rooms[kb] -= 1
                if S.coh_rooms[kb] > 0:
                    delta -= S.weights[0]
    ordered = S.ord_lo[t + 1] > S.ord_lo[t]
    before = order_cost(S, t) if ordered else 0
    S.placed[t] = -1
    if ordered:
        delta += order_cost(S, t) - before
    return delta


@_jit
def coupling(S, t, option):
    """At least what leaving `option` would save: its attendee conflicts and similar-track
    clashes exactly, plus the most that track cohesion and order can save."""
    G = S.size[0]
    gain = 0
    gs = S.o_gs[option]
    end = gs + S.length[t]
    count = S.wish_count
    for i in range(S.wish_lo[t], S.wish_lo[t + 1]):
        w = S.wish[i]
        for g in range(gs, end):
            if count[w * G + g] >= 2:
                gain += S.wish_weight[w]
    k = S.track[t]
    if k >= 0 and S.part_lo[k + 1] > S.part_lo[k]:
        tc = S.track_count
        for g in range(gs, end):
            if tc[k * G + g] == 1:
                for i in range(S.part_lo[k], S.part_lo[k + 1]):
                    if tc[S.part_other[i] * G + g]:
                        gain += S.part_penalty[i]
    return gain + S.weights[0] + S.weights[1] * (S.ord_lo[t + 1] - S.ord_lo[t])


@_jit
def fits(S, t, option):
    """Room free and presenters not busy (with t itself removed)."""
    G = S.size[0]
    r, gs = S.o_room[option], S.o_gs[option]
    for g in range(gs, gs + S.length[t]):
        if S.room_at[r * G + g] >= 0:
            return False
        for i in range(S.pres_lo[t], S.pres_lo[t + 1]):
            if S.busy[S.pres[i] * G + g]:
                return False
    return True


@_jit
def fits_moved(S, t, option):
    """`fits` for placed talk t without removing it first (its own slots do not count)."""
    G = S.size[0]
    current = S.placed[t]
    own = S.o_gs[current]
    length = S.length[t]
    r, gs = S.o_room[option], S.o_gs[option]
    for g in range(gs, gs + length):
        holder = S.room_at[r * G + g]
        if holder >= 0 and holder != t:
            return False
        mine = 1 if own <= g < own + length else 0
        for i in range(S.pres_lo[t], S.pres_lo[t + 1]):
            if S.busy[S.pres[i] * G + g] > mine:
                return False
    return True


@_jit
def move_delta(S, t, new):
    """Cost change of moving placed talk t to `new`, without changing the state."""
    G = S.size[0]
    old = S.placed[t]
    delta = S.o_cost[new] - S.o_cost[old]
    length = S.length[t]
    og, ng = S.o_gs[old], S.o_gs[new]
    count = S.wish_count
    for i in range(S.wish_lo[t], S.wish_lo[t + 1]):
        w = S.wish[i]
        weight = S.wish_weight[w]
        for g in range(og, og + length):  # slots left
            if not ng <= g < ng + length and count[w * G + g] >= 2:
                delta -= weight
        for g in range(ng, ng + length):  # slots entered
            if not og <= g < og + length and count[w * G + g] >= 1:
                delta += weight
    k = S.track[t]
    if k >= 0:
        tc = S.track_count
        if S.part_lo[k + 1] > S.part_lo[k]:
            for g in range(og, og + length):
                if not ng <= g < ng + length and tc[k * G + g] == 1:
                    for i in range(S.part_lo[k], S.part_lo[k + 1]):
                        if tc[S.part_other[i] * G + g]:
                            delta -= S.part_penalty[i]
            for g in range(ng, ng + length):
                if not og <= g < og + length and tc[k * G + g] == 0:
                    for i in range(S.part_lo[k], S.part_lo[k + 1]):
                        if tc[S.part_other[i] * G + g]:
                            delta += S.part_penalty[i]
        o_room, o_block = S.o_room, S.o_block
        if S.cohesive[k] and (o_room[old] != o_room[new] or o_block[old] != o_block[new]):
            R, B = S.size[1], S.size[2]
            kb_old, kb_new = k * B + o_block[old], k * B + o_block[new]
            gone = S.coh_count[kb_old * R + o_room[old]] == 1  # t was the track's last talk there
            if gone and S.coh_rooms[kb_old] > 1:
                delta -= S.weights[0]
            if S.coh_count[kb_new * R + o_room[new]] == 0:
                others = S.coh_rooms[kb_new] - (1 if gone and kb_new == kb_old else 0)
                if others >= 1:
                    delta += S.weights[0]
    if S.ord_lo[t + 1] > S.ord_lo[t]:
        before = order_cost(S, t)
        S.placed[t] = new
        delta += order_cost(S, t) - before
        S.placed[t] = old
    return delta


@_jit
def eject(S, V, t, old, new, temperature, tries):
    """Move t to `new`, whose room is held by one other talk; re-place that talk at the best of
    a few placements (t's old one among them). Metropolis decides; False leaves all as was."""
    G = S.size[0]
    r = S.o_room[new]
    holder = -1
    for g in range(S.o_gs[new], S.o_gs[new] + S.length[t]):
        h = S.room_at[r * G + g]
        if h >= 0 and h != t and h != holder:
            if holder >= 0:
                return False  # two talks in the way
            holder = h
    if holder < 0 or S.lo[holder + 1] - S.lo[holder] < 2:
        return False
    u = holder
    other = S.placed[u]
    delta = remove(S, t) + remove(S, u)
    if not fits(S, t, new):
        add(S, t, old)
        add(S, u, other)
        return False
    delta += add(S, t, new)
    best, best_delta = -1, 0
    for i in range(tries + 1):
        if i == 0:
            option = lookup(S, u, S.o_room[old], S.o_gs[old])
        else:
            option = S.lo[u] + int(rand(V) * S.cheap[u])
        if option < 0 or option == other or not fits(S, u, option):
            continue
        change = add(S, u, option)
        remove(S, u)
        if best < 0 or change < best_delta:
            best, best_delta = option, change
    if best >= 0:
        delta += best_delta
        if delta <= 0 or rand(V) < math.exp(-delta / temperature):
            add(S, u, best)
            V[0] += delta
            return True
    remove(S, t)
    add(S, t, old)
    add(S, u, other)
    return False


@_jit
def _reach(costs, lo, hi, limit):
    """How many of costs[lo:hi] (ascending) are at most `limit`."""
    a, b = lo, hi
    while a < b:
        m = (a + b) // 2
        if costs[m] <= limit:
            a = m + 1
        else:
            b = m
    return a - lo


@_jit
def run(S, V, best, first, last, moves, t_start, t_end, relocate, eject_share, reach, tries):
    """Moves `first` .. `last`-1 of an annealing run of `moves` moves cooling from `t_start` to
    `t_end` (the temperature is set every 2000 moves). `best` holds the best schedule seen
    (placed options); returns its cost, which the caller passes in as V[2]."""
    movable, placed, lo, cost = S.movable, S.placed, S.lo, S.o_cost
    n = len(movable)
    best_cost = V[2]
    if n == 0:
        return best_cost
    ratio = t_end / t_start
    temperature = t_start * ratio ** ((first - first % 2000) / moves)
    same_below = (1.0 + relocate + eject_share) / 2.0
    for k in range(first, last):
        if k % 2000 == 0:
            temperature = t_start * ratio ** (k / moves)
        t = movable[int(rand(V) * n)]
        old = placed[t]
        kind = rand(V)
        if kind < relocate:  # move to another placement
            if kind < relocate / 2.0:
                new = lo[t] + int(rand(V) * S.cheap[t])
            else:
                limit = cost[old] + coupling(S, t, old) + reach * temperature
                new = lo[t] + int(rand(V) * _reach(cost, lo[t], lo[t + 1], limit))  # old is within
            if new == old or not fits_moved(S, t, new):
                continue
            delta = move_delta(S, t, new)
            if delta <= 0 or rand(V) < math.exp(-delta / temperature):
                remove(S, t)
                add(S, t, new)
                V[0] += delta
            else:
                continue
        elif kind < relocate + eject_share:  # take a cheap placement, re-place its holder
            new = lo[t] + int(rand(V) * S.cheap[t])
            if new == old or not eject(S, V, t, old, new, temperature, tries):
                continue
        else:  # swap placements with another talk (of equal length, half of the time)
            if kind < same_below:
                length = S.length[t]
                a, b = S.len_lo[length], S.len_lo[length + 1]
            else:
                a, b = 0, n
            u = movable[a + int(rand(V) * (b - a))]
            other = placed[u]
            if u == t or other < 0:
                continue
            new_t = lookup(S, t, S.o_room[other], S.o_gs[other])
            new_u = lookup(S, u, S.o_room[old], S.o_gs[old])
            if new_t < 0 or new_u < 0:
                continue
            # Screen: a swap whose placement costs rise by more than both talks' coupling costs
            # and `reach` temperatures is (almost) never accepted; skip its bookkeeping.
            rise = cost[new_t] - cost[old] + cost[new_u] - cost[other]
            if rise > coupling(S, t, old) + coupling(S, u, other) + reach * temperature:
                continue
            delta = remove(S, t) + remove(S, u)
            if not fits(S, t, new_t):
                add(S, t, old)
                add(S, u, other)
                continue
            delta += add(S, t, new_t)
            if not fits(S, u, new_u):
                remove(S, t)
                add(S, t, old)
                add(S, u, other)
                continue
            delta += add(S, u, new_u)
            if delta <= 0 or rand(V) < math.exp(-delta / temperature):
                V[0] += delta
            else:
                remove(S, t)
                remove(S, u)
                add(S, t, old)
                add(S, u, other)
                continue
        if V[0] < best_cost:
            best_cost = V[0]
            for i in range(len(placed)):
                best[i] = placed[i]
    return best_cost


@_jit
def descend(S, V, talks, first, last):
    """Best-improvement moves for talks[first:last], each to its best free placement if that
    lowers the cost; returns the total change (also added to V[0])."""
    total = 0
    for j in range(first, last):
        t = talks[j]
        old = S.placed[t]
        if old < 0:
            continue
        best, best_delta = -1, 0
        for option in range(S.lo[t], S.lo[t + 1]):
            if option != old and fits_moved(S, t, option):
                delta = move_delta(S, t, option)
                if delta < best_delta:
                    best, best_delta = option, delta
        if best >= 0:
            remove(S, t)
            add(S, t, best)
            V[0] += best_delta
            total += best_delta
    return total


def warm() -> bool:
    """Compile every function with the argument types the annealer uses, or load them from
    numba's cache (about 10 s the first time, 0.2 s after). Solves would otherwise compile on
    their first annealing run, beyond their time limit. Returns False without numba."""
    if not COMPILED:
        return False
    import numpy as np

    def i(*values):
        return np.asarray(values, dtype=np.int64)

    # One talk with two options (one room, starts 0 and 1), nothing else.
    S = State(size=i(2, 1, 1), length=i(1), lo=i(0, 2), cheap=i(2), o_room=i(0, 0), o_block=i(0, 0),
              o_gs=i(0, 1), o_cost=i(0, 1), room_pos=i(0), start_pos=i(0, 1), n_starts=i(2), table_lo=i(0),
              table=i(0, 1), pres_lo=i(0, 0), pres=i(), busy=i(), wish_lo=i(0, 0), wish=i(), wish_weight=i(),
              wish_count=i(), track=i(-1), track_count=i(), part_lo=i(0), part_other=i(), part_penalty=i(),
              cohesive=i(), coh_count=i(), coh_rooms=i(), ord_lo=i(0, 0), ord_a=i(), ord_b=i(),
              weights=i(0, 0), room_at=i(-1, -1), placed=i(-1), movable=i(0), len_lo=i(0, 0, 1))
    V = i(0, 1, 0)
    V[0] += add(S, 0, 0)
    coupling(S, 0, 0)
    fits_moved(S, 0, 1)
    lookup(S, 0, 0, 1)
    eject(S, V, 0, 0, 1, 1.0, 3)
    V[2] = run(S, V, S.placed.copy(), 0, 100, 100, 10.0, 1.0, 0.45, 0.15, 6.0, 3)
    descend(S, V, i(0), 0, 1)
    return True
