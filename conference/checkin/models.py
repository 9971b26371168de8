"""Who arrived at a hub on a conference day, who checked them in, and when."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.conferences.models import Hub


class CheckIn(db.Model):
    """One person checked in at a hub's desk on one of its days (``day`` is the hub's date).

    A row exists while the person counts as arrived: undoing a check-in deletes it. The
    attendance registration is not referenced: someone who cancels after arriving was still
    in the building, and facilities' list must say so.
    """

    __tablename__ = "hub_check_ins"
    __table_args__ = (
        # One check-in per person and hub day: two desks checking the same person in at once
        # end with one row, the second desk hears who was first.
        UniqueConstraint("hub_id", "day", "user_id"),
        # Ids never come back on SQLite, as for the attendance days.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A hub's check-ins would go with it: organisers cannot delete a hub with registrations or
    # check-ins (conference.checkin.operations.lock_hub_and_count_check_ins).
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"))
    day: Mapped[date]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The person had no seat that day (waiting, or registered for other days) and the desk
    # seated them anyway. The seat itself is their attendance day's (attendance counts it and
    # undoing the check-in gives it back there); this records only who gave it, for the CSV.
    seated_at_desk: Mapped[bool] = mapped_column(default=False)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Kept when the host's account is deleted: the row then names "a former member". Erasing an
    # account removes its own check-ins and keeps those it made, under its neutral name.
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    hub: Mapped[Hub] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])

    @property
    def checked_in_by_name(self) -> str:
        return self.checked_in_by.display_name if self.checked_in_by is not None else "a former member"

    def __repr__(self) -> str:
        return f"<CheckIn {self.day} hub {self.hub_id} user {self.user_id}>"
