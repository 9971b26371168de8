"""Precomputed, index-based view of a problem: candidate placements and their costs.

A candidate ("option") is a tuple (room index, block index, start slot in block, global
start slot, coefficients), where coefficients line up with `COEF_NAMES`: the per-placement
soft terms followed by the per-placement hard rules (counted when relaxed).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator

from .model import Problem
from .rules import (
    RULE_BLOCK_PREFERENCE,
    RULE_CAPACITY_OVERFLOW,
    RULE_MISSING_FEATURE,
    RULE_PERSON_UNAVAILABLE,
    RULE_PIN_BROKEN,
    RULE_REMOTE_AUDIENCE_HOURS,
    RULE_ROOM_NOT_ALLOWED,
    RULE_ROOM_PREFERENCE,
    RULE_ROOM_TOO_SMALL,
    RULE_ROOM_UNAVAILABLE,
    RULE_SPEAKER_LOCAL_HOURS,
    RULE_STABILITY,
    RULE_WRONG_HUB,
)
from .timegrid import Grid, band_penalty, in_band, zone
from .validation import validate_problem

LINEAR_TERMS = (RULE_SPEAKER_LOCAL_HOURS, RULE_REMOTE_AUDIENCE_HOURS, RULE_ROOM_PREFERENCE,
                RULE_BLOCK_PREFERENCE, RULE_CAPACITY_OVERFLOW, RULE_STABILITY)
PLACEMENT_RULES = (RULE_ROOM_UNAVAILABLE, RULE_ROOM_NOT_ALLOWED, RULE_MISSING_FEATURE, RULE_WRONG_HUB,
                   RULE_ROOM_TOO_SMALL, RULE_PIN_BROKEN, RULE_PERSON_UNAVAILABLE)
COEF_NAMES = LINEAR_TERMS + PLACEMENT_RULES
_N_LINEAR = len(LINEAR_TERMS)
_I = {name: i for i, name in enumerate(COEF_NAMES)}

Option = tuple[int, int, int, int, tuple[int, ...]]


class Instance:
    """Index maps, per-talk time and room parts, and option generation."""

    def __init__(self, problem: Problem, *, keep_all: bool = False):
        validate_problem(problem)
        self.problem = problem
        self.keep_all = keep_all  # explain mode: keep placements breaking any rule
        self.grid = grid = Grid.of(problem)
        self.talks = problem.talks
        self.rooms = problem.rooms
        self.talk_index = {t.id: i for i, t in enumerate(problem.talks)}
        self.room_index = {r.id: i for i, r in enumerate(problem.rooms)}
        self.block_index = {b.id: i for i, b in enumerate(grid.blocks)}
        self.people = {p.id: p for p in problem.people}
        tracks = {k.id: k for k in problem.tracks}
        relaxed = problem.hard_rules.relaxed
        self.hard = frozenset(r for r in PLACEMENT_RULES if r not in relaxed)
        if not problem.hard_rules.capacity_is_hard:
            self.hard = self.hard - {RULE_ROOM_TOO_SMALL}
        w = problem.weights
        self.coef_weights = tuple(
            [w.for_rule(name) for name in LINEAR_TERMS] + [problem.hard_rules.relaxed_weight] * len(PLACEMENT_RULES))
        # People who must be present for a talk: speakers and the chairs of its track.
        self.presenters: list[tuple[str, ...]] = []
        for talk in problem.talks:
            chairs = tracks[talk.track].chairs if talk.track in tracks else ()
            self.presenters.append(tuple(dict.fromkeys((*talk.speakers, *chairs))))
        self._available = {p.id: self._availability(p) for p in problem.people}
        # Local-hour penalties per slot, only for speakers, shared by people with equal zone and bands.
        speakers = {p for talk in problem.talks for p in talk.speakers}
        self._band = {}
        by_kind: dict[tuple, list[int]] = {}
        for person in problem.people:
            if person.id not in speakers:
                continue
            kind = (person.time_zone, person.local_hour_bands, person.unsuitable_penalty)
            if kind not in by_kind:
                tz = zone(person.time_zone)
                by_kind[kind] = [band_penalty(i.astimezone(tz).time(), person.local_hour_bands,
                                              person.unsuitable_penalty) for i in grid.instants]
            self._band[person.id] = by_kind[kind]
        self._civilised_cache: dict[tuple, list[bool]] = {}
        self._remote_cache: dict[tuple, int] = {}
        self.pins = {p.talk: p for p in problem.pins}
        self.previous = {p.talk: p for p in problem.previous}
        self._option_lists: dict[int, list[Option]] = {}
        self._option_costs: dict[int, list[int]] = {}
        self.time_parts = [self._time_part(i) for i in range(len(problem.talks))]
        self.room_parts = [self._room_part(i) for i in range(len(problem.talks))]

    def _availability(self, person) -> list[bool] | None:
        if person.unavailable:
            return [False] * self.grid.size
        if not person.availability:
            return None
        slot = self.grid.slot
        return [any(w.start <= i and i + slot <= w.end for w in person.availability) for i in self.grid.instants]

    def _civilised(self, zone_name: str) -> list[bool]:
        key = (zone_name,)
        if key not in self._civilised_cache:
            tz = zone(zone_name)
            start, end = self.problem.civilised_hours
            self._civilised_cache[key] = [in_band(i.astimezone(tz).time(), start, end) for i in self.grid.instants]
        return self._civilised_cache[key]

    def _time_part(self, t: int) -> list[tuple[int, int, int, list[int]]]:
        """(block index, start in block, global start, coefficient list) per start fitting a block."""
        talk = self.talks[t]
        grid = self.grid
        presenters = self.presenters[t]
        mix = talk.audience_time_zones if talk.audience_time_zones is not None else self.problem.audience_time_zones
        total_weight = sum(mix.values()) if talk.mode != "in_person" else 0
        mix_key = tuple(mix.items())
        parts = []
        for b, block in enumerate(grid.blocks):
            for s in range(block.slots - talk.slots + 1):
                gs = grid.offsets[b] + s
                covered = range(gs, gs + talk.slots)
                coefs = [0] * len(COEF_NAMES)
                coefs[_I[RULE_BLOCK_PREFERENCE]] = talk.block_penalties.get(block.id, 0)
                coefs[_I[RULE_SPEAKER_LOCAL_HOURS]] = sum(
                    self._band[p][g] for p in talk.speakers if p in self._band for g in covered)
                if total_weight > 0:
                    key = (mix_key, gs, talk.slots)
                    pct = self._remote_cache.get(key)
                    if pct is None:
                        outside = sum(weight for name, weight in mix.items()
                                      if not all(self._civilised(name)[g] for g in covered))
                        pct = self._remote_cache[key] = round(100 * outside / total_weight)
                    coefs[_I[RULE_REMOTE_AUDIENCE_HOURS]] = pct
                unavailable = 0
                for p in presenters:
                    avail = self._available.get(p)
                    if avail is not None and not all(avail[g] for g in covered):
                        unavailable += 1
                coefs[_I[RULE_PERSON_UNAVAILABLE]] = unavailable
                if unavailable and RULE_PERSON_UNAVAILABLE in self.hard and not self.keep_all:
                    continue
                parts.append((b, s, gs, coefs))
        return parts

    def _room_part(self, t: int) -> list[tuple[int, list[int]]]:
        talk = self.talks[t]
        parts = []
        for r, room in enumerate(self.rooms):
            coefs = [0] * len(COEF_NAMES)
            coefs[_I[RULE_ROOM_PREFERENCE]] = talk.room_penalties.get(room.id, 0)
            overflow = max(0, talk.audience - room.capacity)
            if self.problem.hard_rules.capacity_is_hard:
                coefs[_I[RULE_ROOM_TOO_SMALL]] = int(overflow > 0)
            else:
                coefs[_I[RULE_CAPACITY_OVERFLOW]] = overflow
            coefs[_I[RULE_ROOM_NOT_ALLOWED]] = int(talk.allowed_rooms is not None and room.id not in talk.allowed_rooms)
            coefs[_I[RULE_MISSING_FEATURE]] = int(not set(talk.required_features) <= set(room.features))
            coefs[_I[RULE_WRONG_HUB]] = int(talk.mode != "remote" and talk.hub is not None and room.hub != talk.hub)
            if not self.keep_all and any(coefs[_I[rule]] for rule in self.hard):
                continue
            parts.append((r, coefs))
        return parts

    def options(self, t: int) -> Iterator[Option]:
        """Every allowed placement of talk `t` with its coefficients."""
        yield from self.option_list(t)

    def _generate(self, t: int) -> tuple[list[Option], list[int]]:
        talk = self.talks[t]
        pin = self.pins.get(talk.id)
        prev = self.previous.get(talk.id)
        pin_hard = RULE_PIN_BROKEN in self.hard and not self.keep_all
        room_unavail_hard = RULE_ROOM_UNAVAILABLE in self.hard and not self.keep_all
        blocks = self.grid.blocks
        i_unavail, i_pin, i_stab = _I[RULE_ROOM_UNAVAILABLE], _I[RULE_PIN_BROKEN], _I[RULE_STABILITY]
        w = self.coef_weights
        weighted = [(b, s, gs, tcoefs, sum(c * k for c, k in zip(tcoefs, w, strict=True)))
                    for b, s, gs, tcoefs in self.time_parts[t]]
        options: list[Option] = []
        costs: list[int] = []
        add = operator.add
        for r, rcoefs in self.room_parts[t]:
            room = self.rooms[r]
            rcost = sum(c * k for c, k in zip(rcoefs, w, strict=True))
            allowed_blocks = None if room.available_blocks is None else set(room.available_blocks)
            for b, s, gs, tcoefs, tcost in weighted:
                block_id = blocks[b].id
                unavailable = int(allowed_blocks is not None and block_id not in allowed_blocks)
                if unavailable and room_unavail_hard:
                    continue
                pin_broken = int(pin is not None and (pin.room, pin.block, pin.start_slot) != (room.id, block_id, s))
                if pin_broken and pin_hard:
                    continue
                stab = int(prev is not None and (prev.room, prev.block, prev.start_slot) != (room.id, block_id, s))
                coefs = list(map(add, rcoefs, tcoefs))
                coefs[i_unavail] = unavailable
                coefs[i_pin] = pin_broken
                coefs[i_stab] = stab
                options.append((r, b, s, gs, tuple(coefs)))
                costs.append(rcost + tcost + unavailable * w[i_unavail] + pin_broken * w[i_pin] + stab * w[i_stab])
        return options, costs

    def option_list(self, t: int) -> list[Option]:
        """Every allowed placement of talk `t` (cached list)."""
        cached = self._option_lists.get(t)
        if cached is None:
            cached, self._option_costs[t] = self._generate(t)
            self._option_lists[t] = cached
        return cached

    def option_costs(self, t: int) -> list[int]:
        """Weighted cost of every option of talk `t` (same order as `option_list`)."""
        self.option_list(t)
        return self._option_costs[t]

    def cost(self, option: Option) -> int:
        """Weighted objective contribution of a placement on its own."""
        return sum(c * w for c, w in zip(option[4], self.coef_weights, strict=True) if c)

    def count_options(self) -> int:
        """Number of candidate placements over all talks (without building them)."""
        total = 0
        pin_hard = RULE_PIN_BROKEN in self.hard and not self.keep_all
        for t in range(len(self.talks)):
            if pin_hard and self.talks[t].id in self.pins:
                total += 1
                continue
            per_block: dict[int, int] = {}
            for b, *_ in self.time_parts[t]:
                per_block[b] = per_block.get(b, 0) + 1
            for r, _ in self.room_parts[t]:
                avail = self.rooms[r].available_blocks
                for b, n in per_block.items():
                    if avail is None or self.grid.blocks[b].id in avail or RULE_ROOM_UNAVAILABLE not in self.hard:
                        total += n
        return total
