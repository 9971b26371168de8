"""Access codes: organisers make and manage them; the proposal operations ask what one allows.

A code is usable while it is not revoked, before its valid-until instant and while it has uses
left. It lets a speaker create and submit proposals whatever the call's window says, into the
tracks and formats it grants: the one it is limited to, or every one when it is not limited
(including those marked "only with an access code", which the ordinary form never offers).
A use is counted when a proposal is submitted with the code (see ``use_access_code``).
Operations flush; the request commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from conference.access_codes.models import CODE_LENGTH, AccessCode
from conference.accounts.models import User
from conference.conferences.models import Conference, SessionFormat, Track
from conference.core.types import utcnow
from conference.extensions import db
from conference.mail.operations import queue_email
from conference.mail.templates import render_email
from conference.proposals.models import Proposal

# 18 random bytes: 24 URL-safe characters, 144 bits, beyond guessing.
CODE_BYTES = 18
INVITATION_KIND = "access_code_invitation"


class AccessCodeProblem(Exception):
    """An organiser's change to a code that cannot be made; the message is shown to them."""


def current_instant() -> datetime:
    """Now, in UTC (tests replace ``utcnow`` here to stand at a chosen instant)."""
    return utcnow()


@dataclass(frozen=True)
class AccessCodeDetails:
    note: str
    track_id: int | None
    session_format_id: int | None
    valid_until: datetime | None  # an instant, timezone-aware
    max_uses: int | None


def new_code_text() -> str:
    """A fresh random code, safe in a URL."""
    return secrets.token_urlsafe(CODE_BYTES)


def access_codes_of(conference: Conference) -> list[AccessCode]:
    """The conference's codes, newest first, with what the list shows of each."""
    return list(
        db.session.scalars(
            select(AccessCode)
            .where(AccessCode.conference_id == conference.id)
            .options(
                selectinload(AccessCode.track),
                selectinload(AccessCode.session_format),
                selectinload(AccessCode.created_by),
            )
            .order_by(AccessCode.created_at.desc(), AccessCode.id.desc())
        )
    )


def _check_limits(conference: Conference, details: AccessCodeDetails) -> None:
    if details.track_id is not None and db.session.scalar(
        select(Track.id).where(Track.id == details.track_id, Track.conference_id == conference.id)
    ) is None:
        raise AccessCodeProblem("That track does not belong to this conference.")
    if details.session_format_id is not None and db.session.scalar(
        select(SessionFormat.id).where(
            SessionFormat.id == details.session_format_id, SessionFormat.conference_id == conference.id
        )
    ) is None:
        raise AccessCodeProblem("That session format does not belong to this conference.")
    if details.max_uses is not None and details.max_uses < 1:
        raise AccessCodeProblem("A code is used at least once; leave the field empty for no limit.")


def _apply(code: AccessCode, details: AccessCodeDetails) -> None:
    code.note = details.note
    code.track_id = details.track_id
    code.session_format_id = details.session_format_id
    # A code limited to a deleted track or format stays so until another limit is chosen.
    if details.track_id is not None:
        code.deleted_track_name = None
    if details.session_format_id is not None:
        code.deleted_session_format_name = None
    code.valid_until = details.valid_until
    code.max_uses = details.max_uses


def create_access_code(conference: Conference, creator: User, details: AccessCodeDetails) -> AccessCode:
    """A new code with a fresh random secret; raises AccessCodeProblem."""
    _check_limits(conference, details)
    code = AccessCode(
        conference_id=conference.id,
        code=new_code_text(),
        times_used=0,
        created_by_id=creator.id,
        created_at=current_instant(),
    )
    _apply(code, details)
    db.session.add(code)
    db.session.flush()
    return code


def update_access_code(code: AccessCode, details: AccessCodeDetails) -> None:
    """Change a code's note and limits (never its secret); raises AccessCodeProblem."""
    _check_limits(code.conference, details)
    if details.max_uses is not None and details.max_uses < code.times_used:
        raise AccessCodeProblem(
            f"This code was already used {code.times_used} times; allow at least that many uses."
        )
    _apply(code, details)
    db.session.flush()


def revoke_access_code(code: AccessCode) -> None:
    """The code stops working; it stays listed, as do the proposals submitted with it."""
    if code.revoked_at is None:
        code.revoked_at = current_instant()
    db.session.flush()


def keep_codes_limited_to(track: Track | None = None, session_format: SessionFormat | None = None) -> int:
    """Before a track or format is deleted: revoke the codes limited to it and remember its name
    on them, so that they stay listed (and the proposals submitted with them keep their code)
    and never grant every track or format. Returns how many codes this revoked."""
    if track is not None:
        codes = select(AccessCode).where(AccessCode.track_id == track.id)
    elif session_format is not None:
        codes = select(AccessCode).where(AccessCode.session_format_id == session_format.id)
    else:
        raise ValueError("give a track or a session format")
    revoked = 0
    now = current_instant()
    for code in db.session.scalars(codes):
        if code.revoked_at is None:
            code.revoked_at = now
            revoked += 1
        if track is not None:
            code.track_id, code.deleted_track_name = None, track.name
        else:
            code.session_format_id, code.deleted_session_format_name = None, session_format.name
    db.session.flush()
    return revoked


def proposals_with(code: AccessCode) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.access_code_id == code.id)
    )


def delete_access_code(code: AccessCode) -> None:
    """Delete a code no proposal was saved with; raises AccessCodeProblem otherwise."""
    if code.times_used or proposals_with(code):
        raise AccessCodeProblem(
            "Proposals were saved with this code, so it cannot be deleted (they record it). "
            "Revoke it instead: it stops working and stays listed."
        )
    db.session.delete(code)
    db.session.flush()


def send_access_code(code: AccessCode, email: str, link: str, sender: User) -> None:
    """Queue an e-mail with the code's link to ``email`` (once per code and address)."""
    conference = code.conference
    subject, body = render_email(
        conference.id,
        INVITATION_KIND,
        {
            "sender": sender.display_name,
            "conference": conference.name,
            "note": code.note,
            "limits": limits_text(code),
            "link": link,
        },
    )
    queue_email(
        email, subject, body, f"access-code:{code.id}:{email.lower()}", conference_id=conference.id
    )


# --- what a code allows ---------------------------------------------------------------------


def find_access_code(conference: Conference, text: str | None) -> AccessCode | None:
    """The code of this conference written in ``text``, else None."""
    text = (text or "").strip()
    if not text or len(text) > CODE_LENGTH or not text.isascii():
        return None
    return db.session.scalar(
        select(AccessCode).where(AccessCode.code == text, AccessCode.conference_id == conference.id)
    )


def refusal(code: AccessCode, now: datetime) -> str | None:
    """Why ``code`` cannot be used now, else None."""
    if code.revoked_at is not None:
        return "This access code was revoked by the organisers."
    if code.has_expired(now):
        return "This access code has expired."
    if code.is_used_up():
        return "This access code has been used as often as the organisers allowed."
    return None


def state_label(code: AccessCode, now: datetime) -> str | None:
    """"Revoked", "Expired" or "Used up" for a code that no longer works, else None."""
    if code.revoked_at is not None:
        return "Revoked"
    if code.has_expired(now):
        return "Expired"
    return "Used up" if code.is_used_up() else None


def track_limit_text(code: AccessCode) -> str:
    """The track a code is limited to, in words: "any track" when it is not."""
    if code.deleted_track_name is not None:
        return f"the deleted track “{code.deleted_track_name}”"
    return f"the track “{code.track.name}”" if code.track else "any track"


def session_format_limit_text(code: AccessCode) -> str:
    """The format a code is limited to, in words: "any format" when it is not."""
    if code.deleted_session_format_name is not None:
        return f"the deleted format “{code.deleted_session_format_name}”"
    return f"the format “{code.session_format.name}”" if code.session_format else "any format"


def limits_text(code: AccessCode) -> str:
    """The track and format limits of a code, in words."""
    return f"Proposals in {track_limit_text(code)}, {session_format_limit_text(code)}."


def uses_text(code: AccessCode) -> str:
    """``2 of 5`` (``2, no limit`` without a maximum)."""
    if code.max_uses is None:
        return f"{code.times_used}, no limit"
    return f"{code.times_used} of {code.max_uses}"


def offered_session_formats(
    conference: Conference, code: AccessCode | None, keep_id: int | None = None
) -> list[SessionFormat]:
    """The formats a proposal may choose: with a code, those it grants; without, those open to
    everyone. ``keep_id`` (a proposal's saved format) is offered in any case."""
    return [
        item for item in conference.session_formats
        if item.id == keep_id
        or (code.grants_format(item) if code is not None else not item.requires_access_code)
    ]


def offered_tracks(
    conference: Conference, code: AccessCode | None, keep_id: int | None = None
) -> list[Track]:
    """The tracks a proposal may choose, as ``offered_session_formats`` decides formats."""
    return [
        track for track in conference.tracks
        if track.id == keep_id
        or (code.grants_track(track) if code is not None else not track.requires_access_code)
    ]


def may_leave_track_open(code: AccessCode | None) -> bool:
    """Whether "no particular track" may be chosen: not with a code limited to one track."""
    return code is None or (code.track_id is None and not code.is_limited_to_a_deleted_track())


def choice_problem(
    conference: Conference,
    code: AccessCode | None,
    session_format_id: int | None,
    track_id: int | None,
    keep_format_id: int | None = None,
    keep_track_id: int | None = None,
) -> str | None:
    """Why a proposal may not be in this format and track (with this code, if any), else None."""
    formats = offered_session_formats(conference, code, keep_format_id)
    if session_format_id not in {item.id for item in formats}:
        return "That session format is not open to this proposal."
    if track_id is None:
        if not may_leave_track_open(code) and track_id != keep_track_id:
            return "Your access code is for one track: choose it."
        return None
    if track_id not in {track.id for track in offered_tracks(conference, code, keep_track_id)}:
        return "That track is not open to this proposal."
    return None


def use_statement(code_id: int, now: datetime):
    """Count one use of a code, only while it is usable: the check and the count are one UPDATE,
    so of two submissions racing for the last use, exactly one changes a row."""
    return (
        update(AccessCode)
        .where(
            AccessCode.id == code_id,
            AccessCode.revoked_at.is_(None),
            or_(AccessCode.valid_until.is_(None), AccessCode.valid_until > now),
            or_(AccessCode.max_uses.is_(None), AccessCode.times_used < AccessCode.max_uses),
        )
        .values(times_used=AccessCode.times_used + 1)
        .execution_options(synchronize_session=False)
    )


def use_access_code(code: AccessCode, now: datetime) -> bool:
    """Count a submission with ``code``; False (nothing counted) when it is no longer usable."""
    counted = db.session.execute(use_statement(code.id, now)).rowcount == 1
    db.session.expire(code, ["times_used"])
    return counted
