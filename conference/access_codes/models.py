"""Access codes: links organisers hand to particular people to submit outside the call."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.conferences.models import Conference, SessionFormat, Track

CODE_LENGTH = 64
NOTE_MAX = 200
LIMIT_NAME_MAX = 100  # as long as a track's or a format's name


class AccessCode(db.Model):
    """A secret code that lets its holder submit outside the call's window, and into the tracks
    and formats marked "only with an access code"; limited, optionally, to one track, one format,
    an instant and a number of submissions."""

    __tablename__ = "access_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    # Deleting the track or format a code is limited to revokes the code and keeps the name here
    # (`operations.keep_codes_limited_to`): the code and the proposals submitted with it stay. The
    # database refuses to delete a track or format a code still points to, as a code merely left
    # without its limit would grant every one.
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id"))
    session_format_id: Mapped[int | None] = mapped_column(ForeignKey("session_formats.id"))
    deleted_track_name: Mapped[str | None] = mapped_column(String(LIMIT_NAME_MAX))
    deleted_session_format_name: Mapped[str | None] = mapped_column(String(LIMIT_NAME_MAX))
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    max_uses: Mapped[int | None] = mapped_column()
    # Raised only by `access_codes.operations.use_access_code`, one submission at a time.
    times_used: Mapped[int] = mapped_column(default=0, server_default="0")
    note: Mapped[str] = mapped_column(String(NOTE_MAX))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A revoked code stops working; it stays listed for the proposals submitted with it.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    conference: Mapped[Conference] = relationship()
    track: Mapped[Track | None] = relationship()
    session_format: Mapped[SessionFormat | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def is_used_up(self) -> bool:
        return self.max_uses is not None and self.times_used >= self.max_uses

    def has_expired(self, now: datetime) -> bool:
        return self.valid_until is not None and now >= self.valid_until

    def is_limited_to_a_deleted_track(self) -> bool:
        return self.deleted_track_name is not None

    def grants_track(self, track) -> bool:
        if self.is_limited_to_a_deleted_track():
            return False
        return self.track_id is None or (track is not None and self.track_id == track.id)

    def grants_format(self, session_format) -> bool:
        if self.deleted_session_format_name is not None:
            return False
        return self.session_format_id is None or self.session_format_id == session_format.id

    def __repr__(self) -> str:
        return f"<AccessCode {self.id} {self.note!r}>"
