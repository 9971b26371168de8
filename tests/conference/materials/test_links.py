"""Recordings and other links: http(s) only, with clear form errors; the archive hears of recordings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference.archive.models import ArchiveEntry
from conference.materials.models import MaterialKind, TalkMaterial


def add_link(client, talk, url, kind="recording", title=""):
    return client.post(
        f"/c/summit/talks/{talk.proposal.id}/materials/links",
        data={"link-kind": kind, "link-url": url, "link-title": title},
    )


def stored(db):
    db.session.expire_all()
    return list(db.session.scalars(select(TalkMaterial)))


def test_a_speaker_adds_a_recording_and_a_link(client, login, talk, db):
    login(talk.co_speaker)

    assert add_link(client, talk, "  https://video.example.com/watch?v=1&t=2  ").status_code == 302
    assert (
        add_link(
            client, talk, "http://git.example.com/demo", kind="link", title="Demo code"
        ).status_code
        == 302
    )

    recording, link = stored(db)
    assert (recording.kind, recording.url) == (
        MaterialKind.RECORDING,
        "https://video.example.com/watch?v=1&t=2",
    )
    assert (link.kind, link.title, link.added_by_id) == (
        MaterialKind.LINK,
        "Demo code",
        talk.co_speaker.id,
    )
    page = client.get(f"/c/summit/talks/{talk.proposal.id}/materials").get_data(as_text=True)
    assert 'href="https://video.example.com/watch?v=1&amp;t=2"' in page
    assert "Demo code" in page
    assert f'action="/c/summit/talks/{talk.proposal.id}/materials/{recording.id}/remove"' in page


def test_the_same_link_sent_twice_is_attached_once(client, login, talk, db):
    login(talk.speaker)
    url = "https://video.example.com/watch/1"

    first = add_link(client, talk, url)
    again = add_link(client, talk, f" {url} ")
    other_kind = add_link(client, talk, url, kind="link")

    assert (first.status_code, again.status_code, other_kind.status_code) == (302, 302, 302)
    assert sorted((m.kind.value, m.url) for m in stored(db)) == [
        ("link", url),
        ("recording", url),
    ]
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already attached" in page


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://files.example.com/talk.mp4",
        "//video.example.com/watch",
        "https://",
        "video.example.com/watch",
        "https://video.example.com/a b",
        "https://video.example.com/\tjavascript:alert(1)",
    ],
)
def test_links_that_are_not_http_addresses_are_rejected(client, login, talk, db, url):
    login(talk.speaker)

    response = add_link(client, talk, url)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html
    assert stored(db) == []


def test_overlong_links_are_rejected(client, login, talk, db):
    login(talk.speaker)

    response = add_link(client, talk, "https://video.example.com/" + "a" * 2000)

    assert response.status_code == 422
    assert "at most 2000 characters" in response.get_data(as_text=True)


def test_an_unknown_kind_is_a_form_error(client, login, talk, db):
    login(talk.speaker)

    response = add_link(client, talk, "https://video.example.com/1", kind="slides")

    assert response.status_code == 422
    assert stored(db) == []


@pytest.mark.parametrize("who", ["attendee", "other_speaker"])
def test_people_who_are_not_speakers_or_organisers_cannot_add_links(client, login, talk, db, who):
    login(getattr(talk, who))

    assert add_link(client, talk, "https://video.example.com/1").status_code == 403
    assert stored(db) == []


def test_an_organiser_removes_a_recording(client, login, talk, db):
    login(talk.organiser)
    add_link(client, talk, "https://video.example.com/1")
    [recording] = stored(db)

    response = client.post(f"/c/summit/talks/{talk.proposal.id}/materials/{recording.id}/remove")

    assert response.status_code == 302
    assert stored(db) == []


def test_adding_and_removing_a_recording_updates_the_archive(client, login, talk, db):
    login(talk.speaker)

    add_link(client, talk, "https://video.example.com/1")
    db.session.expire_all()
    entry = db.session.get(ArchiveEntry, talk.proposal.id)
    assert entry is not None and entry.has_recording

    [recording] = stored(db)
    client.post(f"/c/summit/talks/{talk.proposal.id}/materials/{recording.id}/remove")
    db.session.expire_all()
    assert not db.session.get(ArchiveEntry, talk.proposal.id).has_recording


def test_materials_of_a_talk_that_is_not_accepted_cannot_be_managed(client, login, talk, db):
    talk.proposal.state = "submitted"
    db.session.commit()
    login(talk.speaker)

    assert client.get(f"/c/summit/talks/{talk.proposal.id}/materials").status_code == 404
