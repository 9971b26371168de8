"""Independent checker: recomputes every rule from the assignments alone.

It deliberately shares no computation with the model builder (only the rule names), so
that a bug in one is caught by the other.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .model import Problem, Report, Solution, Violation, unscheduled_value
from .rules import (
    RELAXABLE_RULES,
    RULE_ATTENDEE_CONFLICT,
    RULE_BLOCK_PREFERENCE,
    RULE_CAPACITY_OVERFLOW,
    RULE_MISSING_FEATURE,
    RULE_PERSON_CLASH,
    RULE_PERSON_UNAVAILABLE,
    RULE_PIN_BROKEN,
    RULE_REMOTE_AUDIENCE_HOURS,
    RULE_ROOM_DOUBLE_BOOKED,
    RULE_ROOM_NOT_ALLOWED,
    RULE_ROOM_PREFERENCE,
    RULE_ROOM_TOO_SMALL,
    RULE_ROOM_UNAVAILABLE,
    RULE_SIMILAR_TRACK_CLASH,
    RULE_SPEAKER_LOCAL_HOURS,
    RULE_STABILITY,
    RULE_TALK_ONCE,
    RULE_TRACK_COHESION,
    RULE_TRACK_ORDER,
    RULE_UNSCHEDULED,
    RULE_WRONG_HUB,
    SOFT_TERMS,
    label,
    quoted,
)


def _local_time(instant: datetime, zone_name: str) -> time:
    return instant.astimezone(ZoneInfo(zone_name)).time()


def _within(local: time, start: time, end: time) -> bool:
    return start <= local < end if start < end else (local >= start or local < end)


def check(problem: Problem, solution: Solution, *, allow_unscheduled: bool = False) -> Report:
    """Recompute hard violations and every soft term of `solution` from scratch."""
    talks = {t.id: t for t in problem.talks}
    rooms = {r.id: r for r in problem.rooms}
    blocks = {b.id: b for b in problem.blocks}
    people = {p.id: p for p in problem.people}
    tracks = {k.id: k for k in problem.tracks}
    relaxed = problem.hard_rules.relaxed
    slot = timedelta(minutes=problem.slot_minutes)
    broken: list[Violation] = []
    soft = dict.fromkeys(SOFT_TERMS, 0)

    def breaks(rule: str, message: str, talk_ids=(), person_ids=(), room_ids=()) -> None:
        broken.append(Violation(rule, message, tuple(talk_ids), tuple(person_ids), tuple(room_ids)))

    # Where each talk runs, as a set of slot start instants.
    placed = {}
    for a in solution.assignments:
        if a.talk not in talks:
            breaks(RULE_TALK_ONCE, f'unknown talk "{a.talk}" in the schedule', [a.talk])
            continue
        if a.talk in placed:
            breaks(RULE_TALK_ONCE, f'talk "{a.talk}" is scheduled more than once', [a.talk])
            continue
        if a.room not in rooms or a.block not in blocks:
            breaks(RULE_TALK_ONCE, f'talk "{a.talk}" is placed in an unknown room or block', [a.talk])
            continue
        talk, block = talks[a.talk], blocks[a.block]
        if a.start_slot < 0 or a.start_slot + talk.slots > block.slots:
            breaks(RULE_TALK_ONCE, f'talk "{a.talk}" does not fit inside block "{a.block}"', [a.talk])
            continue
        first = block.start.astimezone(UTC) + slot * a.start_slot  # UTC: wall-clock sums skip DST hours
        if a.starts_at is not None and a.starts_at != first:
            # Calendars read the written start, the rules read block and slot: they must agree. (The end
            # may come earlier than the last slot's: a 25-minute talk fills two 15-minute slots.)
            breaks(RULE_TALK_ONCE, f'talk "{a.talk}" is written to start at {a.starts_at.isoformat()}, but block '
                   f'"{a.block}", slot {a.start_slot} starts at {first.isoformat()}', [a.talk])
        placed[a.talk] = (a, [first + slot * k for k in range(talk.slots)])
    for talk_id in dict.fromkeys(solution.unscheduled):
        if talk_id not in talks:
            breaks(RULE_TALK_ONCE, f'unknown talk "{talk_id}" in the list of left-out talks', [talk_id])
        elif talk_id in placed:
            breaks(RULE_TALK_ONCE, f'talk "{talk_id}" is scheduled and also listed as left out', [talk_id])
    left_out = [t.id for t in problem.talks if t.id not in placed]
    excused = set(solution.unscheduled) | (set(left_out) if allow_unscheduled else set())
    for talk_id in left_out:
        if talk_id not in excused:
            breaks(RULE_TALK_ONCE, f'talk "{talk_id}" is not scheduled', [talk_id])
    soft[RULE_UNSCHEDULED] = unscheduled_value(problem, [t for t in left_out if t in excused])

    # Rooms.
    room_use = defaultdict(list)
    for talk_id, (a, instants) in placed.items():
        for instant in instants:
            room_use[a.room, instant].append(talk_id)
    for (room_id, instant), ids in sorted(room_use.items()):
        if len(ids) > 1:
            breaks(RULE_ROOM_DOUBLE_BOOKED, f'room "{room_id}" hosts {quoted(sorted(ids))} at {instant.isoformat()}',
                   sorted(ids), room_ids=[room_id])

    # People present at each talk: speakers plus the chairs of its track.
    presenters = {}
    for talk_id in placed:
        talk = talks[talk_id]
        chairs = tracks[talk.track].chairs if talk.track in tracks else ()
        presenters[talk_id] = set(talk.speakers) | set(chairs)
    person_busy = defaultdict(list)
    for talk_id, (_a, instants) in placed.items():
        for person_id in presenters[talk_id]:
            for instant in instants:
                person_busy[person_id, instant].append(talk_id)
    clash_counts = defaultdict(int)
    clash_talks = defaultdict(set)
    for (person_id, _instant), ids in person_busy.items():
        if len(ids) > 1:
            clash_counts[person_id] += len(ids) - 1
            clash_talks[person_id].update(ids)
    relaxed_counts = defaultdict(int)
    relaxed_found: list[Violation] = []

    def rule_broken(rule: str, count: int, message: str, talk_ids=(), person_ids=(), room_ids=()) -> None:
        if rule in relaxed:
            relaxed_counts[rule] += count
            relaxed_found.append(Violation(rule, message, tuple(talk_ids), tuple(person_ids), tuple(room_ids)))
        else:
            breaks(rule, message, talk_ids, person_ids, room_ids)

    for person_id in sorted(clash_counts):
        ids = sorted(clash_talks[person_id])
        rule_broken(RULE_PERSON_CLASH, clash_counts[person_id],
                    f'{_name(people, person_id)} is needed at {quoted(ids)} at the same time', ids, [person_id])

    for talk_id, (a, instants) in placed.items():
        talk, room = talks[talk_id], rooms[a.room]
        for person_id in sorted(presenters[talk_id]):
            person = people.get(person_id)
            if person is None or not (person.availability or person.unavailable):
                continue
            if person.unavailable or not all(any(w.start <= i and i + slot <= w.end for w in person.availability) for i in instants):
                rule_broken(RULE_PERSON_UNAVAILABLE, 1,
                            f'{_name(people, person_id)} is not available for talk "{talk_id}"', [talk_id], [person_id])
        if room.available_blocks is not None and a.block not in room.available_blocks:
            rule_broken(RULE_ROOM_UNAVAILABLE, 1, f'room "{room.id}" is not available in block "{a.block}"',
                        [talk_id], room_ids=[room.id])
        if talk.allowed_rooms is not None and room.id not in talk.allowed_rooms:
            rule_broken(RULE_ROOM_NOT_ALLOWED, 1, f'talk "{talk_id}" does not allow room "{room.id}"',
                        [talk_id], room_ids=[room.id])
        missing = set(talk.required_features) - set(room.features)
        if missing:
            rule_broken(RULE_MISSING_FEATURE, 1,
                        f'room "{room.id}" lacks {", ".join(sorted(missing))} needed by talk "{talk_id}"',
                        [talk_id], room_ids=[room.id])
        if talk.mode != "remote" and talk.hub is not None and room.hub != talk.hub:
            rule_broken(RULE_WRONG_HUB, 1, f'talk "{talk_id}" belongs to hub "{talk.hub}" but room "{room.id}" '
                        f'is in {room.hub or "no hub"}', [talk_id], room_ids=[room.id])
        overflow = max(0, talk.audience - room.capacity)
        if problem.hard_rules.capacity_is_hard:
            if overflow:
                rule_broken(RULE_ROOM_TOO_SMALL, 1, f'talk "{talk_id}" expects {talk.audience} people but room '
                            f'"{room.id}" holds {room.capacity}', [talk_id], room_ids=[room.id])
        else:
            soft[RULE_CAPACITY_OVERFLOW] += overflow
        soft[RULE_ROOM_PREFERENCE] += talk.room_penalties.get(room.id, 0)
        soft[RULE_BLOCK_PREFERENCE] += talk.block_penalties.get(a.block, 0)
        for person_id in talk.speakers:
            person = people.get(person_id)
            if person is None:
                continue
            for instant in instants:
                local = _local_time(instant, person.time_zone)
                penalty = next((b.penalty for b in person.local_hour_bands if _within(local, b.start, b.end)),
                               person.unsuitable_penalty)
                soft[RULE_SPEAKER_LOCAL_HOURS] += penalty
        if talk.mode != "in_person":
            mix = talk.audience_time_zones if talk.audience_time_zones is not None else problem.audience_time_zones
            total = sum(mix.values())
            if total > 0:
                start, end = problem.civilised_hours
                outside = sum(w for z, w in mix.items()
                              if any(not _within(_local_time(i, z), start, end) for i in instants))
                soft[RULE_REMOTE_AUDIENCE_HOURS] += round(100 * outside / total)
    for pin in problem.pins:
        if pin.talk in placed:
            a = placed[pin.talk][0]
            if (a.room, a.block, a.start_slot) != (pin.room, pin.block, pin.start_slot):
                rule_broken(RULE_PIN_BROKEN, 1, f'talk "{pin.talk}" is pinned to room "{pin.room}", block '
                            f'"{pin.block}", slot {pin.start_slot}', [pin.talk], room_ids=[pin.room])
    for prev in problem.previous:
        if prev.talk in placed:
            a = placed[prev.talk][0]
            soft[RULE_STABILITY] += int((a.room, a.block, a.start_slot) != (prev.room, prev.block, prev.start_slot))

    # Attendees.
    running_at = defaultdict(set)
    for talk_id, (_a, instants) in placed.items():
        for instant in instants:
            running_at[instant].add(talk_id)
    for person in problem.people:
        wants = set(person.wants)
        if len(wants) < 2:
            continue
        for ids in running_at.values():
            soft[RULE_ATTENDEE_CONFLICT] += max(0, len(ids & wants) - 1)
    # Similar tracks.
    for pair in problem.similar_tracks:
        if pair.track_a == pair.track_b:
            continue
        for ids in running_at.values():
            track_ids = {talks[t].track for t in ids}
            if pair.track_a in track_ids and pair.track_b in track_ids:
                soft[RULE_SIMILAR_TRACK_CLASH] += pair.penalty
    # Cohesion.
    rooms_per_track_block = defaultdict(set)
    for talk_id, (a, _instants) in placed.items():
        track = tracks.get(talks[talk_id].track)
        if track is not None and track.cohesive:
            rooms_per_track_block[track.id, a.block].add(a.room)
    soft[RULE_TRACK_COHESION] = sum(len(r) - 1 for r in rooms_per_track_block.values())
    # Order: every talk of a track's next order value starts once every talk of the value before has ended.
    order_levels = defaultdict(lambda: defaultdict(list))
    for talk in problem.talks:
        if talk.track is not None and talk.track_order is not None:
            order_levels[talk.track][talk.track_order].append(talk.id)
    for levels in order_levels.values():
        values = sorted(levels)
        for earlier, later in zip(values, values[1:], strict=False):
            for a_id in (a for a in levels[earlier] if a in placed):
                end_a = placed[a_id][1][-1] + slot
                soft[RULE_TRACK_ORDER] += sum(placed[b][1][0] < end_a for b in levels[later] if b in placed)

    for name, count in relaxed_counts.items():
        soft[name] = count
    weights = problem.weights
    objective = sum(weights.for_rule(name) * soft[name] for name in SOFT_TERMS)
    objective += problem.hard_rules.relaxed_weight * sum(
        count for name, count in relaxed_counts.items() if name in RELAXABLE_RULES)
    return Report(hard_violations=tuple(broken), soft_terms=soft, objective=objective,
                  relaxed_violations=tuple(relaxed_found))


def _name(people: dict, person_id: str) -> str:
    person = people.get(person_id)
    return f"{person.name} ({person_id})" if person is not None and person.name else f'person "{person_id}"'


def describe(report: Report) -> str:
    """Readable multi-line summary of a report."""
    lines = [f"Hard violations: {len(report.hard_violations)}"]
    lines += [f"  [{v.rule}] {v.message}" for v in report.hard_violations]
    if report.relaxed_violations:
        lines.append(f"Relaxed rules broken: {len(report.relaxed_violations)}")
        lines += [f"  [{v.rule}] {v.message}" for v in report.relaxed_violations]
    lines.append("Soft terms (recomputed):")
    lines += [f"  {name:24} {value:>8}   {label(name)}" for name, value in report.soft_terms.items()]
    lines.append(f"Objective: {report.objective}")
    return "\n".join(lines)
