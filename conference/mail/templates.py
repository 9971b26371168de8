"""E-mail wording: built-in defaults that organisers may override per conference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from conference.extensions import db
from conference.mail.models import EmailTemplate

# Organisers edit these texts, so they render in a sandbox: no attribute tricks, no imports.
_environment = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)


@dataclass(frozen=True)
class DefaultTemplate:
    label: str
    subject: str
    body: str
    placeholders: tuple[str, ...]


DEFAULT_TEMPLATES: dict[str, DefaultTemplate] = {
    "co_speaker_invitation": DefaultTemplate(
        "Co-speaker invitation",
        "{{ inviter }} invites you to co-present at {{ conference }}",
        "Hello,\n\n{{ inviter }} would like you to co-present “{{ title }}” at {{ conference }}.\n\n"
        "Accept or decline here: {{ link }}\n",
        ("inviter", "title", "conference", "link"),
    ),
    "access_code_invitation": DefaultTemplate(
        "Access code to submit a proposal",
        "Your invitation to propose a talk at {{ conference }}",
        "Hello,\n\n{{ sender }} invites you to propose a talk at {{ conference }}.\n\n"
        "{{ limits }}\n\nPropose your talk through this link, which opens the form for you: {{ link }}\n",
        ("sender", "conference", "note", "limits", "link"),
    ),
    "decision_accepted": DefaultTemplate(
        "Proposal accepted",
        "Accepted: {{ title }}",
        "Hello {{ speaker }},\n\nGreat news: “{{ title }}” is accepted for {{ conference }}.\n\n"
        "Please confirm that you will present it: {{ link }}\n\n{{ comments }}",
        ("speaker", "title", "conference", "link", "comments"),
    ),
    "decision_rejected": DefaultTemplate(
        "Proposal not accepted",
        "About your proposal: {{ title }}",
        "Hello {{ speaker }},\n\nThank you for proposing “{{ title }}” for {{ conference }}. "
        "We could not fit it into the programme this time.\n\n{{ comments }}",
        ("speaker", "title", "conference", "link", "comments"),
    ),
    "decision_waitlisted": DefaultTemplate(
        "Proposal waitlisted",
        "Waitlisted: {{ title }}",
        "Hello {{ speaker }},\n\n“{{ title }}” is on the waiting list for {{ conference }}. "
        "We will tell you as soon as a slot frees up.\n\n{{ comments }}",
        ("speaker", "title", "conference", "link", "comments"),
    ),
    "confirmation_reminder": DefaultTemplate(
        "Reminder to confirm",
        "Please confirm: {{ title }}",
        "Hello {{ speaker }},\n\n“{{ title }}” was accepted for {{ conference }}, and we still need "
        "your confirmation: {{ link }}\n",
        ("speaker", "title", "conference", "link"),
    ),
    "review_reminder": DefaultTemplate(
        "Reminder to review",
        "{{ open_reviews }} reviews waiting for you at {{ conference }}",
        "Hello {{ reviewer }},\n\nYou have {{ open_reviews }} proposals left to review for "
        "{{ conference }}: {{ link }}\n",
        ("reviewer", "open_reviews", "conference", "link"),
    ),
    "schedule_slot": DefaultTemplate(
        "Your slot in the schedule",
        "Scheduled: {{ title }} on {{ when }}",
        "Hello {{ speaker }},\n\n“{{ title }}” is scheduled at {{ conference }}:\n\n"
        "When: {{ when }}\nWhere: {{ where }}\n{{ join }}\nSchedule: {{ link }}\n",
        ("speaker", "title", "conference", "when", "where", "join", "link"),
    ),
    "schedule_change": DefaultTemplate(
        "Your slot changed",
        "Schedule change: {{ title }}",
        "Hello {{ speaker }},\n\nThe schedule of {{ conference }} changed for “{{ title }}”.\n\n"
        "{{ change }}\n{{ join }}\nWhat changed: {{ link }}\n",
        # ``change`` says what changed in lines (a room-only move names both rooms and the time
        # once); the other placeholders stay for organisers' own wording.
        ("speaker", "title", "conference", "change", "previous", "previous_where", "when", "where", "join",
         "link"),
    ),
    "feedback_reminder": DefaultTemplate(
        "Feedback reminder to attendees",
        "How was “{{ title }}”?",
        "Hello,\n\nYou starred “{{ title }}” at {{ conference }} ({{ when }}). "
        "The speakers would love to hear what you thought; it takes a minute and they never "
        "see who said what:\n\n{{ link }}\n",
        ("title", "conference", "when", "link"),
    ),
    "attendance_seat": DefaultTemplate(
        "Seat from the attendance waiting list",
        "You have a seat at {{ hub }} for {{ conference }}",
        "Hello {{ attendee }},\n\nA seat freed up: you are no longer on the waiting list and now "
        "attend {{ conference }} in person at {{ hub }} on {{ days }} (dates in {{ time_zone }}).\n\n"
        "If you can no longer come, please cancel or change your days so that the next person "
        "gets the seat: {{ link }}\n",
        ("attendee", "conference", "hub", "days", "time_zone", "link"),
    ),
    "attendance_dates_changed": DefaultTemplate(
        "Days removed by new conference dates",
        "{{ conference }} has new dates: days of your registration are removed",
        "Hello {{ attendee }},\n\nThe dates of {{ conference }} changed: it now runs {{ new_dates }} "
        "(dates in {{ time_zone }}; each hub keeps them in its own calendar).\n\n"
        # One sentence per number, so that organisers see how to reword both.
        "{% if removed_count == 1 %}This day of your registration is no longer part of the conference "
        "and was removed:{% else %}These days of your registration are no longer part of the conference "
        "and were removed:{% endif %}\n{{ removed_days }}\n\n{{ what_is_left }}\n\n{{ what_to_do }}\n",
        # ``removed_days`` lists the days, one a line, in the person's own zone too;
        # ``what_to_do`` ends with ``link``.
        ("attendee", "conference", "new_dates", "time_zone", "removed_days", "removed_count", "what_is_left",
         "what_to_do", "link"),
    ),
}


class TemplateProblem(ValueError):
    """An organiser's template does not render; the message says why."""


def template_text(conference_id: int, kind: str) -> tuple[str, str]:
    """(subject, body) source for ``kind``: the conference's own wording, else the default."""
    override = db.session.scalar(
        select(EmailTemplate).where(
            EmailTemplate.conference_id == conference_id, EmailTemplate.kind == kind
        )
    )
    if override is not None:
        return override.subject, override.body
    default = DEFAULT_TEMPLATES[kind]
    return default.subject, default.body


def render_text(subject: str, body: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render a subject and body; raises TemplateProblem with a readable reason."""
    try:
        rendered_subject = _environment.from_string(subject).render(context)
        rendered_body = _environment.from_string(body).render(context)
    except TemplateError as error:
        raise TemplateProblem(str(error)) from error
    except (ArithmeticError, LookupError, TypeError, ValueError) as error:
        # Organisers' text can compute: ``{{ 1 / (removed_count - 1) }}`` previews with the sample
        # values and fails only for some real person; that is the template's fault, not the app's.
        raise TemplateProblem(f"{type(error).__name__}: {error}") from error
    return " ".join(rendered_subject.split()), rendered_body


def render_email(conference_id: int, kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """The (subject, body) of a ``kind`` e-mail at a conference for ``context``."""
    subject, body = template_text(conference_id, kind)
    return render_text(subject, body, context)
