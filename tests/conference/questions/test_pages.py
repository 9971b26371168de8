"""The questions page, its refreshable list and the room's screen: bounded queries, no live data
in the cached agenda talk page, and a screen without buttons."""

from __future__ import annotations

from datetime import timedelta

from conference.core.types import utcnow
from tests.conference.questions.conftest import add_question, add_votes, make_user
from tests.statements import statements_for_page


def _fill(scene, count: int) -> None:
    voters = [make_user() for _ in range(3)]
    for n in range(count):
        question = add_question(
            scene, make_user(), text=f"Question {n}", anonymous=bool(n % 2),
            answered_at=utcnow() if n % 3 == 0 else None,
            hidden_at=utcnow() if n % 5 == 0 else None,
            created_at=utcnow() - timedelta(minutes=n),
        )
        add_votes(question, voters[: n % 4])


def test_query_count_does_not_grow_with_the_number_of_questions(scene, clients, db):
    paths = [scene.url(), scene.url("/list"), scene.url("/present"), scene.url("/list?view=present")]
    roles = ("anonymous", "voter", "speaker", "organiser")
    _fill(scene, 2)
    few = [statements_for_page(db.engine, clients[role], path) for role in roles for path in paths]

    _fill(scene, 30)
    many = [statements_for_page(db.engine, clients[role], path) for role in roles for path in paths]

    assert many == few


def test_page_refreshes_its_list_through_the_fragment_and_has_a_reload_link(scene, clients):
    html = clients["voter"].get(scene.url()).get_data(as_text=True)

    assert f'data-questions-source="{scene.url("/list")}"' in html
    assert 'data-questions-refresh="10"' in html
    assert "/static/js/questions.js" in html
    assert f'href="{scene.url()}#questions">Reload the questions' in html
    assert "<script>" not in html and "style=" not in html


def test_fragment_is_the_list_alone_and_never_cached(scene, clients):
    add_question(scene, scene.people["attendee"], text="In the fragment")

    response = clients["voter"].get(scene.url("/list"))

    html = response.get_data(as_text=True)
    assert "In the fragment" in html
    assert "<html" not in html and "<form method=\"post\"" in html
    assert "no-store" in response.headers["Cache-Control"]


def test_present_view_shows_the_top_open_questions_large_and_without_buttons(scene, clients):
    voters = [make_user() for _ in range(7)]
    for n in range(7):
        add_votes(add_question(scene, scene.people["attendee"], text=f"Top {n}"), voters[:n])
    add_question(scene, scene.people["attendee"], text="Already answered", answered_at=utcnow())

    html = clients["organiser"].get(scene.url("/present")).get_data(as_text=True)

    shown = [n for n in range(7) if f"Top {n}<" in html]
    assert shown == [2, 3, 4, 5, 6]
    assert html.index("Top 6") < html.index("Top 5")
    assert "Already answered" not in html
    assert "<button" not in html and "<form" not in html
    assert 'http-equiv="refresh"' in html  # without JavaScript, inside <noscript>
    assert f"Ask and vote at <strong>http://conference.test{scene.url()}</strong>" in html


def test_agenda_talk_page_links_to_the_questions_without_showing_any(scene, clients):
    add_question(scene, scene.people["attendee"], text="Not on the cached page")
    agenda_page = f"/c/summit/agenda/talks/{scene.talk.proposal_id}"

    anonymous = clients["anonymous"].get(agenda_page).get_data(as_text=True)
    again = clients["anonymous"].get(agenda_page).get_data(as_text=True)

    assert f'href="{scene.url()}"' in anonymous
    assert "Not on the cached page" not in anonymous
    assert again == anonymous


def test_questions_page_shows_the_talk_times_in_the_viewers_zone(scene, clients):
    html = clients["attendee"].get(scene.url()).get_data(as_text=True)

    assert "(Asia/Kolkata)" in html
    assert "Ask and vote until" in html
