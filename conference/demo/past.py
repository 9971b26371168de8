"""The demo's past edition: the 2026 summit, held in March 2026 and long over.

It gives the archive, the recordings and the feedback pages something to show: about sixty
talks by the same company's speakers, a published schedule placed without the solver (the
talks are history, so they are simply laid out one after another in each hub's sessions),
feedback from the demo audience, recordings and slides, and topic tags that the 2027 talks
share. Everything random comes from one seeded generator; builders flush, the CLI commits.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from conference.accounts.models import User
from conference.archive.models import ProposalTopic, TopicTag
from conference.archive.operations import refresh_conference_archive
from conference.conferences.models import (
    DEFAULT_SETTINGS,
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.core.timezones import local_to_utc
from conference.demo import data, past_data
from conference.demo.seed import (
    add_hubs_and_rooms,
    add_session_formats,
    add_tracks,
    audience_level,
    capitalised,
    grant,
)
from conference.drafts.operations import publish_schedule
from conference.extensions import db
from conference.feedback.models import (
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
)
from conference.interest.models import InterestMark
from conference.materials.models import MaterialKind, TalkMaterial
from conference.proposals.models import (
    PresentationMode,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SpeakerProfile,
    SpeakerRole,
)
from conference.schedule.models import ScheduledTalk, ScheduleVersion

RANDOM_SEED = 2026
FILL_STEP_MINUTES = 120


class PastDemoError(RuntimeError):
    """The past edition could not be built (a bug in the demo data)."""


@dataclass
class PastTalk:
    proposal: Proposal
    speaker: User
    profile: SpeakerProfile
    quality: float  # what attendees thought of it, on the 1-5 scale
    room: Room | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def seed_past_demo() -> Conference:
    """Build the 2026 summit from the already seeded 2027 people; tag talks of both years."""
    rng = random.Random(RANDOM_SEED)
    current = db.session.scalar(select(Conference).where(Conference.slug == data.CONFERENCE_SLUG))
    organiser = db.session.scalar(select(User).where(User.email == data.DEMO_ORGANISER.email))
    if current is None or organiser is None:
        raise PastDemoError("Seed the 2027 demo conference before its past edition.")

    conference = create_past_conference()
    hubs = add_hubs_and_rooms(conference)
    tracks = add_tracks(conference)
    formats = add_session_formats(conference)
    db.session.flush()
    add_people(conference, current)

    talks = add_talks(conference, current, tracks, formats, hubs, rng)
    add_rejected_proposals(conference, current, tracks, formats, talks, rng)
    db.session.flush()
    place_talks(conference, talks)
    publish_past_schedule(conference, organiser, talks)
    add_materials(conference, organiser, talks, rng)
    add_feedback(conference, current, talks, rng)
    add_stars(conference, talks, random.Random(RANDOM_SEED + 1))
    tag_talks([conference, current])
    for edition in (conference, current):
        refresh_conference_archive(edition)
    return conference


def create_past_conference() -> Conference:
    """The 2026 summit: its call for proposals closed in January 2026, its talks ran in March."""
    conference = Conference(
        slug=past_data.CONFERENCE_SLUG,
        name=past_data.CONFERENCE_NAME,
        description=past_data.CONFERENCE_DESCRIPTION,
        starts_on=past_data.CONFERENCE_STARTS_ON,
        ends_on=past_data.CONFERENCE_ENDS_ON,
        time_zone=past_data.CONFERENCE_TIME_ZONE,
        cfp_opens_at=local_to_utc(*past_data.CFP_OPENS, past_data.CONFERENCE_TIME_ZONE),
        cfp_closes_at=local_to_utc(*past_data.CFP_CLOSES, past_data.CONFERENCE_TIME_ZONE),
        # Feedback on last year's talks stays open for a year, so the demo can still be rated.
        settings={**DEFAULT_SETTINGS, "feedback_edit_days": past_data.FEEDBACK_EDIT_DAYS},
    )
    db.session.add(conference)
    return conference


def users_with_role(conference: Conference, role: Role) -> list[User]:
    """People holding ``role`` at ``conference``, by e-mail (ids differ between databases)."""
    return list(
        db.session.scalars(
            select(User)
            .join(ConferenceRole, ConferenceRole.user_id == User.id)
            .where(ConferenceRole.conference_id == conference.id, ConferenceRole.role == role)
            .order_by(User.email)
        )
    )


def add_people(conference: Conference, current: Conference) -> None:
    """This year's organisers and reviewers ran last year's summit too."""
    for role in (Role.ORGANISER, Role.REVIEWER):
        grant(conference, role, users_with_role(current, role))


def add_talks(
    conference: Conference,
    current: Conference,
    tracks: dict[str, Track],
    formats: dict[str, SessionFormat],
    hubs: dict[str, Hub],
    rng: random.Random,
) -> list[PastTalk]:
    """One confirmed talk per speaker, on the track they submit to this year; the demo speaker first."""
    profiles = {
        profile.user_id: profile
        for profile in db.session.scalars(
            select(SpeakerProfile).where(SpeakerProfile.conference_id == current.id)
        )
    }
    speakers = users_with_role(current, Role.SPEAKER)
    demo_speaker = next(user for user in speakers if user.email == data.DEMO_SPEAKER.email)
    others = [user for user in speakers if user is not demo_speaker]
    talk_count = sum(past_data.FORMAT_MIX.values())
    chosen = [demo_speaker, *rng.sample(others, min(talk_count - 1, len(others)))]
    track_of = current_tracks(current)
    format_names = [name for name, count in past_data.FORMAT_MIX.items() for _ in range(count)][
        : len(chosen)
    ]
    rng.shuffle(format_names)
    unused = topics_left(current, rng)
    current_titles = set(
        db.session.scalars(select(Proposal.title).where(Proposal.conference_id == current.id))
    )

    talks = []
    for user, format_name in zip(chosen, format_names, strict=True):
        track_name = track_of.get(user.id, data.TRACKS[0].name)
        if not unused[track_name]:  # this track ran out of topics: take the fullest other track
            track_name = max(unused, key=lambda name: (len(unused[name]), name))
        topic = unused[track_name].pop()
        title = past_title(topic, format_name, current_titles, rng)
        proposal = past_proposal(
            conference, title, topic, track_name, tracks, formats[format_name], rng
        )
        proposal.state = ProposalState.CONFIRMED
        db.session.add(ProposalSpeaker(proposal=proposal, user=user, role=SpeakerRole.SUBMITTER))
        this_year = profiles.get(user.id)
        in_person = (
            this_year is not None and this_year.presentation_mode is PresentationMode.IN_PERSON
        )
        hub = hubs.get(this_year.hub.name) if in_person and this_year.hub is not None else None
        profile = SpeakerProfile(
            conference=conference,
            user=user,
            bio=this_year.bio if this_year else "",
            presentation_mode=PresentationMode.REMOTE
            if hub is None
            else PresentationMode.IN_PERSON,
            hub=hub,
            recording_consent=this_year.recording_consent if this_year else True,
        )
        db.session.add(profile)
        talks.append(
            PastTalk(proposal, user, profile, quality=min(4.8, max(2.2, rng.gauss(3.9, 0.55))))
        )
    grant(conference, Role.SPEAKER, chosen)
    return talks


def current_tracks(current: Conference) -> dict[int, str]:
    """Each 2027 submitter's track, by user id."""
    rows = db.session.execute(
        select(ProposalSpeaker.user_id, Track.name)
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
        .join(Track, Track.id == Proposal.track_id)
        .where(Proposal.conference_id == current.id, ProposalSpeaker.role == SpeakerRole.SUBMITTER)
        .order_by(Proposal.submitted_at.is_(None), Proposal.submitted_at, Proposal.title)
    )
    tracks: dict[int, str] = {}
    for user_id, track_name in rows:
        tracks.setdefault(user_id, track_name)
    return tracks


def topics_left(current: Conference, rng: random.Random) -> dict[str, list[data.Topic]]:
    """Per track, its topics in a random order, those nobody chose for 2027 last (popped first)."""
    titles = " ".join(
        db.session.scalars(select(Proposal.title).where(Proposal.conference_id == current.id))
    )
    titles = titles.lower()
    unused = {}
    for spec in data.TRACKS:
        topics = rng.sample(spec.topics, len(spec.topics))
        topics.sort(key=lambda topic: topic.subject.lower() not in titles)
        unused[spec.name] = topics
    return unused


def past_title(topic: data.Topic, format_name: str, taken: set[str], rng: random.Random) -> str:
    """A title in the style of ``format_name`` that no other talk, this year or next, has."""
    templates = rng.sample(
        data.TITLE_TEMPLATES[format_name], len(data.TITLE_TEMPLATES[format_name])
    )
    for template in templates:
        title = template.format(subject=topic.subject, Subject=capitalised(topic.subject))
        if title not in taken:
            taken.add(title)
            return title
    raise PastDemoError(f"Every title about {topic.subject} is taken.")


def past_proposal(
    conference: Conference,
    title: str,
    topic: data.Topic,
    track_name: str,
    tracks: dict[str, Track],
    session_format: SessionFormat,
    rng: random.Random,
) -> Proposal:
    """A proposal handed in during the 2026 call for proposals."""
    spec = next(spec for spec in data.TRACKS if spec.name == track_name)
    sentences = [rng.choice(past_data.ABSTRACT_OPENERS), topic.story, rng.choice(spec.angles)]
    sentences.append(rng.choice(data.FORMAT_SENTENCES[session_format.name]))
    written_at = past_data.PROPOSALS_WRITTEN_FROM + timedelta(
        minutes=rng.randrange(past_data.PROPOSALS_WRITTEN_DAYS * 24 * 60)
    )
    submitted_at = written_at + timedelta(minutes=rng.randrange(10, 3 * 24 * 60))
    proposal = Proposal(
        conference=conference,
        title=title,
        abstract=" ".join(sentences),
        session_format=session_format,
        track=tracks[track_name],
        audience_level=audience_level(session_format.name, rng),
        state=ProposalState.SUBMITTED,
        created_at=written_at,
        updated_at=submitted_at,
        submitted_at=submitted_at,
    )
    db.session.add(proposal)
    return proposal


def add_rejected_proposals(
    conference: Conference,
    current: Conference,
    tracks: dict[str, Track],
    formats: dict[str, SessionFormat],
    talks: list[PastTalk],
    rng: random.Random,
) -> None:
    """Proposals that did not make it, so last year's call has more than its winners."""
    taken = set(
        db.session.scalars(select(Proposal.title).where(Proposal.conference_id == current.id))
    )
    taken |= {talk.proposal.title for talk in talks}
    used_subjects = {talk.proposal.title.lower() for talk in talks}
    candidates = [
        (spec.name, topic)
        for spec in data.TRACKS
        for topic in spec.topics
        if not any(topic.subject.lower() in title for title in used_subjects)
    ]
    for track_name, topic in rng.sample(
        candidates, min(past_data.REJECTED_PROPOSALS, len(candidates))
    ):
        format_name = rng.choice(["Lightning talk", "Talk", "Talk"])
        title = past_title(topic, format_name, taken, rng)
        proposal = past_proposal(
            conference, title, topic, track_name, tracks, formats[format_name], rng
        )
        proposal.state = ProposalState.REJECTED
        submitter = rng.choice(talks).speaker
        db.session.add(
            ProposalSpeaker(proposal=proposal, user=submitter, role=SpeakerRole.SUBMITTER)
        )


# --- the schedule ---------------------------------------------------------------------------


@dataclass
class Lane:
    """One room on one day: talks follow each other through the day's sessions."""

    day: date
    room: Room
    zone_name: str
    sessions: tuple[tuple[int, int], ...]  # (start, end) in minutes after local midnight
    session: int = 0
    cursor: int = -1
    used: int = 0

    def __post_init__(self) -> None:
        self.cursor = self.sessions[0][0]

    def next_start(self, minutes: int) -> tuple[int, int] | None:
        """(session index, start minute) where a talk of ``minutes`` fits next, or None."""
        session, cursor = self.session, self.cursor
        while session < len(self.sessions):
            if cursor + minutes <= self.sessions[session][1]:
                return session, cursor
            session += 1
            if session < len(self.sessions):
                cursor = self.sessions[session][0]
        return None

    def take(self, minutes: int) -> tuple[datetime, datetime]:
        session, start = self.next_start(minutes)
        after = start + minutes + past_data.CHANGEOVER_MINUTES
        self.session = session
        self.cursor = -(-after // past_data.SLOT_MINUTES) * past_data.SLOT_MINUTES
        self.used += minutes
        starts_at = local_to_utc(self.day, time(start // 60, start % 60), self.zone_name)
        return starts_at, starts_at + timedelta(minutes=minutes)


def _minutes(sessions: tuple[tuple[time, time], ...]) -> tuple[tuple[int, int], ...]:
    return tuple((s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in sessions)


def place_talks(conference: Conference, talks: list[PastTalk]) -> None:
    """Each talk in its speaker's hub (remote speakers on the online streams), days filled evenly.

    Longest talks go first; each goes to the biggest room-day with the fewest minutes booked
    so far (in steps of two hours) that still fits it. Every speaker gives one talk, so nobody is in two places at once.
    """
    rooms = db.session.scalars(
        select(Room)
        .where(Room.conference_id == conference.id)
        .order_by(Room.capacity.desc(), Room.name)
    ).all()
    lanes: dict[int | None, list[Lane]] = {}
    for room in rooms:
        if room.hub is None:
            zone_name, sessions = past_data.ONLINE_ZONE, _minutes(past_data.ONLINE_SESSIONS)
        else:
            zone_name, sessions = room.hub.time_zone, _minutes(past_data.HUB_SESSIONS)
        for day in conference.days():
            lanes.setdefault(room.hub_id, []).append(Lane(day, room, zone_name, sessions))
    order = {
        id(lane): index
        for index, lane in enumerate(lane for group in lanes.values() for lane in group)
    }
    ordered = sorted(
        talks, key=lambda t: (-t.proposal.session_format.duration_minutes, t.proposal.title)
    )
    for talk in ordered:
        minutes = talk.proposal.session_format.duration_minutes
        hub_id = talk.profile.hub.id if talk.profile.hub is not None else None
        candidates = [
            lane for lane in lanes.get(hub_id, []) if lane.next_start(minutes) is not None
        ]
        if not candidates:
            raise PastDemoError(f"No room is free for “{talk.proposal.title}”.")
        # Bigger rooms first, two hours at a time, so each day and room gets its share.
        lane = min(candidates, key=lambda lane: (lane.used // FILL_STEP_MINUTES, order[id(lane)]))
        talk.room = lane.room
        talk.starts_at, talk.ends_at = lane.take(minutes)


def publish_past_schedule(
    conference: Conference, organiser: User, talks: list[PastTalk]
) -> ScheduleVersion:
    """A draft holding every talk, published as version 1 on the date it really was."""
    draft = ScheduleVersion(
        conference_id=conference.id, is_draft=True, note="", updated_at=past_data.PUBLISHED_AT
    )
    db.session.add(draft)
    db.session.flush()
    db.session.execute(
        insert(ScheduledTalk),
        [
            {
                "version_id": draft.id,
                "proposal_id": talk.proposal.id,
                "room_id": talk.room.id,
                "starts_at": talk.starts_at,
                "ends_at": talk.ends_at,
                "pinned": False,
            }
            for talk in talks
        ],
    )
    version = publish_schedule(conference, organiser, past_data.PUBLISHED_NOTE)
    version.published_at = version.created_at = past_data.PUBLISHED_AT
    db.session.flush()
    return version


# --- after the summit -----------------------------------------------------------------------


def slug_of(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def add_materials(
    conference: Conference, organiser: User, talks: list[PastTalk], rng: random.Random
) -> None:
    """Recordings of talks in recorded rooms whose speakers agreed; slides for about half."""
    rows = []
    for talk in talks:
        path = f"{past_data.CONFERENCE_SLUG}/{slug_of(talk.proposal.title)}"
        added_at = talk.ends_at + timedelta(days=2)
        if talk.room.has_recording and talk.profile.recording_consent:
            rows.append(
                {
                    "conference_id": conference.id,
                    "proposal_id": talk.proposal.id,
                    "kind": MaterialKind.RECORDING,
                    "title": "Recording",
                    "url": f"{past_data.VIDEO_BASE_URL}/{path}",
                    "added_by_id": organiser.id,
                    "created_at": added_at,
                }
            )
        if rng.random() < past_data.SLIDES_SHARE:
            rows.append(
                {
                    "conference_id": conference.id,
                    "proposal_id": talk.proposal.id,
                    "kind": MaterialKind.LINK,
                    "title": "Slides",
                    "url": f"{past_data.SLIDES_BASE_URL}/{path}",
                    "added_by_id": talk.speaker.id,
                    "created_at": added_at + timedelta(hours=3),
                }
            )
    db.session.execute(insert(TalkMaterial), rows)


def add_stars(conference: Conference, talks: list[PastTalk], rng: random.Random) -> None:
    """Attendees starred the talks they rated, and a few more they then missed.

    The demo attendee missed some recorded talks, so their "Catch up" list has content.
    """
    rated: dict[int, set[int]] = {}
    for user_id, proposal_id in db.session.execute(
        select(FeedbackResponse.user_id, FeedbackResponse.proposal_id).where(
            FeedbackResponse.conference_id == conference.id
        )
    ):
        rated.setdefault(user_id, set()).add(proposal_id)
    demo_attendee = db.session.scalar(select(User).where(User.email == data.DEMO_ATTENDEE.email))
    recorded = set(
        db.session.scalars(
            select(TalkMaterial.proposal_id).where(
                TalkMaterial.conference_id == conference.id,
                TalkMaterial.kind == MaterialKind.RECORDING,
            )
        )
    )
    talk_ids = sorted(talk.proposal.id for talk in talks)
    marks = []
    for user_id in sorted(rated):
        missed_from = sorted(set(talk_ids) - rated[user_id])
        if demo_attendee is not None and user_id == demo_attendee.id:
            missed_from = sorted(set(missed_from) & recorded) or missed_from
            missed = rng.sample(missed_from, min(past_data.DEMO_ATTENDEE_MISSED, len(missed_from)))
        else:
            missed = rng.sample(missed_from, min(rng.randint(0, 3), len(missed_from)))
        marks.extend(
            {"user_id": user_id, "proposal_id": proposal_id}
            for proposal_id in sorted(rated[user_id] | set(missed))
        )
    db.session.execute(insert(InterestMark), marks)


def add_feedback(
    conference: Conference, current: Conference, talks: list[PastTalk], rng: random.Random
) -> None:
    """Questions, attendees (this year's, many of whom came last year) and their responses."""
    questions = []
    for position, spec in enumerate(past_data.FEEDBACK_QUESTIONS):
        question = FeedbackQuestion(
            conference_id=conference.id,
            prompt=spec.prompt,
            kind=QuestionKind.RATING if spec.rating else QuestionKind.TEXT,
            required=spec.required,
            position=position,
        )
        db.session.add(question)
        questions.append((spec, question))
    db.session.flush()

    speaker_ids = {talk.speaker.id for talk in talks}
    attendees = [
        user for user in users_with_role(current, Role.ATTENDEE) if user.id not in speaker_ids
    ]
    demo_attendee = next(user for user in attendees if user.email == data.DEMO_ATTENDEE.email)
    others = [user for user in attendees if user is not demo_attendee]
    audience = [demo_attendee, *rng.sample(others, min(past_data.ATTENDEES - 1, len(others)))]
    db.session.execute(
        insert(ConferenceRole),
        [
            {"conference_id": conference.id, "user_id": user.id, "role": Role.ATTENDEE}
            for user in audience
        ],
    )

    demo_talks = {id(talk) for talk in rng.sample(talks, past_data.DEMO_ATTENDEE_RESPONSES)}
    responses, answers = [], []
    for talk in talks:
        low, high = past_data.RESPONSES_PER_TALK
        respondents = rng.sample(audience[1:], rng.randint(low, high))
        if id(talk) in demo_talks:
            respondents.insert(0, demo_attendee)
        for user in respondents:
            ratings, texts, comment = feedback_answers(talk, questions, rng)
            answered_at = talk.ends_at + timedelta(
                minutes=rng.randrange(past_data.FEEDBACK_DAYS * 24 * 60)
            )
            responses.append(
                {
                    "conference_id": conference.id,
                    "proposal_id": talk.proposal.id,
                    "user_id": user.id,
                    "comment": comment,
                    "created_at": answered_at,
                    "updated_at": answered_at,
                    "lock_version": 1,
                }
            )
            answers.append((talk.proposal.id, user.id, ratings, texts))
    db.session.execute(insert(FeedbackResponse), responses)
    response_ids = {
        (proposal_id, user_id): response_id
        for response_id, proposal_id, user_id in db.session.execute(
            select(
                FeedbackResponse.id, FeedbackResponse.proposal_id, FeedbackResponse.user_id
            ).where(FeedbackResponse.conference_id == conference.id)
        )
    }
    db.session.execute(
        insert(FeedbackAnswer),
        [
            {
                "response_id": response_ids[(proposal_id, user_id)],
                "question_id": question_id,
                "rating": rating,
                "text": text,
            }
            for proposal_id, user_id, ratings, texts in answers
            for question_id, rating, text in [
                *((qid, value, "") for qid, value in ratings),
                *((qid, None, value) for qid, value in texts),
            ]
        ],
    )


def feedback_answers(
    talk: PastTalk,
    questions: list[tuple[past_data.FeedbackQuestionSpec, FeedbackQuestion]],
    rng: random.Random,
) -> tuple[list[tuple[int, int]], list[tuple[int, str]], str]:
    """One attendee's ratings (around the talk's quality), optional answers and comment."""
    ratings, texts = [], []
    for spec, question in questions:
        if spec.rating:
            if spec.required or rng.random() < 0.7:
                value = round(rng.gauss(talk.quality + spec.bias, 0.8))
                ratings.append((question.id, min(5, max(1, value))))
        elif rng.random() < past_data.LEARNT_SHARE:
            texts.append((question.id, rng.choice(past_data.LEARNT)))
    comment = ""
    if rng.random() < past_data.COMMENT_SHARE:
        mean = sum(value for _, value in ratings) / len(ratings)
        band = "high" if mean >= 4 else "middle" if mean >= 3 else "low"
        comment = rng.choice(past_data.COMMENTS[band])
    return ratings, texts, comment


def topic_of(title: str) -> data.Topic | None:
    """The demo topic a title is about (every demo title contains its topic's subject)."""
    lowered = title.lower()
    return next(
        (
            topic
            for spec in data.TRACKS
            for topic in spec.topics
            if topic.subject.lower() in lowered
        ),
        None,
    )


def tag_talks(conferences: list[Conference]) -> None:
    """The knowledge circles, and every proposal whose topic matches one of their keywords."""
    tags = [
        (TopicTag(name=spec.name, slug=spec.slug, description=spec.description), spec)
        for spec in past_data.TOPICS
    ]
    db.session.add_all(tag for tag, _ in tags)
    db.session.flush()
    rows = []
    proposals = db.session.execute(
        select(Proposal.id, Proposal.title)
        .where(
            Proposal.conference_id.in_([conference.id for conference in conferences]),
            Proposal.state != ProposalState.DRAFT,
        )
        .order_by(Proposal.id)
    )
    for proposal_id, title in proposals:
        topic = topic_of(title)
        if topic is None:
            continue
        subject = topic.subject.lower()
        matched = [
            tag for tag, spec in tags if any(keyword in subject for keyword in spec.keywords)
        ]
        rows.extend(
            {"proposal_id": proposal_id, "tag_id": tag.id}
            for tag in matched[: past_data.MAX_TOPICS_PER_TALK]
        )
    if rows:
        db.session.execute(insert(ProposalTopic), rows)
