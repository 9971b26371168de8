"""E-mail attendees when a talk they starred moves or is cancelled in a newly published version.

One e-mail per person and version, listing each of their starred talks that changed, in their
own time zone. Speakers hear about their own talks from the speaker e-mails instead; anyone may
turn these off on their account page (``User.starred_change_emails``).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from conference.accounts.models import User
from conference.drafts.changelog import diff_versions
from conference.drafts.operations import describe_change, version_rows
from conference.extensions import db
from conference.interest.models import InterestMark
from conference.mail.operations import queue_email
from conference.schedule.models import ScheduledTalk, ScheduleVersion

STARRED_EMAIL_PREFIX = "starred:"


def queue_starred_changes(version: ScheduleVersion, previous: ScheduleVersion | None,
                          agenda_link: str, account_link: str) -> int:
    """Queue the e-mails for ``version`` (published after ``previous``); returns how many."""
    if previous is None:
        return 0  # the first publication changes nothing anyone starred in a schedule
    changes = diff_versions(version_rows(previous), version_rows(version))
    changed: dict[int, tuple[ScheduledTalk, ScheduledTalk | None]] = {
        move.old.proposal_id: (move.old, move.new) for move in changes.moved
    }
    changed.update({row.proposal_id: (row, None) for row in changes.cancelled})
    if not changed:
        return 0
    marks = db.session.execute(
        select(InterestMark.proposal_id, User)
        .join(User, User.id == InterestMark.user_id)
        .where(
            InterestMark.proposal_id.in_(changed),
            User.starred_change_emails.is_(True),
            User.is_active_account.is_(True),
        )
        .order_by(User.id)
    ).all()
    talks_of: dict[int, list[int]] = defaultdict(list)
    people: dict[int, User] = {}
    for proposal_id, user in marks:
        old, _new = changed[proposal_id]
        if old.proposal.has_speaker(user.id):
            continue  # the speaker e-mail tells them
        talks_of[user.id].append(proposal_id)
        people[user.id] = user
    conference = version.conference
    for user_id, proposal_ids in talks_of.items():
        user = people[user_id]
        zone_name = user.time_zone or "UTC"
        ordered = sorted(proposal_ids, key=lambda proposal_id: (changed[proposal_id][0].starts_at, proposal_id))
        sections = [
            f"“{changed[proposal_id][0].proposal.title}”\n"
            f"{describe_change(changed[proposal_id][0], changed[proposal_id][1], zone_name)}"
            for proposal_id in ordered
        ]
        count = len(ordered)
        subject = (f"{conference.name}: a talk you starred changed" if count == 1
                   else f"{conference.name}: {count} talks you starred changed")
        body = (
            f"Hello {user.display_name},\n\n"
            f"Version {version.number} of the {conference.name} schedule changes "
            f"{'a talk' if count == 1 else f'{count} talks'} you starred (times in {zone_name}):\n\n"
            + "\n\n".join(sections)
            + f"\n\nYour agenda: {agenda_link}\n"
            "Calendars subscribed to your personal feed update by themselves.\n\n"
            f"You get this because you starred these talks. To stop these e-mails: {account_link}\n"
        )
        queue_email(user.email, subject, body, f"{STARRED_EMAIL_PREFIX}{version.id}:{user.id}",
                    conference_id=version.conference_id)
    return len(talks_of)
