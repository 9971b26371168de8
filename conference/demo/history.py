"""The organisers' side of the demo story: triage tags, an access code for a late keynote and
the activity log of what happened (submissions, reviews, decisions, confirmations), dated as the
story goes. Its own random generator, so the rest of the demo comes out as before.

The schedule's entries are written by the real operations `flask demo` runs after the story
(publishing, the draft editor's moves), so they are dated when it ran; `date_schedule_story`
then gives them their places in the story, after the speakers confirmed and before the summit."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.access_codes.models import AccessCode
from conference.access_codes.operations import new_code_text
from conference.accounts.models import User
from conference.activity.models import DECISION_ACTIONS, ActivityAction, ActivityEntry
from conference.conferences.models import Conference
from conference.core.timezones import local_to_utc
from conference.demo import data, past_data
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalState
from conference.reviews.models import Review
from conference.schedule.models import ScheduleVersion, SolverRun
from conference.tags.models import ProposalTag, Tag

HISTORY_SEED = 2027
# (name, colour, description, visible to reviewers, share of the proposals it goes on)
TAGS = (
    ("Keynote candidate", "green", "Strong enough for a plenary slot.", False, 0.06),
    ("Needs a mentor", "orange", "A first-time speaker who would like a rehearsal.", False, 0.1),
    ("Overlaps another talk", "purple", "Covers ground another proposal covers too.", True, 0.08),
)
DECIDED = (ProposalState.ACCEPTED, ProposalState.CONFIRMED, ProposalState.WAITLISTED, ProposalState.REJECTED)


def add_organiser_story(conference: Conference, organiser: User) -> None:
    rng = random.Random(HISTORY_SEED)
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.conference_id == conference.id)
        .options(selectinload(Proposal.speakers)).order_by(Proposal.id)
    ))
    add_tags(conference, proposals, rng)
    add_access_code(conference, organiser)
    add_history(conference, organiser, proposals)
    db.session.flush()


def add_tags(conference: Conference, proposals: list[Proposal], rng: random.Random) -> None:
    for name, colour, description, visible, share in TAGS:
        tag = Tag(conference_id=conference.id, name=name, colour=colour, description=description,
                  visible_to_reviewers=visible)
        db.session.add(tag)
        db.session.flush()
        chosen = rng.sample(proposals, max(1, round(len(proposals) * share)))
        db.session.add_all(ProposalTag(proposal_id=proposal.id, tag_id=tag.id)
                           for proposal in sorted(chosen, key=lambda p: p.id))


def add_access_code(conference: Conference, organiser: User) -> None:
    """One use, for a keynote invited after the call closed, valid until the programme is set."""
    db.session.add(AccessCode(
        conference_id=conference.id, code=new_code_text(), note="Late keynote: our CTO",
        valid_until=local_to_utc(*data.REVIEW_CLOSES, conference.time_zone), max_uses=1,
        created_by_id=organiser.id, created_at=local_to_utc(*data.CFP_CLOSES, conference.time_zone),
    ))


def add_history(conference: Conference, organiser: User, proposals: list[Proposal]) -> None:
    decided_at = local_to_utc(*data.REVIEW_CLOSES, conference.time_zone) + timedelta(days=2)
    entries = []
    for proposal in proposals:
        submitter = proposal.speakers[0].user_id if proposal.speakers else None
        if proposal.submitted_at is not None:
            entries.append(_entry(conference, proposal, submitter, ActivityAction.PROPOSAL_SUBMITTED,
                                  proposal.submitted_at))
        if proposal.state in DECIDED:
            state = ProposalState.ACCEPTED if proposal.state is ProposalState.CONFIRMED else proposal.state
            entries.append(_entry(conference, proposal, organiser.id, DECISION_ACTIONS[state.value], decided_at,
                                  {"state": state.value, "previous": ProposalState.SUBMITTED.value}))
        if proposal.state is ProposalState.CONFIRMED:
            entries.append(_entry(conference, proposal, submitter, ActivityAction.TALK_CONFIRMED,
                                  decided_at + timedelta(days=1 + proposal.id % 5, hours=proposal.id % 9)))
    for review in db.session.scalars(select(Review).where(Review.conference_id == conference.id)):
        entries.append(_entry(conference, review.proposal, review.reviewer_id, ActivityAction.REVIEW_SUBMITTED,
                              review.created_at))
    db.session.add_all(entries)


def _entry(conference, proposal, actor_id, action, at, details=None) -> ActivityEntry:
    return ActivityEntry(conference_id=conference.id, proposal_id=proposal.id, actor_id=actor_id,
                         by_system=actor_id is None, action=action, details=details or {}, created_at=at)


# --- the schedule's part of the story --------------------------------------------------------

# In the summit's zone: the build after the confirmations are in, version 1 the next day, and a
# week before the summit three talks moved at their speakers' request, then version 2.
SOLVER_STARTED = (date(2027, 2, 23), time(10, 0))
DRAFT_BUILT_AFTER = timedelta(minutes=1)
PUBLISHED = {1: (date(2027, 2, 24), time(14, 0)), 2: (date(2027, 3, 4), time(16, 30))}
MOVES_FROM = (date(2027, 3, 4), time(15, 0))
BETWEEN_MOVES = timedelta(minutes=10)
SCHEDULE_ACTIONS = (
    ActivityAction.SOLVER_RUN_STARTED, ActivityAction.DRAFT_SCHEDULE_BUILT, ActivityAction.DRAFT_TALK_MOVED,
    ActivityAction.DRAFT_TALK_PLACED, ActivityAction.DRAFT_TALK_UNSCHEDULED, ActivityAction.DRAFT_TALK_PINNED,
    ActivityAction.DRAFT_TALK_UNPINNED, ActivityAction.SCHEDULE_PUBLISHED,
)


def date_schedule_story() -> None:
    """Date the schedule's entries of both demo summits as their stories go (see the module's
    docstring); does nothing for a summit seeded without its schedule."""
    summit = db.session.scalar(select(Conference).where(Conference.slug == data.CONFERENCE_SLUG))
    if summit is not None:
        _date_summit_schedule(summit)
    past = db.session.scalar(select(Conference).where(Conference.slug == past_data.CONFERENCE_SLUG))
    if past is not None:
        # Its one version is published on the day it really was; the entry says the same.
        for entry in _schedule_entries(past):
            if entry.action is ActivityAction.SCHEDULE_PUBLISHED:
                entry.created_at = past_data.PUBLISHED_AT
    db.session.flush()


def _schedule_entries(conference: Conference) -> list[ActivityEntry]:
    return list(db.session.scalars(
        select(ActivityEntry)
        .where(ActivityEntry.conference_id == conference.id, ActivityEntry.action.in_(SCHEDULE_ACTIONS))
        .order_by(ActivityEntry.id)
    ))


def _date_summit_schedule(summit: Conference) -> None:
    entries = _schedule_entries(summit)
    if not entries:
        return
    zone = summit.time_zone
    first = db.session.scalar(select(ScheduleVersion).where(
        ScheduleVersion.conference_id == summit.id, ScheduleVersion.number == 1))
    run = db.session.get(SolverRun, first.solver_run_id) if first is not None and first.solver_run_id else None
    started = local_to_utc(*SOLVER_STARTED, zone)
    if run is not None and not any(entry.action is ActivityAction.SOLVER_RUN_STARTED for entry in entries):
        # The demo solves in-process rather than through the queue, so the run's and its draft's
        # entries, which the queued path writes, are written here.
        db.session.add_all([
            ActivityEntry(conference_id=summit.id, actor_id=run.requested_by_id, by_system=False,
                          action=ActivityAction.SOLVER_RUN_STARTED, details={"kind": run.kind.value},
                          created_at=started),
            ActivityEntry(conference_id=summit.id, actor_id=None, by_system=True,
                          action=ActivityAction.DRAFT_SCHEDULE_BUILT, details={"scheduled": len(first.talks)},
                          created_at=started + DRAFT_BUILT_AFTER),
        ])
    moves = 0
    for entry in entries:
        if entry.action is ActivityAction.SCHEDULE_PUBLISHED and entry.details.get("number") in PUBLISHED:
            entry.created_at = local_to_utc(*PUBLISHED[entry.details["number"]], zone)
        elif entry.action is ActivityAction.DRAFT_TALK_MOVED:
            entry.created_at = local_to_utc(*MOVES_FROM, zone) + BETWEEN_MOVES * moves
            moves += 1
            if entry.actor_id is None and first is not None:
                # Moved outside any request, so by "the system"; in the story the organiser who
                # publishes moved them.
                entry.actor_id, entry.by_system = first.published_by_id, False
