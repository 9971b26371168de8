"""The organisers' audience-question settings: questions on or off, and how long before and after
a talk asking is open. Every page that says or decides whether asking is open follows them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.core.timezones import instant_text
from conference.core.types import utcnow
from conference.extensions import db as _db
from conference.questions.models import AudienceQuestion, QuestionVote
from conference.questions.operations import TURNED_OFF
from conference.questions.queries import QuestionSettings, question_settings
from tests.conference.questions.conftest import add_question, make_talk

SETTINGS = "/c/summit/manage/questions"


def question_count() -> int:
    return _db.session.scalar(select(func.count(AudienceQuestion.id)))


def stored_settings(scene) -> QuestionSettings:
    _db.session.expire_all()
    return question_settings(scene.conference)


def save(client, enabled=True, opens="30", closes="24"):
    data = {"opens_minutes_before": opens, "closes_hours_after": closes}
    if enabled:
        data["enabled"] = "y"
    return client.post(SETTINGS, data=data)


def agenda_page(scene, talk=None) -> str:
    talk = talk or scene.talk
    return f"/c/{scene.conference.slug}/agenda/talks/{talk.proposal_id}"


def test_a_conference_never_set_has_questions_on_from_30_minutes_before_to_a_day_after(scene, clients):
    html = clients["organiser"].get(SETTINGS).get_data(as_text=True)

    assert stored_settings(scene) == QuestionSettings(True, 30, 24)
    assert '<input checked id="enabled" name="enabled" type="checkbox"' in html
    assert 'name="opens_minutes_before" required type="number" value="30"' in html
    assert 'name="closes_hours_after" required type="number" value="24"' in html
    assert 'aria-current="page">Audience questions</a>' in html  # linked from the manage navigation


def test_organiser_saves_a_window_and_asking_follows_it(scene, clients, db):
    in_ninety_minutes = make_talk(scene.version, scene.room, utcnow() + timedelta(minutes=90))
    ended_ten_minutes_ago = make_talk(scene.version, scene.room, utcnow() - timedelta(minutes=40))
    db.session.commit()

    saved = save(clients["organiser"], opens="120", closes="0")

    assert saved.status_code == 302 and saved.headers["Location"].endswith(SETTINGS)
    assert stored_settings(scene) == QuestionSettings(True, 120, 0)
    followed = clients["organiser"].get(SETTINGS).get_data(as_text=True)
    assert "asking opens 120 minutes before each talk starts and closes 0 hours after it ends" in followed
    early = clients["attendee"].post(scene.url("/ask", talk=in_ninety_minutes), data={"text": "Early?"})
    late = clients["attendee"].post(scene.url("/ask", talk=ended_ten_minutes_ago), data={"text": "Late?"})
    assert early.status_code == 302
    assert late.status_code == 409
    assert "Questions for this talk are closed." in late.get_data(as_text=True)
    assert question_count() == 1


def test_a_shorter_window_closes_voting_too(scene, clients, db):
    ended_two_hours_ago = make_talk(scene.version, scene.room, utcnow() - timedelta(hours=2, minutes=30))
    db.session.commit()
    question = add_question(scene, scene.people["attendee"], talk=ended_two_hours_ago)
    vote_url = scene.question_url(question, "vote", talk=ended_two_hours_ago)
    assert clients["voter"].post(vote_url, data={"voted": "yes"}).status_code == 302  # the default day

    save(clients["organiser"], closes="1")
    refused = clients["speaker"].post(vote_url, data={"voted": "yes"})

    assert refused.status_code == 409
    assert _db.session.scalar(select(func.count(QuestionVote.id))) == 1


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        ("1441", "24", "Enter a whole number of minutes from 0 to 1440 (24 hours)."),
        ("-1", "24", "Enter a whole number of minutes from 0 to 1440 (24 hours)."),
        ("half an hour", "24", "Enter a whole number of minutes from 0 to 1440 (24 hours)."),
        ("", "24", "Enter a whole number of minutes from 0 to 1440 (24 hours)."),
        ("30", "337", "Enter a whole number of hours from 0 to 336 (14 days)."),
        ("30", "1.5", "Enter a whole number of hours from 0 to 336 (14 days)."),
    ],
)
def test_a_number_out_of_range_or_no_number_is_refused_with_a_message_and_nothing_stored(
    scene, clients, opens, closes, message
):
    refused = save(clients["organiser"], enabled=False, opens=opens, closes=closes)

    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert message in html
    assert html.count(message) == 1  # said once, beside its field
    assert stored_settings(scene) == QuestionSettings()
    assert scene.conference.settings.get("questions_enabled") is None


def test_saving_the_same_settings_again_says_nothing_changed(scene, clients):
    saved = save(clients["organiser"])

    assert saved.status_code == 302
    assert "Nothing changed." in clients["organiser"].get(SETTINGS).get_data(as_text=True)
    assert stored_settings(scene) == QuestionSettings()
    assert "questions_enabled" not in (scene.conference.settings or {})  # nothing written


def test_other_settings_of_the_conference_are_kept(scene, clients, db):
    scene.conference.settings = {**(scene.conference.settings or {}), "feedback_edit_days": 3}
    db.session.commit()

    save(clients["organiser"], opens="10", closes="48")

    stored_settings(scene)
    assert scene.conference.settings["feedback_edit_days"] == 3
    assert scene.conference.settings["questions_closes_hours_after"] == 48


def test_only_organisers_change_the_settings(scene, clients):
    for role in ("speaker", "attendee"):
        assert save(clients[role], enabled=False).status_code == 403
        assert clients[role].get(SETTINGS).status_code == 403
    assert stored_settings(scene).enabled


def test_settings_a_hand_edit_broke_read_as_the_defaults_or_the_nearest_allowed(scene, db):
    scene.conference.settings = {
        "questions_enabled": "no",  # only false turns questions off
        "questions_opens_minutes_before": "lots",
        "questions_closes_hours_after": 10_000,
    }
    db.session.commit()

    assert question_settings(scene.conference) == QuestionSettings(True, 30, 14 * 24)


# --- questions off ---------------------------------------------------------------------------


@pytest.fixture
def turned_off(scene, clients):
    question = add_question(scene, scene.people["attendee"], text="Asked while it was on")
    assert save(clients["organiser"], enabled=False).status_code == 302
    assert not stored_settings(scene).enabled
    return question


def test_with_questions_off_nobody_asks_or_votes_and_the_refusal_says_why(scene, clients, turned_off):
    for role in ("voter", "organiser"):
        asked = clients[role].post(scene.url("/ask"), data={"text": "Still there?"})
        voted = clients[role].post(scene.question_url(turned_off, "vote"), data={"voted": "yes"})
        for refused in (asked, voted):
            assert refused.status_code == 409
            assert TURNED_OFF in refused.get_data(as_text=True)
    assert question_count() == 1
    assert _db.session.scalar(select(func.count(QuestionVote.id))) == 0


def test_with_questions_off_the_public_pages_say_so_and_list_nothing(scene, clients, turned_off):
    for role in ("anonymous", "voter", "attendee"):
        page = clients[role].get(scene.url()).get_data(as_text=True)
        fragment = clients[role].get(scene.url("/list")).get_data(as_text=True)
        assert TURNED_OFF in page
        assert "Asked while it was on" not in page and "Asked while it was on" not in fragment
        # The form (or the log-in link) waits hidden, for the script to show when they are on.
        if role == "anonymous":
            assert re.search(r'<p data-asking-form hidden><a href="/login[^"]*"[^>]*>Log in to ask or vote</a>', page)
        else:
            assert re.search(r'<form [^>]*action="[^"]*/ask"[^>]*data-asking-form hidden>', page)
        assert 'data-asking-state="off"' in fragment
    present = clients["anonymous"].get(scene.url("/present")).get_data(as_text=True)
    assert TURNED_OFF in present and "Asked while it was on" not in present
    assert "Ask and vote at" not in present
    agenda = clients["anonymous"].get(agenda_page(scene)).get_data(as_text=True)
    assert "Audience questions are turned off for this conference." in agenda
    assert f'href="{scene.url()}"' not in agenda


def test_with_questions_off_moderators_still_see_moderate_and_download(scene, clients, turned_off):
    for role in ("speaker", "organiser"):
        page = clients[role].get(scene.url()).get_data(as_text=True)
        assert TURNED_OFF in page
        assert "Asked while it was on" in page
        assert "Only speakers and organisers see them while questions are off." in page
        assert "Asked while it was on" in clients[role].get(scene.url(".csv")).get_data(as_text=True)
    assert clients["speaker"].post(scene.question_url(turned_off, "answer")).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(AudienceQuestion, turned_off.id).is_answered
    agenda = clients["speaker"].get(agenda_page(scene)).get_data(as_text=True)
    assert f'<a href="{scene.url()}">The questions asked before</a>' in agenda


def test_turning_questions_back_on_opens_asking_again(scene, clients, turned_off):
    save(clients["organiser"], enabled=True)

    assert clients["voter"].post(scene.url("/ask"), data={"text": "Back on?"}).status_code == 302
    assert "Asked while it was on" in clients["anonymous"].get(scene.url()).get_data(as_text=True)


# --- what the pages say about the window ------------------------------------------------------


def test_agenda_talk_page_names_the_window_in_the_viewers_zone(scene, clients, db):
    save(clients["organiser"], opens="60", closes="2")
    talk = scene.talk
    opens = instant_text(talk.starts_at - timedelta(minutes=60), "Asia/Kolkata")
    closes = instant_text(talk.ends_at + timedelta(hours=2), "Asia/Kolkata")

    html = clients["attendee"].get(agenda_page(scene)).get_data(as_text=True)

    assert f'<a href="{scene.url()}">Questions from the audience</a>' in html
    assert f"from {opens} until {closes} (Asia/Kolkata)" in html


def test_the_kept_anonymous_agenda_page_follows_a_settings_change(scene, clients):
    before = clients["anonymous"].get(agenda_page(scene)).get_data(as_text=True)
    assert "Questions from the audience" in before

    save(clients["organiser"], enabled=False)

    after = clients["anonymous"].get(agenda_page(scene)).get_data(as_text=True)
    assert "Audience questions are turned off for this conference." in after


def test_the_list_tells_the_script_when_asking_closes(scene, clients, db):
    opened = clients["attendee"].get(scene.url("/list")).get_data(as_text=True)
    assert '<p hidden data-asking-state="open">Ask and vote until' in opened

    # The talk started ten minutes ago and lasts thirty: no hours after it, and it is still on.
    save(clients["organiser"], closes="0")
    still = clients["attendee"].get(scene.url("/list")).get_data(as_text=True)
    scene.talk.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    closed = clients["attendee"].get(scene.url("/list")).get_data(as_text=True)

    assert 'data-asking-state="open"' in still
    assert '<p hidden data-asking-state="closed">Questions closed at' in closed
    assert "(Asia/Kolkata)" in closed
    assert "△ Vote" not in closed


def test_room_screen_says_when_questions_open_instead_of_where_to_ask(scene, clients, db):
    later = make_talk(scene.version, scene.room, utcnow() + timedelta(hours=3), title="Later talk")
    db.session.commit()

    html = clients["anonymous"].get(scene.url("/present", talk=later)).get_data(as_text=True)

    assert "Questions open at" in html and "(UTC)" in html  # an anonymous screen reads UTC, labelled
    assert "Ask and vote at" not in html
    assert "No questions yet." in html
