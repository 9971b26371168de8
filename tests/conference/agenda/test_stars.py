"""Starring talks from the agenda: reuses the interest marks, POST only, login first."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from conference.interest.models import InterestMark
from conference.proposals.models import ProposalState
from tests.conference.agenda.conftest import make_talk, make_user, utc
from tests.conftest import make_test_app
from tests.factories import InterestMarkFactory


def marks(db, **where) -> list[InterestMark]:
    db.session.expire_all()
    return list(db.session.scalars(select(InterestMark).filter_by(**where)))


def star_url(scheduled) -> str:
    return f"/c/summit/agenda/talks/{scheduled.proposal_id}/star"


def unstar_url(scheduled) -> str:
    return f"/c/summit/agenda/talks/{scheduled.proposal_id}/unstar"


def test_starring_twice_keeps_one_interest_mark(client, login, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    user = login(make_user())

    first = client.post(star_url(scheduled))
    second = client.post(star_url(scheduled))

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith(f"/c/summit/agenda/talks/{scheduled.proposal_id}")
    assert len(marks(db, user_id=user.id, proposal_id=scheduled.proposal_id)) == 1


def test_unstarring_removes_the_mark(client, login, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    user = login(make_user())
    client.post(star_url(scheduled))

    response = client.post(unstar_url(scheduled), data={"next": "/c/summit/agenda/mine"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/summit/agenda/mine")
    assert marks(db, user_id=user.id) == []


def test_starring_ignores_an_off_site_next(client, login, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    login(make_user())

    response = client.post(star_url(scheduled), data={"next": "//evil.example/"})

    assert "evil.example" not in response.headers["Location"]


def test_interest_marks_from_before_show_as_stars(client, login, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    user = make_user()
    InterestMarkFactory(user_id=user.id, proposal_id=scheduled.proposal_id)
    login(user)

    html = client.get(f"/c/summit/agenda/talks/{scheduled.proposal_id}").get_data(as_text=True)

    assert "★ Starred" in html and unstar_url(scheduled) in html


def test_anonymous_starring_sends_to_login_and_back_to_the_talk(client, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    response = client.post(star_url(scheduled))

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [f"/c/summit/agenda/talks/{scheduled.proposal_id}"]
    assert marks(db) == []


def test_anonymous_viewers_see_a_login_link_instead_of_the_star_button(
    client, places, published, db
):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()

    html = client.get(f"/c/summit/agenda/talks/{scheduled.proposal_id}").get_data(as_text=True)

    assert "Log in to star" in html and star_url(scheduled) not in html


def test_starring_is_post_only(client, login, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    login(make_user())

    assert client.get(star_url(scheduled)).status_code == 405


def test_starring_a_draft_only_talk_is_not_found(client, login, places, published, draft, db):
    scheduled = make_talk(draft, places.thames, utc(2027, 3, 12, 14))
    login(make_user())

    assert client.post(star_url(scheduled)).status_code == 404
    assert marks(db) == []


def test_starring_with_fetch_answers_json(client, login, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    user = login(make_user())

    starred = client.post(star_url(scheduled), headers={"Accept": "application/json"})
    unstarred = client.post(unstar_url(scheduled), headers={"Accept": "application/json"})

    assert starred.status_code == 200 and starred.get_json()["starred"] is True
    assert unstarred.status_code == 200 and unstarred.get_json()["starred"] is False
    assert marks(db, user_id=user.id) == []


def test_starring_without_a_csrf_token_is_refused(database_url, app, places, published, db):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    db.session.commit()
    strict = make_test_app(database_url, create_schema=False, WTF_CSRF_ENABLED=True)
    client = strict.test_client()

    response = client.post(star_url(scheduled))

    assert response.status_code == 400
    assert marks(db) == []


def test_day_page_star_buttons_share_one_form_and_one_csrf_token(
    client, login, places, published, db
):
    talks = [
        make_talk(published, room, utc(2027, 3, 12, 14), title=f"Talk in {room.name}")
        for room in (places.thames, places.hudson, places.stream)
    ]
    make_talk(published, places.thames, utc(2027, 3, 13, 14), title="Saturday talk")
    user = login(make_user())
    InterestMarkFactory(user_id=user.id, proposal_id=talks[0].proposal_id)
    db.session.commit()

    html = client.get("/c/summit/agenda/2027-03-12").get_data(as_text=True)

    assert html.count('<form id="star-form" method="post"') == 1
    assert html.count("data-star-form") == 1
    # The buttons carry no token of their own: a day of one talk has as many tokens.
    one_talk_day = client.get("/c/summit/agenda/2027-03-13").get_data(as_text=True)
    assert one_talk_day.count('form="star-form"') == 1
    assert html.count('name="csrf_token"') == one_talk_day.count('name="csrf_token"')
    assert html.count('form="star-form"') == 3
    assert f'formaction="{unstar_url(talks[0])}"' in html
    assert f'formaction="{star_url(talks[1])}"' in html
    assert 'aria-pressed="true"' in html and 'aria-label="Unstar: Talk in Thames"' in html
    assert 'aria-label="Star: Talk in Hudson"' in html


def test_shared_star_form_posts_to_the_buttons_action_without_javascript(
    client, login, places, published, db
):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    user = login(make_user())
    db.session.commit()
    page = client.get("/c/summit/agenda/2027-03-12")
    form = re.search(r'<form id="star-form".*?</form>', page.get_data(as_text=True), re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form))

    # What a browser sends for <button form="star-form" formaction=...>: the shared form's fields.
    response = client.post(star_url(scheduled), data=fields)

    assert response.status_code == 302
    assert response.headers["Location"] == "/c/summit/agenda/2027-03-12"
    assert len(marks(db, user_id=user.id, proposal_id=scheduled.proposal_id)) == 1


def test_the_star_of_a_talk_withdrawn_after_starring_can_be_removed_but_not_added_again(
    client, login, places, published, db
):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Gone")
    user = make_user()
    InterestMarkFactory(user_id=user.id, proposal_id=scheduled.proposal_id)
    scheduled.proposal.submitted_at = utc(2026, 11, 1, 12)
    scheduled.proposal.state = ProposalState.WITHDRAWN
    login(user)

    assert client.post(star_url(scheduled)).status_code == 404
    removed = client.post(unstar_url(scheduled), headers={"Accept": "application/json"})

    assert removed.status_code == 200 and removed.get_json()["starred"] is False
    assert marks(db, user_id=user.id) == []
    # Once removed, the talk is nothing to this attendee any more.
    assert client.post(unstar_url(scheduled)).status_code == 404


def test_my_agendas_remove_star_form_posts_with_its_own_csrf_token(
    database_url, app, places, published, db
):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14), title="Gone")
    user = make_user()
    InterestMarkFactory(user_id=user.id, proposal_id=scheduled.proposal_id)
    scheduled.proposal.submitted_at = utc(2026, 11, 1, 12)
    scheduled.proposal.state = ProposalState.DECLINED
    db.session.commit()
    strict = make_test_app(database_url, create_schema=False, WTF_CSRF_ENABLED=True)
    browser = strict.test_client()
    try:
        login_page = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        browser.post(
            "/login",
            data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
        )
        page = browser.get("/c/summit/agenda/mine").get_data(as_text=True)
        form = re.search(rf'<form[^>]*action="{unstar_url(scheduled)}".*?</form>', page, re.S)
        fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form.group(0)))

        response = browser.post(unstar_url(scheduled), data=fields)
    finally:
        with strict.app_context():
            db.session.remove()
            db.engine.dispose()

    assert response.status_code == 302
    assert response.headers["Location"] == "/c/summit/agenda/mine"
    assert marks(db, user_id=user.id) == []


def test_unstarring_a_withdrawn_talk_one_never_starred_is_not_found(
    client, login, places, published, db
):
    scheduled = make_talk(published, places.thames, utc(2027, 3, 12, 14))
    InterestMarkFactory(user_id=make_user().id, proposal_id=scheduled.proposal_id)
    scheduled.proposal.submitted_at = utc(2026, 11, 1, 12)
    scheduled.proposal.state = ProposalState.WITHDRAWN
    db.session.commit()

    # Anonymous people are not sent to log in for it: they learn nothing of the talk.
    assert client.post(unstar_url(scheduled)).status_code == 404
    login(make_user())
    assert client.post(unstar_url(scheduled)).status_code == 404
    assert len(marks(db)) == 1
