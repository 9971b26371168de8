"""Fixed ingredients of the demo's past edition, the 2026 summit, and of the shared topic tags.

Plain data only; ``past.py`` combines it with a seeded random generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

# Friday to Sunday in March 2026. The United States moved to daylight saving time on
# 8 March 2026 and Europe only on 29 March, so during this edition New York was four hours
# behind London, not five.
CONFERENCE_SLUG = "summit-2026"
CONFERENCE_NAME = "Acme Engineering Summit 2026"
CONFERENCE_TIME_ZONE = "Europe/London"
CONFERENCE_STARTS_ON = date(2026, 3, 13)
CONFERENCE_ENDS_ON = date(2026, 3, 15)
CONFERENCE_DESCRIPTION = """\
Last year's internal engineering conference: three days of talks, lightning talks and
workshops from our **London**, **New York** and **Bengaluru** hubs and two online streams.

The summit is over. Browse the talks, watch the recordings and read how attendees rated
them; the **2027** summit is open for proposals.
"""
# London wall-clock times; stored as UTC instants.
CFP_OPENS = (date(2025, 11, 3), time(9, 0))
CFP_CLOSES = (date(2026, 1, 16), time(23, 59))
PROPOSALS_WRITTEN_FROM = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)
PROPOSALS_WRITTEN_DAYS = 60
PUBLISHED_AT = datetime(2026, 2, 16, 10, 0, tzinfo=UTC)
PUBLISHED_NOTE = "The schedule of the 2026 summit."

FORMAT_MIX = {"Lightning talk": 12, "Talk": 40, "Workshop": 8}
REJECTED_PROPOSALS = 15
ATTENDEES = 180

# Local session times; talks are placed one after another with a changeover in between.
HUB_SESSIONS = ((time(9, 30), time(12, 30)), (time(13, 30), time(17, 0)))
# Online streams run while London's afternoon and New York's morning overlap.
ONLINE_ZONE = "UTC"
ONLINE_SESSIONS = ((time(13, 0), time(17, 0)),)
CHANGEOVER_MINUTES = 15
SLOT_MINUTES = 15

# Where recordings and slides of past talks live.
VIDEO_BASE_URL = "https://video.acme.example"
SLIDES_BASE_URL = "https://slides.acme.example"
SLIDES_SHARE = 0.5

ABSTRACT_OPENERS = (
    "This is where the story started a year ago: the plan, the first results and the open questions.",
    "A first report from the field, with the numbers we had at the time.",
    "We share what we tried first, what we threw away and what we kept.",
)


@dataclass(frozen=True)
class FeedbackQuestionSpec:
    prompt: str
    rating: bool
    required: bool
    # Added to a talk's quality for this question: clarity varies more than usefulness.
    bias: float = 0.0


FEEDBACK_QUESTIONS = (
    FeedbackQuestionSpec("How useful was this talk for you?", True, True, 0.0),
    FeedbackQuestionSpec("How clear was the presentation?", True, True, -0.2),
    FeedbackQuestionSpec("How well did the talk match its abstract?", True, False, 0.2),
    FeedbackQuestionSpec("What was the most valuable thing you learnt?", False, False),
)
RESPONSES_PER_TALK = (4, 24)
DEMO_ATTENDEE_RESPONSES = 5
COMMENT_SHARE = 0.35
LEARNT_SHARE = 0.3
# Feedback arrived during the week after each talk.
FEEDBACK_DAYS = 7

COMMENTS = {
    "high": (
        "Brilliant: the best talk of the day for me.",
        "Clear, practical and funny. I have already shared the recording with my team.",
        "Loved the before-and-after numbers.",
        "Exactly the level of detail I needed.",
    ),
    "middle": (
        "Good content; the second half felt rushed.",
        "Useful, but I would have liked more about what went wrong.",
        "Solid talk. The slides were hard to read from the back of the room.",
        "Interesting, though not much I can apply in my team yet.",
    ),
    "low": (
        "Too much of an overview for me; I expected more depth.",
        "The audio on the stream kept dropping.",
        "Hard to follow without more context on the system.",
        "Ran out of time before the interesting part.",
    ),
}
LEARNT = (
    "Measure before you migrate.",
    "Start with the rollback plan.",
    "Small, boring steps beat one big switch-over.",
    "Write the runbook while you still remember why.",
    "Ask the people on call before changing anything.",
    "Budgets change behaviour faster than dashboards.",
)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    slug: str
    description: str
    # Lower-case fragments of a talk title that put the talk in this knowledge circle.
    keywords: tuple[str, ...]


MAX_TOPICS_PER_TALK = 3
TOPICS = (
    TopicSpec(
        "Observability",
        "observability",
        "Metrics, logs, traces and the dashboards people actually open.",
        (
            "observability",
            "monitoring",
            "slos",
            "debugging",
            "drift",
            "quality alerts",
            "web vitals",
        ),
    ),
    TopicSpec(
        "Kubernetes",
        "kubernetes",
        "Clusters, containers and everything that runs on them.",
        ("kubernetes", "service mesh", "container", "autoscaling", "preview environments"),
    ),
    TopicSpec(
        "Data mesh",
        "data-mesh",
        "Data owned by the teams that produce it: contracts, products and platforms.",
        (
            "data contracts",
            "dbt",
            "warehouse",
            "etl",
            "notebooks",
            "data quality",
            "feature stores",
            "privacy-preserving",
        ),
    ),
    TopicSpec(
        "Machine learning",
        "machine-learning",
        "Models in production, from features to evaluation.",
        (
            "llm",
            "model monitoring",
            "feature stores",
            "retrieval",
            "forecasting",
            "gpu",
            "relevance",
            "ai coding",
        ),
    ),
    TopicSpec(
        "Security",
        "security",
        "Keeping people, code and data safe without slowing everyone down.",
        (
            "passkeys",
            "supply chain",
            "secrets",
            "threat",
            "vulnerability",
            "zero trust",
            "least-privilege",
            "secure code",
            "detection",
            "bug bounty",
            "hardening",
            "oauth",
            "privacy",
        ),
    ),
    TopicSpec(
        "Reliability",
        "reliability",
        "Failover, recovery, incidents and the habits that prevent them.",
        (
            "failover",
            "disaster recovery",
            "postmortem",
            "on-call",
            "incident",
            "load levelling",
            "capacity planning",
            "slos",
            "postgresql",
        ),
    ),
    TopicSpec(
        "Developer productivity",
        "developer-productivity",
        "Builds, tests, reviews and paved roads.",
        (
            "build",
            "flaky",
            "golden paths",
            "developer",
            "code review",
            "trunk-based",
            "feature flags",
            "refactoring",
            "local development",
            "typescript",
        ),
    ),
    TopicSpec(
        "Cost efficiency",
        "cost-efficiency",
        "Spending less on cloud, compute and storage without losing speed.",
        ("cost", "arm migration", "budgets", "autoscaling", "edge caching", "gpu scheduling"),
    ),
    TopicSpec(
        "Accessibility",
        "accessibility",
        "Products and teams that work for everyone.",
        ("accessibility", "inclusive", "internationalisation", "neurodiversity", "low-end"),
    ),
    TopicSpec(
        "Remote collaboration",
        "remote-collaboration",
        "Working well across hubs, time zones and homes.",
        (
            "time zones",
            "follow-the-sun",
            "remotely",
            "asynchronous",
            "design documents",
            "inner source",
            "mentoring",
        ),
    ),
)

# Feedback on the 2026 talks stays open this many days after each talk (the default is 14).
FEEDBACK_EDIT_DAYS = 365
# Recorded talks the demo attendee starred but missed: their "Catch up" list.
DEMO_ATTENDEE_MISSED = 4
