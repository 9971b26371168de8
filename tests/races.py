"""Two requests at once: the second one waits for the first one's locks, then finishes.

A race test plays the first request in the test's own session (``db.session``): it does its
work, taking its locks, and leaves the transaction open. ``second_request(app, work)`` plays
the other request in a thread with its own application context, hence its own database
session, and ``waits_for`` checks that it blocks until the first transaction commits::

    def cleos_request():
        operations.save_attendance(db.session.get(Conference, conference_id), ...)

    # Bob's request takes the last seat, not committed yet.
    operations.save_attendance(conference, bob, choice)
    second_request(app, cleos_request, "Cleo's request").waits_for(db, "the hub's lock")

``waits_for`` returns what the work returned, or raises what it raised, so a refusal is
checked with ``pytest.raises``.

``work`` runs in the thread, so it looks up its rows in its own session from ids read before
(``db.session.get(User, cleo_id)``), never touching the test's ORM objects.

These tests run on PostgreSQL only
(``@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)``): SQLite has one
writer at a time, so the second transaction cannot start writing while the first is open and
the two never overlap the way they do on PostgreSQL, where the locks under test decide who wins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Result = TypeVar("Result")

# Long enough for the second request to have reached the first one's lock had it not waited.
STILL_WAITING_AFTER_SECONDS = 1.0
# Once the first transaction commits, the second request has this long to finish.
FINISHES_WITHIN_SECONDS = 15.0


class SecondRequest(Generic[Result]):
    """A second request doing ``work`` in a thread with its own database session."""

    def __init__(self, app, work: Callable[[], Result], who: str) -> None:
        self._app = app
        self._work = work
        self._who = who
        self._result: Result | None = None
        self._error: BaseException | None = None

    def waits_for(self, db, what: str) -> Result:
        """Start the request, check it is still waiting for ``what`` after a second, commit the
        test's open transaction, check the request then finishes, and return what ``work``
        returned or raise what it raised (a refusal, say) here in the test."""
        thread = threading.Thread(target=self._run, args=(db,))
        thread.start()
        try:
            thread.join(timeout=STILL_WAITING_AFTER_SECONDS)
            assert thread.is_alive(), f"{self._who} should wait for {what}"
        finally:
            db.session.commit()
        thread.join(timeout=FINISHES_WITHIN_SECONDS)
        assert not thread.is_alive(), (
            f"{self._who} should finish once the first transaction commits"
        )
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]  # set by the finished thread

    def _run(self, db) -> None:
        try:
            with self._app.app_context():  # its own database session, as a second request has
                self._result = self._work()
                db.session.commit()
        except BaseException as error:  # raised in the test by waits_for, not lost in the thread
            self._error = error


def second_request(
    app, work: Callable[[], Result], who: str = "the second request"
) -> SecondRequest[Result]:
    """A second request that will run ``work`` and commit; ``who`` names it in failure messages."""
    return SecondRequest(app, work, who)
