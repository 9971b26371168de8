"""Cached agenda pages: shared only where nothing of one viewer can reach another."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import event, insert

from conference.agenda import cache as agenda_cache
from conference.core.types import utcnow
from conference.feeds.models import FeedToken
from conference.proposals.models import ProposalState
from conference.schedule.models import ScheduledTalk, ScheduleVersion
from tests.conference.agenda.conftest import make_talk, make_user, utc
from tests.factories import (
    InterestMarkFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    ScheduleVersionFactory,
)

DAY = "/c/summit/agenda/2027-03-12"


def test_anonymous_day_page_follows_each_viewers_zone_cookie(app, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Zones talk")
    db.session.commit()
    london, kolkata = app.test_client(), app.test_client()
    london.set_cookie("tz", "Europe/London", domain="conference.test")
    kolkata.set_cookie("tz", "Asia/Kolkata", domain="conference.test")

    for _ in range(2):  # the second round is served from the cache
        london_page = london.get(DAY).get_data(as_text=True)
        kolkata_page = kolkata.get("/c/summit/agenda/2027-03-12").get_data(as_text=True)

        assert "14:00–14:30" in london_page
        assert "19:30–20:00" in kolkata_page
        assert "19:30–20:00" not in london_page


def test_cached_day_never_shows_one_viewers_stars_to_another(app, db, places, published):
    first = make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Starred by Ada")
    make_talk(published, places.hudson, utc(2027, 3, 12, 15), title="Starred by nobody")
    db.session.commit()
    ada, bob = make_user(display_name="Ada Lovelace"), make_user(display_name="Bob Barker")
    InterestMarkFactory(user_id=ada.id, proposal_id=first.proposal_id)
    db.session.commit()
    anonymous, ada_client, bob_client = app.test_client(), app.test_client(), app.test_client()
    for person, browser in ((ada, ada_client), (bob, bob_client)):
        assert (
            browser.post(
                "/login", data={"email": person.email, "password": "correct horse battery"}
            ).status_code
            == 302
        )

    for _ in range(2):
        ada_page = ada_client.get(DAY).get_data(as_text=True)
        bob_page = bob_client.get(DAY).get_data(as_text=True)
        anonymous_page = anonymous.get(DAY).get_data(as_text=True)

        assert ada_page.count("★ Starred") == 1
        assert 'aria-label="Unstar: Starred by Ada"' in ada_page
        assert "★ Starred" not in bob_page
        assert 'aria-label="Star: Starred by Ada"' in bob_page
        assert "★ Starred" not in anonymous_page
        assert "data-star-form" not in anonymous_page
        assert anonymous_page.count("Log in to star") == 2
        assert "Ada Lovelace" not in anonymous_page and "Bob Barker" not in anonymous_page
        assert "Bob Barker" not in ada_page and "Ada Lovelace" not in bob_page


def test_star_buttons_carry_each_talks_own_id_and_escaped_title(
    client, login, places, published, db
):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), title='Fish & "Chips" <b>')
    db.session.commit()
    login(make_user())

    page = client.get(DAY).get_data(as_text=True)

    assert f"/c/summit/agenda/talks/{talk.proposal_id}/star" in page
    assert 'data-title="Fish &amp; &#34;Chips&#34; &lt;b&gt;"' in page
    assert 'Fish & "Chips" <b>' not in page
    assert str(agenda_cache.ButtonPrototypes.PLACEHOLDER_ID) not in page
    assert agenda_cache.ButtonPrototypes.PLACEHOLDER_TITLE not in page


def test_private_feed_link_is_never_served_to_anonymous_viewers(
    app, db, login, client, places, published
):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    user = login(make_user())
    db.session.add(
        FeedToken(conference_id=published.conference_id, user_id=user.id, token="secret-token-123")
    )
    db.session.commit()

    for path in (DAY, f"/c/summit/agenda/talks/{talk.proposal_id}"):
        logged_in = client.get(path)
        anonymous = app.test_client().get(path)

        assert "secret-token-123" in logged_in.get_data(as_text=True)
        assert logged_in.headers["Cache-Control"] == "private, no-store"
        assert "secret-token-123" not in anonymous.get_data(as_text=True)
        assert "Cookie" in anonymous.headers["Vary"]


def _publish_without_the_orm(db, places, conference_id: int, proposal_id: int) -> None:
    """A new published version written as another process would: this one sees no ORM event."""
    version_id = db.session.execute(
        insert(ScheduleVersion).returning(ScheduleVersion.id),
        [
            {
                "conference_id": conference_id,
                "is_draft": False,
                "number": 2,
                "published_at": utcnow(),
                "created_at": utcnow(),
                "updated_at": utcnow(),
                "lock_version": 1,
                "note": "",
            }
        ],
    ).scalar_one()
    db.session.execute(
        insert(ScheduledTalk),
        [
            {
                "version_id": version_id,
                "proposal_id": proposal_id,
                "room_id": places.thames.id,
                "starts_at": utc(2027, 3, 12, 16),
                "ends_at": utc(2027, 3, 12, 16, 30),
                "pinned": False,
            }
        ],
    )
    db.session.commit()


def test_cached_anonymous_pages_run_no_sql(app, db, places, published):
    app.config["AGENDA_VERSION_CHECK_SECONDS"] = 60
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Cached talk")
    db.session.commit()
    browser = app.test_client()
    talk_page = f"/c/summit/agenda/talks/{talk.proposal_id}"
    first_day, first_talk = browser.get(DAY), browser.get(talk_page)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        day_again, talk_again = browser.get(DAY), browser.get(talk_page)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    assert statements == []
    assert day_again.data == first_day.data and talk_again.data == first_talk.data
    assert "Cached talk" in talk_again.get_data(as_text=True)
    assert "Cookie" in day_again.headers["Vary"]
    assert (
        day_again.headers["Content-Security-Policy"] == first_day.headers["Content-Security-Policy"]
    )
    assert "Set-Cookie" not in day_again.headers


def test_version_published_by_another_process_shows_after_the_check_period(
    app, db, places, published
):
    app.config["AGENDA_VERSION_CHECK_SECONDS"] = 60
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Old plan")
    proposal = ProposalFactory(
        conference=published.conference, state=ProposalState.ACCEPTED, title="New plan"
    )
    ProposalSpeakerFactory(proposal=proposal, user=make_user())
    db.session.commit()
    browser = app.test_client()
    assert "Old plan" in browser.get(DAY).get_data(as_text=True)
    _publish_without_the_orm(db, places, published.conference_id, proposal.id)

    # Within the check period this process still trusts the version it read.
    assert "Old plan" in browser.get(DAY).get_data(as_text=True)
    app.config["AGENDA_VERSION_CHECK_SECONDS"] = 0.2
    time.sleep(0.25)
    page = browser.get(DAY).get_data(as_text=True)

    assert "New plan" in page
    assert "Old plan" not in page


def test_version_published_in_this_process_shows_at_once(app, db, places, published):
    app.config["AGENDA_VERSION_CHECK_SECONDS"] = 60
    make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Old plan")
    db.session.commit()
    browser = app.test_client()
    assert "Old plan" in browser.get(DAY).get_data(as_text=True)

    second = ScheduleVersionFactory(conference=published.conference, is_draft=False, number=2)
    make_talk(second, places.thames, utc(2027, 3, 12, 16), title="New plan")
    db.session.commit()
    page = browser.get(DAY).get_data(as_text=True)

    assert "New plan" in page
    assert "Old plan" not in page


def test_room_rename_shows_at_once(app, db, places, published):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    browser = app.test_client()
    assert "Thames" in browser.get(DAY).get_data(as_text=True)

    places.thames.name = "Severn"
    db.session.commit()

    assert "Severn" in browser.get(DAY).get_data(as_text=True)
    assert "Severn" in browser.get(f"/c/summit/agenda/talks/{talk.proposal_id}").get_data(
        as_text=True
    )


def test_unchanged_anonymous_page_answers_304(app, places, published, db):
    make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    browser = app.test_client()
    first = browser.get(DAY)

    again = browser.get(DAY, headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200
    assert again.status_code == 304


def test_pending_message_is_shown_not_cached(app, client, places, published, db):
    talk = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    page = f"/c/summit/agenda/talks/{talk.proposal_id}"
    client.get(page)

    client.post(f"{page}/star")  # anonymous: sent to log in with a message
    with_message = client.get(page).get_data(as_text=True)
    after = app.test_client().get(page).get_data(as_text=True)

    assert "Log in to star talks." in with_message
    assert "Log in to star talks." not in after


def test_page_already_out_of_date_is_not_kept(app):
    page = agenda_cache.Rendered.of("<p>before</p>", wrong_after=utcnow() - timedelta(seconds=1))
    calls = []

    def render():
        calls.append(1)
        return page

    agenda_cache.remember(("test", 1), render)
    agenda_cache.remember(("test", 1), render)

    assert len(calls) == 2


def test_threads_missing_the_same_page_together_render_it_once(app):
    calls = []
    started, release = threading.Event(), threading.Event()

    def render():
        calls.append(1)
        started.set()
        release.wait(5)
        return "page"

    answers = []

    def ask():
        with app.app_context():
            answers.append(agenda_cache.remember(("test", "herd"), render))

    first, second = threading.Thread(target=ask), threading.Thread(target=ask)
    first.start()
    assert started.wait(5)
    second.start()
    time.sleep(0.1)  # the second thread now waits for the first one's render
    release.set()
    first.join(5)
    second.join(5)

    assert answers == ["page", "page"]
    assert len(calls) == 1


def test_filtered_and_grid_views_are_kept_apart(app, places, published, db):
    make_talk(
        published, places.thames, utc(2027, 3, 12, 14), track=places.platform, title="Platform talk"
    )
    make_talk(published, places.hudson, utc(2027, 3, 12, 15), track=places.data, title="Data talk")
    db.session.commit()
    browser = app.test_client()
    browser.get(DAY)

    filtered = browser.get(f"{DAY}?track={places.data.id}").get_data(as_text=True)
    grid = browser.get(f"{DAY}?view=grid").get_data(as_text=True)

    assert "Data talk" in filtered and "Platform talk" not in filtered
    assert "agenda-grid" in grid and "Platform talk" in grid
