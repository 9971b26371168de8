"""Demo data for the parts people use around the event: who registered to attend the summit
in person (with a waiting list at one hub) or remotely on chosen days, and the audience
questions of last year's talks.

Deterministic: one seeded ``random.Random``, fixed instants. Builders flush; the CLI commits.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from conference.accounts.models import User
from conference.attendance import operations as attendance
from conference.attendance.models import AttendanceMode, AttendanceWindow
from conference.conferences.models import Conference, Role
from conference.core.timezones import local_to_utc
from conference.demo import data
from conference.demo.past import users_with_role
from conference.extensions import db
from conference.questions.models import AudienceQuestion, QuestionVote
from conference.schedule.models import ScheduledTalk
from conference.schedule.versions import latest_published

RANDOM_SEED = 2028
REGISTRATION_OPENS = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# The smallest hub fills up, so its organisers' page shows a waiting list.
SMALL_HUB_SEATS = 25
IN_PERSON_SHARE = 0.6
NEEDS = ("Vegetarian", "Vegan", "Halal", "No nuts, please", "Step-free access to the room",
         "Live captions on the room's screen")
QUESTIONS = (
    "How did you measure the impact before and after?",
    "What would you do differently if you started again today?",
    "Does this work for teams that are not on the main platform yet?",
    "Which alternatives did you evaluate before choosing this approach?",
    "How long did the whole migration take, end to end?",
    "Is there a channel where we can follow up with your team?",
    "What was hardest to get agreement on across the hubs?",
    "How do you keep this working when the on-call engineer is in another time zone?",
    "Can other teams reuse the tooling you showed, or is it specific to yours?",
    "What does it cost to run, roughly, per month?",
)
TALKS_WITH_QUESTIONS = 12


def add_live_demo(summit: Conference, past: Conference | None) -> None:
    """``past`` None: the past edition was not seeded (some tests leave it out)."""
    rng = random.Random(RANDOM_SEED)
    add_attendance(summit, rng)
    if past is not None:
        add_questions(past, rng)


def add_attendance(summit: Conference, rng: random.Random) -> None:
    """Registration open from November until a week before the summit; most attendees register
    (the demo attendee is left to try it), the smallest hub with a waiting list, remote people
    each on the days they follow."""
    closes = local_to_utc(summit.starts_on - timedelta(days=7), time(17), summit.time_zone)
    db.session.add(AttendanceWindow(conference_id=summit.id, opens_at=REGISTRATION_OPENS, closes_at=closes))
    hubs = sorted(summit.hubs, key=lambda hub: hub.name)
    smallest = min(hubs, key=lambda hub: (sum(room.capacity or 0 for room in hub.rooms), hub.name))
    smallest.seat_limit = SMALL_HUB_SEATS
    db.session.flush()
    days = [summit.starts_on + timedelta(days=offset) for offset in range((summit.ends_on - summit.starts_on).days + 1)]
    attendees = [user for user in users_with_role(summit, Role.ATTENDEE) if user.email != data.DEMO_ATTENDEE.email]
    for index, user in enumerate(attendees):
        at = REGISTRATION_OPENS + timedelta(hours=3 * index + rng.randint(0, 120) / 60)
        in_person = user.home_hub is not None and rng.random() < IN_PERSON_SHARE
        if in_person:
            chosen = frozenset(day for day in days if rng.random() < 0.7) or frozenset([days[0]])
            choice = attendance.AttendanceChoice(
                mode=AttendanceMode.IN_PERSON, hub_id=user.home_hub.id, days=chosen,
                dietary_needs=rng.choice(NEEDS[:4]) if rng.random() < 0.25 else "",
                accessibility_needs=rng.choice(NEEDS[4:]) if rng.random() < 0.08 else "",
            )
        else:
            # Each remote person follows some of the days, so the remote counts differ from day to day.
            followed = frozenset(day for day in days if rng.random() < 0.6) or frozenset([days[-1]])
            choice = attendance.AttendanceChoice(mode=AttendanceMode.REMOTE, hub_id=None, days=followed)
        attendance.save_attendance(summit, user, choice, now=at)
    db.session.flush()


def add_questions(past: Conference, rng: random.Random) -> None:
    """Questions asked during last year's first talks: upvoted, most answered, one hidden."""
    version = latest_published(past.id)
    if version is None:
        return
    talks = db.session.scalars(
        select(ScheduledTalk).where(ScheduledTalk.version_id == version.id)
        .order_by(ScheduledTalk.starts_at, ScheduledTalk.id).limit(TALKS_WITH_QUESTIONS)
    ).all()
    audience = db.session.scalars(select(User).order_by(User.email)).all()
    for number, talk in enumerate(talks):
        askers = rng.sample(audience, 4)
        for index, (asker, text) in enumerate(zip(askers, rng.sample(QUESTIONS, 4), strict=True)):
            # Asked through the talk (short talks too), answered in its last part.
            length = talk.ends_at - talk.starts_at
            asked = talk.starts_at + length * (index + 1) / 6
            question = AudienceQuestion(
                conference_id=past.id, proposal_id=talk.proposal_id, author_id=asker.id, text=text,
                anonymous=rng.random() < 0.2, created_at=asked,
                answered_at=talk.starts_at + length * 5 / 6 if index < 3 else None,
                hidden_at=asked + length / 24 if number == 0 and index == 3 else None,
            )
            db.session.add(question)
            db.session.flush()
            for voter in rng.sample(audience, rng.randint(0, 12)):
                if voter.id != asker.id:
                    db.session.add(QuestionVote(question_id=question.id, user_id=voter.id,
                                                created_at=asked + length / 24))
    db.session.flush()
