"""Give every proposal k reviewers: a pure CP-SAT model over plain ids, no Flask or database.

Rules, in order of importance:
- hard: never a conflicted reviewer, never a reviewer who speaks on the proposal;
- hard: existing assignments stay;
- first: as many proposals as possible get k reviewers;
- then: reviewers' loads are balanced (max load minus min load);
- then: track preferences (prefer over neutral over avoid).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

PREFER, NEUTRAL, AVOID = 1, 0, -1
TIME_LIMIT_SECONDS = 10.0


@dataclass(frozen=True)
class ProposalToReview:
    """A proposal as the assignment sees it: its track and the people who speak on it."""

    id: int
    track_id: int | None = None
    speaker_ids: frozenset[int] = frozenset()


@dataclass
class AssignmentPlan:
    """Every (proposal id, reviewer id) pair to hold, and the proposals left short of k."""

    pairs: set[tuple[int, int]] = field(default_factory=set)
    understaffed: dict[int, int] = field(default_factory=dict)

    def new_pairs(self, existing: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
        return self.pairs - set(existing)

    def loads(self, reviewer_ids: Iterable[int]) -> dict[int, int]:
        counts = dict.fromkeys(reviewer_ids, 0)
        for _, reviewer_id in self.pairs:
            if reviewer_id in counts:
                counts[reviewer_id] += 1
        return counts


def _preference_penalty(preference: int) -> int:
    # prefer 0, neutral 1, avoid 2: an assignment against a wish costs more.
    return 1 - max(AVOID, min(PREFER, preference))


def allowed_pairs(
    proposals: Iterable[ProposalToReview],
    reviewers: Iterable[int],
    conflicts: Iterable[tuple[int, int]],
) -> set[tuple[int, int]]:
    """(proposal, reviewer) pairs that break no hard rule; conflicts are (reviewer, proposal)."""
    forbidden = {(proposal_id, reviewer_id) for reviewer_id, proposal_id in conflicts}
    reviewer_ids = list(reviewers)
    return {
        (proposal.id, reviewer_id)
        for proposal in proposals
        for reviewer_id in reviewer_ids
        if reviewer_id not in proposal.speaker_ids and (proposal.id, reviewer_id) not in forbidden
    }


def assign_reviewers(
    proposals: Iterable[ProposalToReview],
    reviewers: Iterable[int],
    k: int,
    conflicts: Iterable[tuple[int, int]],
    preferences: Mapping[tuple[int, int], int],
    existing: Iterable[tuple[int, int]],
    time_limit_seconds: float = TIME_LIMIT_SECONDS,
) -> AssignmentPlan:
    """Plan assignments; ``conflicts`` are (reviewer, proposal) pairs, ``preferences`` map
    (reviewer, track) to PREFER/NEUTRAL/AVOID, ``existing`` holds (proposal, reviewer) pairs."""
    proposal_list = sorted(proposals, key=lambda proposal: proposal.id)
    reviewer_ids = sorted(set(reviewers))
    allowed = allowed_pairs(proposal_list, reviewer_ids, conflicts)
    kept = {pair for pair in existing if pair in allowed}
    if not proposal_list:
        return AssignmentPlan()

    model = cp_model.CpModel()
    chosen: dict[tuple[int, int], cp_model.IntVar] = {}
    for proposal in proposal_list:
        for reviewer_id in reviewer_ids:
            pair = (proposal.id, reviewer_id)
            if pair in allowed:
                chosen[pair] = model.new_bool_var(f"review_p{proposal.id}_r{reviewer_id}")
                if pair in kept:
                    model.add(chosen[pair] == 1)

    for proposal in proposal_list:
        variables = [chosen[(proposal.id, r)] for r in reviewer_ids if (proposal.id, r) in chosen]
        kept_here = sum(1 for r in reviewer_ids if (proposal.id, r) in kept)
        if variables:
            model.add(sum(variables) <= max(k, kept_here))

    track_of = {proposal.id: proposal.track_id for proposal in proposal_list}
    penalties = []
    for (proposal_id, reviewer_id), variable in chosen.items():
        cost = _preference_penalty(preferences.get((reviewer_id, track_of[proposal_id]), NEUTRAL))
        if cost:
            penalties.append(cost * variable)

    solver = cp_model.CpSolver()
    # One worker and a fixed seed: the same input always gives the same plan.
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = time_limit_seconds / 2
    solver.parameters.max_deterministic_time = time_limit_seconds / 4

    # First goal: as many assignments as the hard rules allow.
    total = sum(chosen.values())
    model.maximize(total)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _plan(_greedy(proposal_list, reviewer_ids, k, allowed, kept), proposal_list, reviewer_ids, k)
    best_total = round(solver.objective_value)
    pairs = {pair for pair, variable in chosen.items() if solver.value(variable)}
    model.add(total >= best_total)

    # Then, keeping that many: balance loads (highest minus lowest), then follow preferences.
    # Loads are held between two bounds rather than tied to a max/min, which keeps the
    # linear relaxation strong; the mean bounds them at once.
    highest = model.new_int_var(0, len(proposal_list), "highest_load")
    lowest = model.new_int_var(0, len(proposal_list), "lowest_load")
    # A reviewer who may review nothing here (all own or conflicted) is left out of the balance.
    able = [r for r in reviewer_ids if any((p.id, r) in chosen for p in proposal_list)]
    for reviewer_id in able:
        load = sum(chosen[(p.id, reviewer_id)] for p in proposal_list if (p.id, reviewer_id) in chosen)
        model.add(load <= highest)
        model.add(load >= lowest)
    model.add(highest * max(1, len(able)) >= best_total)
    model.add(lowest * max(1, len(able)) <= best_total)
    balance_weight = 2 * best_total + 1  # more than any total of preference penalties
    model.minimize(balance_weight * (highest - lowest) + sum(penalties))
    if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        pairs = {pair for pair, variable in chosen.items() if solver.value(variable)}
    return _plan(pairs, proposal_list, reviewer_ids, k)


def _plan(pairs, proposal_list, reviewer_ids, k) -> AssignmentPlan:
    plan = AssignmentPlan(pairs=pairs)
    for proposal in proposal_list:
        count = sum(1 for r in reviewer_ids if (proposal.id, r) in pairs)
        if count < k:
            plan.understaffed[proposal.id] = count
    return plan


def _greedy(proposals, reviewer_ids, k, allowed, kept) -> set[tuple[int, int]]:
    """A fallback when the solver finds nothing in time: least-loaded allowed reviewer first."""
    pairs = set(kept)
    load = {r: sum(1 for _, reviewer in pairs if reviewer == r) for r in reviewer_ids}
    for proposal in proposals:
        while sum(1 for r in reviewer_ids if (proposal.id, r) in pairs) < k:
            candidates = [
                r for r in reviewer_ids if (proposal.id, r) in allowed and (proposal.id, r) not in pairs
            ]
            if not candidates:
                break
            best = min(candidates, key=lambda r: (load[r], r))
            pairs.add((proposal.id, best))
            load[best] += 1
    return pairs
