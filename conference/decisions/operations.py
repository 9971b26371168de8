"""Decisions, decision e-mails, speakers' confirmations and reminders. Operations flush only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.activity.models import DECISION_ACTIONS, ActivityAction
from conference.activity.operations import record
from conference.conferences.models import Conference
from conference.core.types import utcnow
from conference.extensions import db
from conference.mail.models import OutboxMessage
from conference.mail.operations import queue_email
from conference.mail.templates import render_email
from conference.proposals.models import Proposal, ProposalSpeaker, ProposalState
from conference.reviews.models import Review
from conference.reviews.queries import active_assignment_counts, review_is_counted

DECISIONS = (ProposalState.ACCEPTED, ProposalState.REJECTED, ProposalState.WAITLISTED)
# A decision may be made, or changed, while the speakers have not answered an acceptance.
DECIDABLE_STATES = (ProposalState.SUBMITTED, *DECISIONS)

LinkBuilder = Callable[[Proposal], str]


class NotDecidable(ValueError):
    """The proposal is in a state where organisers cannot decide on it."""


class ReviewPhaseClosed(Exception):
    """Reviews can no longer be written, so reviewers are not reminded to write them."""

    def __init__(self, closed_at: datetime):
        super().__init__(closed_at)
        self.closed_at = closed_at


def decide(proposal: Proposal, decision: ProposalState) -> bool:
    """Set the decision; False when it was already so. Raises NotDecidable otherwise."""
    if decision not in DECISIONS:
        raise ValueError(f"{decision} is not a decision")
    if proposal.state not in DECIDABLE_STATES:
        raise NotDecidable(f"“{proposal.title}” is {proposal.state.label.lower()}; it cannot be decided now.")
    if proposal.state is decision:
        return False
    previous, proposal.state = proposal.state, decision
    db.session.flush()
    record(proposal.conference, DECISION_ACTIONS[decision.value], proposal=proposal,
           details={"state": decision.value, "previous": previous.value})
    return True


def decide_many(proposals: Iterable[Proposal], decision: ProposalState) -> tuple[int, list[str]]:
    """Decide each proposal; returns how many changed and the reasons for those skipped."""
    changed, skipped = 0, []
    for proposal in proposals:
        try:
            changed += decide(proposal, decision)
        except NotDecidable as problem:
            skipped.append(str(problem))
    return changed, skipped


def speaker_comments(proposal: Proposal) -> str:
    """Reviewers' comments meant for the speakers, without saying who wrote them.

    Comments of reviewers with a conflict of interest are left out, as their scores are.
    """
    comments = db.session.scalars(
        select(Review.comment_for_speaker)
        .where(Review.proposal_id == proposal.id, Review.comment_for_speaker != "", review_is_counted())
        .order_by(Review.id)
    ).all()
    comments = [comment.strip() for comment in comments if comment.strip()]
    if not comments:
        return ""
    return "Comments from the reviewers:\n\n" + "\n\n".join(f"* {comment}" for comment in comments) + "\n"


def latest_decision_email(proposal: Proposal, user: User) -> OutboxMessage | None:
    """The last decision e-mail about ``proposal`` queued for ``user``, exactly as written: their
    proposal page shows it, so they read what the organisers sent (the reviewers' comments only
    if the organisers' template gave them) and nothing it did not."""
    keys = [decision_dedupe_key(proposal, state, user) for state in DECISIONS]
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(keys)).order_by(OutboxMessage.id.desc()).limit(1)
    )


def _speakers(proposal: Proposal) -> list[User]:
    return [speaker.user for speaker in proposal.accepted_speakers if speaker.user is not None]


def decision_dedupe_key(proposal: Proposal, state: ProposalState, user: User) -> str:
    return f"decision:{proposal.id}:{state.value}:{user.id}"


def queue_decision_emails(conference: Conference, confirmation_link: LinkBuilder) -> int:
    """Queue one e-mail per speaker per current decision; never the same one twice.

    Returns how many e-mails were newly queued.
    """
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.conference_id == conference.id, Proposal.state.in_(DECISIONS))
        .options(selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user))
        .order_by(Proposal.id)
    ).all()
    queued = 0
    for proposal in proposals:
        comments, queued_before = None, queued
        for user in _speakers(proposal):
            key = decision_dedupe_key(proposal, proposal.state, user)
            if _already_queued(key):
                continue
            if comments is None:
                comments = speaker_comments(proposal)
            subject, body = render_email(
                conference.id,
                f"decision_{proposal.state.value}",
                {
                    "speaker": user.display_name,
                    "title": proposal.title,
                    "conference": conference.name,
                    "link": confirmation_link(proposal),
                    "comments": comments,
                },
            )
            queue_email(user.email, subject, body, key, conference_id=conference.id)
            queued += 1
        if queued > queued_before:
            record(conference, ActivityAction.DECISION_EMAILS_QUEUED, proposal=proposal,
                   details={"state": proposal.state.value, "count": queued - queued_before})
    return queued


def _already_queued(dedupe_key: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ) > 0


def is_speaker(proposal: Proposal, user) -> bool:
    return any(speaker.user_id == user.id for speaker in proposal.accepted_speakers)


def answer_acceptance(proposal: Proposal, confirm: bool) -> None:
    """A speaker confirms or declines an accepted proposal (or changes that answer)."""
    if proposal.state not in (ProposalState.ACCEPTED, ProposalState.CONFIRMED, ProposalState.DECLINED):
        raise NotDecidable("Only an accepted proposal can be confirmed or declined.")
    new_state = ProposalState.CONFIRMED if confirm else ProposalState.DECLINED
    if proposal.state is not new_state:
        proposal.state = new_state
        db.session.flush()
        answered = ActivityAction.TALK_CONFIRMED if confirm else ActivityAction.TALK_DECLINED
        record(proposal.conference, answered, proposal=proposal)


def _today_key() -> str:
    return utcnow().date().isoformat()


def queue_confirmation_reminders(conference: Conference, confirmation_link: LinkBuilder) -> int:
    """Remind speakers of accepted, unconfirmed proposals; at most once per speaker per day."""
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.conference_id == conference.id, Proposal.state == ProposalState.ACCEPTED)
        .options(selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user))
        .order_by(Proposal.id)
    ).all()
    today, queued = _today_key(), 0
    for proposal in proposals:
        queued_before = queued
        for user in _speakers(proposal):
            key = f"confirmation_reminder:{proposal.id}:{user.id}:{today}"
            if _already_queued(key):
                continue
            subject, body = render_email(
                conference.id,
                "confirmation_reminder",
                {
                    "speaker": user.display_name,
                    "title": proposal.title,
                    "conference": conference.name,
                    "link": confirmation_link(proposal),
                },
            )
            queue_email(user.email, subject, body, key, conference_id=conference.id)
            queued += 1
        if queued > queued_before:
            record(conference, ActivityAction.CONFIRMATION_REMINDERS_QUEUED, proposal=proposal,
                   details={"count": queued - queued_before})
    return queued


def open_reviews_per_reviewer(conference: Conference) -> list[tuple[User, int]]:
    """Reviewers with active assignments they have not reviewed yet, and how many."""
    counts = {
        reviewer_id: count.open
        for reviewer_id, count in active_assignment_counts(conference).items()
        if count.open
    }
    if not counts:
        return []
    users = db.session.scalars(select(User).where(User.id.in_(counts)).order_by(User.id)).all()
    return [(user, counts[user.id]) for user in users]


def queue_review_reminders(conference: Conference, reviews_link: str) -> int:
    """Remind reviewers of active, unreviewed assignments; at most once per reviewer per day.

    Raises ReviewPhaseClosed once the review phase has closed.
    """
    if not conference.review_is_open(utcnow()):
        raise ReviewPhaseClosed(conference.review_closes_at)
    today, queued, reminded_of = _today_key(), 0, 0
    for user, open_reviews in open_reviews_per_reviewer(conference):
        key = f"review_reminder:{conference.id}:{user.id}:{today}"
        if _already_queued(key):
            continue
        subject, body = render_email(
            conference.id,
            "review_reminder",
            {
                "reviewer": user.display_name,
                "open_reviews": open_reviews,
                "conference": conference.name,
                "link": reviews_link,
            },
        )
        queue_email(user.email, subject, body, key, conference_id=conference.id)
        queued += 1
        reminded_of += open_reviews
    if queued:
        # One entry for the whole send; who was reminded is the outbox's to tell, not the log's.
        record(conference, ActivityAction.REVIEW_REMINDERS_QUEUED,
               details={"reviewers": queued, "open_reviews": reminded_of})
    return queued
