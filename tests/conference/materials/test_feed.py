"""The Atom feed of new recordings across every conference."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser

from conference.core.types import utcnow
from conference.materials.models import MaterialKind, TalkMaterial
from conference.materials.queries import FEED_SIZE
from tests.conference.materials.conftest import add_recording, consenting_speaker
from tests.factories import (
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
)
from tests.statements import recorded_statements

URL = "/archive/recordings.atom"
ATOM = "{http://www.w3.org/2005/Atom}"


def published_talk(conference, title, number=1, **fields):
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=number)
    proposal = ProposalFactory(conference=conference, state="accepted", title=title, **fields)
    ProposalSpeakerFactory(
        proposal=proposal, user=consenting_speaker(conference, display_name=f"Speaker of {title}")
    )
    ScheduledTalkFactory(version=version, proposal=proposal)
    return proposal


def test_the_feed_lists_recordings_of_published_talks_newest_first(client, talk, db):
    now = utcnow()
    other_conference = ConferenceFactory(slug="retro", name="Retro Summit")
    older = published_talk(other_conference, "Older talk elsewhere")
    unpublished = ProposalFactory(
        conference=talk.conference, state="accepted", title="Not in the schedule"
    )
    add_recording(older, url="https://video.example.com/older", created_at=now - timedelta(days=3))
    add_recording(
        talk.proposal, url="https://video.example.com/newest", created_at=now - timedelta(hours=1)
    )
    add_recording(unpublished, url="https://video.example.com/secret", created_at=now)
    db.session.add(
        TalkMaterial(
            conference_id=talk.conference.id,
            proposal_id=talk.proposal.id,
            kind=MaterialKind.LINK,
            url="https://git.example.com/not-a-recording",
        )
    )
    db.session.commit()

    response = client.get(URL)

    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "New talk recordings"
    assert [entry.title for entry in parsed.entries] == [
        "Recording: Observability at scale",
        "Recording: Older talk elsewhere",
    ]
    newest = parsed.entries[0]
    assert newest.link == f"http://conference.test/c/summit/agenda/talks/{talk.proposal.id}"
    assert {link.href for link in newest.links if link.rel == "related"} == {
        "https://video.example.com/newest"
    }
    assert [author.name for author in newest.authors] == ["Ada Speaker", "Co Speaker"]
    assert parsed.entries[1].link == f"http://conference.test/c/retro/agenda/talks/{older.id}"
    assert b"secret" not in response.data and b"not-a-recording" not in response.data


def test_the_feed_keeps_only_the_newest_entries(client, talk, db):
    now = utcnow()
    for index in range(FEED_SIZE + 5):
        add_recording(
            talk.proposal,
            url=f"https://video.example.com/{index}",
            created_at=now - timedelta(minutes=index),
        )
    db.session.commit()

    parsed = feedparser.parse(client.get(URL).data)

    assert len(parsed.entries) == FEED_SIZE
    related = [
        next(link.href for link in entry.links if link.rel == "related") for entry in parsed.entries
    ]
    assert related[0] == "https://video.example.com/0"
    assert related[-1] == f"https://video.example.com/{FEED_SIZE - 1}"


def test_hostile_titles_and_abstracts_do_not_break_the_feed(client, talk, db):
    hostile = 'Breaking </title><script>alert("x")</script> & ]]> <![CDATA[ \x0b\x1b end'
    talk.proposal.title = hostile
    talk.proposal.abstract = "Abstract with <b>tags</b> & entities ]]> and a \x08 backspace"
    add_recording(
        talk.proposal, url="https://video.example.com/watch?a=1&b=<2>", title='"quoted" & <tagged>'
    )
    db.session.commit()

    body = client.get(URL).data

    root = ET.fromstring(body)  # noqa: S314 - our own feed; well-formed XML, or this raises
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == (
        'Recording: Breaking </title><script>alert("x")</script> & ]]> <![CDATA[  end ("quoted" & <tagged>)'
    )
    assert "<b>tags</b> & entities ]]>" in entry.find(f"{ATOM}summary").text
    related = [
        link.get("href") for link in entry.findall(f"{ATOM}link") if link.get("rel") == "related"
    ]
    assert related == ["https://video.example.com/watch?a=1&b=<2>"]
    assert not feedparser.parse(body).bozo


def test_an_empty_feed_is_still_valid_atom(client, db):
    parsed = feedparser.parse(client.get(URL).data)

    assert not parsed.bozo
    assert parsed.entries == []
    assert parsed.feed.links[0].href == "http://conference.test/archive/recordings.atom"


def test_the_feed_answers_conditional_requests(client, talk, db):
    add_recording(talk.proposal)
    db.session.commit()
    first = client.get(URL)

    again = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304


def _statements_for(client, db, url) -> int:
    with recorded_statements(db.engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_feed_runs_the_same_number_of_queries_for_many_recordings(client, talk, db):
    other = published_talk(ConferenceFactory(slug="retro"), "Elsewhere")
    add_recording(talk.proposal)
    db.session.commit()
    few = _statements_for(client, db, URL)
    for index in range(20):
        proposal = published_talk(ConferenceFactory(), f"Talk {index}")
        add_recording(proposal, url=f"https://video.example.com/{index}")
    add_recording(other)
    db.session.commit()

    assert _statements_for(client, db, URL) == few
