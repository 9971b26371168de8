"""The Atom feed of new recordings: build the feed, build one entry, serialise."""

from __future__ import annotations

import re
from datetime import datetime

from feedgen.feed import FeedEntry, FeedGenerator

from conference.core.types import utcnow
from conference.feeds import links
from conference.materials.models import TalkMaterial

FEED_TITLE = "New talk recordings"
# Characters XML 1.0 cannot carry at all; a title with one must not break the whole feed.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_SUMMARY_LENGTH = 2000


def xml_text(text: str | None) -> str:
    """``text`` with the characters XML cannot represent removed (escaping is lxml's job)."""
    return NOT_XML.sub("", text or "")


def _summary(material: TalkMaterial) -> str:
    abstract = xml_text(material.proposal.abstract_text).strip()
    if len(abstract) > MAX_SUMMARY_LENGTH:
        abstract = abstract[:MAX_SUMMARY_LENGTH].rsplit(" ", 1)[0] + " …"
    return abstract or "Recording of the talk."


def entry_title(material: TalkMaterial) -> str:
    """ "Recording: <talk title>", with the recording's own title when it has one."""
    title = f"Recording: {material.proposal.title}"
    if material.title:
        title += f" ({material.title})"
    return xml_text(title)


def _add_entry(feed: FeedGenerator, material: TalkMaterial) -> FeedEntry:
    proposal = material.proposal
    entry = feed.add_entry(order="append")
    entry.id(f"tag:{links.public_host()},{material.created_at:%Y-%m-%d}:recording/{material.id}")
    entry.title(entry_title(material))
    entry.link(href=links.talk_url(material.conference.slug, proposal.id), rel="alternate")
    entry.link(href=material.url, rel="related", title="Watch the recording")
    entry.summary(_summary(material))
    entry.published(material.created_at)
    entry.updated(material.created_at)
    entry.category(
        term=xml_text(material.conference.slug), label=xml_text(material.conference.name)
    )
    for speaker in proposal.accepted_speakers:
        if speaker.user is not None:
            entry.author(name=xml_text(speaker.user.display_name) or "Speaker")
    return entry


def recordings_feed(
    recordings: list[TalkMaterial], feed_url: str, now: datetime | None = None
) -> bytes:
    """The Atom document for ``recordings`` (already newest first), as UTF-8 bytes."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(FEED_TITLE)
    feed.subtitle("Recordings of published talks, newest first.")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.link(href=links.public_base_url() + "/", rel="alternate")
    feed.language("en")
    feed.generator("Conference planner")
    # Entries without speakers inherit this; Atom requires an author for every entry.
    feed.author(name="Conference planner")
    feed.updated(recordings[0].created_at if recordings else (now or utcnow()))
    for material in recordings:
        _add_entry(feed, material)
    return feed.atom_str(pretty=True)
