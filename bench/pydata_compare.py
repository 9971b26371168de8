"""Side-by-side comparison with the PyData ``conference-scheduler`` (PuLP + CBC).

The comparison is made on *its* problem class, not ours:

* events with a duration, a demand, tags and an unavailability list (of slots, i.e.
  times at which the speaker is away, and of other events, i.e. a shared speaker);
* slots: one venue at one time, with a capacity and a session label;
* hard rules: every event exactly once, at most one event per slot, never in a slot it
  is unavailable for, never at the same time as an event it is unavailable for or
  shares a tag with;
* objective ``efficiency_capacity_demand_difference``: the total over scheduled events
  of (event demand - slot capacity), to be minimised.

Each instance is converted to both libraries:

* PyData: the ``Event``/``Slot`` objects themselves, solved with
  ``conference_scheduler.scheduler.solution(..., objective_function=
  efficiency_capacity_demand_difference, solver=PULP_CBC_CMD(timeLimit=...))``.
* ours: a ``scheduler.Problem`` with one block per (day, session), one room per venue,
  one 1-slot talk per event (audience = demand), one speaker per event whose
  availability windows are the complement of the event's unavailable times, one extra
  shared "speaker" per tag and per event-event unavailability (so the person-clash rule
  forbids exactly those concurrencies), and the objective put on room preference
  penalties ``capacity(biggest venue) - capacity(venue)`` with every other weight 0.
  Then ours = theirs - sum(demand) + n * max_capacity for every complete schedule.

Both solutions are then scored with the PyData objective function and checked with the
PyData validator and with the documented rules (the PyData model only adds a tag clash
constraint for events that also have a non-empty unavailability list, and only in one
slot order; ours enforces the documented rule for every pair, so ours is never looser).

Usage::

    python bench/pydata_compare.py                      # 50,100,200,400 events, 3 seeds
    python bench/pydata_compare.py --sizes 50,100 --seeds 1 --time-limit 20
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time as clock
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    fmt,
    machine_info,
    median,
    render_table,
    run_child,
    write_results,
)

SIZES = (50, 100, 200, 400)
SLOT_MINUTES = 30
PERIODS_PER_SESSION = 4  # four 30-min talks per morning / afternoon session
SESSIONS = (("morning", 9, 0), ("afternoon", 14, 0))
VENUE_CAPACITIES = (500, 300, 200, 150, 120, 100, 80, 60, 50, 40, 30)
FIRST_DAY = datetime(2027, 9, 14)


@dataclass
class Instance:
    """A PyData-class instance plus the generator's bookkeeping."""

    events: list  # conference_scheduler.resources.Event
    slots: list  # conference_scheduler.resources.Slot
    n_events: int
    seed: int


def venue_count(n_events: int) -> int:
    return 3 + n_events // 100


def make_instance(n_events: int, seed: int = 1) -> Instance:
    """A PyCon-like instance of the PyData problem class, deterministic for (n, seed)."""
    from conference_scheduler.resources import Event, Slot

    rng = random.Random(f"pydata-compare/{n_events}/{seed}")
    n_venues = venue_count(n_events)
    capacities = list(VENUE_CAPACITIES[:n_venues])
    venues = [f"Venue {chr(65 + v)}" for v in range(n_venues)]
    periods_needed = math.ceil(1.3 * n_events / n_venues)
    periods_per_day = len(SESSIONS) * PERIODS_PER_SESSION
    n_days = math.ceil(periods_needed / periods_per_day)
    periods = []  # (starts_at, session label)
    for d in range(n_days):
        day = FIRST_DAY + timedelta(days=d)
        for name, hour, minute in SESSIONS:
            for k in range(PERIODS_PER_SESSION):
                start = day.replace(hour=hour, minute=minute) + timedelta(minutes=SLOT_MINUTES * k)
                periods.append((start, f"day{d + 1}-{name}"))
    periods = periods[:periods_needed]
    slots = [
        Slot(venue=venues[v], starts_at=start, duration=SLOT_MINUTES, capacity=capacities[v],
             session=session)
        for start, session in periods
        for v in range(n_venues)
    ]

    # demand: Zipf-like popularity, scaled so that total demand exceeds the capacity of
    # the n biggest slots (the objective is then positive for every schedule)
    ranks = list(range(1, n_events + 1))
    rng.shuffle(ranks)
    raw = [1.0 / r**0.7 for r in ranks]
    top_capacity = sum(sorted((s.capacity for s in slots), reverse=True)[:n_events])
    scale = 1.2 * top_capacity / sum(raw)
    demand = [max(5, round(x * scale)) for x in raw]

    n_tags = max(6, n_events // 10)
    tags = [f"tag{t:02d}" for t in range(n_tags)]
    events = []
    for i in range(n_events):
        chosen = [rng.choice(tags)]
        if rng.random() < 0.2:
            other = rng.choice(tags)
            if other not in chosen:
                chosen.append(other)
        events.append(Event(name=f"talk-{i:03d}", duration=SLOT_MINUTES, demand=demand[i],
                            tags=chosen))
    # speakers away for a whole session (all venues), ~10% of events
    by_session: dict[str, list] = {}
    for s in slots:
        by_session.setdefault(s.session, []).append(s)
    session_names = sorted(by_session, key=lambda n: by_session[n][0].starts_at)
    for event in events:
        if rng.random() < 0.10:
            away = rng.sample(session_names, k=min(len(session_names), rng.randint(1, 2)))
            for name in sorted(away, key=session_names.index):
                event.add_unavailability(*by_session[name])
    # the same speaker gives two talks, ~5% of events
    for i, event in enumerate(events):
        if rng.random() < 0.05:
            j = rng.randrange(n_events)
            if j != i and events[j] not in event.unavailability:
                event.add_unavailability(events[j])
    return Instance(events, slots, n_events, seed)


# --------------------------------------------------------------------------- scoring

def pydata_objective(inst: Instance, pairs: list[tuple[int, int]]) -> int:
    """The PyData objective (efficiency_capacity_demand_difference) of a solution."""
    import numpy as np
    from conference_scheduler.lp_problem.objective_functions import (
        efficiency_capacity_demand_difference,
    )

    x = np.zeros((len(inst.events), len(inst.slots)), dtype=np.int64)
    for e, s in pairs:
        x[e, s] = 1
    return int(efficiency_capacity_demand_difference(slots=inst.slots, events=inst.events, X=x))


def pydata_violations(inst: Instance, pairs: list[tuple[int, int]]) -> int:
    """Number of constraints the PyData validator reports as violated."""
    from conference_scheduler import validator

    return sum(1 for _ in validator.solution_violations(pairs, inst.events, inst.slots))


def documented_violations(inst: Instance, pairs: list[tuple[int, int]], *,
                          require_all: bool = True) -> list[str]:
    """Violations of the problem class's documented rules (symmetric tag/event clashes)."""
    out = []
    placed: dict[int, list[int]] = {}
    for e, s in pairs:
        placed.setdefault(e, []).append(s)
    for e in range(len(inst.events)):
        if len(placed.get(e, [])) > 1 or (require_all and e not in placed):
            out.append(f"event {e} scheduled {len(placed.get(e, []))} times")
    used: dict[int, int] = {}
    for e, s in pairs:
        if s in used:
            out.append(f"slot {s} holds events {used[s]} and {e}")
        used[s] = e
        if inst.slots[s] in inst.events[e].unavailability:
            out.append(f"event {e} in unavailable slot {s}")
    at_time: dict[datetime, list[int]] = {}
    for e, s in pairs:
        at_time.setdefault(inst.slots[s].starts_at, []).append(e)
    for group in at_time.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                ea, eb = inst.events[a], inst.events[b]
                if set(ea.tags) & set(eb.tags) or eb in ea.unavailability or ea in eb.unavailability:
                    out.append(f"events {a} and {b} clash")
    return out


def lower_bound(inst: Instance) -> int:
    """Objective with every constraint but 'one event per slot' dropped (a valid bound)."""
    caps = sorted((s.capacity for s in inst.slots), reverse=True)[: len(inst.events)]
    return sum(e.demand for e in inst.events) - sum(caps)


# --------------------------------------------------------------------------- ours

def to_problem(inst: Instance):
    """The same instance as a `scheduler.Problem` (see the module docstring)."""
    from scheduler.model import Block, Person, Problem, Room, Talk, Weights, Window

    def utc(dt: datetime) -> datetime:
        return dt.replace(tzinfo=UTC)

    # blocks: consecutive periods of one session
    times = sorted({s.starts_at for s in inst.slots})
    session_of = {s.starts_at: s.session for s in inst.slots}
    blocks: list[Block] = []
    where: dict[datetime, tuple[str, int]] = {}
    for t in times:
        sess = session_of[t]
        if blocks and blocks[-1].id == sess and \
                utc(t) == blocks[-1].start + timedelta(minutes=SLOT_MINUTES * blocks[-1].slots):
            last = blocks[-1]
            blocks[-1] = Block(last.id, last.start, last.slots + 1)
        else:
            if any(b.id == sess for b in blocks):
                raise ValueError(f"session {sess} is not one contiguous run of periods")
            blocks.append(Block(sess, utc(t), 1))
        where[t] = (sess, blocks[-1].slots - 1)
    if len({s.duration for s in inst.slots} | {e.duration for e in inst.events}) != 1:
        raise ValueError("the conversion supports one common duration for slots and events")

    venues: dict[str, int] = {}
    for s in inst.slots:
        if venues.setdefault(s.venue, s.capacity) != s.capacity:
            raise ValueError(f"venue {s.venue} has slots of different capacity")
    max_cap = max(venues.values())
    room_ids = {v: f"v{i}" for i, v in enumerate(venues)}
    rooms = tuple(Room(room_ids[v], v, cap, "venue", "UTC") for v, cap in venues.items())
    penalties = {room_ids[v]: max_cap - cap for v, cap in venues.items() if max_cap - cap}

    slot_end = {t: utc(t) + timedelta(minutes=SLOT_MINUTES) for t in times}
    people: list[Person] = []
    extra: dict[int, list[str]] = {i: [] for i in range(len(inst.events))}
    tag_members: dict[str, list[int]] = {}
    for i, e in enumerate(inst.events):
        for tag in e.tags:
            tag_members.setdefault(tag, []).append(i)
    for tag in sorted(tag_members):
        if len(tag_members[tag]) > 1:
            people.append(Person(f"tag:{tag}", f"shared tag {tag}"))
            for i in tag_members[tag]:
                extra[i].append(f"tag:{tag}")
    index = {id(e): i for i, e in enumerate(inst.events)}
    seen_pairs: set[tuple[int, int]] = set()
    talks = []
    for i, e in enumerate(inst.events):
        away = set()
        for item in e.unavailability:
            if hasattr(item, "venue"):
                away.add(item.starts_at)
            else:
                j = index.get(id(item))
                if j is None:
                    j = inst.events.index(item)
                pair = (min(i, j), max(i, j))
                if pair not in seen_pairs:
                    seen_pairs.add(pair)
                    people.append(Person(f"pair:{pair[0]}-{pair[1]}", "shared speaker"))
                    extra[pair[0]].append(f"pair:{pair[0]}-{pair[1]}")
                    extra[pair[1]].append(f"pair:{pair[0]}-{pair[1]}")
        for t in away:  # whole periods only: every venue at that time must be listed
            at_t = [s for s in inst.slots if s.starts_at == t]
            if not all(s in e.unavailability for s in at_t):
                raise ValueError(f"event {i}: unavailability of single venues is not supported")
        windows = []
        run_start = None
        for t in times:
            if t in away:
                if run_start is not None:
                    windows.append(Window(run_start, utc(t)))
                    run_start = None
            elif run_start is None:
                run_start = utc(t)
        if run_start is not None and away:
            windows.append(Window(run_start, slot_end[times[-1]]))
        people.append(Person(f"s{i}", f"speaker of {e.name}", availability=tuple(windows)))
        talks.append((i, e))
    talk_objs = tuple(
        Talk(id=f"e{i}", title=e.name, slots=1, speakers=(f"s{i}", *extra[i]), audience=e.demand,
             room_penalties=penalties, hub="venue")
        for i, e in talks
    )
    weights = Weights(**dict.fromkeys(Weights.__dataclass_fields__, 0)
                      | {"room_preference": 1, "unscheduled": 100_000})
    problem = Problem(blocks=tuple(blocks), rooms=rooms, talks=talk_objs,
                      slot_minutes=SLOT_MINUTES, people=tuple(people), weights=weights)
    slot_index = {(room_ids[s.venue], *where[s.starts_at]): k for k, s in enumerate(inst.slots)}
    return problem, slot_index


def ours_to_pairs(solution, slot_index: dict) -> list[tuple[int, int]]:
    return sorted(
        (int(a.talk[1:]), slot_index[(a.room, a.block, a.start_slot)]) for a in solution.assignments
    )


def our_objective_from_pydata(inst: Instance, theirs: int) -> int:
    """Our room-preference objective of a complete schedule with PyData objective `theirs`."""
    max_cap = max(s.capacity for s in inst.slots)
    return theirs - sum(e.demand for e in inst.events) + len(inst.events) * max_cap


# --------------------------------------------------------------------------- workers

def _worker_pydata(n: int, seed: int, time_limit: float, threads: int) -> dict[str, Any]:
    import resource

    # PuLP 3.x warns about APIs it will remove in 4.0; the package uses them.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import pulp
    from conference_scheduler import scheduler
    from conference_scheduler.lp_problem.objective_functions import (
        efficiency_capacity_demand_difference,
    )

    inst = make_instance(n, seed)
    cbc_time = [0.0]
    original_solve = pulp.LpProblem.solve

    def timed_solve(self, *a, **kw):  # split model building (Python) from CBC's run
        t = clock.perf_counter()
        try:
            return original_solve(self, *a, **kw)
        finally:
            cbc_time[0] += clock.perf_counter() - t

    pulp.LpProblem.solve = timed_solve
    started = clock.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=threads)
    try:
        pairs = scheduler.solution(inst.events, inst.slots,
                                   objective_function=efficiency_capacity_demand_difference,
                                   solver=solver)
        status = "solved"
    except ValueError as error:
        pairs, status = [], f"no solution ({error})"
    wall = clock.perf_counter() - started
    cbc_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"pairs": [[int(e), int(s)] for e, s in pairs], "wall": wall, "status": status,
            "cbc_s": cbc_time[0], "build_s": wall - cbc_time[0],
            "cbc_maxrss_mb": cbc_rss, "pulp": pulp.__version__}


def _worker_ours(n: int, seed: int, time_limit: float, workers: int,
                 external_stop: bool = True) -> dict[str, Any]:
    import threading

    import scheduler

    inst = make_instance(n, seed)
    started = clock.perf_counter()
    problem, slot_index = to_problem(inst)
    built = clock.perf_counter()
    # The relaxation bound (n biggest slots) proves optimality once an incumbent reaches
    # it; CP-SAT's own bound may lag, so optionally stop there ("stop early when optimal").
    proven_at = our_objective_from_pydata(inst, lower_bound(inst))
    stop = threading.Event()
    trace: list[tuple[float, float]] = []

    def on_progress(p) -> None:
        if p.objective is None:
            return
        trace.append((p.elapsed_seconds, p.objective))
        if external_stop and p.objective <= proven_at:
            stop.set()

    solution = scheduler.solve(problem, time_limit=time_limit, workers=workers, seed=0,
                               on_progress=on_progress, stop=stop)
    wall = clock.perf_counter() - started
    report = scheduler.check(problem, solution) if solution.has_schedule else None
    best_at = None
    if trace:
        best = min(o for _, o in trace)
        best_at = min(t for t, o in trace if o == best) + (built - started)
    return {"pairs": [list(p) for p in ours_to_pairs(solution, slot_index)], "wall": wall,
            "convert": built - started, "status": solution.status,
            "objective": solution.objective, "bound": solution.best_bound,
            "first_solution": trace[0][0] if trace else None, "time_to_best": best_at,
            "stopped_at_relaxation_bound": stop.is_set(),
            "checker_ok": None if report is None else report.ok,
            "unscheduled": len(solution.unscheduled)}


# --------------------------------------------------------------------------- driver

def run(sizes, seeds, time_limit, workers, hard_factor=3.0, early_stop=True,
        log=print) -> dict[str, Any]:
    me = str(Path(__file__).resolve())
    rows = []
    for n in sizes:
        for seed in seeds:
            inst = make_instance(n, seed)
            lb = lower_bound(inst)
            entry: dict[str, Any] = {"events": n, "seed": seed, "slots": len(inst.slots),
                                     "venues": venue_count(n), "lower_bound": lb}
            order = ("pydata", "ours") if seed % 2 else ("ours", "pydata")
            for who in order:
                args = [me, "--worker", who, "--n", str(n), "--seed", str(seed),
                        "--time-limit", str(time_limit), "--workers", str(workers)]
                if not early_stop:
                    args.append("--no-early-stop")
                child = run_child(args, hard_timeout=hard_factor * time_limit + 120)
                res: dict[str, Any] = {"child_wall": child.wall_s, "maxrss_mb": child.maxrss_mb,
                                       "timed_out": child.timed_out}
                if child.payload is None:
                    res["status"] = "timeout" if child.timed_out else f"crashed rc={child.returncode}"
                    res["stderr"] = child.stderr_tail[-800:]
                else:
                    res.update(child.payload)
                    pairs = [tuple(p) for p in res.pop("pairs")]
                    if pairs:
                        res["objective_pydata"] = pydata_objective(inst, pairs)
                        res["pydata_validator_violations"] = pydata_violations(inst, pairs)
                        res["documented_violations"] = len(documented_violations(inst, pairs))
                        res["scheduled"] = len({e for e, _ in pairs})
                entry[who] = res
            rows.append(entry)
            log(_row_line(entry))
    return {"rows": rows, "summary": summarise(rows, sizes)}


def _row_line(e: dict) -> str:
    p, o = e.get("pydata", {}), e.get("ours", {})
    return (f"  n={e['events']:>4} seed={e['seed']}: pydata {fmt(p.get('wall'), '.1f')}s "
            f"obj={fmt(p.get('objective_pydata'), 'd')} [{p.get('status')}]  |  ours "
            f"{fmt(o.get('wall'), '.2f')}s obj={fmt(o.get('objective_pydata'), 'd')} "
            f"[{o.get('status')}]  lb={e['lower_bound']}")


def summarise(rows: list[dict], sizes) -> list[dict]:
    out = []
    for n in sizes:
        rs = [r for r in rows if r["events"] == n]
        speed, objr, diffs = [], [], []
        for r in rs:
            p, o = r.get("pydata", {}), r.get("ours", {})
            pw = p.get("wall") if p.get("objective_pydata") is not None else p.get("child_wall")
            if o.get("wall") and pw:
                speed.append(pw / o["wall"])
            if p.get("objective_pydata") is not None and o.get("objective_pydata") is not None:
                objr.append(o["objective_pydata"] / p["objective_pydata"])
                diffs.append(o["objective_pydata"] - p["objective_pydata"])
        out.append({
            "events": n,
            "runs": len(rs),
            "pydata_wall_median": median([r["pydata"].get("wall") or r["pydata"].get("child_wall")
                                          for r in rs]),
            "ours_wall_median": median([r["ours"].get("wall") for r in rs]),
            "ours_best_median": median([r["ours"].get("time_to_best") for r in rs]),
            "ours_proved_by_cpsat": sum(1 for r in rs if r["ours"].get("status") == "OPTIMAL"),
            "ours_stopped_at_bound": sum(1 for r in rs
                                         if r["ours"].get("stopped_at_relaxation_bound")),
            "speedup_median": median(speed),
            "pydata_obj_median": median([r["pydata"].get("objective_pydata") for r in rs]),
            "ours_obj_median": median([r["ours"].get("objective_pydata") for r in rs]),
            "lb_median": median([r["lower_bound"] for r in rs]),
            "obj_ratio_median": median(objr),
            "obj_diff_max": max(diffs) if diffs else None,
            "ours_not_worse": sum(
                1 for r in rs if r["ours"].get("objective_pydata") is not None
                and (r["pydata"].get("objective_pydata") is None
                     or r["ours"]["objective_pydata"] <= r["pydata"]["objective_pydata"])),
            "pydata_solved": sum(1 for r in rs if r["pydata"].get("objective_pydata") is not None),
            "ours_ok": sum(1 for r in rs if r["ours"].get("checker_ok")
                           and r["ours"].get("pydata_validator_violations") == 0
                           and r["ours"].get("documented_violations") == 0),
            "pydata_valid": sum(1 for r in rs if r["pydata"].get("pydata_validator_violations") == 0),
            "pydata_documented_ok": sum(1 for r in rs
                                        if r["pydata"].get("documented_violations") == 0),
            "pydata_maxrss_mb": max([r["pydata"].get("maxrss_mb") or 0 for r in rs]
                                    + [r["pydata"].get("cbc_maxrss_mb") or 0 for r in rs]),
            "ours_maxrss_mb": max(r["ours"].get("maxrss_mb") or 0 for r in rs),
        })
    return out


def print_summary(summary: list[dict], time_limit: float) -> str:
    headers = ["events", "runs", "PyData s", "ours s", "speed-up", "ours best s", "proof C/R", "PyData obj", "ours obj",
               "bound", "ours/PyData obj", "valid ours", "valid PyData*", "RSS MB P/o",
               "target"]
    rows = []
    for s in summary:
        target_speed = 10 if s["events"] >= 200 else None
        met = (s["ours_not_worse"] == s["runs"] and
               (target_speed is None or s["speedup_median"] >= target_speed))
        rows.append([
            str(s["events"]), str(s["runs"]), fmt(s["pydata_wall_median"], ".1f"),
            fmt(s["ours_wall_median"], ".2f"), fmt(s["speedup_median"], ".1f") + "x",
            fmt(s["ours_best_median"], ".2f"),
            f"{s['ours_proved_by_cpsat']}/{s['ours_stopped_at_bound']}",
            fmt(s["pydata_obj_median"], ".0f") + f" ({s['pydata_solved']}/{s['runs']})",
            fmt(s["ours_obj_median"], ".0f"), fmt(s["lb_median"], ".0f"),
            fmt(s["obj_ratio_median"], ".3f"),
            f"{s['ours_ok']}/{s['runs']}",
            f"{s['pydata_valid']}/{s['runs']} ({s['pydata_documented_ok']})",
            f"{s['pydata_maxrss_mb']:.0f}/{s['ours_maxrss_mb']:.0f}",
            ("obj<=, " + (f">={target_speed}x" if target_speed else "-")) + (": MET" if met else ": not met"),
        ])
    text = render_table(headers, rows)
    notes = (
        f"\nTime limit per solve: {time_limit:g} s (CBC timeLimit; CP-SAT time_limit, stops early "
        "when optimal). Walls are medians; speed-up = median of per-instance PyData/ours ratios.\n"
        "ours best s = when ours first held its final objective; proof C/R = runs that CP-SAT "
        "proved optimal itself / runs stopped because the incumbent reached the relaxation bound.\n"
        "Objective = PyData efficiency_capacity_demand_difference for both (lower is better); "
        "bound = sum(demand) - sum(capacity of the n biggest slots).\n"
        "valid PyData* = accepted by the PyData validator (in brackets: also by the documented "
        "symmetric tag-clash rule). Target: ours obj <= PyData obj at every size and >= 10x "
        "faster from 200 events on."
    )
    return text + notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PyData conference-scheduler vs ours")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--seeds", type=int, default=3, help="instances per size (seeds 1..N)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="sizes 50,100, 1 seed, 20 s")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--no-early-stop", action="store_true",
                        help="let CP-SAT run until its own bound proves optimality or time runs out")
    parser.add_argument("--worker", choices=("pydata", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        if args.worker == "pydata":
            out = _worker_pydata(args.n, args.seed, args.time_limit, args.workers)
        else:
            out = _worker_ours(args.n, args.seed, args.time_limit, args.workers,
                               external_stop=not args.no_early_stop)
        print(json.dumps(out))
        return 0
    if args.quick:
        sizes, seeds, limit = [50, 100], [1], 20.0
    else:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        seeds, limit = list(range(1, args.seeds + 1)), args.time_limit
    print(f"PyData conference-scheduler vs scheduler (CP-SAT), sizes {sizes}, seeds {seeds}, "
          f"{limit:g} s per solve, {args.workers} workers", flush=True)
    result = run(sizes, seeds, limit, args.workers, early_stop=not args.no_early_stop,
                 log=lambda s: print(s, flush=True))
    print()
    print(print_summary(result["summary"], limit))
    if not args.no_write:
        import importlib.metadata as md

        versions = {}
        for pkg in ("conference-scheduler", "pulp", "ortools", "numpy"):
            try:
                versions[pkg] = md.version(pkg)
            except md.PackageNotFoundError:
                versions[pkg] = None
        path = write_results("pydata_compare", {
            "machine": machine_info(), "versions": versions, "time_limit": limit,
            "workers": args.workers, **result})
        print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
