"""The demo's audience: a few hundred attendees marking the accepted talks they want to attend.

Accounts, roles and marks are bulk-inserted so that ``flask demo`` stays fast. Talk popularity
follows a Zipf-like curve: a handful of talks draw most of the crowd, as at real conferences.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from conference.accounts.models import NAME_KEY_LENGTH, User, new_session_token
from conference.conferences.models import Conference, ConferenceRole, Hub, Role
from conference.core.text import folded
from conference.demo import data
from conference.extensions import db
from conference.interest.models import InterestMark
from conference.proposals.models import Proposal, ProposalState

# Attendees marked talks between the decisions and the conference.
MARKING_FROM = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)
MARKING_DAYS = 18


def add_audience(
    conference: Conference,
    hubs: dict[str, Hub],
    password_hash: str,
    used_emails: set[str],
    attendees: list[User],
    rng: random.Random,
) -> None:
    """More attendees (bulk-inserted), then every attendee's marks; the demo attendee is first."""
    extra_ids = add_extra_attendees(conference, hubs, password_hash, used_emails, rng)
    add_interest_marks(conference, [a.id for a in attendees] + extra_ids, rng)


def add_extra_attendees(
    conference: Conference,
    hubs: dict[str, Hub],
    password_hash: str,
    used_emails: set[str],
    rng: random.Random,
) -> list[int]:
    """Attendees from every place with names typical of it; returns their ids in order."""
    from conference.demo.seed import email_address  # seed imports this module

    rows = []
    for place, count in data.EXTRA_ATTENDEE_PLACES:
        for _ in range(count):
            pool = rng.choice(place.name_pools)
            first = rng.choice(data.FIRST_NAMES[pool])
            last = rng.choice(data.LAST_NAMES[pool])
            email = unique_email(email_address(first, last), used_emails)
            used_emails.add(email)
            rows.append({
                "email": email,
                "display_name": f"{first} {last}",
                # A bulk insert skips the model's validators, which keep name_key otherwise.
                "name_key": folded(f"{first} {last}")[:NAME_KEY_LENGTH],
                "password_hash": password_hash,
                "time_zone": place.time_zone,
                "home_hub_id": hubs[place.hub].id if place.hub else None,
                "session_token": new_session_token(),
            })
    db.session.execute(insert(User), rows)
    emails = [row["email"] for row in rows]
    ids = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    user_ids = [ids[email] for email in emails]
    db.session.execute(insert(ConferenceRole), [
        {"conference_id": conference.id, "user_id": user_id, "role": Role.ATTENDEE}
        for user_id in user_ids
    ])
    return user_ids


def unique_email(email: str, used_emails: set[str]) -> str:
    """``email``, or with a number before the @ (jack.reed2@) when it is taken."""
    if email not in used_emails:
        return email
    local, _, domain = email.partition("@")
    number = 2
    while f"{local}{number}@{domain}" in used_emails:
        number += 1
    return f"{local}{number}@{domain}"


def add_interest_marks(conference: Conference, attendee_ids: list[int], rng: random.Random) -> None:
    """Each attendee marks 3-12 accepted talks, popular ones more often; the first marks six."""
    talk_ids = list(db.session.scalars(
        select(Proposal.id)
        .where(
            Proposal.conference_id == conference.id,
            Proposal.state.in_((ProposalState.ACCEPTED, ProposalState.CONFIRMED)),
        )
        .order_by(Proposal.id)
    ))
    if not talk_ids:
        return
    rng.shuffle(talk_ids)  # popularity rank
    weights = [1 / (rank + 1) ** data.POPULARITY_EXPONENT for rank in range(len(talk_ids))]
    low, high = data.MARKS_PER_ATTENDEE
    rows = []
    for position, user_id in enumerate(attendee_ids):
        count = data.DEMO_ATTENDEE_MARKS if position == 0 else rng.randint(low, high)
        for talk_id in weighted_sample(talk_ids, weights, min(count, len(talk_ids)), rng):
            rows.append({
                "user_id": user_id,
                "proposal_id": talk_id,
                "created_at": MARKING_FROM + timedelta(
                    minutes=rng.randrange(MARKING_DAYS * 24 * 60)
                ),
            })
    db.session.execute(insert(InterestMark), rows)


def weighted_sample(
    items: list[int], weights: list[float], count: int, rng: random.Random
) -> list[int]:
    """``count`` distinct items, each drawn with probability proportional to its weight."""
    # Efraimidis-Spirakis: the items with the largest random keys u^(1/w) form the sample.
    keyed = sorted(zip(items, weights, strict=True), key=lambda pair: -rng.random() ** (1 / pair[1]))
    return sorted(item for item, _ in keyed[:count])
