"""Fixed ingredients of the demo conference: places, tracks, topics and names.

Plain data only; ``seed.py`` combines it with a seeded random generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

# The conference runs Friday to Sunday across the start of US daylight saving time
# (New York springs forward on Sunday 14 March 2027), so schedules must survive the
# London-New York gap shrinking from five hours to four in the middle of the event.
CONFERENCE_SLUG = "summit-2027"
CONFERENCE_NAME = "Acme Engineering Summit 2027"
CONFERENCE_TIME_ZONE = "Europe/London"
CONFERENCE_STARTS_ON = date(2027, 3, 12)
CONFERENCE_ENDS_ON = date(2027, 3, 14)
CONFERENCE_DESCRIPTION = """\
Acme's yearly internal engineering conference: three days of talks, lightning talks and
hands-on workshops, run from our **London**, **New York** and **Bengaluru** hubs and
streamed to everyone else on two online channels.

**Mind the clocks:** New York moves to daylight saving time on *Sunday 14 March 2027*,
the last day of the summit, so from then on it is four hours behind London instead of
five (London follows two weeks later, on 28 March). Every time in the schedule is shown
in your own time zone.
"""
CONFERENCE_SETTINGS = {"anonymised_review": True, "reviewers_per_proposal": 3}
# London wall-clock times; stored as UTC instants.
CFP_OPENS = (date(2026, 11, 1), time(9, 0))
CFP_CLOSES = (date(2027, 1, 31), time(23, 59))


@dataclass(frozen=True)
class RoomSpec:
    name: str
    capacity: int
    has_streaming: bool = False
    has_recording: bool = False


@dataclass(frozen=True)
class HubSpec:
    name: str
    time_zone: str
    working_day_starts: time
    working_day_ends: time
    rooms: tuple[RoomSpec, ...]


HUBS = (
    HubSpec("London", "Europe/London", time(9, 0), time(17, 30), (
        RoomSpec("Thames", 250, has_streaming=True, has_recording=True),
        RoomSpec("Shard", 80, has_recording=True),
        RoomSpec("Kew", 30),
    )),
    HubSpec("New York", "America/New_York", time(9, 0), time(17, 30), (
        RoomSpec("Hudson", 200, has_streaming=True, has_recording=True),
        RoomSpec("Brooklyn", 60),
    )),
    HubSpec("Bengaluru", "Asia/Kolkata", time(9, 30), time(18, 0), (
        RoomSpec("Cubbon", 180, has_streaming=True, has_recording=True),
        RoomSpec("Lalbagh", 70, has_recording=True),
        RoomSpec("Ulsoor", 25),
    )),
)

# Rooms without a hub are online streams.
ONLINE_STREAMS = (
    RoomSpec("Online Stream 1", 2000, has_streaming=True, has_recording=True),
    RoomSpec("Online Stream 2", 2000, has_streaming=True, has_recording=True),
)

# Working hours for people who are not based at a hub.
REMOTE_WORKING_DAY = (time(9, 0), time(17, 30))
MORNING_ENDS = time(12, 30)
LUNCH_GAP = (time(11, 30), time(14, 0))

SESSION_FORMATS = (("Lightning talk", 10), ("Talk", 30), ("Workshop", 90))
FORMAT_MIX = {"Lightning talk": 20, "Talk": 50, "Workshop": 10}


@dataclass(frozen=True)
class Topic:
    subject: str  # a noun phrase that reads well mid-sentence
    story: str  # one concrete sentence that opens the abstract


@dataclass(frozen=True)
class TrackSpec:
    name: str
    colour: str
    description: str
    teams: tuple[str, ...]
    angles: tuple[str, ...]
    topics: tuple[Topic, ...]


TRACKS = (
    TrackSpec(
        "Platform & Infrastructure", "#1f77b4",
        "Clusters, networks, storage and the paved road every service runs on.",
        ("Core Platform", "Compute", "Networking", "Storage", "Site Reliability"),
        (
            "We will cover the migration plan, the rollback plan and the one we actually used.",
            "Expect graphs of latency, cost and pager load before and after.",
            "The approach works whether you run ten services or a thousand.",
        ),
        (
            Topic("zero-downtime PostgreSQL major upgrades",
                  "We moved 40 production databases from PostgreSQL 13 to 16 using logical "
                  "replication and never took a maintenance window."),
            Topic("Kubernetes cluster upgrades",
                  "Upgrading 140 Kubernetes clusters across three regions used to take a "
                  "quarter; now it takes two weeks and nobody notices."),
            Topic("cost-aware autoscaling",
                  "Our batch fleet was sized for a peak that happened twice a year, so we "
                  "taught the autoscaler what an hour of compute actually costs."),
            Topic("multi-region failover drills",
                  "Every month we switch off a whole region on purpose and see what breaks."),
            Topic("our service mesh retirement",
                  "After three years we removed the service mesh and replaced it with a few "
                  "hundred lines of client library."),
            Topic("infrastructure as code at scale",
                  "Twelve hundred Terraform workspaces, one pipeline and a policy engine "
                  "that says no before production does."),
            Topic("observability budgets",
                  "Our metrics bill grew faster than our traffic until we gave every team "
                  "an observability budget and a dashboard showing where it went."),
            Topic("ARM migration for the build fleet",
                  "Moving CI runners to ARM cut build costs by a third, once we found "
                  "the six native dependencies that refused to cooperate."),
            Topic("queue-based load levelling",
                  "Black Friday traffic no longer takes down the order service because "
                  "nothing talks to it synchronously any more."),
            Topic("SLOs that people actually read",
                  "We rewrote 300 service level objectives so that each one answers "
                  "a question a customer would ask."),
            Topic("edge caching for internal APIs",
                  "A small caching layer in each office took 60% of the load off our "
                  "busiest internal APIs."),
            Topic("disaster recovery for stateful services",
                  "Backups are easy; restores are the hard part, so we now restore one "
                  "production database every day."),
            Topic("eBPF-based network debugging",
                  "When packets disappear between two pods, eBPF shows you where "
                  "they went without restarting anything."),
            Topic("capacity planning with real traffic replays",
                  "We record a day of production traffic and replay it at three times "
                  "the volume against a staging copy of the platform."),
        ),
    ),
    TrackSpec(
        "Data & ML", "#2ca02c",
        "Pipelines, warehouses, models in production and the people who keep them honest.",
        ("Data Platform", "Machine Learning", "Analytics Engineering", "Search & Ranking"),
        (
            "We will share the evaluation numbers, including the ones that made us wince.",
            "You will see the pipeline end to end, from raw events to a decision.",
            "Most of the lessons apply even if you never train a model yourself.",
        ),
        (
            Topic("feature stores without the hype",
                  "We built a feature store, tore it down, and built a much smaller one "
                  "that our data scientists actually use."),
            Topic("evaluating LLM features in production",
                  "Offline benchmarks told us our support assistant was great; real "
                  "tickets told a different story."),
            Topic("data contracts between teams",
                  "Half of our pipeline incidents came from upstream schema changes, "
                  "so producers now publish a contract and CI enforces it."),
            Topic("streaming ETL with exactly-once semantics",
                  "Moving the billing pipeline from nightly batch to streaming meant "
                  "finally taking duplicate events seriously."),
            Topic("search relevance tuning",
                  "A/B tests on internal search showed that the best ranking change was "
                  "the one that removed a feature."),
            Topic("privacy-preserving analytics",
                  "Product teams still get their funnels, but raw identifiers never "
                  "leave the ingestion layer."),
            Topic("model monitoring and drift detection",
                  "Our fraud model degraded for six weeks before anyone noticed; this is "
                  "how we would catch it in six hours today."),
            Topic("the data warehouse cost diet",
                  "We cut warehouse spend by 45% by deleting tables nobody had queried "
                  "in a year and partitioning the rest."),
            Topic("notebooks to production pipelines",
                  "Every data scientist has a notebook that became a critical job; we "
                  "built a path to turn them into tested pipelines."),
            Topic("retrieval-augmented generation over internal docs",
                  "We indexed ten years of design documents and learned that chunking "
                  "matters more than the model."),
            Topic("forecasting demand with sparse data",
                  "New products have no history, so we borrowed it from similar ones."),
            Topic("dbt at a hundred contributors",
                  "Our dbt project grew to 2,000 models and 100 contributors; naming "
                  "conventions saved us more than any tool."),
            Topic("GPU scheduling for training jobs",
                  "Training jobs used to wait days for GPUs that sat idle at night."),
            Topic("data quality alerts people trust",
                  "We deleted 80% of our data quality checks and the remaining ones "
                  "finally get answered."),
        ),
    ),
    TrackSpec(
        "Security", "#d62728",
        "Keeping Acme, our customers and our colleagues safe without slowing anyone down.",
        ("Product Security", "Identity & Access", "Security Operations", "Trust & Compliance"),
        (
            "The goal is a secure default, not another checklist.",
            "We will show the threat model and what changed in our day-to-day work.",
            "No security background is assumed; everything is explained from first principles.",
        ),
        (
            Topic("passkeys for the workforce",
                  "We rolled out passkeys to 9,000 colleagues and retired SMS codes "
                  "for good."),
            Topic("software supply chain provenance",
                  "Every artefact we ship now carries a signed record of where and how "
                  "it was built."),
            Topic("secrets rotation without outages",
                  "Rotating a database password used to need a change window; now "
                  "credentials rotate every 24 hours on their own."),
            Topic("threat modelling for product teams",
                  "A one-hour threat modelling session per feature found more issues "
                  "than our annual penetration test."),
            Topic("dependency vulnerability triage",
                  "Our scanners raised 4,000 findings a month; reachability analysis "
                  "brought that down to the 40 that mattered."),
            Topic("zero trust for internal tools",
                  "We removed the VPN for internal tools and put every one of them "
                  "behind identity-aware access."),
            Topic("incident response tabletop exercises",
                  "Once a quarter we rehearse a breach with engineers, lawyers and "
                  "the comms team in the same room."),
            Topic("least-privilege cloud access",
                  "Standing admin access to production is gone; engineers request "
                  "time-boxed access and get it in seconds."),
            Topic("secure code review habits",
                  "A handful of review questions catches most injection and "
                  "authorisation bugs before they merge."),
            Topic("detection engineering as code",
                  "Our detection rules live in git, have unit tests and ship through "
                  "the same pipeline as our services."),
            Topic("bug bounty lessons",
                  "Three years of our bug bounty programme, the reports we loved and "
                  "the ones we wish we had never received."),
            Topic("container image hardening",
                  "Switching to minimal base images removed 90% of the vulnerabilities "
                  "in our container scans overnight."),
            Topic("OAuth pitfalls in internal apps",
                  "We reviewed 60 internal OAuth integrations and found the same three "
                  "mistakes again and again."),
            Topic("privacy reviews that scale",
                  "A lightweight privacy review now takes a day instead of a month."),
        ),
    ),
    TrackSpec(
        "Developer Experience", "#9467bd",
        "Build systems, tooling and workflows that make shipping software pleasant.",
        ("Developer Productivity", "Build & CI", "Internal Tools", "Developer Portal"),
        (
            "We measured developer happiness before and after, and share both numbers.",
            "Everything shown is available in the internal developer portal today.",
            "Small changes, big effect on how fast a change reaches production.",
        ),
        (
            Topic("monorepo build caching",
                  "Remote build caching took our median CI run from 38 minutes to 9."),
            Topic("flaky test quarantine",
                  "A bot that quarantines flaky tests automatically gave us back a "
                  "green main branch."),
            Topic("golden paths for new services",
                  "A new service used to take two weeks to reach production; with a "
                  "golden path template it takes an afternoon."),
            Topic("developer portals with Backstage",
                  "We catalogued 1,800 services in Backstage and learned who owns what, "
                  "which turned out to be the hard part."),
            Topic("code review turnaround",
                  "Halving code review wait time did more for delivery speed than any "
                  "tool we bought."),
            Topic("preview environments for every pull request",
                  "Every pull request gets its own short-lived environment with "
                  "realistic data."),
            Topic("AI coding assistants in practice",
                  "Six months of data on where coding assistants helped our engineers "
                  "and where they quietly made things worse."),
            Topic("local development in containers",
                  "A new joiner now runs the whole checkout stack locally with one "
                  "command on day one."),
            Topic("trunk-based development",
                  "Moving 40 teams off long-lived branches took a year and a lot of "
                  "feature flags."),
            Topic("feature flags hygiene",
                  "We found 3,000 feature flags in the codebase, most of them "
                  "permanently on."),
            Topic("documentation as code",
                  "Our docs now live next to the code, build in CI and break the build "
                  "when a link rots."),
            Topic("large-scale automated refactoring",
                  "Codemods let us migrate 600 repositories to a new logging API "
                  "in a single week."),
            Topic("measuring developer productivity responsibly",
                  "We use DORA metrics to find bottlenecks in the system, never to rank "
                  "people."),
            Topic("faster mobile builds",
                  "Our iOS app took 25 minutes to build from clean until we split it "
                  "into modules."),
        ),
    ),
    TrackSpec(
        "Frontend & Product", "#ff7f0e",
        "Interfaces, accessibility, performance and the craft of building for users.",
        ("Web Platform", "Design Systems", "Mobile", "Growth Engineering"),
        (
            "Real screenshots, real metrics and a few before-and-after videos.",
            "We will show what users saw and what the browser was doing at the same time.",
            "Useful for designers and product managers as much as for engineers.",
        ),
        (
            Topic("design systems across three platforms",
                  "One set of design tokens now drives our web, iOS and Android apps."),
            Topic("accessibility audits that stick",
                  "We fixed 400 accessibility issues and then made sure they stayed "
                  "fixed with automated checks in CI."),
            Topic("Core Web Vitals for a checkout flow",
                  "Cutting the checkout page's largest contentful paint by a second "
                  "moved conversion more than any redesign."),
            Topic("micro-frontends in hindsight",
                  "Two years after splitting our web app into micro-frontends we "
                  "merged half of them back."),
            Topic("server components in production",
                  "We moved the account pages to server components and shipped 60% "
                  "less JavaScript."),
            Topic("offline-first mobile apps",
                  "Field engineers work in basements with no signal, so the app has "
                  "to work without one."),
            Topic("experimentation platforms",
                  "We run 200 experiments a quarter and most of them teach us that "
                  "our intuition is wrong."),
            Topic("internationalisation beyond translation",
                  "Supporting right-to-left languages touched every component in "
                  "our design system."),
            Topic("frontend observability",
                  "Real user monitoring showed us errors that never appeared in "
                  "our own browsers."),
            Topic("state management without a framework",
                  "We removed our state management library and the app got simpler "
                  "and faster."),
            Topic("product analytics for engineers",
                  "Engineers who read the product analytics build different features."),
            Topic("inclusive form design",
                  "Our sign-up form asked for a first and last name; many of our users "
                  "do not have both."),
            Topic("animation performance on low-end devices",
                  "Most of our users are on phones three years older than ours."),
            Topic("TypeScript migration of a legacy app",
                  "A 400,000-line JavaScript app moved to strict TypeScript one "
                  "folder at a time."),
        ),
    ),
    TrackSpec(
        "Engineering Culture", "#17becf",
        "Teams, careers, incidents and the human side of building software together.",
        ("Engineering Management", "Technical Programme Management", "Engineering Enablement"),
        (
            "Stories from three hubs and many time zones, with practical takeaways.",
            "We will share what worked, what did not and the templates we use.",
            "Relevant to individual contributors and managers alike.",
        ),
        (
            Topic("blameless postmortems",
                  "Our postmortems used to end with 'be more careful'; now they end "
                  "with changes to the system."),
            Topic("follow-the-sun on-call",
                  "Splitting on-call between London, New York and Bengaluru means "
                  "nobody gets paged at 3 a.m. any more."),
            Topic("staff engineer career paths",
                  "What a staff engineer at Acme actually does all week, in their "
                  "own words."),
            Topic("onboarding new engineers remotely",
                  "New joiners now ship to production in their first week, wherever "
                  "they live."),
            Topic("writing good design documents",
                  "A short template and a review ritual made our design documents "
                  "shorter and our decisions better."),
            Topic("mentoring across time zones",
                  "Our mentoring programme pairs people across hubs on purpose."),
            Topic("inner source at Acme",
                  "Teams now fix the bugs they find in other teams' code instead of "
                  "filing tickets and waiting."),
            Topic("tech debt negotiations",
                  "We stopped asking for time for tech debt and started showing its "
                  "cost in the language of the roadmap."),
            Topic("running effective incident calls",
                  "Clear roles on an incident call halved our time to mitigation."),
            Topic("engineering ladders that reward glue work",
                  "We rewrote our career ladder so that the work that holds teams "
                  "together counts."),
            Topic("asynchronous decision making",
                  "With teams in three time zones, meetings are the last resort, "
                  "not the first."),
            Topic("neurodiversity in engineering teams",
                  "Small changes in how we run meetings and reviews made our teams "
                  "work better for everyone."),
            Topic("hackathons that ship",
                  "A third of last year's hackathon projects are now in production."),
            Topic("sustainable pace after a big launch",
                  "What we changed after a launch that left half the team exhausted."),
        ),
    ),
)

TITLE_TEMPLATES = {
    "Lightning talk": (
        "{Subject} in ten minutes",
        "Five things I learned about {subject}",
        "{Subject}: a lightning tour",
        "Why {subject} matters more than you think",
    ),
    "Talk": (
        "{Subject}: lessons from production",
        "What we got wrong about {subject}",
        "A practical guide to {subject}",
        "{Subject} at Acme, two years in",
        "Scaling {subject} across three hubs",
        "{Subject} without the pain",
        "The road to {subject}",
    ),
    "Workshop": (
        "Hands-on: {subject}",
        "Workshop: getting started with {subject}",
        "Build it yourself: {subject}",
        "{Subject}, step by step",
    ),
}

FORMAT_SENTENCES = {
    "Lightning talk": (
        "In ten minutes you will get **the one idea** we wish we had on day one.",
        "A quick, opinionated tour with one slide per lesson.",
    ),
    "Talk": (
        "This talk walks through the design, the numbers and the mistakes.",
        "We will cover **what we tried first**, why it failed and what we run today.",
        "You will leave with a checklist you can apply to your own team next week.",
    ),
    "Workshop": (
        "A hands-on session in small groups with exercises you can take straight back "
        "to your team; **bring a laptop**.",
        "A hands-on session in small groups; **laptop required**, setup instructions "
        "are sent a week before.",
    ),
}

LEVEL_SENTENCES = {
    "beginner": "No prior experience needed.",
    "intermediate": "Some familiarity with the basics helps.",
    "advanced": "Aimed at people who already run this in production.",
}

NOTES_TO_ORGANISERS = (
    "Happy to shorten this to a lightning talk if the schedule is tight.",
    "I would prefer a morning slot in my time zone.",
    "A co-presenter from another hub may join; I will confirm by January.",
    "Needs a room with a whiteboard.",
)

# The organisers' own questions on the proposal form (see seed.add_cfp_questions).
TAKEAWAY_QUESTION = "What will attendees be able to do after your session?"
TAKEAWAYS = (
    "Spot the three failure modes we hit most often and fix them in their own services.",
    "Set up the same tooling in an afternoon, with the checklist from the talk.",
    "Explain the trade-offs to their team and decide whether it fits them.",
    "Measure the before and after, and know which numbers to watch.",
    "Reuse our internal library instead of writing their own.",
    "Avoid the migration mistakes we made, with a plan they can copy.",
)
GIVEN_BEFORE_QUESTION = "Have you given this talk before? Where?"
GIVEN_BEFORE = (
    "A shorter version at our hub's engineering all-hands.",
    "Yes, at a public meetup last spring.",
    "An internal brown-bag session for my department.",
    "Once, as a team retrospective write-up turned talk.",
)
ROOM_SETUP_QUESTION = "What room setup does your workshop need?"
ROOM_SETUPS = ("Tables in small groups", "Rows of chairs and a projector", "Desks with power for laptops")

JOB_TITLES = (
    "Software Engineer", "Senior Software Engineer", "Staff Engineer", "Principal Engineer",
    "Engineering Manager", "Site Reliability Engineer", "Tech Lead", "Senior Engineer",
)

BIO_INTERESTS = (
    "Outside work {first} climbs, badly, and bakes bread, well.",
    "{First} has spoken at several meetups and mentors new joiners.",
    "Before Acme, {first} worked at two start-ups and a bank.",
    "{First} is happiest when deleting code.",
    "{First} co-organises the {city} engineering book club.",
    "Ask {first} about cycling to work in every weather.",
)


@dataclass(frozen=True)
class Place:
    """Where a person works from: a hub, or a time zone without one."""

    time_zone: str
    city: str
    hub: str | None
    name_pools: tuple[str, ...]


LONDON = Place("Europe/London", "London", "London",
               ("british", "british", "south_asian", "west_african", "german", "southern_european",
                "polish"))
NEW_YORK = Place("America/New_York", "New York", "New York",
                 ("american", "american", "hispanic", "chinese", "korean", "west_african"))
BENGALURU = Place("Asia/Kolkata", "Bengaluru", "Bengaluru", ("south_asian",))
LOS_ANGELES = Place("America/Los_Angeles", "Los Angeles", None,
                    ("american", "hispanic", "japanese", "korean"))
BERLIN = Place("Europe/Berlin", "Berlin", None, ("german", "turkish", "polish"))
SINGAPORE = Place("Asia/Singapore", "Singapore", None, ("chinese", "south_asian"))
SYDNEY = Place("Australia/Sydney", "Sydney", None, ("british", "chinese", "southern_european"))
SAO_PAULO = Place("America/Sao_Paulo", "São Paulo", None, ("brazilian",))
TORONTO = Place("America/Toronto", "Toronto", None, ("american", "chinese", "south_asian"))

# How many speakers and attendees work from each place (about 20% of speakers are remote).
SPEAKER_PLACES = ((LONDON, 20), (NEW_YORK, 15), (BENGALURU, 13), (LOS_ANGELES, 3), (BERLIN, 2),
                  (SINGAPORE, 2), (SYDNEY, 2), (SAO_PAULO, 2), (TORONTO, 1))
ATTENDEE_PLACES = ((LONDON, 11), (NEW_YORK, 10), (BENGALURU, 10), (BERLIN, 2), (LOS_ANGELES, 2),
                   (SINGAPORE, 2), (SYDNEY, 1), (SAO_PAULO, 1))
REVIEWER_PLACES = (LONDON, NEW_YORK, BENGALURU, BERLIN, NEW_YORK, BENGALURU)

# First and last names are drawn from the same pool so that a person's name is plausible.
FIRST_NAMES = {
    "british": ("Oliver", "Amelia", "Harry", "Isla", "George", "Freya", "Jack", "Poppy", "Rory",
                "Eleanor", "Callum", "Imogen", "Fiona", "Gareth"),
    "south_asian": ("Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Meera", "Aditya",
                    "Lakshmi", "Siddharth", "Divya", "Karthik", "Nandini", "Deepa", "Suresh",
                    "Harini", "Rahul", "Pooja"),
    "west_african": ("Chinedu", "Amara", "Kwame", "Zainab", "Oluwaseun", "Abena", "Kofi",
                     "Ngozi", "Emeka", "Folake"),
    "german": ("Lukas", "Anna", "Jonas", "Lena", "Felix", "Katrin", "Tobias", "Miriam"),
    "southern_european": ("Matteo", "Sofia", "Giulia", "Marco", "Elena", "Pablo", "Lucía",
                          "Nikos"),
    "polish": ("Katarzyna", "Piotr", "Zofia", "Tomasz", "Agnieszka", "Marek"),
    "turkish": ("Mehmet", "Elif", "Emre", "Zeynep"),
    "american": ("Jordan", "Emily", "Marcus", "Hannah", "Tyler", "Madison", "Derek", "Brianna",
                 "Caleb", "Shannon", "Travis", "Megan"),
    "hispanic": ("Mateo", "Valentina", "Diego", "Camila", "Javier", "Lucía", "Alejandro",
                 "Ximena"),
    "brazilian": ("Rafael", "Isabela", "Gabriel", "Mariana", "Thiago", "Larissa"),
    "chinese": ("Wei", "Mei", "Jia", "Hao", "Xiaoling", "Jun", "Yan", "Lin"),
    "japanese": ("Hiroshi", "Yuki", "Kenji", "Haruto", "Aiko", "Sakura"),
    "korean": ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Dong-hyun", "Soo-ah"),
}
LAST_NAMES = {
    "british": ("Thompson", "Hughes", "Clarke", "Whitfield", "Barnes", "Ellis", "Fraser",
                "Holloway", "Marsh", "Pritchard", "Davies", "Campbell"),
    "south_asian": ("Sharma", "Iyer", "Reddy", "Nair", "Patel", "Krishnan", "Menon", "Rao",
                    "Gupta", "Hegde", "Kulkarni", "Banerjee", "Chatterjee", "Desai", "Pillai",
                    "Joshi"),
    "west_african": ("Okafor", "Mensah", "Adeyemi", "Boateng", "Eze", "Owusu", "Balogun",
                     "Asante"),
    "german": ("Schneider", "Fischer", "Weber", "Hoffmann", "Becker", "Wagner"),
    "southern_european": ("Rossi", "Costa", "Ferrari", "Moreno", "Romano", "Papadopoulos",
                          "Navarro"),
    "polish": ("Kowalski", "Nowak", "Wiśniewski", "Zieliński", "Lewandowski"),
    "turkish": ("Yılmaz", "Demir", "Kaya", "Şahin"),
    "american": ("Johnson", "Miller", "Brooks", "Carter", "Sullivan", "Reed", "Coleman",
                 "Hayes", "Porter", "Bennett"),
    "hispanic": ("García", "Rodríguez", "Martínez", "Fernández", "Morales", "Ortega", "Vargas",
                 "Castillo"),
    "brazilian": ("Silva", "Oliveira", "Souza", "Santos", "Pereira", "Almeida"),
    "chinese": ("Chen", "Wang", "Liu", "Zhang", "Huang", "Lin", "Zhou", "Wu"),
    "japanese": ("Tanaka", "Sato", "Suzuki", "Watanabe", "Ito", "Nakamura"),
    "korean": ("Kim", "Park", "Lee", "Choi", "Jung", "Kang"),
}


@dataclass(frozen=True)
class DemoPerson:
    """A demo login with a fixed e-mail address."""

    email: str
    display_name: str
    place: Place


DEMO_ORGANISER = DemoPerson("organiser@acme.example", "Olivia Hartley", LONDON)
DEMO_REVIEWER = DemoPerson("reviewer@acme.example", "Ravi Subramanian", BENGALURU)
DEMO_SPEAKER = DemoPerson("speaker@acme.example", "Sam Okafor", LONDON)
DEMO_ATTENDEE = DemoPerson("attendee@acme.example", "Alex Morgan", NEW_YORK)
SECOND_ORGANISER = DemoPerson("daniela.ruiz@acme.example", "Daniela Ruiz", NEW_YORK)

# --- review phase -------------------------------------------------------------------------

# (name, weight, description); every criterion is scored 1-5.
RUBRIC = (
    ("Relevance", 2, "How much does this matter to engineers at Acme this year?"),
    ("Clarity", 1, "Is it clear what the session covers and who it is for?"),
    ("Value for other teams", 2, "Will people outside the speaker's team take something away?"),
)
RUBRIC_SCALE = (1, 5)
# London wall-clock time; stored as a UTC instant.
REVIEW_CLOSES = (date(2027, 2, 14), time(23, 59))

PROPOSAL_CONFLICT_REASONS = (
    ("declared", "I mentored the speaker while they prepared this talk."),
    ("declared", "I co-wrote the design document this talk is based on."),
    ("organiser", "The reviewer manages the submitting team."),
)
SPEAKER_CONFLICT_REASON = "Same team: we work together every day."

ORGANISER_COMMENTS = {
    "strong": (
        "A strong proposal with a clear story and numbers to back it up.",
        "Exactly the kind of cross-team lesson the summit is for.",
        "Well scoped for the format; I would put this in a big room.",
        "The speaker clearly lived through this; it will resonate.",
    ),
    "mixed": (
        "Interesting topic, but the abstract does not say what people will take away.",
        "Solid, though it overlaps with another proposal in the same track.",
        "Could work well if the speaker narrows the scope.",
        "Relevant mostly to one team; worth it if we have room.",
    ),
    "weak": (
        "Feels like an internal status update rather than a talk.",
        "The abstract is vague about what was actually learned.",
        "Too much ground for the format; it would end up rushed.",
        "Covered at last year's summit with little new since.",
    ),
}
SPEAKER_COMMENTS = (
    "Consider leading with the incident story; it is the most compelling part.",
    "A diagram of the before and after architecture would help a lot.",
    "Say explicitly who the audience is and what they should already know.",
    "The title undersells the content; make it more concrete.",
    "Leave time for questions; people will have many.",
    "Numbers on cost or time saved would make the case stronger.",
)

# Decisions taken by the demo from the review ranking.
ACCEPTED_PROPOSALS = 30  # including the demo speaker's, which awaits confirmation
CONFIRMED_SHARE = 0.6
WAITLISTED_PROPOSALS = 5
REJECTED_PROPOSALS = 12

# --- audience ------------------------------------------------------------------------------

# More attendees beyond ATTENDEE_PLACES, marking the talks they want to attend.
EXTRA_ATTENDEE_PLACES = ((LONDON, 70), (NEW_YORK, 60), (BENGALURU, 70), (BERLIN, 12),
                         (LOS_ANGELES, 14), (SINGAPORE, 12), (SYDNEY, 8), (SAO_PAULO, 8),
                         (TORONTO, 6))
MARKS_PER_ATTENDEE = (3, 12)
DEMO_ATTENDEE_MARKS = 6
# Zipf exponent of talk popularity: a few talks draw most of the crowd.
POPULARITY_EXPONENT = 1.1
