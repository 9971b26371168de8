"""The annealer's inner loop over flat integer arrays, compiled by numba when it is installed.

`local_search.Annealer` lays a schedule out as flat arrays (one entry per option, per room and
slot, per person and slot, ...) and calls these functions for whole chunks of moves. With
numba (a dependency of the product, optional for the library) they are compiled to machine
code, about 10x faster than the same functions in Python; without it, or with
`SCHEDULER_NO_JIT=1`, the very same functions run as plain Python over lists. Both give the
same schedules for a seed: the random numbers come from a 32-bit xorshift generator kept in
the state, not from numba's or Python's.

`state` is a `State` (a named tuple of arrays, see `local_search.Annealer`); `scalars` a small
array: scalars[0] the current cost, scalars[1] the generator's state, scalars[2] the best cost
of the current run. Options are numbered globally; talk t's options are lo[t] ... lo[t+1]-1,
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
# Whether the compiled functions are kept in numba's cache. False when numba finds no writable
# place for it (the install folder read-only, no writable home, `NUMBA_CACHE_DIR` unset or
# read-only): every process then compiles the kernel on its first use (about 12 s).
CACHED = COMPILED
NO_CACHE_MESSAGE = ("numba found no writable cache directory: the annealer's kernel is compiled in every "
                    "process (about 12 s); set NUMBA_CACHE_DIR to a writable directory")


def _jit(function):
    global CACHED  # noqa: PLW0603 - set once, while the module's functions are decorated
    if not COMPILED:
        return function
    if CACHED:
        try:
            return numba.njit(cache=True, nogil=True)(function)
        except RuntimeError:  # numba's "cannot cache function ...: no locator available"
            CACHED = False
    return numba.njit(nogil=True)(function)


@_jit
def rand(scalars):
    """Next number in [0, 1) from the 32-bit xorshift generator in scalars[1] (never 0)."""
    x = scalars[1]
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    scalars[1] = x
    return x / 4294967296.0


@_jit
def lookup(state, t, room, gs):
    """Talk t's option in `room` starting at global slot `gs`, or -1."""
    rp = state.room_pos[t * state.size[1] + room]
    if rp < 0:
        return -1
    sp = state.start_pos[t * state.size[0] + gs]
    if sp < 0:
        return -1
    return state.table[state.table_lo[t] + rp * state.n_starts[t] + sp]


@_jit
def order_cost(state, t):
    late = 0
    placed, o_gs, length = state.placed, state.o_gs, state.length
    for i in range(state.ord_lo[t], state.ord_lo[t + 1]):
        a, b = state.ord_a[i], state.ord_b[i]
        oa, ob = placed[a], placed[b]
        if oa >= 0 and ob >= 0 and o_gs[ob] < o_gs[oa] + length[a]:
            late += 1
    return late * state.weights[1]


@_jit
def add(state, t, option):
    """Place talk t at `option`; return the change of the cost."""
    G = state.size[0]  # slots in the grid
    delta = state.o_cost[option]
    r, gs = state.o_room[option], state.o_gs[option]
    end = gs + state.length[t]
    room_at, busy = state.room_at, state.busy
    for g in range(gs, end):
        room_at[r * G + g] = t
        for i in range(state.pres_lo[t], state.pres_lo[t + 1]):
            busy[state.pres[i] * G + g] += 1
    count = state.wish_count
    for i in range(state.wish_lo[t], state.wish_lo[t + 1]):
        w = state.wish[i]
        weight = state.wish_weight[w]
        for g in range(gs, end):
            if count[w * G + g] >= 1:
                delta += weight
            count[w * G + g] += 1
    k = state.track[t]
    if k >= 0:
        tc = state.track_count
        for g in range(gs, end):
            if tc[k * G + g] == 0:
                for i in range(state.part_lo[k], state.part_lo[k + 1]):
                    if tc[state.part_other[i] * G + g]:
                        delta += state.part_penalty[i]
            tc[k * G + g] += 1
        if state.cohesive[k]:
            kb = k * state.size[2] + state.o_block[option]
            cell = kb * state.size[1] + r
            if state.coh_count[cell] == 0:
                if state.coh_rooms[kb] > 0:
                    delta += state.weights[0]
                state.coh_rooms[kb] += 1
            state.coh_count[cell] += 1
    ordered = state.ord_lo[t + 1] > state.ord_lo[t]
    before = order_cost(state, t) if ordered else 0
    state.placed[t] = option
    if ordered:
        delta += order_cost(state, t) - before
    return delta


@_jit
def remove(state, t):
    """Take talk t out of the schedule; return the change of the cost."""
    G = state.size[0]  # slots in the grid
    option = state.placed[t]
    delta = -state.o_cost[option]
    r, gs = state.o_room[option], state.o_gs[option]
    end = gs + state.length[t]
    room_at, busy = state.room_at, state.busy
    for g in range(gs, end):
        if room_at[r * G + g] == t:
            room_at[r * G + g] = -1
        for i in range(state.pres_lo[t], state.pres_lo[t + 1]):
            busy[state.pres[i] * G + g] -= 1
    count = state.wish_count
    for i in range(state.wish_lo[t], state.wish_lo[t + 1]):
        w = state.wish[i]
        weight = state.wish_weight[w]
        for g in range(gs, end):
            count[w * G + g] -= 1
            if count[w * G + g] >= 1:
                delta -= weight
    k = state.track[t]
    if k >= 0:
        tc = state.track_count
        for g in range(gs, end):
            tc[k * G + g] -= 1
            if tc[k * G + g] == 0:
                for i in range(state.part_lo[k], state.part_lo[k + 1]):
                    if tc[state.part_other[i] * G + g]:
                        delta -= state.part_penalty[i]
        if state.cohesive[k]:
            kb = k * state.size[2] + state.o_block[option]
            cell = kb * state.size[1] + r
            state.coh_count[cell] -= 1
            if state.coh_count[cell] == 0:
                state.coh_rooms[kb] -= 1
                if state.coh_rooms[kb] > 0:
                    delta -= state.weights[0]
    ordered = state.ord_lo[t + 1] > state.ord_lo[t]
    before = order_cost(state, t) if ordered else 0
    state.placed[t] = -1
    if ordered:
        delta += order_cost(state, t) - before
    return delta


@_jit
def coupling(state, t, option):
    """At least what leaving `option` would save: its attendee conflicts and similar-track
    clashes exactly, plus the most that track cohesion and order can save."""
    G = state.size[0]  # slots in the grid
    gain = 0
    gs = state.o_gs[option]
    end = gs + state.length[t]
    count = state.wish_count
    for i in range(state.wish_lo[t], state.wish_lo[t + 1]):
        w = state.wish[i]
        for g in range(gs, end):
            if count[w * G + g] >= 2:
                gain += state.wish_weight[w]
    k = state.track[t]
    if k >= 0 and state.part_lo[k + 1] > state.part_lo[k]:
        tc = state.track_count
        for g in range(gs, end):
            if tc[k * G + g] == 1:
                for i in range(state.part_lo[k], state.part_lo[k + 1]):
                    if tc[state.part_other[i] * G + g]:
                        gain += state.part_penalty[i]
    return gain + state.weights[0] + state.weights[1] * (state.ord_lo[t + 1] - state.ord_lo[t])


@_jit
def fits(state, t, option):
    """Room free and presenters not busy (with t itself removed)."""
    G = state.size[0]  # slots in the grid
    r, gs = state.o_room[option], state.o_gs[option]
    for g in range(gs, gs + state.length[t]):
        if state.room_at[r * G + g] >= 0:
            return False
        for i in range(state.pres_lo[t], state.pres_lo[t + 1]):
            if state.busy[state.pres[i] * G + g]:
                return False
    return True


@_jit
def fits_moved(state, t, option):
    """`fits` for placed talk t without removing it first (its own slots do not count)."""
    G = state.size[0]  # slots in the grid
    current = state.placed[t]
    own = state.o_gs[current]
    length = state.length[t]
    r, gs = state.o_room[option], state.o_gs[option]
    for g in range(gs, gs + length):
        holder = state.room_at[r * G + g]
        if holder >= 0 and holder != t:
            return False
        mine = 1 if own <= g < own + length else 0
        for i in range(state.pres_lo[t], state.pres_lo[t + 1]):
            if state.busy[state.pres[i] * G + g] > mine:
                return False
    return True


@_jit
def move_delta(state, t, new):
    """Cost change of moving placed talk t to `new`, without changing the state."""
    G = state.size[0]  # slots in the grid
    old = state.placed[t]
    delta = state.o_cost[new] - state.o_cost[old]
    length = state.length[t]
    og, ng = state.o_gs[old], state.o_gs[new]
    count = state.wish_count
    for i in range(state.wish_lo[t], state.wish_lo[t + 1]):
        w = state.wish[i]
        weight = state.wish_weight[w]
        for g in range(og, og + length):  # slots left
            if not ng <= g < ng + length and count[w * G + g] >= 2:
                delta -= weight
        for g in range(ng, ng + length):  # slots entered
            if not og <= g < og + length and count[w * G + g] >= 1:
                delta += weight
    k = state.track[t]
    if k >= 0:
        tc = state.track_count
        if state.part_lo[k + 1] > state.part_lo[k]:
            for g in range(og, og + length):
                if not ng <= g < ng + length and tc[k * G + g] == 1:
                    for i in range(state.part_lo[k], state.part_lo[k + 1]):
                        if tc[state.part_other[i] * G + g]:
                            delta -= state.part_penalty[i]
            for g in range(ng, ng + length):
                if not og <= g < og + length and tc[k * G + g] == 0:
                    for i in range(state.part_lo[k], state.part_lo[k + 1]):
                        if tc[state.part_other[i] * G + g]:
                            delta += state.part_penalty[i]
        o_room, o_block = state.o_room, state.o_block
        if state.cohesive[k] and (o_room[old] != o_room[new] or o_block[old] != o_block[new]):
            R, B = state.size[1], state.size[2]
            kb_old, kb_new = k * B + o_block[old], k * B + o_block[new]
            gone = state.coh_count[kb_old * R + o_room[old]] == 1  # t was the track's last talk there
            if gone and state.coh_rooms[kb_old] > 1:
                delta -= state.weights[0]
            if state.coh_count[kb_new * R + o_room[new]] == 0:
                others = state.coh_rooms[kb_new] - (1 if gone and kb_new == kb_old else 0)
                if others >= 1:
                    delta += state.weights[0]
    if state.ord_lo[t + 1] > state.ord_lo[t]:
        before = order_cost(state, t)
        state.placed[t] = new
        delta += order_cost(state, t) - before
        state.placed[t] = old
    return delta


@_jit
def eject(state, scalars, t, old, new, temperature, tries):
    """Move t to `new`, whose room is held by one other talk; re-place that talk at the best of
    a few placements (t's old one among them). Metropolis decides; False leaves all as was."""
    G = state.size[0]  # slots in the grid
    r = state.o_room[new]
    holder = -1
    for g in range(state.o_gs[new], state.o_gs[new] + state.length[t]):
        h = state.room_at[r * G + g]
        if h >= 0 and h != t and h != holder:
            if holder >= 0:
                return False  # two talks in the way
            holder = h
    if holder < 0 or state.lo[holder + 1] - state.lo[holder] < 2:
        return False
    u = holder
    other = state.placed[u]
    delta = remove(state, t) + remove(state, u)
    if not fits(state, t, new):
        add(state, t, old)
        add(state, u, other)
        return False
    delta += add(state, t, new)
    best, best_delta = -1, 0
    for i in range(tries + 1):
        if i == 0:
            option = lookup(state, u, state.o_room[old], state.o_gs[old])
        else:
            option = state.lo[u] + int(rand(scalars) * state.cheap[u])
        if option < 0 or option == other or not fits(state, u, option):
            continue
        change = add(state, u, option)
        remove(state, u)
        if best < 0 or change < best_delta:
            best, best_delta = option, change
    if best >= 0:
        delta += best_delta
        if delta <= 0 or rand(scalars) < math.exp(-delta / temperature):
            add(state, u, best)
            scalars[0] += delta
            return True
    remove(state, t)
    add(state, t, old)
    add(state, u, other)
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
def run(state, scalars, best, first, last, moves, t_start, t_end, relocate, eject_share, reach, tries):
    """Moves `first` .. `last`-1 of an annealing run of `moves` moves cooling from `t_start` to
    `t_end` (the temperature is set every 2000 moves). `best` holds the best schedule seen
    (placed options); returns its cost, which the caller passes in as scalars[2]."""
    movable, placed, lo, cost = state.movable, state.placed, state.lo, state.o_cost
    n = len(movable)
    best_cost = scalars[2]
    if n == 0:
        return best_cost
    ratio = t_end / t_start
    temperature = t_start * ratio ** ((first - first % 2000) / moves)
    same_below = (1.0 + relocate + eject_share) / 2.0
    for k in range(first, last):
        if k % 2000 == 0:
            temperature = t_start * ratio ** (k / moves)
        t = movable[int(rand(scalars) * n)]
        old = placed[t]
        kind = rand(scalars)
        if kind < relocate:  # move to another placement
            if kind < relocate / 2.0:
                new = lo[t] + int(rand(scalars) * state.cheap[t])
            else:
                limit = cost[old] + coupling(state, t, old) + reach * temperature
                new = lo[t] + int(rand(scalars) * _reach(cost, lo[t], lo[t + 1], limit))  # old is within
            if new == old or not fits_moved(state, t, new):
                continue
            delta = move_delta(state, t, new)
            if delta <= 0 or rand(scalars) < math.exp(-delta / temperature):
                remove(state, t)
                add(state, t, new)
                scalars[0] += delta
            else:
                continue
        elif kind < relocate + eject_share:  # take a cheap placement, re-place its holder
            new = lo[t] + int(rand(scalars) * state.cheap[t])
            if new == old or not eject(state, scalars, t, old, new, temperature, tries):
                continue
        else:  # swap placements with another talk (of equal length, half of the time)
            if kind < same_below:
                length = state.length[t]
                a, b = state.len_lo[length], state.len_lo[length + 1]
            else:
                a, b = 0, n
            u = movable[a + int(rand(scalars) * (b - a))]
            other = placed[u]
            if u == t or other < 0:
                continue
            new_t = lookup(state, t, state.o_room[other], state.o_gs[other])
            new_u = lookup(state, u, state.o_room[old], state.o_gs[old])
            if new_t < 0 or new_u < 0:
                continue
            # Screen: a swap whose placement costs rise by more than both talks' coupling costs
            # and `reach` temperatures is (almost) never accepted; skip its bookkeeping.
            rise = cost[new_t] - cost[old] + cost[new_u] - cost[other]
            if rise > coupling(state, t, old) + coupling(state, u, other) + reach * temperature:
                continue
            delta = remove(state, t) + remove(state, u)
            if not fits(state, t, new_t):
                add(state, t, old)
                add(state, u, other)
                continue
            delta += add(state, t, new_t)
            if not fits(state, u, new_u):
                remove(state, t)
                add(state, t, old)
                add(state, u, other)
                continue
            delta += add(state, u, new_u)
            if delta <= 0 or rand(scalars) < math.exp(-delta / temperature):
                scalars[0] += delta
            else:
                remove(state, t)
                remove(state, u)
                add(state, t, old)
                add(state, u, other)
                continue
        if scalars[0] < best_cost:
            best_cost = scalars[0]
            for i in range(len(placed)):
                best[i] = placed[i]
    return best_cost


@_jit
def descend(state, scalars, talks, first, last):
    """Best-improvement moves for talks[first:last], each to its best free placement if that
    lowers the cost; returns the total change (also added to scalars[0])."""
    total = 0
    for j in range(first, last):
        t = talks[j]
        old = state.placed[t]
        if old < 0:
            continue
        best, best_delta = -1, 0
        for option in range(state.lo[t], state.lo[t + 1]):
            if option != old and fits_moved(state, t, option):
                delta = move_delta(state, t, option)
                if delta < best_delta:
                    best, best_delta = option, delta
        if best >= 0:
            remove(state, t)
            add(state, t, best)
            scalars[0] += best_delta
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
    state = State(size=i(2, 1, 1), length=i(1), lo=i(0, 2), cheap=i(2), o_room=i(0, 0), o_block=i(0, 0),
              o_gs=i(0, 1), o_cost=i(0, 1), room_pos=i(0), start_pos=i(0, 1), n_starts=i(2), table_lo=i(0),
              table=i(0, 1), pres_lo=i(0, 0), pres=i(), busy=i(), wish_lo=i(0, 0), wish=i(), wish_weight=i(),
              wish_count=i(), track=i(-1), track_count=i(), part_lo=i(0), part_other=i(), part_penalty=i(),
              cohesive=i(), coh_count=i(), coh_rooms=i(), ord_lo=i(0, 0), ord_a=i(), ord_b=i(),
              weights=i(0, 0), room_at=i(-1, -1), placed=i(-1), movable=i(0), len_lo=i(0, 0, 1))
    scalars = i(0, 1, 0)
    scalars[0] += add(state, 0, 0)
    coupling(state, 0, 0)
    fits_moved(state, 0, 1)
    lookup(state, 0, 0, 1)
    eject(state, scalars, 0, 0, 1, 1.0, 3)
    scalars[2] = run(state, scalars, state.placed.copy(), 0, 100, 100, 10.0, 1.0, 0.45, 0.15, 6.0, 3)
    descend(state, scalars, i(0), 0, 1)
    return True
