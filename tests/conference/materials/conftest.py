"""Fixtures for talk materials: a conference with a published schedule, its people, sample files."""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from conference.conferences.models import Role
from conference.materials.models import MaterialKind, TalkMaterial
from conference.proposals.models import ProposalState, SpeakerProfile, SpeakerRole
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SpeakerProfileFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")


def make_user(**fields):
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


def consenting_speaker(conference, **fields):
    """A new user who said yes at ``conference`` to publishing recordings of their sessions."""
    user = make_user(**fields)
    SpeakerProfileFactory(conference=conference, user=user, recording_consent=True)
    return user


def utc(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def minimal_pdf(text: str = "Slides") -> bytes:
    """A small but well-formed PDF: header, one page, cross-reference table and trailer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(body)


def zip_file(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def minimal_pptx() -> bytes:
    return zip_file(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "ppt/presentation.xml": b"<p:presentation/>",
        }
    )


def minimal_odp() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.presentation"
        )
        archive.writestr("content.xml", b"<office:document-content/>")
    return buffer.getvalue()


def minimal_keynote() -> bytes:
    return zip_file({"Index/Document.iwa": b"\x00\x01", "Metadata/Properties.plist": b"<plist/>"})


ZIP_CENTRAL_HEADER = b"PK\x01\x02"
ZIP_END_RECORD = b"PK\x05\x06"


def _with_first_entry_flags(content: bytes, flags: int) -> bytes:
    """``content`` with ``flags`` added to the first central-directory entry's flag bits."""
    data = bytearray(content)
    at = data.index(ZIP_CENTRAL_HEADER) + 8
    struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | flags)
    return bytes(data)


def encrypted_odp() -> bytes:
    """An ODP whose ``mimetype`` entry claims to be password-protected."""
    return _with_first_entry_flags(minimal_odp(), 0x1)


def undecodable_name_pptx() -> bytes:
    """A PPTX whose first entry name is flagged UTF-8 but is not."""
    data = bytearray(_with_first_entry_flags(minimal_pptx(), 0x800))
    data[data.index(ZIP_CENTRAL_HEADER) + 46] = 0xFF
    return bytes(data)


def shifted_directory_odp() -> bytes:
    """An ODP whose end record points past its central directory (a damaged copy)."""
    data = bytearray(minimal_odp())
    at = data.rindex(ZIP_END_RECORD) + 16
    struct.pack_into("<I", data, at, struct.unpack_from("<I", data, at)[0] + 1000)
    return bytes(data)


def minimal_docx() -> bytes:
    return zip_file({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@dataclass
class Talk:
    """A published talk and the people around it."""

    conference: object
    version: object
    scheduled: object
    proposal: object
    speaker: object
    co_speaker: object
    organiser: object
    attendee: object
    other_speaker: object
    other_proposal: object


@pytest.fixture(autouse=True)
def materials_folder(app, tmp_path):
    """Each test stores its files in its own folder."""
    app.config["MATERIALS_FOLDER"] = str(tmp_path / "materials")
    return tmp_path / "materials"


@pytest.fixture
def talk(db) -> Talk:
    conference = ConferenceFactory(
        slug="summit",
        starts_on=date(2027, 3, 12),
        ends_on=date(2027, 3, 15),
        time_zone="Europe/London",
    )
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    room = RoomFactory(conference=conference, name="Thames")
    speaker, co_speaker = (
        make_user(display_name="Ada Speaker"),
        make_user(display_name="Co Speaker"),
    )
    proposal = ProposalFactory(
        conference=conference, state=ProposalState.ACCEPTED, title="Observability at scale"
    )
    ProposalSpeakerFactory(proposal=proposal, user=speaker)
    ProposalSpeakerFactory(proposal=proposal, user=co_speaker, role=SpeakerRole.CO_SPEAKER)
    starts_at = utc(2027, 3, 12, 10)
    scheduled = ScheduledTalkFactory(
        version=version,
        proposal=proposal,
        room=room,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )
    organiser, attendee, other_speaker = make_user(), make_user(), make_user()
    RoleFactory(conference=conference, user=organiser, role=Role.ORGANISER)
    RoleFactory(conference=conference, user=attendee, role=Role.ATTENDEE)
    other = ProposalFactory(
        conference=conference, state=ProposalState.ACCEPTED, title="Another talk"
    )
    ProposalSpeakerFactory(proposal=other, user=other_speaker)
    # Publishing a recording needs every speaker's yes: these speakers gave it.
    for person in (speaker, co_speaker, other_speaker):
        SpeakerProfileFactory(conference=conference, user=person, recording_consent=True)
    db.session.commit()
    return Talk(
        conference,
        version,
        scheduled,
        proposal,
        speaker,
        co_speaker,
        organiser,
        attendee,
        other_speaker,
        other,
    )


def profile_of(talk: Talk, user) -> SpeakerProfile:
    """The speaker's profile at the talk's conference, holding their recording consent."""
    from conference.extensions import db

    return db.session.scalar(
        select(SpeakerProfile).where(
            SpeakerProfile.conference_id == talk.conference.id, SpeakerProfile.user_id == user.id
        )
    )


def add_recording(proposal, url="https://video.example.com/watch/1", created_at=None, title=""):
    """A recording attached directly (as if added earlier), for reading tests."""
    from conference.extensions import db

    material = TalkMaterial(
        conference_id=proposal.conference_id,
        proposal_id=proposal.id,
        kind=MaterialKind.RECORDING,
        url=url,
        title=title,
        **({"created_at": created_at} if created_at else {}),
    )
    db.session.add(material)
    db.session.flush()
    return material
