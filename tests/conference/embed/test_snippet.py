"""The organisers' page that writes the snippet for another site, with a preview."""

from __future__ import annotations

import html as html_lib
import re

from conference.conferences.models import Role
from tests.factories import RoleFactory, UserFactory

SNIPPET = "/c/summit/manage/embed"


def _organiser(db, conference):
    user = UserFactory()
    RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    return user


def snippet_text(page: str) -> str:
    """The textarea's value, as the organiser copies it."""
    return html_lib.unescape(re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def test_default_snippet_and_preview(client, db, login, conference, places):
    conference.name = 'Summit "27" <live>'
    login(_organiser(db, conference))

    response = client.get(SNIPPET)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert snippet_text(page) == (
        '<iframe src="http://conference.test/c/summit/embed/agenda" title="Summit &quot;27&quot; &lt;live&gt;: '
        'now and next" width="100%" height="420" style="border: 0;" loading="lazy"></iframe>'
    )
    assert '<iframe src="/c/summit/embed/agenda" title="Preview of the embedded agenda"' in page
    assert "Any site may show it" in page


def test_chosen_options_go_into_the_address(client, db, login, conference, places):
    login(_organiser(db, conference))
    page = client.get(SNIPPET, query_string={
        "view": "day", "track": places.data.id, "hub": "online", "mode": "", "tz": "Asia/Kolkata",
        "day": "2027-03-13", "limit": "6", "height": "600",
    }).get_data(as_text=True)

    text = snippet_text(page)
    src = html_lib.unescape(re.search(r'src="([^"]*)"', text).group(1))
    assert src.startswith("http://conference.test/c/summit/embed/agenda?")
    assert sorted(src.split("?")[1].split("&")) == sorted([
        "view=day", f"track={places.data.id}", "hub=online", "tz=Asia/Kolkata", "day=2027-03-13",
    ])
    assert 'height="600"' in text and ': agenda" width="100%"' in text


def test_wrong_choices_are_marked_and_no_snippet_is_offered(client, db, login, conference, places):
    login(_organiser(db, conference))
    response = client.get(SNIPPET, query_string={"height": "20", "limit": "50", "track": "x", "tz": "Mars/Base"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please correct the marked fields below." in page
    assert page.count('class="field-error"') == 4
    assert "embed-snippet" not in page


def test_only_organisers(client, db, login, conference, places):
    assert client.get(SNIPPET).status_code == 302  # to the login page
    login(UserFactory())
    assert client.get(SNIPPET).status_code == 403


def test_the_servers_list_of_sites_is_shown(app, client, db, login, conference, places):
    login(_organiser(db, conference))
    app.config["EMBED_FRAME_ANCESTORS"] = "https://intranet.example.com"
    assert "Only these sites may show it" in client.get(SNIPPET).get_data(as_text=True)
    app.config["EMBED_FRAME_ANCESTORS"] = ""
    assert "No other site may show it" in client.get(SNIPPET).get_data(as_text=True)
