"""The CP-SAT formulation and the exact evaluation of a placement.

Formulation (see README "Model"):

* x[talk, room, start] Booleans, one `exactly_one` per talk (plus `unscheduled[talk]` when
  talks may be left out). Every per-placement term (speaker local hours, remote audience
  hours, room/block preference, capacity overflow, stability, relaxed placement rules) is
  folded into ONE objective coefficient per x variable (`Instance.option_costs`).
* An occupancy layer y[talk, slot] = sum of the x covering the slot, created only where a
  coupling term needs it; person clashes, attendee conflicts and similar tracks are stated
  over y, never over the (much longer) x sums.
* Coupling terms only carry lower bounds (missed >= running - 1, active >= y, ...): every
  weight is non-negative, so the minimum is unchanged and CP-SAT's bound stays a valid bound
  on the true objective. Reported term values never come from these auxiliary variables:
  `evaluate` recomputes them exactly from the placement.
* In a sub-model (LNS) the fixed talks are constants and only constraints touching a free
  talk are built.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .instance import COEF_NAMES, PLACEMENT_RULES, Instance, Option
from .model import Problem, unscheduled_value
from .rules import (
    RULE_ATTENDEE_CONFLICT,
    RULE_PERSON_CLASH,
    RULE_SIMILAR_TRACK_CLASH,
    RULE_TRACK_COHESION,
    RULE_TRACK_ORDER,
    RULE_UNSCHEDULED,
    SOFT_TERMS,
)


def term_weights(problem: Problem) -> dict[str, int]:
    """Weight of every reported term, including relaxed hard rules."""
    weights = {name: problem.weights.for_rule(name) for name in SOFT_TERMS}
    for name in (*PLACEMENT_RULES, RULE_PERSON_CLASH):
        weights[name] = problem.hard_rules.relaxed_weight
    return weights


@dataclass
class Static:
    """Index structures of the coupling terms, computed once per instance."""

    groups: list[tuple[tuple[int, ...], int]]  # attendees with equal wanted sets: (talks, multiplicity)
    person_talks: dict[str, list[int]]
    track_talks: dict[str, list[int]]
    similar: list[tuple[str, str, int]]
    cohesive: list[str]
    ordered_pairs: list[tuple[int, int]]
    talk_groups: dict[int, list[int]] = field(default_factory=dict)
    talk_people: dict[int, list[str]] = field(default_factory=dict)
    track_similar: dict[str, list[int]] = field(default_factory=dict)
    talk_order_pairs: dict[int, list[int]] = field(default_factory=dict)


def static(inst: Instance) -> Static:
    cached = getattr(inst, "_static", None)
    if cached is not None:
        return cached
    problem = inst.problem
    groups = Counter(tuple(sorted({inst.talk_index[w] for w in person.wants})) for person in problem.people
                     if len(set(person.wants)) >= 2)
    person_talks: dict[str, list[int]] = defaultdict(list)
    for t in range(len(inst.talks)):
        for p in inst.presenters[t]:
            person_talks[p].append(t)
    track_talks: dict[str, list[int]] = defaultdict(list)
    for t, talk in enumerate(inst.talks):
        if talk.track is not None:
            track_talks[talk.track].append(t)
    similar = [(pair.track_a, pair.track_b, pair.penalty) for pair in problem.similar_tracks
               if pair.track_a != pair.track_b and pair.penalty]
    cohesive = [track.id for track in problem.tracks if track.cohesive]
    ordered_pairs = []
    for talks in track_talks.values():
        # Each talk of one order value runs before each talk of the next value; equal values are unordered.
        by_order: dict[int, list[int]] = defaultdict(list)
        for t in sorted(talks, key=lambda t: inst.talks[t].id):
            if inst.talks[t].track_order is not None:
                by_order[inst.talks[t].track_order].append(t)
        levels = sorted(by_order)
        for low, high in zip(levels, levels[1:], strict=False):
            ordered_pairs.extend((a, b) for a in by_order[low] for b in by_order[high])
    st = Static(sorted(groups.items()), dict(person_talks), dict(track_talks), similar, cohesive, ordered_pairs)
    for i, (talks, _) in enumerate(st.groups):
        for t in talks:
            st.talk_groups.setdefault(t, []).append(i)
    for p, talks in st.person_talks.items():
        for t in talks:
            st.talk_people.setdefault(t, []).append(p)
    for i, (a, b, _) in enumerate(similar):
        st.track_similar.setdefault(a, []).append(i)
        st.track_similar.setdefault(b, []).append(i)
    for i, (a, b) in enumerate(ordered_pairs):
        st.talk_order_pairs.setdefault(a, []).append(i)
        st.talk_order_pairs.setdefault(b, []).append(i)
    inst._static = st  # noqa: SLF001 - cache on the instance
    return st


def evaluate(inst: Instance, placed: dict[int, Option | None]) -> dict[str, int]:
    """Exact unweighted value of every term (soft terms and relaxed-rule counts) of a placement."""
    st = static(inst)
    values: dict[str, int] = defaultdict(int)
    slots: dict[int, range] = {}
    for t, option in placed.items():
        if option is None:
            continue
        slots[t] = range(option[3], option[3] + inst.talks[t].slots)
        for name, c in zip(COEF_NAMES, option[4], strict=True):
            if c:
                values[name] += c
    missing = [inst.talks[t].id for t in range(len(inst.talks)) if placed.get(t) is None]
    values[RULE_UNSCHEDULED] = unscheduled_value(inst.problem, missing)
    for talks in st.person_talks.values():
        if len(talks) > 1:
            count = Counter(g for t in talks if t in slots for g in slots[t])
            values[RULE_PERSON_CLASH] += sum(c - 1 for c in count.values() if c > 1)
    for talks, multiplicity in st.groups:
        count = Counter(g for t in talks if t in slots for g in slots[t])
        values[RULE_ATTENDEE_CONFLICT] += multiplicity * sum(c - 1 for c in count.values() if c > 1)
    active = {k: {g for t in talks if t in slots for g in slots[t]} for k, talks in st.track_talks.items()}
    for a, b, penalty in st.similar:
        values[RULE_SIMILAR_TRACK_CLASH] += penalty * len(active.get(a, set()) & active.get(b, set()))
    for k in st.cohesive:
        rooms: dict[int, set[int]] = defaultdict(set)
        for t in st.track_talks.get(k, ()):
            if placed.get(t) is not None:
                rooms[placed[t][1]].add(placed[t][0])
        values[RULE_TRACK_COHESION] += sum(len(r) - 1 for r in rooms.values())
    for a, b in st.ordered_pairs:
        if a in slots and b in slots and slots[b].start < slots[a].stop:
            values[RULE_TRACK_ORDER] += 1
    return dict(values)


def weighted(inst: Instance, values: dict[str, int]) -> int:
    weights = term_weights(inst.problem)
    return sum(weights.get(name, 0) * v for name, v in values.items())


@dataclass
class Built:
    model: cp_model.CpModel
    choice: dict[int, list[tuple[object, Option]]]  # talk -> [(x var or 1, option)]
    unscheduled: dict[int, object]
    aux: list = field(default_factory=list)  # (var, kind, data) in creation order, for hints
    objective_offset: int = 0


# What leaving a talk out costs in a sub-model that completes a schedule which must hold every
# talk (`build_model(place_first=True)`): far above what any placement adds, so CP-SAT places
# every talk it can before it weighs anything else.
PLACE_FIRST_COST = 10**12


def build_model(inst: Instance, free: dict[int, list[Option]], fixed: dict[int, Option],
                allow_unscheduled: bool, *, rooms: bool = True,
                capacity: list[tuple[list[int], dict[int, int]]] | None = None, coupling: bool = True,
                similar_pairs: set[int] | None = None, place_first: bool = False) -> Built:
    """One CP-SAT model: `free` talks choose among options, `fixed` talks are constants.

    Only constraints that involve a free talk are built, so the model objective equals the
    true objective minus a constant (zero when nothing is fixed).

    With `rooms=False` (the time relaxation, see `build_time_relaxation`) room double-booking
    and track cohesion are left out and `capacity` gives, per room class, the talks that can
    only use rooms of that class and the number of its rooms open per slot. With
    `coupling=False` the soft coupling terms (attendee conflicts, similar tracks, cohesion,
    track order) are left out too: a weaker relaxation, but a much easier one. `similar_pairs`
    restricts the similar-track terms to those pairs (indices into `static(inst).similar`).
    With `place_first` (and `allow_unscheduled`), a free talk may stay out only at
    `PLACE_FIRST_COST`: the sub-models that complete a schedule needing every talk use it, so
    that a talk whose placements all cost more than its priority-weighted unscheduled penalty
    is still placed.
    """
    problem = inst.problem
    st = static(inst)
    model = cp_model.CpModel()
    weights = term_weights(problem)
    obj_vars: list = []
    obj_coefs: list[int] = []
    aux: list = []
    choice: dict[int, list] = {}
    unscheduled: dict[int, object] = {}
    cover: dict[int, dict[int, list]] = {}  # free talk -> slot -> x vars
    room_cover: dict[tuple[int, int], list] = defaultdict(list)
    for t, option in fixed.items():
        choice[t] = [(1, option)]
    for t, options in free.items():
        tid = inst.talks[t].id
        xs = [model.new_bool_var(f"x[{tid},{o[0]},{o[3]}]") for o in options]
        choice[t] = list(zip(xs, options, strict=True))
        by_slot: dict[int, list] = defaultdict(list)
        length = inst.talks[t].slots
        for x, o in choice[t]:
            cost = inst.cost(o)
            if cost:
                obj_vars.append(x)
                obj_coefs.append(cost)
            for g in range(o[3], o[3] + length):
                by_slot[g].append(x)
                room_cover[o[0], g].append(x)
        cover[t] = by_slot
        if allow_unscheduled:
            u = model.new_bool_var(f"unscheduled[{tid}]")
            unscheduled[t] = u
            model.add_exactly_one([*xs, u])
            obj_vars.append(u)
            obj_coefs.append(PLACE_FIRST_COST if place_first
                             else weights[RULE_UNSCHEDULED] * unscheduled_value(problem, [tid]))
        else:
            model.add_exactly_one(xs)
    fixed_slots = {t: range(o[3], o[3] + inst.talks[t].slots) for t, o in fixed.items()}
    fixed_room = {(o[0], g) for t, o in fixed.items() for g in fixed_slots[t]}
    for (r, g), xs in room_cover.items() if rooms else ():
        if (r, g) in fixed_room:
            for x in xs:
                model.add(x == 0)
        elif len(xs) > 1:
            model.add_at_most_one(xs)

    # Room capacity per class and slot (time relaxation): running talks <= rooms open.
    for talks, open_rooms in capacity or ():
        for g, n_open in sorted(open_rooms.items()):
            xs = [x for t in talks if t in cover for x in cover[t].get(g, ())]
            if len(xs) > n_open:
                model.add(sum(xs) <= n_open)
    occupancy: dict[tuple[int, int], object] = {}

    def occ(t: int, g: int):
        """1/0 for fixed talks, else a literal that is true when talk t runs in slot g."""
        if t in fixed_slots:
            return int(g in fixed_slots[t])
        if t not in cover:
            return 0
        key = (t, g)
        if key not in occupancy:
            xs = cover[t].get(g, ())
            if not xs:
                occupancy[key] = 0
            elif len(xs) == 1:
                occupancy[key] = xs[0]
            else:
                y = model.new_bool_var(f"y[{t},{g}]")
                model.add(y == sum(xs))
                aux.append((y, "sum", xs))
                occupancy[key] = y
        return occupancy[key]

    def slots_of(t: int):
        if t in fixed_slots:
            return fixed_slots[t]
        return cover[t].keys() if t in cover else ()

    def split(items) -> tuple[int, list]:
        const, lits = 0, []
        for item in items:
            if isinstance(item, int):
                const += item
            else:
                lits.append(item)
        return const, lits

    free_set = set(free)
    # Person clashes (speakers and chairs): at most one running talk per person and slot.
    clash_relaxed = RULE_PERSON_CLASH in problem.hard_rules.relaxed
    people = sorted({p for t in free_set for p in st.talk_people.get(t, ())})
    for p in people:
        talks = [t for t in st.person_talks[p] if t in choice]
        if len(talks) < 2:
            continue
        for g in sorted({g for t in talks if t in cover for g in cover[t]}):  # slots a free talk can use
            const, lits = split(occ(t, g) for t in talks)
            if not lits or const + len(lits) < 2:
                continue
            if clash_relaxed:
                excess = model.new_int_var(0, const + len(lits) - 1, f"clash[{p},{g}]")
                model.add(excess >= const + sum(lits) - 1)
                aux.append((excess, "excess", (const, lits)))
                obj_vars.append(excess)
                obj_coefs.append(weights[RULE_PERSON_CLASH])
            elif const >= 1:
                for lit in lits:
                    model.add(lit == 0)
            else:
                model.add_at_most_one(lits)
    # Attendee conflicts: missed >= (wanted talks running) - 1, equal wish sets merged.
    group_ids = sorted({i for t in free_set for i in st.talk_groups.get(t, ())})
    w_att = weights[RULE_ATTENDEE_CONFLICT] if coupling else 0
    for i in group_ids if w_att else ():
        wanted, multiplicity = st.groups[i]
        talks = [t for t in wanted if t in choice]
        for g in sorted({g for t in talks if t in cover for g in cover[t]}):
            const, lits = split(occ(t, g) for t in talks)
            if not lits or const + len(lits) < 2:
                continue
            missed = model.new_int_var(0, const + len(lits) - 1, f"missed[{i},{g}]")
            model.add(missed >= const + sum(lits) - 1)
            aux.append((missed, "excess", (const, lits)))
            obj_vars.append(missed)
            obj_coefs.append(w_att * multiplicity)
    # Similar tracks running in the same slot.
    active: dict[tuple[str, int], object] = {}

    def track_active(k: str, g: int):
        if (k, g) not in active:
            const, lits = split(occ(t, g) for t in st.track_talks.get(k, ()) if t in choice)
            if const:
                active[k, g] = 1
            elif not lits:
                active[k, g] = 0
            elif len(lits) == 1:
                active[k, g] = lits[0]
            else:
                a = model.new_bool_var(f"active[{k},{g}]")
                for lit in lits:
                    model.add_implication(lit, a)
                aux.append((a, "max", lits))
                active[k, g] = a
        return active[k, g]

    w_sim = weights[RULE_SIMILAR_TRACK_CLASH] if coupling else 0
    free_tracks = {inst.talks[t].track for t in free_set if inst.talks[t].track is not None}
    pair_ids = sorted({i for k in free_tracks for i in st.track_similar.get(k, ())
                       if similar_pairs is None or i in similar_pairs})
    for i in pair_ids if w_sim else ():
        ka, kb, penalty = st.similar[i]
        slots_a = {g for t in st.track_talks.get(ka, ()) if t in choice for g in slots_of(t)}
        slots_b = {g for t in st.track_talks.get(kb, ()) if t in choice for g in slots_of(t)}
        for g in sorted(slots_a & slots_b):
            a, b = track_active(ka, g), track_active(kb, g)
            if isinstance(a, int) and isinstance(b, int):
                continue  # constant
            if isinstance(a, int) or isinstance(b, int):
                lit = b if isinstance(a, int) else a
                if (a if isinstance(a, int) else b):
                    obj_vars.append(lit)
                    obj_coefs.append(w_sim * penalty)
                continue
            clash = model.new_bool_var(f"similar[{i},{g}]")
            model.add_bool_or([a.Not(), b.Not(), clash])
            aux.append((clash, "and", [a, b]))
            obj_vars.append(clash)
            obj_coefs.append(w_sim * penalty)
    # Cohesive tracks: rooms used per block beyond the first.
    w_coh = weights[RULE_TRACK_COHESION] if coupling else 0
    for k in st.cohesive if w_coh and rooms else ():
        if k not in free_tracks:
            continue
        talks = [t for t in st.track_talks.get(k, ()) if t in choice]
        per_block: dict[int, dict[int, dict[int, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        for t in talks:
            for x, o in choice[t]:
                per_block[o[1]][o[0]][t].append(x)
        for _b, rooms in sorted(per_block.items()):
            if len(rooms) < 2:
                continue
            used = []
            for _r, by_talk in sorted(rooms.items()):
                if any(isinstance(x, int) for xs in by_talk.values() for x in xs):
                    used.append(1)
                    continue
                u = model.new_bool_var("room_used")
                for xs in by_talk.values():
                    model.add(sum(xs) <= u)
                aux.append((u, "max", [x for xs in by_talk.values() for x in xs]))
                used.append(u)
            const, lits = split(used)
            for lit in lits:
                obj_vars.append(lit)
                obj_coefs.append(w_coh)
            if const:
                continue  # -1 for the (constant) first room: a constant offset
            present = model.new_bool_var("track_present")
            model.add(present <= sum(lits))
            aux.append((present, "max", lits))
            obj_vars.append(present)
            obj_coefs.append(-w_coh)
    # Track order: each ordered talk should start after the previous one (by order) ends.
    w_ord = weights[RULE_TRACK_ORDER] if coupling else 0
    horizon = inst.grid.size
    pairs = sorted({i for t in free_set for i in st.talk_order_pairs.get(t, ())})
    for i in pairs if w_ord else ():
        a, b = st.ordered_pairs[i]
        if a not in choice or b not in choice:
            continue
        start_a = sum(o[3] * x for x, o in choice[a])
        start_b = sum(o[3] * x for x, o in choice[b])
        late = model.new_bool_var(f"order_broken[{i}]")
        ct = model.add(start_b >= start_a + inst.talks[a].slots - (horizon + 1) * late)
        enforce = [unscheduled[t].Not() for t in (a, b) if t in unscheduled]
        if enforce:
            ct.only_enforce_if(enforce)
        aux.append((late, "late", (a, b)))
        obj_vars.append(late)
        obj_coefs.append(w_ord)
    # Time relaxation: a lower bound on track cohesion without rooms. A cohesive track uses at
    # least as many rooms in a block as it has talks running in one slot, and at least
    # ceil(its talk-slots in the block / block length) rooms.
    for k in st.cohesive if w_coh and not rooms else ():
        talks = [t for t in st.track_talks.get(k, ()) if t in cover]
        per_block: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for t in talks:
            for x, o in choice[t]:
                per_block[o[1]][t].append(x)
        for b, by_talk in sorted(per_block.items()):
            if len(by_talk) < 2:
                continue
            extra = model.new_int_var(0, len(by_talk) - 1, f"cohesion_lb[{k},{b}]")
            first = inst.grid.offsets[b]
            length = inst.grid.blocks[b].slots
            for g in range(first, first + length):
                lits = [occ(t, g) for t in by_talk]
                lits = [lit for lit in lits if not isinstance(lit, int)]
                if len(lits) >= 2:
                    model.add(extra >= sum(lits) - 1)
            load = sum(inst.talks[t].slots * x for t, xs in by_talk.items() for x in xs)
            if sum(inst.talks[t].slots for t in by_talk) > length:
                model.add(length * (extra + 1) >= load)
            obj_vars.append(extra)
            obj_coefs.append(w_coh)
    model.minimize(cp_model.LinearExpr.weighted_sum(obj_vars, obj_coefs))
    return Built(model, choice, unscheduled, aux)


def build_time_relaxation(inst: Instance, allow_unscheduled: bool, *, coupling: bool = True,
                          talks: list[int] | None = None, similar_pairs: set[int] | None = None) -> Built:
    """A relaxation without rooms: each talk chooses a start only, at its cheapest room there.

    Rooms are replaced by counting: for every distinct set of rooms a talk may use (and the
    set of all rooms), the talks restricted to that set that run in a slot are at most the
    rooms of the set usable in that slot. Room double-booking (beyond counting), room-level
    trade-offs between talks and track cohesion (>= 0) are dropped, every other term is kept
    exactly, so any schedule's objective is >= this model's optimum and CP-SAT's bound on it
    is a valid lower bound on the full objective. Much smaller than the full model.

    `talks` restricts the model to a subset of the talks (a component of the decomposition
    bound, see `solver._components`), `similar_pairs` as in `build_model`.
    """
    free: dict[int, list[Option]] = {}
    room_sets: dict[int, frozenset[int]] = {}
    usable: dict[int, set[int]] = defaultdict(set)  # room -> slots some placement can use
    for t in range(len(inst.talks)) if talks is None else talks:
        best: dict[int, tuple[int, Option]] = {}
        length = inst.talks[t].slots
        for option, cost in zip(inst.option_list(t), inst.option_costs(t), strict=True):
            if option[3] not in best or cost < best[option[3]][0]:
                best[option[3]] = (cost, option)
            usable[option[0]].update(range(option[3], option[3] + length))
        free[t] = [best[g][1] for g in sorted(best)]
        room_sets[t] = frozenset(o[0] for o in inst.option_list(t))
    classes = set(room_sets.values()) | {frozenset(usable)}
    capacity = []
    for rooms in sorted(classes, key=sorted):
        talks = [t for t, s in room_sets.items() if s <= rooms]
        open_rooms: dict[int, int] = defaultdict(int)
        for r in rooms:
            for g in usable[r]:
                open_rooms[g] += 1
        if talks:
            capacity.append((talks, dict(open_rooms)))
    return build_model(inst, free, {}, allow_unscheduled, rooms=False, capacity=capacity, coupling=coupling,
                       similar_pairs=similar_pairs)


def add_full_hint(built: Built, inst: Instance, wanted: dict[int, tuple[int, int]]) -> None:
    """Hint every variable: x/unscheduled from `wanted` (talk -> (room, global start)), the rest computed."""
    model = built.model
    model.clear_hints()
    value: dict[int, int] = {}

    def val(item) -> int:
        if isinstance(item, int):
            return item
        return value.get(item.index, 0)

    start: dict[int, int | None] = {}
    for t, pairs in built.choice.items():
        want = wanted.get(t)
        start[t] = None
        for x, option in pairs:
            on = want is not None and (option[0], option[3]) == want
            if on:
                start[t] = option[3]
            if not isinstance(x, int):
                value[x.index] = int(on)
                model.add_hint(x, on)
            else:
                start[t] = option[3]
        if t in built.unscheduled:
            missing = start[t] is None
            value[built.unscheduled[t].index] = int(missing)
            model.add_hint(built.unscheduled[t], missing)
    for var, kind, data in built.aux:
        if kind == "sum":
            v = min(1, sum(val(x) for x in data))
        elif kind == "excess":
            const, lits = data
            v = max(0, const + sum(val(x) for x in lits) - 1)
        elif kind == "max":
            v = int(any(val(x) for x in data))
        elif kind == "and":
            v = int(all(val(x) for x in data))
        else:  # late
            a, b = data
            sa, sb = start.get(a), start.get(b)
            v = int(sa is not None and sb is not None and sb < sa + inst.talks[a].slots)
        value[var.index] = v
        model.add_hint(var, v)
