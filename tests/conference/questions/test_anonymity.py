"""Who asked anonymously is seen by the conference's organisers and the asker only: not by
other attendees, the talk's speakers or visitors, in any page, fragment or the room's screen."""

from __future__ import annotations

import re

import pytest

from tests.conference.questions.conftest import ASKER_NAME, add_question

PATHS = ("", "/list", "/present", "/list?view=present")


def test_anonymous_question_ask_through_the_form_is_stored_as_anonymous(scene, clients):
    clients["attendee"].post(scene.url("/ask"), data={"text": "Who pays for this?", "anonymous": "y"})

    for role in ("voter", "speaker", "other_speaker", "anonymous"):
        for path in PATHS:
            html = clients[role].get(scene.url(path)).get_data(as_text=True)
            assert ASKER_NAME not in html, (role, path)
    assert "Who pays for this?" in clients["speaker"].get(scene.url()).get_data(as_text=True)


@pytest.mark.parametrize("role", ["voter", "speaker", "other_speaker", "anonymous"])
def test_name_of_an_anonymous_asker_never_reaches_others(scene, clients, role):
    add_question(scene, scene.people["attendee"], text="Is it on-call friendly?", anonymous=True)

    for path in PATHS:
        html = clients[role].get(scene.url(path)).get_data(as_text=True)
        assert "Is it on-call friendly?" in html
        assert ASKER_NAME not in html


def test_organisers_see_who_asked_anonymously_but_not_on_the_room_screen(scene, clients):
    add_question(scene, scene.people["attendee"], text="Is it on-call friendly?", anonymous=True)

    page = clients["organiser"].get(scene.url()).get_data(as_text=True)
    present = clients["organiser"].get(scene.url("/present")).get_data(as_text=True)

    # Behind a click, as an organiser's screen is often shared with the room.
    assert re.search(r"<details class=\"question-asker\"><summary>Who asked \(organisers only\)</summary>"
                     + re.escape(ASKER_NAME) + "</details>", page)
    assert ASKER_NAME not in present


def test_the_asker_sees_their_own_question_marked_as_theirs(scene, clients):
    add_question(scene, scene.people["attendee"], anonymous=True)

    html = clients["attendee"].get(scene.url()).get_data(as_text=True)

    assert "Asked by you, anonymously" in html


def test_named_questions_show_the_askers_name_in_lists_but_not_on_the_room_screen(scene, clients):
    add_question(scene, scene.people["attendee"], text="Named question")

    assert ASKER_NAME in clients["voter"].get(scene.url()).get_data(as_text=True)
    assert ASKER_NAME not in clients["voter"].get(scene.url("/present")).get_data(as_text=True)
