"""Hostile input, and every form it can be sent through.

The payloads come from the advisories of pretalx and Indico and OWASP's cheat sheets (see
/work/shared/docs/security-tests.md). `FORMS` lists each form of the app with the role that
may use it and valid data, so tests can put one hostile value into one field at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from conference.schedule.forms import weight_field_name
from conference.schedule.mapping import WEIGHED_TERMS

# --- payloads -------------------------------------------------------------------------------

SCRIPT = "<script>alert('xss')</script>"
IMG_ONERROR = '<img src=x onerror="alert(1)">'
SVG_ONLOAD = "<svg onload=alert(1)>"
JAVASCRIPT_LINK = '<a href="javascript:alert(1)">click</a>'
DATA_LINK = '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>'
MARKDOWN_JAVASCRIPT = "[click](javascript:alert(1))"
MARKDOWN_JAVASCRIPT_ENTITY = "[click](jav&#x61;script:alert(1))"
MARKDOWN_DATA = "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"
MARKDOWN_IMAGE = "![x](javascript:alert(1))"
MARKDOWN_REFERENCE = "[click][evil]\n\n[evil]: javascript:alert(1)"
ATTRIBUTE_BREAKOUT = '" autofocus onfocus="alert(1)'
TEMPLATE_EXPRESSION = "{{ 7 * 191 }}{% raw %}"  # 1337 must never appear: no template is rendered
ICS_INJECTION = "Talk\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:injected@evil\r\nSUMMARY:Injected"
HEADER_INJECTION = "Hello\r\nBcc: victim@example.com\r\nX-Injected: yes"
FORMULAS = ('=HYPERLINK("http://evil.example/","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)")
NUL = "before\x00after"
CONTROL = "bell\x07 escape\x1b[31m vertical\x0b formfeed\x0c"
HUGE = "x" * 1_000_000
# A run this long of HUGE's character in any stored text means a huge value was kept, whole or cut.
HUGE_MARKER = "x" * 60

INVALID_ZONES = (
    "Mars/Olympus_Mons",
    "EST5EDT-nonsense",
    "../../etc/passwd",
    "Europe/London ; DROP TABLE",
)
IMPOSSIBLE_DATES = ("2027-02-30", "2027-13-01", "0000-00-00", "99999-01-01", "yesterday")
IMPOSSIBLE_TIMES = ("25:00", "12:60", "-01:00", "noon")
IMPOSSIBLE_DATETIMES = ("2027-02-30T10:00", "2027-03-01T24:30", "2027-03-01 10:00:00+99")

# Short enough for every free-text field (names allow 100 characters).
SHORT_MARKUP = "<script>x</script><img src=x onerror=y>"
# For longer fields: everything that must come out inert, with markers to find it by.
MARKUP_PAYLOADS = (
    SCRIPT,
    IMG_ONERROR,
    SVG_ONLOAD,
    JAVASCRIPT_LINK,
    DATA_LINK,
    MARKDOWN_JAVASCRIPT,
    MARKDOWN_JAVASCRIPT_ENTITY,
    MARKDOWN_DATA,
    MARKDOWN_IMAGE,
    MARKDOWN_REFERENCE,
    ATTRIBUTE_BREAKOUT,
    TEMPLATE_EXPRESSION,
)
LONG_HOSTILE = "\n\n".join(MARKUP_PAYLOADS)
# E-mail templates are templates: their own expressions run (sandboxed), so leave those out.
TEMPLATE_HOSTILE = "\n\n".join(p for p in MARKUP_PAYLOADS if p is not TEMPLATE_EXPRESSION)
# A title: a formula first (for CSV), then markup and an iCalendar break-out (for ICS).
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/")' + SHORT_MARKUP + ICS_INJECTION
HOSTILE_NAME = "@Mallory <script>alert(1)</script>\r\nBEGIN:VEVENT"


# --- forms ------------------------------------------------------------------------------------


Data = Callable[[Mapping[str, object]], dict[str, str]]


@dataclass(frozen=True)
class FormCase:
    """One form: who uses it, where it posts, and data it accepts."""

    name: str
    role: str
    path: str  # formatted with the world's URL values
    data: Data
    # Field names may name a world value too, e.g. "answer_{cfp_question}" (see field_names).
    text_fields: tuple[str, ...] = ()
    zone_fields: tuple[str, ...] = ()
    date_fields: tuple[str, ...] = ()
    time_fields: tuple[str, ...] = ()
    datetime_fields: tuple[str, ...] = ()
    int_fields: tuple[str, ...] = ()
    method: str = "POST"
    # An end field and the start it must follow: (start field, end field, start value, end value).
    end_before_start: tuple[str, str, str, str] | None = None

    def url(self, values: Mapping[str, object]) -> str:
        return self.path.format(**values)

    def fields(self) -> tuple[str, ...]:
        return (
            self.text_fields
            + self.zone_fields
            + self.date_fields
            + self.time_fields
            + self.datetime_fields
            + self.int_fields
        )

    def field_names(self, values: Mapping[str, object]) -> tuple[str, ...]:
        """Every field's name, with world values filled in."""
        return tuple(name.format(**values) for name in self.fields())

    def text_field_names(self, values: Mapping[str, object]) -> tuple[str, ...]:
        """The free-text fields' names, with world values filled in."""
        return tuple(name.format(**values) for name in self.text_fields)


PASSWORD = "correct horse battery staple"


def _feedback(values) -> dict[str, str]:
    data = {"lock_version": "0", "comment": "Useful."}
    for question_id in values["rating_questions"]:
        data[f"answer_{question_id}"] = "4"
    for question_id in values["text_questions"]:
        data[f"answer_{question_id}"] = "Caching."
    return data


# The answers of a proposal form: the world's required question and its single-choice one.
PROPOSAL_ANSWER_FIELDS = ("answer_{cfp_question}", "answer_{cfp_choice_question}")


def _answers(values) -> dict[str, str]:
    return {
        f"answer_{values['cfp_question']}": "Safer deploys.",
        f"answer_{values['cfp_choice_question']}": "Under a year",
    }


def _availability(values) -> dict[str, str]:
    data = {}
    for index, day in enumerate(values["days"]):
        data.update(
            {
                f"days-{index}-day": day,
                f"days-{index}-start_1": "09:00",
                f"days-{index}-end_1": "17:00",
            }
        )
    return data


FORMS: tuple[FormCase, ...] = (
    FormCase(
        "register",
        "anonymous",
        "/register",
        lambda v: {
            "email": "new.person@example.com",
            "display_name": "New Person",
            "password": PASSWORD,
            "confirm_password": PASSWORD,
            "time_zone": "Europe/London",
        },
        text_fields=("display_name", "email"),
        zone_fields=("time_zone",),
    ),
    FormCase(
        "login",
        "anonymous",
        "/login",
        lambda v: {
            "email": "attendee@example.com",
            "password": "correct horse battery",
            "next": "/",
        },
        text_fields=("email", "password", "next"),
    ),
    FormCase(
        "password reset request",
        "anonymous",
        "/password-reset",
        lambda v: {"email": "attendee@example.com"},
        text_fields=("email",),
    ),
    FormCase(
        "account profile",
        "attendee",
        "/account",
        lambda v: {"display_name": "Attendee Person", "time_zone": "Europe/Paris"},
        text_fields=("display_name",),
        zone_fields=("time_zone",),
    ),
    FormCase(
        "password change",
        "attendee",
        "/account/password",
        lambda v: {
            "current_password": "correct horse battery",
            "new_password": PASSWORD,
            "confirm_password": PASSWORD,
        },
        text_fields=("current_password", "new_password"),
    ),
    FormCase(
        "speaker profile",
        "speaker",
        "/c/{slug}/speaker/profile",
        lambda v: {
            "display_name": "Zanzibar Quillfeather",
            "bio": "Builds build systems.",
            "time_zone": "Europe/London",
            "hub_id": str(v["hub_id"]),
            "presentation_mode": "in_person",
            "recording_consent": "yes",
        },
        text_fields=("display_name", "bio"),
        zone_fields=("time_zone",),
        int_fields=("hub_id",),
    ),
    FormCase(
        "availability",
        "speaker",
        "/c/{slug}/speaker/availability",
        _availability,
        time_fields=("days-0-start_1", "days-0-end_1"),
        end_before_start=("days-0-start_1", "days-0-end_1", "15:00", "10:00"),
    ),
    FormCase(
        "new proposal",
        "other_speaker",
        "/c/{slug}/proposals/new",
        lambda v: {
            "title": "A new talk",
            "abstract": "About things.",
            "session_format_id": str(v["format_id"]),
            "track_id": str(v["track_id"]),
            "audience_level": "intermediate",
            "notes_to_organisers": "",
            "submit": "Submit",
            **_answers(v),
        },
        text_fields=("title", "abstract", "notes_to_organisers", *PROPOSAL_ANSWER_FIELDS),
        int_fields=("session_format_id", "track_id"),
    ),
    FormCase(
        "proposal edit",
        "speaker",
        "/c/{slug}/proposals/{submission}/edit",
        lambda v: {
            "title": "Feature flags at scale",
            "abstract": "Flags.",
            "session_format_id": str(v["format_id"]),
            "track_id": str(v["track_id"]),
            "audience_level": "advanced",
            "notes_to_organisers": "",
            "lock_version": str(v["submission_lock_version"]),
            "submit": "Submit",
            **_answers(v),
        },
        text_fields=("title", "abstract", "notes_to_organisers", *PROPOSAL_ANSWER_FIELDS),
        int_fields=("session_format_id", "track_id", "lock_version"),
    ),
    FormCase(
        "co-speaker invitation",
        "speaker",
        "/c/{slug}/proposals/{submission}/co-speakers",
        lambda v: {"email": "friend@example.com"},
        text_fields=("email",),
    ),
    FormCase(
        "conference settings",
        "organiser",
        "/c/{slug}/manage/settings",
        lambda v: {
            "name": "Security Summit",
            "description": "All about it.",
            "starts_on": v["day"],
            "ends_on": v["last_day"],
            "time_zone": "Europe/London",
            "cfp_opens_at": "2026-01-01T09:00",
            "cfp_closes_at": "2026-02-01T09:00",
            "anonymised_review": "y",
            "reviewers_per_proposal": "2",
        },
        text_fields=("name", "description"),
        zone_fields=("time_zone",),
        date_fields=("starts_on", "ends_on"),
        datetime_fields=("cfp_opens_at", "cfp_closes_at"),
        int_fields=("reviewers_per_proposal",),
        end_before_start=("starts_on", "ends_on", "2027-05-10", "2027-05-01"),
    ),
    FormCase(
        "conference creation",
        "site_admin",
        "/conferences/new",
        lambda v: {
            "slug": "new-conf",
            "name": "New",
            "starts_on": "2027-05-01",
            "ends_on": "2027-05-02",
            "time_zone": "Europe/London",
            "reviewers_per_proposal": "2",
        },
        text_fields=("slug", "name", "description"),
        zone_fields=("time_zone",),
        date_fields=("starts_on", "ends_on"),
    ),
    FormCase(
        "people",
        "organiser",
        "/c/{slug}/manage/people",
        lambda v: {"email": "attendee@example.com", "role": "reviewer"},
        text_fields=("email", "role"),
    ),
    FormCase(
        "new hub",
        "organiser",
        "/c/{slug}/manage/hubs/new",
        lambda v: {
            "name": "Paris",
            "time_zone": "Europe/Paris",
            "working_day_starts": "09:00",
            "working_day_ends": "17:30",
        },
        text_fields=("name",),
        zone_fields=("time_zone",),
        time_fields=("working_day_starts", "working_day_ends"),
        end_before_start=("working_day_starts", "working_day_ends", "17:00", "09:00"),
    ),
    FormCase(
        "hub edit",
        "organiser",
        "/c/{slug}/manage/hubs/{hub_id}/edit",
        lambda v: {
            "name": "London",
            "time_zone": "Europe/London",
            "working_day_starts": "09:00",
            "working_day_ends": "17:30",
        },
        text_fields=("name",),
        zone_fields=("time_zone",),
        time_fields=("working_day_starts", "working_day_ends"),
    ),
    FormCase(
        "new room",
        "organiser",
        "/c/{slug}/manage/rooms/new",
        lambda v: {
            "name": "Severn",
            "hub": str(v["hub_id"]),
            "capacity": "40",
            "has_streaming": "y",
        },
        text_fields=("name", "hub"),
        int_fields=("capacity",),
    ),
    FormCase(
        "new track",
        "organiser",
        "/c/{slug}/manage/tracks/new",
        lambda v: {"name": "Data", "description": "Data things.", "colour": "#336699"},
        text_fields=("name", "description", "colour"),
    ),
    FormCase(
        "new proposal tag",
        "organiser",
        "/c/{slug}/manage/tags/new",
        lambda v: {"name": "Needs mentor", "colour": "purple", "description": "First talk.",
                   "visible_to_reviewers": "y"},
        text_fields=("name", "colour", "description"),
    ),
    FormCase(
        "proposal's tags",
        "organiser",
        "/c/{slug}/manage/proposals/{proposal_id}/tags",
        lambda v: {"tag_ids": str(v["proposal_tag"])},
        int_fields=("tag_ids",),
    ),
    FormCase(
        "ranking bulk tag",
        "organiser",
        "/c/{slug}/manage/ranking/tags",
        lambda v: {"proposal_ids": str(v["proposal_id"]), "tag_id": str(v["proposal_tag"]), "tag_action": "add"},
        text_fields=("tag_action",),
        int_fields=("proposal_ids", "tag_id"),
    ),
    FormCase(
        "new proposal question",
        "organiser",
        "/c/{slug}/manage/cfp-questions/new",
        lambda v: {
            "text": "Which room setup do you need?",
            "help_text": "Workshops only.",
            "kind": "choice",
            "options": "Tables in groups\nRows of chairs",
            "required": "y",
            "reviewer_visibility": "never",
            "session_format_ids": str(v["format_id"]),
            "track_ids": str(v["track_id"]),
        },
        text_fields=("text", "help_text", "kind", "options", "reviewer_visibility"),
        int_fields=("session_format_ids", "track_ids"),
    ),
    FormCase(
        "proposal question edit",
        "organiser",
        "/c/{slug}/manage/cfp-questions/{cfp_question}/edit",
        lambda v: {
            "text": "What will attendees take away?",
            "help_text": "One or two sentences.",
            "kind": "short_text",
            "required": "y",
            "reviewer_visibility": "unless_anonymised",
        },
        text_fields=("text", "help_text", "kind", "options", "reviewer_visibility"),
        int_fields=("session_format_ids", "track_ids"),
    ),
    FormCase(
        "proposal question move",
        "organiser",
        "/c/{slug}/manage/cfp-questions/{cfp_question}/move",
        lambda v: {"direction": "down"},
        text_fields=("direction",),
    ),
    FormCase(
        "new session format",
        "organiser",
        "/c/{slug}/manage/formats/new",
        lambda v: {"name": "Workshop", "duration_minutes": "90"},
        text_fields=("name",),
        int_fields=("duration_minutes",),
    ),
    FormCase(
        "new criterion",
        "organiser",
        "/c/{slug}/manage/rubric/new",
        lambda v: {
            "name": "Clarity",
            "description": "Is it clear?",
            "weight": "1.5",
            "scale_min": "1",
            "scale_max": "5",
        },
        text_fields=("name", "description"),
        int_fields=("weight", "scale_min", "scale_max"),
    ),
    FormCase(
        "review settings",
        "organiser",
        "/c/{slug}/manage/rubric/settings",
        lambda v: {
            "review_closes_at": "2030-01-01T12:00",
            "anonymised_review": "y",
            "reviewers_per_proposal": "2",
        },
        datetime_fields=("review_closes_at",),
        int_fields=("reviewers_per_proposal",),
    ),
    FormCase(
        "organiser conflict",
        "organiser",
        "/c/{slug}/manage/conflicts",
        lambda v: {
            "reviewer_id": str(v["reviewer_id"]),
            "proposal_id": str(v["other_talk"]),
            "speaker_id": "0",
            "reason": "Same team",
        },
        text_fields=("reason",),
        int_fields=("reviewer_id", "proposal_id", "speaker_id"),
    ),
    FormCase(
        "review",
        "reviewer",
        "/c/{slug}/reviews/{submission}",
        lambda v: {
            "lock_version": "0",
            f"score_{v['criterion_id']}": "4",
            "comment_for_organisers": "Good.",
            "comment_for_speaker": "Nice.",
        },
        text_fields=("comment_for_organisers", "comment_for_speaker", "lock_version"),
    ),
    FormCase(
        "reviewer conflict",
        "reviewer",
        "/c/{slug}/reviews/{other_talk}/conflict",
        lambda v: {"reason": "We share a desk."},
        text_fields=("reason",),
    ),
    FormCase(
        "reviewer preferences",
        "reviewer",
        "/c/{slug}/reviews/preferences",
        lambda v: {f"track_{v['track_id']}": "1"},
    ),
    FormCase(
        "e-mail template",
        "organiser",
        "/c/{slug}/manage/emails/decision_accepted",
        lambda v: {
            "subject": "Accepted: {{ title }}",
            "body": "Dear {{ speaker }}, see {{ link }}.",
            "save": "Save",
        },
        text_fields=("subject", "body"),
    ),
    FormCase(
        "schedule block",
        "organiser",
        "/c/{slug}/manage/schedule/setup/blocks",
        lambda v: {
            "name": "Afternoon",
            "day": v["day"],
            "starts": "13:00",
            "ends": "15:00",
            "zone": "",
        },
        text_fields=("name", "zone"),
        date_fields=("day",),
        time_fields=("starts", "ends"),
        end_before_start=("starts", "ends", "15:00", "13:00"),
    ),
    FormCase(
        "solver settings",
        "organiser",
        "/c/{slug}/manage/schedule/setup/settings",
        lambda v: {
            "slot_minutes": "15",
            "time_limit_seconds": "60",
            "relaxed_weight": "1000",
            **{weight_field_name(name): "10" for name in WEIGHED_TERMS},
        },
        int_fields=(
            "slot_minutes",
            "time_limit_seconds",
            "relaxed_weight",
            weight_field_name(WEIGHED_TERMS[0]),
        ),
    ),
    FormCase(
        "draft move",
        "organiser",
        "/c/{slug}/manage/schedule/draft/talks/{talk_id}/move",
        lambda v: {
            "room_id": str(v["room_id"]),
            "starts_at": v["draft_talk_starts"],
            "lock_version": "1",
        },
        text_fields=("starts_at",),
        int_fields=("room_id", "lock_version"),
    ),
    FormCase(
        # The world's talk is in the draft: placing it where it is moves it there.
        "draft place",
        "organiser",
        "/c/{slug}/manage/schedule/draft/proposals/{proposal_id}/place",
        lambda v: {
            "room_id": str(v["room_id"]),
            "starts_at": v["draft_talk_starts"],
            "lock_version": "1",
        },
        text_fields=("starts_at",),
        int_fields=("room_id", "lock_version"),
    ),
    FormCase(
        "publish",
        "organiser",
        "/c/{slug}/manage/schedule/publish",
        lambda v: {"note": "Second version"},
        text_fields=("note",),
    ),
    FormCase(
        "decision",
        "organiser",
        "/c/{slug}/manage/proposals/{submission}/decision",
        lambda v: {"decision": "accepted"},
        text_fields=("decision",),
    ),
    FormCase(
        "feedback",
        "attendee",
        "/c/{slug}/talks/{proposal_id}/feedback",
        _feedback,
        text_fields=("comment",),
    ),
    FormCase(
        "feedback question",
        "organiser",
        "/c/{slug}/manage/feedback/questions/new",
        lambda v: {"prompt": "Would you recommend it?", "kind": "rating", "required": "y"},
        text_fields=("prompt", "kind"),
    ),
    FormCase(
        "feedback settings",
        "organiser",
        "/c/{slug}/manage/feedback/settings",
        lambda v: {"edit_days": "7"},
        int_fields=("edit_days",),
    ),
    FormCase(
        "archive topic",
        "organiser",
        "/c/{slug}/manage/topics/new",
        lambda v: {"name": "Caching", "description": "Keeping things."},
        text_fields=("name", "description"),
    ),
    FormCase(
        "archive tagging",
        "organiser",
        "/c/{slug}/manage/topics/talks/{proposal_id}/attach",
        lambda v: {"topic": "Monorepos"},
        text_fields=("topic",),
    ),
    FormCase(
        "material link",
        "speaker",
        "/c/{slug}/talks/{proposal_id}/materials/links",
        lambda v: {
            "link-kind": "recording",
            "link-url": "https://video.example.com/watch/2",
            "link-title": "Recording",
        },
        text_fields=("link-url", "link-title", "link-kind"),
    ),
    # Search and filter forms answer GET requests.
    FormCase(
        "agenda filters",
        "anonymous",
        "/c/{slug}/agenda/",
        lambda v: {
            "track": str(v["track_id"]),
            "hub": str(v["hub_id"]),
            "view": "list",
            "tz": "Asia/Kolkata",
        },
        text_fields=("track", "hub", "mode", "view", "tz"),
        zone_fields=("tz",),
        method="GET",
    ),
    FormCase(
        "talk browser",
        "attendee",
        "/c/{slug}/talks/",
        lambda v: {"q": "monorepo", "track": str(v["track_id"]), "level": "intermediate"},
        text_fields=("q", "track", "session_format", "level"),
        method="GET",
    ),
    FormCase(
        "archive search",
        "anonymous",
        "/archive",
        lambda v: {"q": "monorepo", "speaker": "Zanzibar"},
        text_fields=("q", "topic", "track", "year", "hub", "speaker", "person", "page"),
        method="GET",
    ),
    FormCase(
        "ranking filters",
        "organiser",
        "/c/{slug}/manage/ranking",
        lambda v: {"track": str(v["track_id"]), "sort": "normalised", "order": "asc"},
        text_fields=("track", "state", "format", "sort", "order"),
        method="GET",
    ),
    FormCase(
        "new access code",
        "organiser",
        "/c/{slug}/manage/access-codes/new",
        lambda v: {
            "note": "Keynote: Ada",
            "track_id": str(v["track_id"]),
            "session_format_id": "0",
            "valid_until": "2990-06-01T12:00",
            "max_uses": "3",
        },
        text_fields=("note",),
        datetime_fields=("valid_until",),
        int_fields=("track_id", "session_format_id", "max_uses"),
    ),
    FormCase(
        "access code edit",
        "organiser",
        "/c/{slug}/manage/access-codes/{code_id}/edit",
        lambda v: {
            "note": "Keynote: Grace",
            "track_id": "0",
            "session_format_id": str(v["format_id"]),
            "valid_until": "",
            "max_uses": "",
        },
        text_fields=("note",),
        datetime_fields=("valid_until",),
        int_fields=("track_id", "session_format_id", "max_uses"),
    ),
    FormCase(
        "access code e-mail",
        "organiser",
        "/c/{slug}/manage/access-codes/{code_id}/send",
        lambda v: {"email": "keynote@example.com"},
        text_fields=("email",),
    ),
)
