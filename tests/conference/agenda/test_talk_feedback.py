"""The talk page's feedback box follows the feedback window even when the page is kept in cache."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from conference.core.types import utcnow
from conference.feedback.models import FeedbackResponse
from conference.feedback.queries import EDIT_DAYS_SETTING
from tests.conference.agenda.conftest import make_talk, make_user

# Long enough for the first visit to come before the close on a slow run; the test waits it out.
CLOSES_IN = timedelta(seconds=5)


def test_cached_talk_page_stops_offering_feedback_when_the_window_closes(
    app, client, login, conference, places, published, db
):
    conference.settings = {**(conference.settings or {}), EDIT_DAYS_SETTING: 1}
    anonymous = app.test_client()
    # A first render compiles the templates: done on another talk, before the clock starts.
    warm_up = make_talk(published, places.thames, utcnow() - timedelta(days=3))
    db.session.commit()
    assert anonymous.get(f"/c/summit/agenda/talks/{warm_up.proposal_id}").status_code == 200
    closes_at = utcnow() + CLOSES_IN
    ends_at = closes_at - timedelta(days=1)
    talk = make_talk(published, places.thames, ends_at - timedelta(minutes=30))
    db.session.commit()
    page = f"/c/summit/agenda/talks/{talk.proposal_id}"

    while_open = anonymous.get(page).get_data(as_text=True)
    time.sleep(max((closes_at - utcnow()).total_seconds(), 0) + 0.2)
    after_close = anonymous.get(page).get_data(as_text=True)
    login(make_user())
    submitted = client.post(
        f"/c/summit/talks/{talk.proposal_id}/feedback", data={"comment": "Late"}
    )

    assert "Log in to rate this talk" in while_open
    assert "Log in to rate this talk" not in after_close
    assert "/feedback" not in after_close.split('id="feedback"', 1)[1].split("</div>", 1)[0]
    assert submitted.status_code == 403
    assert "Feedback is closed" in submitted.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FeedbackResponse.id))) == 0
