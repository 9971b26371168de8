"""Talk proposals, their speakers and the speakers' availability."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from conference.core.markdown import markdown_to_text
from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.access_codes.models import AccessCode
    from conference.accounts.models import User
    from conference.conferences.models import Conference, Hub, SessionFormat, Track


def _enum(enum_class: type[enum.Enum], length: int = 16) -> Enum:
    return Enum(
        enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class ProposalState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"
    CONFIRMED = "confirmed"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AudienceLevel(enum.StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class PresentationMode(enum.StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"

    @property
    def label(self) -> str:
        return "In person" if self is PresentationMode.IN_PERSON else "Remote"


class SpeakerRole(enum.StrEnum):
    SUBMITTER = "submitter"
    CO_SPEAKER = "co_speaker"


class InvitationState(enum.StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class SpeakerProfile(db.Model):
    """What a speaker tells one conference about themselves."""

    __tablename__ = "speaker_profiles"
    __table_args__ = (UniqueConstraint("conference_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bio: Mapped[str] = mapped_column(Text, default="")
    presentation_mode: Mapped[PresentationMode] = mapped_column(
        _enum(PresentationMode), default=PresentationMode.IN_PERSON
    )
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    # May recordings of the speaker's sessions here be published? True yes, False no, None not
    # answered yet: a recording is published only once every speaker of the talk said yes
    # (`conference.materials.queries.recording_withheld`).
    recording_consent: Mapped[bool | None] = mapped_column(default=None)

    conference: Mapped[Conference] = relationship()
    user: Mapped[User] = relationship()
    hub: Mapped[Hub | None] = relationship()


class AvailabilityWindow(db.Model):
    """An interval (UTC) during which a speaker can present at a conference."""

    __tablename__ = "availability_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AvailabilityAnswer(db.Model):
    """A speaker saved their availability at a conference: from then on their windows are all the
    time they can present, and no window at all means never (without an answer: any time)."""

    __tablename__ = "availability_answers"
    __table_args__ = (UniqueConstraint("conference_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Proposal(db.Model):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    abstract: Mapped[str] = mapped_column(Text, default="")
    # Plain text of the abstract, kept in step by `_keep_plain_abstract`: feeds, exports and
    # the archive read it instead of rendering Markdown per talk on every build.
    abstract_text: Mapped[str] = mapped_column(Text, default="")
    session_format_id: Mapped[int] = mapped_column(
        ForeignKey("session_formats.id", ondelete="RESTRICT")
    )
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    audience_level: Mapped[AudienceLevel] = mapped_column(
        _enum(AudienceLevel), default=AudienceLevel.INTERMEDIATE
    )
    notes_to_organisers: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ProposalState] = mapped_column(
        _enum(ProposalState), default=ProposalState.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic locking: a save based on a stale copy fails instead of overwriting.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    # The access code the proposal was saved with, and (once submitted) submitted with.
    access_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_codes.id", ondelete="SET NULL")
    )

    conference: Mapped[Conference] = relationship()
    session_format: Mapped[SessionFormat] = relationship()
    track: Mapped[Track | None] = relationship()
    access_code: Mapped[AccessCode | None] = relationship()
    speakers: Mapped[list[ProposalSpeaker]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalSpeaker.id"
    )
    cfp_answers: Mapped[list[CfpAnswer]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("abstract")
    def _keep_plain_abstract(self, key: str, value: str | None) -> str | None:
        self.abstract_text = markdown_to_text(value)
        return value

    @property
    def accepted_speakers(self) -> list[ProposalSpeaker]:
        return [s for s in self.speakers if s.invitation_state is InvitationState.ACCEPTED]

    def has_speaker(self, user_id: int | None) -> bool:
        """Whether ``user_id`` is one of the proposal's speakers (invited ones included): what
        keeps an organiser from its reviews, tags and discussion."""
        return any(speaker.user_id == user_id for speaker in self.speakers)

    @hybrid_property
    def speakers_only(self) -> bool:
        """A draft, or a draft its speakers withdrew without ever submitting it: theirs alone,
        never shown to organisers (or anyone else)."""
        return self.state is ProposalState.DRAFT or (
            self.state is ProposalState.WITHDRAWN and self.submitted_at is None
        )

    @speakers_only.inplace.expression
    @classmethod
    def _speakers_only_expression(cls):
        return or_(
            cls.state == ProposalState.DRAFT,
            and_(cls.state == ProposalState.WITHDRAWN, cls.submitted_at.is_(None)),
        )

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.title!r}>"


class ProposalSpeaker(db.Model):
    """A speaker of a proposal: the submitter or an invited co-speaker."""

    __tablename__ = "proposal_speakers"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invited_email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[SpeakerRole] = mapped_column(_enum(SpeakerRole), default=SpeakerRole.SUBMITTER)
    invitation_state: Mapped[InvitationState] = mapped_column(
        _enum(InvitationState), default=InvitationState.ACCEPTED
    )
    # Secret part of a co-speaker's invitation link; cleared once answered.
    invitation_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    proposal: Mapped[Proposal] = relationship(back_populates="speakers")
    user: Mapped[User | None] = relationship()


# --- questions of the call for proposals ---------------------------------------------------


class CfpQuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"  # one of the question's options
    YES_NO = "yes_no"

    @property
    def label(self) -> str:
        return {
            "short_text": "Short text (one line)",
            "long_text": "Long text (paragraphs)",
            "choice": "Single choice from options",
            "yes_no": "Yes or no",
        }[self.value]


class ReviewerVisibility(enum.StrEnum):
    """Who besides the organisers reads a question's answers."""

    ALWAYS = "always"
    # An answer ("Where did you give this talk before?") may reveal who the speaker is.
    UNLESS_ANONYMISED = "unless_anonymised"
    NEVER = "never"

    @property
    def label(self) -> str:
        return {
            "always": "Reviewers see the answers",
            "unless_anonymised": "Reviewers see the answers, except when reviews are anonymised",
            "never": "Only organisers see the answers",
        }[self.value]


cfp_question_session_formats = Table(
    "cfp_question_session_formats",
    db.metadata,
    Column(
        "question_id", ForeignKey("cfp_questions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "session_format_id", ForeignKey("session_formats.id", ondelete="CASCADE"), primary_key=True
    ),
)

cfp_question_tracks = Table(
    "cfp_question_tracks",
    db.metadata,
    Column(
        "question_id", ForeignKey("cfp_questions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("track_id", ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
)


class CfpQuestion(db.Model):
    """A question organisers add to the proposal form, e.g. "What will attendees take away?"."""

    __tablename__ = "cfp_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[CfpQuestionKind] = mapped_column(
        _enum(CfpQuestionKind), default=CfpQuestionKind.SHORT_TEXT
    )
    # The choices of a CHOICE question, in order; answers keep their text when these change.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Required to submit (a draft may leave it empty), and only of the proposals it is asked of.
    required: Mapped[bool] = mapped_column(default=False)
    reviewer_visibility: Mapped[ReviewerVisibility] = mapped_column(
        _enum(ReviewerVisibility, length=24), default=ReviewerVisibility.ALWAYS
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A retired question is no longer asked; its answers are kept and still shown.
    active: Mapped[bool] = mapped_column(default=True)

    conference: Mapped[Conference] = relationship()
    # Asked only of proposals in these formats / tracks; none means every proposal.
    session_formats: Mapped[list[SessionFormat]] = relationship(
        secondary=cfp_question_session_formats, order_by="SessionFormat.duration_minutes"
    )
    tracks: Mapped[list[Track]] = relationship(
        secondary=cfp_question_tracks, order_by="Track.name"
    )

    def is_asked_of(self, session_format_id: int | None, track_id: int | None) -> bool:
        """Whether a proposal in this format and track is asked this question."""
        if self.session_formats and session_format_id not in {f.id for f in self.session_formats}:
            return False
        return not self.tracks or track_id in {t.id for t in self.tracks}

    def shown_to_reviewers(self, anonymised_review: bool) -> bool:
        if self.reviewer_visibility is ReviewerVisibility.ALWAYS:
            return True
        if self.reviewer_visibility is ReviewerVisibility.UNLESS_ANONYMISED:
            return not anonymised_review
        return False

    def __repr__(self) -> str:
        return f"<CfpQuestion {self.id} {self.text!r}>"


class CfpAnswer(db.Model):
    """A proposal's answer to one question, as text ("yes"/"no" for yes-or-no questions)."""

    __tablename__ = "cfp_answers"
    __table_args__ = (UniqueConstraint("proposal_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    # Organisers cannot delete a question with answers (they retire it); deleting the whole
    # conference takes both away.
    question_id: Mapped[int] = mapped_column(
        ForeignKey("cfp_questions.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text, default="")

    proposal: Mapped[Proposal] = relationship(back_populates="cfp_answers")
    question: Mapped[CfpQuestion] = relationship()
