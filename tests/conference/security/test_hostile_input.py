"""Hostile input through every form, and out through every output.

Markup, script links, formula prefixes and iCalendar break-outs are accepted where free text
belongs and must come out inert: escaped or stripped in pages, plain in e-mails, prefixed in
CSV, folded inside one property in ICS, well-formed in XML and JSON. Values that cannot be
right (NUL bytes, a megabyte in a name, unknown zones, impossible dates, an end before its
start) are refused with a form error, a 400 or a 413, never a 500, and never stored cut short.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import timedelta
from html.parser import HTMLParser

import icalendar
import pytest
from sqlalchemy import String, Text, func, select

from conference.extensions import db as _db
from conference.mail.models import OutboxMessage
from conference.mail.sender import build_message
from conference.schedule.models import ScheduledTalk
from tests.conference.feeds.test_exports import _validate_json, _validate_xml
from tests.conference.security import corpus
from tests.conference.security.access_expectations import EXPECTATIONS
from tests.conference.security.conftest import url_rules, url_values

RULES = url_rules()
CRAWLING_ROLES = ("anonymous", "attendee", "speaker", "reviewer", "organiser")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "background",
    "data",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- checking outputs ----------------------------------------------------------------------------


class _Inspector(HTMLParser):
    """Collects what could run in a browser: inline scripts, event handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name in URL_ATTRIBUTES and value:
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if squeezed.startswith(("javascript:", "vbscript:")) or (
                    squeezed.startswith("data:") and not squeezed.startswith("data:image/")
                ):
                    self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            if name == "style" and value and "expression(" in value.lower():
                self.problems.append(f"<{tag} style={value[:60]!r}>")
        if tag == "script":
            self._in_script = True
            if not dict(attrs).get("src"):
                self.problems.append("inline <script> element")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"script content {data.strip()[:60]!r}")


def html_problems(text: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(text)
    inspector.close()
    problems = inspector.problems
    if "1337" in text:
        problems.append("a template expression from user input was evaluated")
    return problems


def stored_columns_containing(marker: str) -> list[str]:
    """table.column names whose stored text contains ``marker``."""
    found = []
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                count = _db.session.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(column.contains(marker, autoescape=True))
                )
                if count:
                    found.append(f"{table.name}.{column.name}")
    _db.session.rollback()
    return found


def vevent_count(body: bytes) -> int:
    """VEVENT components, counted by a real parser and by the raw lines; they must agree."""
    calendar = icalendar.Calendar.from_ical(body)
    parsed = len(calendar.walk("VEVENT"))
    raw = sum(1 for line in body.split(b"\r\n") if line == b"BEGIN:VEVENT")
    assert parsed == raw, (parsed, raw)
    return parsed


# --- one world, filled with hostile text through the UI, read back everywhere ------------------


def _ok(response, what: str) -> None:
    assert response.status_code in (200, 302), (
        what,
        response.status_code,
        response.get_data(as_text=True)[:2000],
    )


def _fill_with_hostile_text(world, clients) -> None:
    slug = world.slug
    speaker, organiser = clients["speaker"], clients["organiser"]
    _ok(
        clients["attendee"].post(
            "/account", data={"display_name": corpus.HOSTILE_NAME, "time_zone": "Europe/London"}
        ),
        "attendee name",
    )
    _ok(
        speaker.post(
            "/account", data={"display_name": corpus.HOSTILE_NAME, "time_zone": "Europe/London"}
        ),
        "speaker name",
    )
    _ok(
        speaker.post(
            f"/c/{slug}/speaker/profile",
            data={
                "display_name": corpus.HOSTILE_NAME,
                "bio": corpus.LONG_HOSTILE,
                "time_zone": "Europe/London",
                "hub_id": str(world.hub.id),
                "presentation_mode": "in_person",
                "recording_consent": "yes",
            },
        ),
        "speaker profile",
    )
    _ok(
        speaker.post(
            f"/c/{slug}/proposals/{world.submission.id}/edit",
            data={
                "title": corpus.HOSTILE_TITLE,
                "abstract": corpus.LONG_HOSTILE,
                "notes_to_organisers": corpus.LONG_HOSTILE,
                "session_format_id": str(world.session_format.id),
                "track_id": str(world.track.id),
                "audience_level": "beginner",
                "lock_version": str(world.submission.lock_version),
                "submit": "Submit",
                f"answer_{world.cfp_question.id}": corpus.HOSTILE_TITLE,
                f"answer_{world.cfp_choice_question.id}": "Longer",
            },
        ),
        "proposal",
    )
    # E-mails whose subjects carry a hostile name: an invitation (while the proposal is open)
    # and a password reset.
    _ok(
        speaker.post(
            f"/c/{slug}/proposals/{world.submission.id}/co-speakers",
            data={"email": "friend@example.com"},
        ),
        "invitation",
    )
    _ok(
        clients["anonymous"].post("/password-reset", data={"email": "attendee@example.com"}),
        "password reset",
    )
    _ok(
        clients["reviewer"].post(
            f"/c/{slug}/reviews/{world.submission.id}",
            data={
                "lock_version": "0",
                f"score_{world.criterion.id}": "5",
                "comment_for_organisers": corpus.LONG_HOSTILE,
                "comment_for_speaker": corpus.LONG_HOSTILE,
            },
        ),
        "review",
    )
    _ok(
        organiser.post(
            f"/c/{slug}/proposals/{world.talk.id}/discussion",
            data={"comment-body": corpus.LONG_HOSTILE, "comment-back": "manage"},
        ),
        "discussion comment",
    )
    _ok(
        organiser.post(
            f"/c/{slug}/manage/proposals/{world.submission.id}/decision",
            data={"decision": "accepted"},
        ),
        "decision",
    )
    manage = f"/c/{slug}/manage"
    for url, data in (
        (
            "/settings",
            {
                "name": corpus.HOSTILE_NAME,
                "description": corpus.LONG_HOSTILE,
                "starts_on": world.conference.starts_on.isoformat(),
                "ends_on": world.conference.ends_on.isoformat(),
                "time_zone": "Europe/London",
                "anonymised_review": "y",
                "reviewers_per_proposal": "2",
            },
        ),
        (
            f"/hubs/{world.hub.id}/edit",
            {
                "name": corpus.HOSTILE_NAME,
                "time_zone": "Europe/London",
                "working_day_starts": "09:00",
                "working_day_ends": "17:30",
            },
        ),
        (
            f"/rooms/{world.room.id}/edit",
            {
                "name": corpus.HOSTILE_NAME,
                "hub": str(world.hub.id),
                "capacity": "50",
                "has_streaming": "y",
            },
        ),
        (
            f"/tracks/{world.track.id}/edit",
            {"name": corpus.HOSTILE_NAME, "description": corpus.LONG_HOSTILE, "colour": "#336699"},
        ),
        (
            f"/formats/{world.session_format.id}/edit",
            {"name": corpus.SHORT_MARKUP, "duration_minutes": "30"},
        ),
        (
            f"/rubric/{world.criterion.id}/edit",
            {
                "name": corpus.SHORT_MARKUP,
                "description": corpus.LONG_HOSTILE,
                "weight": "1",
                "scale_min": "1",
                "scale_max": "5",
            },
        ),
        (
            "/conflicts",
            {
                "reviewer_id": str(world.users["reviewer"].id),
                "proposal_id": str(world.other_talk.id),
                "speaker_id": "0",
                "reason": corpus.SHORT_MARKUP,
            },
        ),
        (
            "/emails/decision_accepted",
            {
                "subject": "Accepted: {{ title }} " + corpus.HEADER_INJECTION,
                "body": corpus.TEMPLATE_HOSTILE + "\n{{ title }}\n{{ comments }}",
                "save": "Save",
            },
        ),
        (
            "/schedule/setup/blocks",
            {
                "name": corpus.SHORT_MARKUP,
                "day": world.day,
                "starts": "13:00",
                "ends": "14:00",
                "zone": "",
            },
        ),
        (
            "/feedback/questions/new",
            {"prompt": corpus.SHORT_MARKUP, "kind": "text", "required": ""},
        ),
        (
            "/cfp-questions/new",
            {
                "text": "=1+1 " + corpus.SHORT_MARKUP,
                "help_text": corpus.LONG_HOSTILE,
                "kind": "choice",
                "options": f"{corpus.SHORT_MARKUP}\n{corpus.FORMULAS[0]}",
                "reviewer_visibility": "always",
            },
        ),
        (
            f"/cfp-questions/{world.cfp_choice_question.id}/edit",
            {
                "text": corpus.HOSTILE_NAME,
                "help_text": corpus.SHORT_MARKUP,
                "kind": "choice",
                # "Longer", the submission's answer, is no longer an option: shown marked.
                "options": f"{corpus.SHORT_MARKUP}\nUnder a year",
                "reviewer_visibility": "always",
            },
        ),
        (
            "/topics/new",
            {"name": "Topic " + corpus.SHORT_MARKUP, "description": corpus.SHORT_MARKUP},
        ),
        (f"/topics/talks/{world.talk.id}/attach", {"topic": "Tag " + corpus.SHORT_MARKUP}),
        # The organisers' tag on the talk (shown to its reviewer too), a formula first for the CSV.
        (
            f"/tags/{world.proposal_tag.id}/edit",
            {"name": "=1+1 " + corpus.SHORT_MARKUP, "colour": "red", "description": corpus.SHORT_MARKUP,
             "visible_to_reviewers": "y"},
        ),
    ):
        _ok(organiser.post(manage + url, data=data), url)
    # The hostile proposal joins the draft (the solver's job), and the organiser publishes.
    starts = world.draft_talk.starts_at + timedelta(hours=1)
    _db.session.add(
        ScheduledTalk(
            version_id=world.draft.id,
            proposal_id=world.submission.id,
            room_id=world.room.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
        )
    )
    _db.session.commit()
    response = organiser.post(f"{manage}/schedule/publish", data={"note": corpus.LONG_HOSTILE})
    assert response.status_code == 302 and "/versions" in response.headers["Location"], (
        response.headers
    )
    _ok(organiser.post(f"{manage}/decisions/emails"), "decision e-mails")
    links = f"/c/{slug}/talks/{world.talk.id}/materials/links"
    for url in (
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        " JaVaScRiPt:alert(1)",
    ):
        refused = speaker.post(
            links, data={"link-kind": "recording", "link-url": url, "link-title": "x"}
        )
        assert refused.status_code == 422, url
    _ok(
        speaker.post(
            links,
            data={
                "link-kind": "recording",
                "link-url": "https://video.example.com/watch/9",
                "link-title": corpus.HOSTILE_NAME,
            },
        ),
        "recording link",
    )
    rating = {f"answer_{q.id}": "4" for q in world.questions if q.kind.value == "rating"}
    _ok(
        clients["attendee"].post(
            f"/c/{slug}/talks/{world.talk.id}/feedback",
            data={"lock_version": "0", "comment": corpus.LONG_HOSTILE, **rating},
        ),
        "feedback",
    )


def _crawl_urls(values) -> list[str]:
    urls = []
    for rule in RULES:
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        overrides = EXPECTATIONS[rule.endpoint].values
        built = {name: values[overrides.get(name, name)] for name in rule.arguments}
        urls.append(rule.build(built, append_unknown=False)[1])
    return urls


def test_hostile_text_is_inert_in_every_output(app, db, world, clients):
    _fill_with_hostile_text(world, clients)
    values = url_values(world)
    searches = [
        "/archive?q=evil",
        "/archive?q=script",
        "/archive?speaker=Mallory",
        f"/c/{world.slug}/talks/?q=evil",
        f"/c/{world.slug}/manage/ranking?sort=title",
    ]
    problems = []
    for url in _crawl_urls(values) + searches:
        for role in CRAWLING_ROLES:
            response = clients[role].get(url)
            response.close()
            if response.status_code >= 500:
                problems.append(f"GET {url} as {role}: {response.status_code}")
            elif response.mimetype == "text/html":
                problems += [
                    f"GET {url} as {role}: {p}"
                    for p in html_problems(response.get_data(as_text=True))
                ]
    assert not problems, "\n".join(problems)

    # The markup is really there, escaped, so the checks above looked at it.
    talk_page = clients["anonymous"].get(f"/c/{world.slug}/agenda/talks/{world.submission.id}")
    assert talk_page.status_code == 200
    assert "&lt;script&gt;" in talk_page.get_data(as_text=True)
    found = clients["anonymous"].get("/archive?q=evil").get_data(as_text=True)
    assert "HYPERLINK" in found and "&lt;script&gt;" in found, (
        "search results show the hostile talk, escaped"
    )

    _check_calendars(world, clients)
    _check_exports(world, clients)
    _check_ranking_csv(world, clients)
    _check_emails()
    atom = clients["anonymous"].get("/archive/recordings.atom")
    assert atom.status_code == 200
    ElementTree.fromstring(atom.data)  # noqa: S314 - our own output; must be well-formed


def _check_calendars(world, clients) -> None:
    slug = world.slug
    expected = {
        f"/c/{slug}/calendar.ics": 3,
        f"/c/{slug}/tracks/{world.track.id}/calendar.ics": 3,
        f"/c/{slug}/hubs/{world.hub.id}/calendar.ics": 2,
        f"/c/{slug}/hubs/online/calendar.ics": 1,
        f"/c/{slug}/speakers/{world.users['speaker'].id}/calendar.ics": 2,
        f"/c/{slug}/feeds/{world.feed_token.token}/starred.ics": 1,
    }
    for url, count in expected.items():
        response = clients["anonymous"].get(url)
        assert response.status_code == 200, url
        assert vevent_count(response.data) == count, url
        assert b"injected@evil" not in response.data.replace(b"\r\n ", b"").split(b"UID:")[0]
        uids = [
            str(event["UID"])
            for event in icalendar.Calendar.from_ical(response.data).walk("VEVENT")
        ]
        assert "injected@evil" not in uids
    summaries = [
        str(event["SUMMARY"])
        for event in icalendar.Calendar.from_ical(
            clients["anonymous"].get(f"/c/{slug}/calendar.ics").data
        ).walk("VEVENT")
    ]
    assert any("BEGIN:VEVENT" in summary for summary in summaries), (
        "the hostile title is in one SUMMARY"
    )


def _check_exports(world, clients) -> None:
    xml = clients["anonymous"].get(f"/c/{world.slug}/schedule.xml")
    assert xml.status_code == 200
    _validate_xml(xml.data)
    assert len(ElementTree.fromstring(xml.data).findall("day/room/event")) == 3  # noqa: S314
    document = _validate_json(clients["anonymous"].get(f"/c/{world.slug}/schedule.json").data)
    titles = [
        event["title"]
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]
    assert len(titles) == 3
    assert any("<script>" in title for title in titles), "JSON carries the title as data"


def _check_ranking_csv(world, clients) -> None:
    response = clients["organiser"].get(f"/c/{world.slug}/manage/ranking.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    cells = [cell for row in rows[1:] for cell in row]
    numeric = re.compile(r"-?\d+(\.\d+)?")
    for cell in cells:
        if cell.startswith(FORMULA_STARTS):
            assert numeric.fullmatch(cell), f"CSV cell would be a formula: {cell[:60]!r}"
    assert any(cell.startswith("'=HYPERLINK") for cell in cells), "the hostile title is in the CSV"


def _check_emails() -> None:
    messages = _db.session.scalars(select(OutboxMessage)).all()
    hostile = [m for m in messages if "<script>" in m.body]
    assert hostile, "the hostile decision e-mail was queued"
    assert any("Mallory" in m.subject for m in messages), "a subject carries the hostile name"
    for message in messages:
        assert "\r" not in message.subject and "\n" not in message.subject, message.subject
        built = build_message(message, "conference@example.com")
        assert built["Bcc"] is None and built["X-Injected"] is None
        assert built.get_content_type() == "text/plain"


QUERY_NAMES = (
    "tz",
    "track",
    "hub",
    "mode",
    "view",
    "status",
    "state",
    "sort",
    "order",
    "format",
    "page",
    "q",
    "next",
    "confirm_delete",
    "role",
    "level",
    "session_format",
    "topic",
    "year",
    "speaker",
    "person",
)
QUERY_VALUES = (
    '"><script>alert(1)</script>',
    "javascript:alert(1)",
    "99999999999999999999999999",
    "-1",
    "Europe/London\r\nSet-Cookie: x=1",
    "\u00b2",  # a digit to str.isdigit(), not to int()
)


@pytest.mark.parametrize("value", QUERY_VALUES)
def test_hostile_query_strings_are_inert_on_every_page(fresh, value):
    """Filters, zones and ``next`` from the address bar: never a 500, never reflected as markup."""
    clients = fresh.clients()
    problems = []
    for url in _crawl_urls(fresh.values):
        for role in ("anonymous", "organiser"):
            response = clients[role].get(url, query_string=dict.fromkeys(QUERY_NAMES, value))
            response.close()
            if response.status_code >= 500:
                problems.append(f"GET {url} as {role}: {response.status_code}")
            elif "x=1" in response.headers.get("Set-Cookie", ""):
                problems.append(f"GET {url} as {role}: header injection")
            elif response.mimetype == "text/html":
                problems += [
                    f"GET {url} as {role}: {p}"
                    for p in html_problems(response.get_data(as_text=True))
                ]
            location = response.headers.get("Location", "")
            if (
                location.startswith(("javascript:", "//"))
                or "://" in location
                and "conference.test" not in location
            ):
                problems.append(f"GET {url} as {role}: redirects off-site to {location}")
    assert not problems, "\n".join(problems)


# --- values that cannot be right are refused ---------------------------------------------------

FORM_IDS = [case.name for case in corpus.FORMS]


def _send(clients, case, values, data):
    client = clients[case.role]
    if case.method == "GET":
        return client.get(case.url(values), query_string=data)
    return client.post(case.url(values), data=data)


def _is_refusal(response) -> bool:
    return response.status_code in (200, 400, 403, 409, 413, 422) and response.status_code < 500


@pytest.mark.parametrize("case", corpus.FORMS, ids=FORM_IDS)
def test_nul_bytes_are_refused_with_400(fresh, case):
    values = fresh.values
    clients = fresh.clients()
    for name in case.field_names(values) or ("anything",):
        data = {**case.data(values), name: corpus.NUL}
        response = _send(clients, case, values, data)
        assert response.status_code == 400, (case.name, name, response.status_code)


@pytest.mark.parametrize(
    "case",
    [c for c in corpus.FORMS if c.text_fields],
    ids=[c.name for c in corpus.FORMS if c.text_fields],
)
def test_oversized_text_is_refused_never_stored(fresh, case):
    values = fresh.values
    for name in case.text_field_names(values):
        fresh.restore()
        response = _send(fresh.clients(), case, values, {**case.data(values), name: corpus.HUGE})
        assert response.status_code < 500, (case.name, name, response.status_code)
        stored = stored_columns_containing(corpus.HUGE_MARKER)
        assert not stored, (
            f"{case.name}: a megabyte in {name} was stored ({response.status_code}) in {stored}"
        )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_oversized_text_never_reaches_postgresql(app, db, world, clients):
    """PostgreSQL refuses over-long VARCHARs with an error, so a missing length check is a 500 there."""
    values = url_values(world)
    problems = []
    for case in corpus.FORMS:
        for name in case.text_field_names(values):
            response = _send(clients, case, values, {**case.data(values), name: corpus.HUGE})
            if response.status_code >= 500:
                problems.append(f"{case.name}.{name}: {response.status_code}")
    assert not problems, problems
    assert not stored_columns_containing(corpus.HUGE_MARKER)


ZONE_CASES = [c for c in corpus.FORMS if c.zone_fields]


@pytest.mark.parametrize("case", ZONE_CASES, ids=[c.name for c in ZONE_CASES])
def test_unknown_time_zones_are_form_errors(fresh, case):
    values = fresh.values
    for name in case.zone_fields:
        for zone in corpus.INVALID_ZONES:
            fresh.restore()
            response = _send(fresh.clients(), case, values, {**case.data(values), name: zone})
            assert _is_refusal(response), (case.name, name, zone, response.status_code)
            assert not stored_columns_containing(zone), (case.name, name, zone)


DATE_CASES = [c for c in corpus.FORMS if c.date_fields or c.time_fields or c.datetime_fields]


@pytest.mark.parametrize("case", DATE_CASES, ids=[c.name for c in DATE_CASES])
def test_impossible_dates_and_times_are_form_errors(fresh, case):
    values = fresh.values
    bad = (
        [(name, value) for name in case.date_fields for value in corpus.IMPOSSIBLE_DATES]
        + [(name, value) for name in case.time_fields for value in corpus.IMPOSSIBLE_TIMES]
        + [(name, value) for name in case.datetime_fields for value in corpus.IMPOSSIBLE_DATETIMES]
    )
    for name, value in bad:
        fresh.restore()
        response = _send(fresh.clients(), case, values, {**case.data(values), name: value})
        assert _is_refusal(response), (case.name, name, value, response.status_code)


END_CASES = [c for c in corpus.FORMS if c.end_before_start]


@pytest.mark.parametrize("case", END_CASES, ids=[c.name for c in END_CASES])
def test_an_end_before_its_start_is_a_form_error(fresh, case):
    start_field, end_field, start, end = case.end_before_start
    data = {**case.data(fresh.values), start_field: start, end_field: end}
    response = _send(fresh.clients(), case, fresh.values, data)
    assert _is_refusal(response), (case.name, response.status_code)


@pytest.mark.parametrize("case", corpus.FORMS, ids=FORM_IDS)
def test_each_form_accepts_its_valid_data(fresh, case):
    """The corpus's valid data really is valid, so the refusals above are about the bad value."""
    response = _send(fresh.clients(), case, fresh.values, case.data(fresh.values))
    expected = (200,) if case.method == "GET" else (302, 303)
    assert response.status_code in expected, (
        case.name,
        response.status_code,
        response.get_data(as_text=True)[:3000],
    )


def test_ids_too_large_for_the_database_are_not_found(fresh):
    """An id beyond what an INTEGER column holds is a 404 at routing, not an overflow in SQL."""
    client = fresh.clients()["organiser"]
    problems = []
    for rule in RULES:
        overrides = EXPECTATIONS[rule.endpoint].values
        values = {name: fresh.values[overrides.get(name, name)] for name in rule.arguments}
        for name in re.findall(r"<int:(\w+)>", rule.rule):
            path = rule.build({**values, name: 2**64})[1]
            for method in sorted(set(rule.methods) & {"GET", "POST"}):
                response = client.open(path, method=method)
                response.close()
                if response.status_code != 404:
                    problems.append(f"{method} {path}: {response.status_code}")
    assert not problems, problems


PATH_VALUES = ("2027-02-30", "' OR 1=1 --", "\u202eevil", "x" * 3000, "%ff")


@pytest.mark.parametrize("value", PATH_VALUES)
def test_hostile_text_in_path_segments_is_never_a_server_error(fresh, value):
    """Days, tokens, template kinds, hub ids and topic slugs taken from the address."""
    clients = fresh.clients()
    problems = []
    for rule in RULES:
        texts = [
            name
            for name in rule.arguments
            if f"<int:{name}>" not in rule.rule and name != "filename"
        ]
        if not texts:
            continue
        overrides = EXPECTATIONS[rule.endpoint].values
        values = {name: fresh.values[overrides.get(name, name)] for name in rule.arguments}
        for name in texts:
            path = rule.build({**values, name: value})[1]
            for method in sorted(set(rule.methods) & {"GET", "POST"}):
                for role in ("anonymous", "organiser"):
                    response = clients[role].open(path, method=method)
                    response.close()
                    if response.status_code >= 500:
                        problems.append(f"{method} {path[:120]} as {role}: {response.status_code}")
    assert not problems, problems


@pytest.mark.parametrize("number", ["\u00b2", "99999999999999999999999", "0"])
def test_ids_in_forms_beyond_the_database_are_refused(fresh, number):
    """Ids typed into forms and paths: a clear refusal, never an overflow or ValueError (500)."""
    slug, clients = fresh.values["slug"], fresh.clients()
    organiser = clients["organiser"]
    answers = {
        "assignment": organiser.post(
            f"/c/{slug}/manage/assignments/add",
            data={"proposal_id": number, "reviewer_id": str(fresh.values["reviewer_id"])},
        ),
        "open rooms": organiser.post(
            f"/c/{slug}/manage/schedule/setup/rooms", data={"open": f"{number}:{number}"}
        ),
        "bulk decision": organiser.post(
            f"/c/{slug}/manage/decisions", data={"proposal_ids": [number], "decision": "accepted"}
        ),
        "hub feed": clients["anonymous"].get(f"/c/{slug}/hubs/{number}/calendar.ics"),
        "ranking": organiser.get(
            f"/c/{slug}/manage/ranking", query_string={"track": number, "format": number}
        ),
    }
    expected = {
        "assignment": 400,
        "open rooms": 302,
        "bulk decision": 302,
        "hub feed": 404,
        "ranking": 200,
    }
    assert {name: response.status_code for name, response in answers.items()} == expected


def test_a_body_over_the_limit_is_refused_with_413(fresh):
    response = fresh.clients()["speaker"].post(
        f"/c/{fresh.values['slug']}/speaker/profile", data={"bio": "x" * (17 * 1024 * 1024)}
    )
    assert response.status_code == 413
