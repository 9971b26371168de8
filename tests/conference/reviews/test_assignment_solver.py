"""The pure assignment function: hard rules, coverage, balance, preferences, determinism."""

from conference.reviews.assignment import AVOID, PREFER, ProposalToReview, assign_reviewers


def _proposals(count, track_of=lambda i: 1, speakers=lambda i: frozenset()):
    return [ProposalToReview(i, track_of(i), speakers(i)) for i in range(1, count + 1)]


def _loads(plan, reviewers):
    return plan.loads(reviewers)


def test_every_proposal_gets_k_reviewers_with_balanced_load():
    reviewers = [10, 11, 12, 13, 14]
    plan = assign_reviewers(_proposals(7), reviewers, 3, set(), {}, set())
    for proposal_id in range(1, 8):
        assert sum(1 for p, _ in plan.pairs if p == proposal_id) == 3
    loads = _loads(plan, reviewers).values()
    assert max(loads) - min(loads) <= 1
    assert plan.understaffed == {}


def test_conflicted_and_own_reviewers_are_never_assigned():
    reviewers = [10, 11, 12, 13]
    proposals = _proposals(6, speakers=lambda i: frozenset({10}) if i % 2 else frozenset())
    conflicts = {(11, 2), (12, 2), (13, 4)}
    plan = assign_reviewers(proposals, reviewers, 2, conflicts, {}, set())
    for proposal in proposals:
        assigned = {r for p, r in plan.pairs if p == proposal.id}
        assert not assigned & proposal.speaker_ids
        assert all((r, proposal.id) not in conflicts for r in assigned)


def test_proposals_short_of_reviewers_get_as_many_as_possible_and_are_listed():
    plan = assign_reviewers(_proposals(2), [10, 11, 12], 3, {(10, 1), (11, 1)}, {}, set())
    assert {r for p, r in plan.pairs if p == 1} == {12}
    assert plan.understaffed == {1: 1}
    assert {r for p, r in plan.pairs if p == 2} == {10, 11, 12}


def test_preferences_are_followed_when_the_load_allows():
    proposals = _proposals(4, track_of=lambda i: 1 if i <= 2 else 2)
    preferences = {(10, 1): PREFER, (10, 2): AVOID, (11, 2): PREFER, (11, 1): AVOID}
    plan = assign_reviewers(proposals, [10, 11], 1, set(), preferences, set())
    assert plan.pairs == {(1, 10), (2, 10), (3, 11), (4, 11)}


def test_balance_outweighs_preferences():
    preferences = {(10, 1): PREFER, (11, 1): AVOID}
    plan = assign_reviewers(_proposals(4), [10, 11], 1, set(), preferences, set())
    assert _loads(plan, [10, 11]) == {10: 2, 11: 2}


def test_existing_assignments_are_kept():
    existing = {(1, 12), (2, 12), (3, 12)}
    plan = assign_reviewers(_proposals(3), [10, 11, 12], 2, set(), {(12, 1): AVOID}, existing)
    assert existing <= plan.pairs
    assert plan.new_pairs(existing) and len(plan.pairs) == 6


def test_same_input_gives_the_same_output():
    args = (_proposals(30, track_of=lambda i: i % 4), list(range(100, 112)), 3,
            {(100, 3), (101, 5)}, {(102, 1): PREFER, (103, 2): AVOID}, {(1, 104)})
    first = assign_reviewers(*args)
    assert all(assign_reviewers(*args).pairs == first.pairs for _ in range(3))


def test_no_proposals_or_no_reviewers_gives_an_empty_or_short_plan():
    assert assign_reviewers([], [1, 2], 2, set(), {}, set()).pairs == set()
    plan = assign_reviewers(_proposals(2), [], 2, set(), {}, set())
    assert plan.pairs == set() and plan.understaffed == {1: 0, 2: 0}
