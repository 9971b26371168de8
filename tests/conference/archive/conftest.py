"""Two years of one summit, each with a published schedule, for the archive's tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from conference.archive.models import ProposalTopic, TopicTag
from conference.archive.operations import refresh_conference_archive
from conference.conferences.models import Role
from conference.extensions import db as _db
from conference.materials.models import MaterialKind, TalkMaterial
from conference.proposals.models import ProposalState, SpeakerProfile
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    SpeakerProfileFactory,
    TrackFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")


def make_user(**fields):
    """A user who can log in with the default test password, quickly."""
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


def titles(response) -> list[str]:
    """Result titles in page order, highlight tags removed."""
    html = response.get_data(as_text=True)
    found = re.findall(r'<h3><a href="[^"]+">(.*?)</a></h3>', html, flags=re.S)
    return [re.sub(r"</?mark>", "", title) for title in found]


@dataclass
class Edition:
    """One year's conference: its places, tracks and published version."""

    conference: object
    london: object
    stream: object
    platform: object
    data: object
    talk_format: object
    version: object
    talks: dict[str, object] = field(default_factory=dict)

    def add_talk(
        self,
        title,
        abstract="An abstract.",
        speakers=(),
        room=None,
        track=None,
        starts_at=None,
        state=ProposalState.ACCEPTED,
        published=True,
        recording_consent=True,
    ):
        """A proposal placed in this edition's published version (or only in a draft).

        Each speaker without a profile at this edition gets one answering
        ``recording_consent`` (yes, no, or None: not answered; publishing needs a yes).
        """
        proposal = ProposalFactory(
            conference=self.conference,
            title=title,
            abstract=abstract,
            state=state,
            track=track if track is not None else self.platform,
            session_format=self.talk_format,
        )
        for speaker in speakers:
            ProposalSpeakerFactory(proposal=proposal, user=speaker)
            if profile_of(self.conference, speaker) is None:
                SpeakerProfileFactory(
                    conference=self.conference, user=speaker, recording_consent=recording_consent
                )
        first_slot = datetime.combine(self.conference.starts_on, datetime.min.time(), UTC).replace(
            hour=9
        )
        starts_at = starts_at or first_slot + timedelta(minutes=30 * len(self.talks))
        version = (
            self.version
            if published
            else ScheduleVersionFactory(conference=self.conference, is_draft=True)
        )
        ScheduledTalkFactory(
            version=version,
            proposal=proposal,
            room=room or self.london,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
        )
        self.talks[title] = proposal
        return proposal


def make_edition(slug: str, name: str, starts_on: date) -> Edition:
    conference = ConferenceFactory(
        slug=slug,
        name=name,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=1),
        time_zone="Europe/London",
    )
    london_hub = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    return Edition(
        conference=conference,
        london=RoomFactory(conference=conference, hub=london_hub, name="Thames"),
        stream=RoomFactory(conference=conference, hub=None, name="Stream 1"),
        platform=TrackFactory(conference=conference, name="Platform"),
        data=TrackFactory(conference=conference, name="Data"),
        talk_format=SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30),
        version=ScheduleVersionFactory(conference=conference, is_draft=False, number=1),
    )


def profile_of(conference, user) -> SpeakerProfile | None:
    """The speaker's profile at ``conference``, holding their recording consent there."""
    _db.session.flush()
    return _db.session.scalar(
        select(SpeakerProfile).where(
            SpeakerProfile.conference_id == conference.id, SpeakerProfile.user_id == user.id
        )
    )


def tag(proposal, topic: TopicTag) -> None:
    _db.session.add(ProposalTopic(proposal=proposal, tag=topic))


def add_recording(proposal, url="https://video.example.com/talk") -> TalkMaterial:
    material = TalkMaterial(
        conference_id=proposal.conference_id,
        proposal_id=proposal.id,
        kind=MaterialKind.RECORDING,
        url=url,
        title="Recording",
    )
    _db.session.add(material)
    return material


@dataclass
class Archive:
    """Last year's and this year's summit, people, topics, and a built archive."""

    last_year: Edition
    this_year: Edition
    asha: object
    ben: object
    observability: TopicTag
    databases: TopicTag


@pytest.fixture
def archive(db) -> Archive:
    last_year = make_edition("summit-2026", "Summit 2026", date(2026, 3, 10))
    this_year = make_edition("summit-2027", "Summit 2027", date(2027, 3, 12))
    asha = make_user(display_name="Asha Rao")
    ben = make_user(display_name="Ben Okafor")
    observability = TopicTag(
        slug="observability", name="Observability", description="Logs, metrics, traces."
    )
    databases = TopicTag(slug="databases", name="Databases")
    db.session.add_all([observability, databases])

    tracing = last_year.add_talk(
        "Tracing requests across services",
        "How we follow one request through forty services.",
        speakers=[asha],
        track=last_year.platform,
    )
    dashboards = last_year.add_talk(
        "Dashboards nobody reads",
        "Why most metrics dashboards fail, and a tracing-first alternative.",
        speakers=[ben],
        room=last_year.stream,
        track=last_year.data,
    )
    postgres = last_year.add_talk(
        "Postgres upgrades without downtime",
        "Logical replication in practice.",
        speakers=[ben],
        track=last_year.data,
    )
    sampling = this_year.add_talk(
        "Tracing at scale: sampling", "Head and tail sampling compared.", speakers=[asha]
    )
    this_year.add_talk("Team rituals", "Retrospectives that change things.", speakers=[ben])
    for proposal in (tracing, dashboards, sampling):
        tag(proposal, observability)
    tag(postgres, databases)
    add_recording(tracing)
    db.session.flush()
    refresh_conference_archive(last_year.conference)
    refresh_conference_archive(this_year.conference)
    db.session.commit()
    return Archive(last_year, this_year, asha, ben, observability, databases)


@pytest.fixture
def organiser(db, archive):
    """Organiser of this year's summit only."""
    user = make_user(display_name="Olga Organiser")
    RoleFactory(conference=archive.this_year.conference, user=user, role=Role.ORGANISER)
    db.session.commit()
    return user
