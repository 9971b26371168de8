"""The independent checker's verdict on the draft, via the schedule mapping.

Kept apart from the ORM queries: `conference.schedule.mapping` is the one module that turns
rows into scheduler values, and this module only reads its result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import scheduler
from conference.schedule import mapping
from scheduler.rules import label


@dataclass
class GoalScore:
    name: str
    label: str
    value: int
    weight: int


@dataclass
class CheckerSummary:
    """Every goal's score and every broken hard rule of the whole draft."""

    goals: list[GoalScore] = field(default_factory=list)
    hard_violations: list[tuple[str, str]] = field(default_factory=list)
    relaxed_violations: list[tuple[str, str]] = field(default_factory=list)
    objective: int = 0
    # Proposal id -> messages of the violations that name its talk.
    violations_by_proposal: dict[int, list[str]] = field(default_factory=dict)


def draft_warnings(conference, draft) -> CheckerSummary:
    """Run `scheduler.check` on the draft against the conference's current problem.

    Only the talks the draft places are checked: an accepted talk not in the draft is listed
    apart in the editor ("Talks not in the draft"), not reported as a broken rule.
    """
    mapped = mapping.build_problem(conference, previous="published", only_draft_talks=True)
    solution = mapping.draft_to_solution(mapped, draft)
    report = scheduler.check(mapped.problem, solution)
    weights = mapped.problem.weights
    goals = [
        GoalScore(name, label(name), value, weights.for_rule(name))
        for name, value in report.soft_terms.items()
    ]
    by_proposal: dict[int, list[str]] = defaultdict(list)
    for violation in (*report.hard_violations, *report.relaxed_violations):
        for talk_id in violation.talks:
            proposal_id = mapped.proposal_of_talk.get(talk_id)
            if proposal_id is not None:
                by_proposal[proposal_id].append(f"{label(violation.rule)}: {mapped.readable(violation.message)}")
    return CheckerSummary(
        goals=goals,
        hard_violations=[(label(v.rule), mapped.readable(v.message)) for v in report.hard_violations],
        relaxed_violations=[(label(v.rule), mapped.readable(v.message)) for v in report.relaxed_violations],
        objective=report.objective,
        violations_by_proposal=dict(by_proposal),
    )
