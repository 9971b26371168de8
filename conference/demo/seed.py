"""Deterministic demo data: one realistic internal conference, built by ``flask demo``.

Everything random comes from one ``random.Random`` with a fixed seed and every date is
fixed, so two runs produce the same conference. Builders flush; the CLI commits.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from conference.accounts.models import PASSWORD_METHOD, User
from conference.conferences.models import (
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.core.timezones import local_to_utc
from conference.demo import audience, data, history, reviewing
from conference.extensions import db
from conference.proposals.models import (
    AudienceLevel,
    AvailabilityWindow,
    CfpAnswer,
    CfpQuestion,
    CfpQuestionKind,
    InvitationState,
    PresentationMode,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    ReviewerVisibility,
    SpeakerProfile,
    SpeakerRole,
)

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo logins, documented in README
RANDOM_SEED = 2027
CO_SPOKEN_PROPOSALS = 15
# Co-speakers must share at least the talk's length plus this much working time.
CO_SPEAKER_MARGIN = timedelta(hours=1)
DRAFT_PROPOSALS = 5
# Proposals were written during the first weeks of the call for proposals.
PROPOSALS_WRITTEN_FROM = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PROPOSALS_WRITTEN_DAYS = 19


def database_is_empty() -> bool:
    """True when there is neither a conference nor an account (the demo would clash with them)."""
    return not (
        db.session.scalar(select(func.count()).select_from(Conference))
        or db.session.scalar(select(func.count()).select_from(User))
    )


def demo_logins() -> list[tuple[str, str]]:
    """(role label, e-mail) of the four demo logins."""
    return [
        ("organiser", data.DEMO_ORGANISER.email),
        ("reviewer", data.DEMO_REVIEWER.email),
        ("speaker", data.DEMO_SPEAKER.email),
        ("attendee", data.DEMO_ATTENDEE.email),
    ]


@dataclass
class Speaker:
    user: User
    place: data.Place
    track: Track
    # Availability in UTC, kept here so co-speakers can be matched before anything is flushed.
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)


@dataclass
class People:
    """Creates demo accounts with unique names and e-mails, all sharing one password hash."""

    rng: random.Random
    password_hash: str
    hubs: dict[str, Hub]
    used_emails: set[str] = field(default_factory=set)

    def fixed(self, person: data.DemoPerson) -> User:
        """The account of a demo login with a fixed e-mail address."""
        return self._create(person.email, person.display_name, person.place)

    def generated(self, place: data.Place) -> User:
        """A new person with a name typical of ``place`` and an unused e-mail address."""
        while True:
            pool = self.rng.choice(place.name_pools)
            first = self.rng.choice(data.FIRST_NAMES[pool])
            last = self.rng.choice(data.LAST_NAMES[pool])
            email = email_address(first, last)
            if email not in self.used_emails:
                return self._create(email, f"{first} {last}", place)

    def _create(self, email: str, display_name: str, place: data.Place) -> User:
        self.used_emails.add(email)
        user = User(
            email=email,
            display_name=display_name,
            password_hash=self.password_hash,
            time_zone=place.time_zone,
            home_hub=self.hubs.get(place.hub) if place.hub else None,
        )
        db.session.add(user)
        return user


def email_address(first: str, last: str) -> str:
    """``firstname.lastname@acme.example`` in plain ASCII (García -> garcia)."""
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore")
    return f"{ascii_name.decode().lower().replace(' ', '')}@acme.example"


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo conference, its people, reviews, decisions and audience; return the logins."""
    rng = random.Random(RANDOM_SEED)
    # Hashing is deliberately slow, so every demo account shares one hash.
    password_hash = generate_password_hash(DEMO_PASSWORD, method=PASSWORD_METHOD)

    conference = create_conference()
    hubs = add_hubs_and_rooms(conference)
    tracks = add_tracks(conference)
    formats = add_session_formats(conference)
    db.session.flush()

    people = People(rng, password_hash, hubs)
    organiser = people.fixed(data.DEMO_ORGANISER)
    organiser.is_site_admin = True
    grant(conference, Role.ORGANISER, [organiser, people.fixed(data.SECOND_ORGANISER)])

    speakers = add_speakers(conference, people, tracks, hubs, rng)
    demo_speaker = speakers[0].user

    demo_reviewer = people.fixed(data.DEMO_REVIEWER)
    reviewers = [demo_reviewer] + [people.generated(place) for place in data.REVIEWER_PLACES]
    # One reviewer also submits, so conflicts of interest have something to catch.
    reviewers.append(rng.choice(speakers[1:]).user)
    grant(conference, Role.REVIEWER, reviewers)

    demo_attendee = people.fixed(data.DEMO_ATTENDEE)
    attendees = [demo_attendee] + [
        people.generated(place) for place, count in data.ATTENDEE_PLACES for _ in range(count)
    ]
    grant(conference, Role.ATTENDEE, attendees)

    add_proposals(conference, speakers, formats, rng)
    db.session.flush()
    add_cfp_questions(conference, formats)
    reviewing.add_review_phase(conference, tracks, reviewers, demo_speaker, rng)
    audience.add_audience(conference, hubs, password_hash, people.used_emails, attendees, rng)
    history.add_organiser_story(conference, organiser)
    db.session.flush()
    return [
        (Role.ORGANISER.label, organiser.email),
        (Role.REVIEWER.label, demo_reviewer.email),
        (Role.SPEAKER.label, demo_speaker.email),
        (Role.ATTENDEE.label, demo_attendee.email),
    ]


def create_conference() -> Conference:
    """The summit itself, with its call for proposals open from November to January."""
    conference = Conference(
        slug=data.CONFERENCE_SLUG,
        name=data.CONFERENCE_NAME,
        description=data.CONFERENCE_DESCRIPTION,
        starts_on=data.CONFERENCE_STARTS_ON,
        ends_on=data.CONFERENCE_ENDS_ON,
        time_zone=data.CONFERENCE_TIME_ZONE,
        cfp_opens_at=local_to_utc(*data.CFP_OPENS, data.CONFERENCE_TIME_ZONE),
        cfp_closes_at=local_to_utc(*data.CFP_CLOSES, data.CONFERENCE_TIME_ZONE),
        settings=dict(data.CONFERENCE_SETTINGS),
    )
    db.session.add(conference)
    return conference


def add_hubs_and_rooms(conference: Conference) -> dict[str, Hub]:
    """Hubs with their rooms, plus the online streams; returns the hubs by name."""
    hubs = {}
    for spec in data.HUBS:
        hub = Hub(
            conference=conference,
            name=spec.name,
            time_zone=spec.time_zone,
            working_day_starts=spec.working_day_starts,
            working_day_ends=spec.working_day_ends,
        )
        db.session.add(hub)
        add_rooms(conference, hub, spec.rooms)
        hubs[spec.name] = hub
    add_rooms(conference, None, data.ONLINE_STREAMS)
    return hubs


def add_rooms(conference: Conference, hub: Hub | None, specs: Iterable[data.RoomSpec]) -> None:
    """Rooms at ``hub``, or online streams when ``hub`` is None."""
    for spec in specs:
        room = Room(
            conference=conference,
            hub=hub,
            name=spec.name,
            capacity=spec.capacity,
            has_streaming=spec.has_streaming,
            has_recording=spec.has_recording,
        )
        db.session.add(room)


def add_tracks(conference: Conference) -> dict[str, Track]:
    """The six tracks with their colours; returns them by name."""
    tracks = {
        spec.name: Track(
            conference=conference, name=spec.name, description=spec.description, colour=spec.colour
        )
        for spec in data.TRACKS
    }
    db.session.add_all(tracks.values())
    return tracks


def add_session_formats(conference: Conference) -> dict[str, SessionFormat]:
    """Lightning talk, talk and workshop; returns them by name."""
    formats = {
        name: SessionFormat(conference=conference, name=name, duration_minutes=minutes)
        for name, minutes in data.SESSION_FORMATS
    }
    db.session.add_all(formats.values())
    return formats


def grant(conference: Conference, role: Role, users: Iterable[User]) -> None:
    """Give each of ``users`` ``role`` at ``conference``."""
    db.session.add_all(ConferenceRole(conference=conference, user=user, role=role) for user in users)


def add_speakers(
    conference: Conference,
    people: People,
    tracks: dict[str, Track],
    hubs: dict[str, Hub],
    rng: random.Random,
) -> list[Speaker]:
    """Speakers with profiles and availability; the demo speaker comes first."""
    users = [(people.fixed(data.DEMO_SPEAKER), data.DEMO_SPEAKER.place)]
    for place, count in data.SPEAKER_PLACES:
        if place == data.DEMO_SPEAKER.place:
            count -= 1
        users.extend((people.generated(place), place) for _ in range(count))

    track_names = [spec.name for spec in data.TRACKS] * (len(users) // len(data.TRACKS) + 1)
    track_names = track_names[: len(users)]
    rng.shuffle(track_names)
    speakers = [
        Speaker(user, place, tracks[name])
        for (user, place), name in zip(users, track_names, strict=True)
    ]
    grant(conference, Role.SPEAKER, (speaker.user for speaker in speakers))

    # Most hub-based speakers come to their hub; one presents from home to keep it varied.
    presenting_from_home = rng.choice([s for s in speakers[1:] if s.place.hub])
    for speaker in speakers:
        hub = hubs[speaker.place.hub] if speaker.place.hub else None
        remote = hub is None or speaker is presenting_from_home
        db.session.add(
            SpeakerProfile(
                conference=conference,
                user=speaker.user,
                bio=speaker_bio(speaker, rng),
                presentation_mode=PresentationMode.REMOTE if remote else PresentationMode.IN_PERSON,
                hub=None if remote else hub,
                recording_consent=rng.random() < 0.9,
            )
        )
        speaker.windows = add_availability(conference, speaker.user, working_hours(speaker.place, hubs), rng)
    return speakers


def speaker_bio(speaker: Speaker, rng: random.Random) -> str:
    """One to three sentences of Markdown about the speaker."""
    first = speaker.user.display_name.split()[0]
    spec = track_spec(speaker.track.name)
    job_title = rng.choice(data.JOB_TITLES)
    article = "an" if job_title[0] in "AEIOU" else "a"
    sentences = [
        f"{first} is {article} {job_title} in **{rng.choice(spec.teams)}**, "
        f"working from {speaker.place.city}."
    ]
    for template in rng.sample(data.BIO_INTERESTS, rng.randint(0, 2)):
        sentences.append(template.format(first=first, First=first, city=speaker.place.city))
    return " ".join(sentences)


def working_hours(place: data.Place, hubs: dict[str, Hub]) -> tuple[time, time]:
    """The local working day of someone at ``place``: their hub's, or a standard one."""
    if place.hub:
        hub = hubs[place.hub]
        return hub.working_day_starts, hub.working_day_ends
    return data.REMOTE_WORKING_DAY


def add_availability(
    conference: Conference, user: User, hours: tuple[time, time], rng: random.Random
) -> list[tuple[datetime, datetime]]:
    """Working hours on each conference day, stored as UTC; some people have less time."""
    windows = []
    for day, starts, ends in availability_in_local_time(conference.days(), hours, rng):
        window = AvailabilityWindow(
            conference_id=conference.id,
            user=user,
            starts_at=local_to_utc(day, starts, user.time_zone),
            ends_at=local_to_utc(day, ends, user.time_zone),
        )
        db.session.add(window)
        windows.append((window.starts_at, window.ends_at))
    return windows


def availability_in_local_time(
    days: list[date], hours: tuple[time, time], rng: random.Random
) -> list[tuple[date, time, time]]:
    """Wall-clock windows: all days, only some days, mornings only, or a day with a gap."""
    starts, ends = hours
    pattern = rng.choices(["all days", "some days", "mornings", "gap"], weights=[60, 15, 15, 10])[0]
    if pattern == "some days":
        chosen = sorted(rng.sample(days, rng.randint(1, len(days) - 1)))
        return [(day, starts, ends) for day in chosen]
    if pattern == "mornings":
        return [(day, starts, data.MORNING_ENDS) for day in days]
    windows = [(day, starts, ends) for day in days]
    if pattern == "gap":
        gap_day = rng.choice(days)
        gap_starts, gap_ends = data.LUNCH_GAP
        windows.remove((gap_day, starts, ends))
        windows += [(gap_day, starts, gap_starts), (gap_day, gap_ends, ends)]
        windows.sort()
    return windows


def track_spec(name: str) -> data.TrackSpec:
    """The data behind the track called ``name``."""
    return next(spec for spec in data.TRACKS if spec.name == name)


def add_proposals(
    conference: Conference,
    speakers: list[Speaker],
    formats: dict[str, SessionFormat],
    rng: random.Random,
) -> None:
    """About 80 proposals on each speaker's track, with co-speakers, drafts and a withdrawal."""
    submitters = proposal_submitters(speakers, rng)
    format_names = [name for name, count in data.FORMAT_MIX.items() for _ in range(count)]
    rng.shuffle(format_names)
    topics = {spec.name: rng.sample(spec.topics, len(spec.topics)) for spec in data.TRACKS}

    proposals = []
    for speaker, format_name in zip(submitters, format_names, strict=True):
        topic = topics[speaker.track.name].pop()
        proposal = build_proposal(conference, speaker, topic, formats[format_name], rng)
        proposals.append((speaker, proposal))

    demo_speaker = speakers[0]
    demo_proposals = [p for s, p in proposals if s is demo_speaker]
    others = [p for s, p in proposals if s is not demo_speaker]
    rng.shuffle(others)
    co_spoken = [demo_proposals[0], *others[: CO_SPOKEN_PROPOSALS - 1]]
    invited = others[CO_SPOKEN_PROPOSALS - 1]
    drafts = others[CO_SPOKEN_PROPOSALS : CO_SPOKEN_PROPOSALS + DRAFT_PROPOSALS]
    withdrawn = others[CO_SPOKEN_PROPOSALS + DRAFT_PROPOSALS]

    by_proposal = {id(p): s for s, p in proposals}
    for proposal in co_spoken:
        add_co_speaker(proposal, by_proposal[id(proposal)], speakers, rng)
    # The demo speaker has an invitation waiting for them.
    invitation = ProposalSpeaker(
        proposal=invited,
        user=demo_speaker.user,
        invited_email=demo_speaker.user.email,
        role=SpeakerRole.CO_SPEAKER,
        invitation_state=InvitationState.INVITED,
    )
    db.session.add(invitation)
    for proposal in drafts:
        proposal.state = ProposalState.DRAFT
        proposal.submitted_at = None
    withdrawn.state = ProposalState.WITHDRAWN


def add_cfp_questions(conference: Conference, formats: dict[str, SessionFormat]) -> None:
    """Three questions of the call, answered by every submitted proposal they ask (drafts
    answer some): what attendees take away, where the talk was given before (hidden from
    reviewers while reviews are anonymised) and, for workshops only, the room setup."""
    # Its own random stream, so the rest of the demo stays as it was before the questions.
    rng = random.Random(RANDOM_SEED + 1)
    takeaway = CfpQuestion(
        conference=conference, text=data.TAKEAWAY_QUESTION, kind=CfpQuestionKind.LONG_TEXT,
        help_text="One or two sentences; reviewers read this first.", required=True, position=1,
    )
    given_before = CfpQuestion(
        conference=conference, text=data.GIVEN_BEFORE_QUESTION, kind=CfpQuestionKind.SHORT_TEXT,
        reviewer_visibility=ReviewerVisibility.UNLESS_ANONYMISED, position=2,
    )
    room_setup = CfpQuestion(
        conference=conference, text=data.ROOM_SETUP_QUESTION, kind=CfpQuestionKind.CHOICE,
        options=list(data.ROOM_SETUPS), required=True, position=3,
        session_formats=[formats["Workshop"]],
    )
    db.session.add_all([takeaway, given_before, room_setup])
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.conference_id == conference.id).order_by(Proposal.id)
    )
    for proposal in proposals:
        if proposal.state is ProposalState.DRAFT and rng.random() < 0.5:
            continue  # a draft still to be finished
        answers = {takeaway: rng.choice(data.TAKEAWAYS)}
        if rng.random() < 0.3:
            answers[given_before] = rng.choice(data.GIVEN_BEFORE)
        if room_setup.is_asked_of(proposal.session_format_id, proposal.track_id):
            answers[room_setup] = rng.choice(data.ROOM_SETUPS)
        db.session.add_all(
            CfpAnswer(proposal=proposal, question=question, value=value)
            for question, value in answers.items()
        )
    db.session.flush()


def proposal_submitters(speakers: list[Speaker], rng: random.Random) -> list[Speaker]:
    """One entry per proposal: every speaker once, some twice (always the demo speaker)."""
    extra_count = sum(data.FORMAT_MIX.values()) - len(speakers)
    second_proposals = [speakers[0], *rng.sample(speakers[1:], extra_count - 1)]
    submitters = speakers + second_proposals
    per_track: dict[str, int] = {}
    for speaker in submitters:
        per_track[speaker.track.name] = per_track.get(speaker.track.name, 0) + 1
    # A track must not run out of topics; re-draw rather than repeat a topic.
    if any(count > len(track_spec(name).topics) for name, count in per_track.items()):
        return proposal_submitters(speakers, rng)
    return submitters


def build_proposal(
    conference: Conference,
    speaker: Speaker,
    topic: data.Topic,
    session_format: SessionFormat,
    rng: random.Random,
) -> Proposal:
    """A submitted proposal with a believable title and a 2-4 sentence abstract."""
    format_name = session_format.name
    level = audience_level(format_name, rng)
    written_at = PROPOSALS_WRITTEN_FROM + timedelta(
        minutes=rng.randrange(PROPOSALS_WRITTEN_DAYS * 24 * 60)
    )
    submitted_at = written_at + timedelta(minutes=rng.randrange(10, 3 * 24 * 60))
    proposal = Proposal(
        conference=conference,
        title=proposal_title(topic, format_name, rng),
        abstract=proposal_abstract(topic, track_spec(speaker.track.name), format_name, level, rng),
        session_format=session_format,
        track=speaker.track,
        audience_level=level,
        notes_to_organisers=rng.choice(data.NOTES_TO_ORGANISERS) if rng.random() < 0.15 else "",
        state=ProposalState.SUBMITTED,
        created_at=written_at,
        updated_at=submitted_at,
        submitted_at=submitted_at,
    )
    db.session.add(proposal)
    db.session.add(ProposalSpeaker(proposal=proposal, user=speaker.user, role=SpeakerRole.SUBMITTER))
    return proposal


def audience_level(format_name: str, rng: random.Random) -> AudienceLevel:
    """Mostly intermediate; workshops lean towards beginners."""
    weights = [40, 50, 10] if format_name == "Workshop" else [25, 50, 25]
    return rng.choices(list(AudienceLevel), weights=weights)[0]


def proposal_title(topic: data.Topic, format_name: str, rng: random.Random) -> str:
    """A title in the style of ``format_name`` about ``topic``."""
    template = rng.choice(data.TITLE_TEMPLATES[format_name])
    return template.format(subject=topic.subject, Subject=capitalised(topic.subject))


def capitalised(phrase: str) -> str:
    """Capitalise a phrase's first letter unless the word is styled (eBPF, iOS)."""
    first_word = phrase.split()[0]
    if any(character.isupper() for character in first_word[1:]):
        return phrase
    return phrase[0].upper() + phrase[1:]


def proposal_abstract(
    topic: data.Topic,
    track: data.TrackSpec,
    format_name: str,
    level: AudienceLevel,
    rng: random.Random,
) -> str:
    """Two to four sentences of Markdown: the story, an angle, the format, the level."""
    sentences = [topic.story]
    if rng.random() < 0.6:
        sentences.append(rng.choice(track.angles))
    sentences.append(rng.choice(data.FORMAT_SENTENCES[format_name]))
    if len(sentences) < 4 and rng.random() < 0.5:
        sentences.append(data.LEVEL_SENTENCES[level.value])
    return " ".join(sentences)


def longest_common_window(
    first: list[tuple[datetime, datetime]], second: list[tuple[datetime, datetime]]
) -> timedelta:
    """The longest stretch of time both lists of (start, end) windows cover."""
    longest = timedelta(0)
    for a_start, a_end in first:
        for b_start, b_end in second:
            longest = max(longest, min(a_end, b_end) - max(a_start, b_start))
    return longest


def add_co_speaker(
    proposal: Proposal, submitter: Speaker, speakers: list[Speaker], rng: random.Random
) -> None:
    """An accepted co-speaker, preferably from the submitter's own track.

    Co-speakers present together, so the drawn candidate is only taken when the two share
    a window long enough for the talk; otherwise the next candidate in line that does.
    """
    same_track = [s for s in speakers if s.track is submitter.track and s is not submitter]
    others = [s for s in speakers if s is not submitter and s not in same_track]
    candidates = same_track or others
    drawn = candidates.index(rng.choice(candidates))
    in_line = candidates[drawn:] + candidates[:drawn] + (others if same_track else [])
    needed = timedelta(minutes=proposal.session_format.duration_minutes) + CO_SPEAKER_MARGIN
    co_speaker = next(
        (s for s in in_line if longest_common_window(submitter.windows, s.windows) >= needed), None
    )
    if co_speaker is None:
        return  # nobody can present with this submitter: the proposal stays single-speaker
    db.session.add(
        ProposalSpeaker(
            proposal=proposal,
            user=co_speaker.user,
            role=SpeakerRole.CO_SPEAKER,
            invitation_state=InvitationState.ACCEPTED,
        )
    )
