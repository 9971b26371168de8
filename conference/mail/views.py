"""Organisers edit e-mail wording and watch the outbox; delivery is woken after requests.

Access as in the organisers area: the conference, then the ORGANISER role there (403 for
anyone else), then objects scoped to that conference (404 otherwise).
"""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from sqlalchemy import func, select
from wtforms.fields import SelectChoice

from conference.conferences.access import conference_with_role
from conference.conferences.models import Conference, Role
from conference.core.forms import parse_id
from conference.core.paging import Page, PageSpot
from conference.core.text import folded
from conference.extensions import db
from conference.mail import compose, operations
from conference.mail.forms import ActionForm, ComposeForm, EmailTemplateForm
from conference.mail.models import EmailTemplate, OutboxMessage, OutboxState
from conference.mail.templates import DEFAULT_TEMPLATES, TemplateProblem, render_text, template_text
from conference.proposals.models import ProposalState

blueprint = Blueprint("mail", __name__)
OUTBOX_PAGE_SIZE = 50
OUTBOX_SEARCH_MAX = 200


@blueprint.teardown_app_request
def wake_sender(error) -> None:
    """After a successful request that queued e-mails, ask the worker to send them now."""
    if error is not None or not g.get("mail_delivery_requested"):
        return
    if not current_app.config.get("MAIL_WAKE_SENDER", not current_app.testing):
        return
    try:
        from conference.tasks import send_outbox_now

        send_outbox_now()
    except Exception:  # noqa: BLE001 - the every-minute task sends them anyway
        current_app.logger.warning("Could not wake the mail sender; the periodic task will send.", exc_info=True)


def sample_context(conference: Conference) -> dict:
    """Example values for every placeholder, used for previews and to validate templates."""
    return {
        "speaker": "Ada Lovelace",
        "reviewer": "Grace Hopper",
        "inviter": "Alan Turing",
        "title": "Scaling our build farm",
        "conference": conference.name,
        "link": url_for("conferences.overview", slug=conference.slug, _external=True),
        "comments": "Comments from the reviewers:\n\n* Clear scope; add a demo.\n",
        "open_reviews": 3,
        "when": "Wed 24 Mar 2027, 14:00–14:30 Europe/London",
        "previous": "Wed 24 Mar 2027, 10:00–10:30 Europe/London",
        "where": "Main Hall (London)",
        "previous_where": "Side Room (London)",
        "change": (
            "The time and the room changed.\n"
            "Before: Wed 24 Mar 2027, 10:00–10:30 Europe/London, Side Room (London)\n"
            "Now: Wed 24 Mar 2027, 14:00–14:30 Europe/London, Main Hall (London)"
        ),
        "join": "You present remotely: join the online stream at the link below.",
        "sender": "Margaret Hamilton",
        "note": "For the platform team's keynote.",
        "limits": "The code lets you propose a talk in the Infrastructure track until Mon 1 Mar 2027, "
        "23:59 Europe/London.",
        "attendee": "Katherine Johnson",
        "hub": "London",
        "days": "Wed 24 Mar 2027 and Thu 25 Mar 2027",
        "time_zone": "Europe/London",
        "new_dates": "from Thu 25 Mar 2027 to Fri 26 Mar 2027",
        "removed_count": 1,
        "removed_days": "  - Wed 24 Mar 2027 at London (Europe/London), where you had a seat",
        "what_is_left": "You still attend in person at London on Thu 25 Mar 2027.",
        "what_to_do": "You can choose other days until registration closes: "
        + url_for("conferences.overview", slug=conference.slug, _external=True),
    }


def _known_kind(kind: str) -> str:
    if kind not in DEFAULT_TEMPLATES:
        abort(404)
    return kind


@blueprint.route("/c/<slug>/manage/emails")
@login_required
def templates(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    customised = set(
        db.session.scalars(select(EmailTemplate.kind).where(EmailTemplate.conference_id == conference.id))
    )
    return render_template(
        "mail/templates.html", conference=conference, defaults=DEFAULT_TEMPLATES,
        customised=customised, action_form=ActionForm(),
    )


def _validate(form: EmailTemplateForm, context: dict) -> tuple[str, str] | None:
    """Render both parts with sample values; a problem becomes an error on that field."""
    subject = body = None
    # Before a form is validated (a GET), WTForms keeps its errors in a tuple.
    form.subject.errors, form.body.errors = list(form.subject.errors), list(form.body.errors)
    try:
        subject = render_text(form.subject.data, "", context)[0]
    except TemplateProblem as problem:
        form.subject.errors.append(f"The subject does not render: {problem}. Use only the placeholders listed.")
    try:
        body = render_text("", form.body.data, context)[1]
    except TemplateProblem as problem:
        form.body.errors.append(f"The body does not render: {problem}. Use only the placeholders listed.")
    if subject is None or body is None:
        return None
    return subject, body


COMPOSE_SHOWN = 25


def _compose_form(conference: Conference) -> ComposeForm:
    form = ComposeForm()
    form.track.choices = [SelectChoice("", "Any track")] + [
        SelectChoice(str(track.id), track.name) for track in conference.tracks
    ]
    if not form.batch.data:
        form.batch.data = uuid.uuid4().hex
    return form


def _chosen_recipients(conference: Conference, form: ComposeForm) -> list[compose.Recipient]:
    audience = compose.Audience(form.audience.data)
    states = [ProposalState(value) for value in form.states.data or []]
    track_id = int(form.track.data) if form.track.data else None
    return compose.recipients(conference, audience, states, track_id)


def _chosen_group(conference: Conference, form: ComposeForm) -> dict:
    """The group `_chosen_recipients` reads from the form, described for the activity log."""
    states = [ProposalState(value) for value in form.states.data or []]
    track_id = int(form.track.data) if form.track.data else None
    return compose.group_details(conference, compose.Audience(form.audience.data), states, track_id)


@blueprint.route("/c/<slug>/manage/emails/compose", methods=["GET", "POST"])
@login_required
def compose_email(slug: str):
    """Write one e-mail to a group; Preview shows who gets it and their copy, Send queues it."""
    conference = conference_with_role(slug, Role.ORGANISER)
    form = _compose_form(conference)
    link = url_for("conferences.overview", slug=conference.slug, _external=True)
    people, preview, status = None, None, 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            people = _chosen_recipients(conference, form)
            if not people:
                form.audience.errors.append("Nobody is in this group yet; choose another.")
            else:
                try:
                    preview = render_text(form.subject.data, form.body.data, people[0].context(conference, link))
                except TemplateProblem as problem:
                    form.body.errors.append(
                        f"The e-mail does not render: {problem}. Use only the placeholders listed.")
            if preview is not None and form.send.data:
                if not form.expected.data:
                    form.expected.errors.append("Check who gets it below, then send.")
                elif form.expected.data != str(len(people)):
                    form.expected.errors.append(
                        f"The group changed since your preview: it now has {len(people)} "
                        f"{'person' if len(people) == 1 else 'people'}. Check the list below and send again.")
                else:
                    sent = compose.send(
                        conference, people, form.subject.data, form.body.data, form.batch.data, link,
                        group=_chosen_group(conference, form),
                    )
                    operations.request_delivery()
                    message = f"{sent.queued} e-mail{'' if sent.queued == 1 else 's'} queued"
                    if sent.already:
                        message += f"; {sent.already} had already been queued by an earlier send of this e-mail"
                    flash(message + ".", "success")
                    return redirect(url_for("mail.outbox", slug=conference.slug))
            if preview is not None and not form.expected.errors:
                status = 200
            form.expected.data = str(len(people))
    return render_template(
        "mail/compose.html", conference=conference, form=form, people=people, preview=preview,
        shown=COMPOSE_SHOWN, placeholders=compose.PLACEHOLDERS,
    ), status


@blueprint.route("/c/<slug>/manage/emails/<kind>", methods=["GET", "POST"])
@login_required
def edit_template(slug: str, kind: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    kind = _known_kind(kind)
    context = sample_context(conference)
    if request.method == "GET":
        subject, body = template_text(conference.id, kind)
        form = EmailTemplateForm(data={"subject": subject, "body": body})
    else:
        form = EmailTemplateForm()
    preview, status = None, 200
    if request.method == "GET":
        preview = _validate(form, context)
        form.subject.errors, form.body.errors = [], []
    elif form.validate_on_submit():
        preview = _validate(form, context)
        if preview is not None and form.save.data:
            operations.save_template(conference.id, kind, form.subject.data, form.body.data)
            flash(f"The “{DEFAULT_TEMPLATES[kind].label}” e-mail is saved.", "success")
            return redirect(url_for("mail.edit_template", slug=slug, kind=kind))
        if preview is None:
            status = 422
    else:
        status = 422
    return render_template(
        "mail/edit_template.html", conference=conference, kind=kind, default=DEFAULT_TEMPLATES[kind],
        form=form, preview=preview, action_form=ActionForm(),
    ), status


@blueprint.route("/c/<slug>/manage/emails/<kind>/reset", methods=["POST"])
@login_required
def reset_template(slug: str, kind: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    kind = _known_kind(kind)
    if not ActionForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    operations.reset_template(conference.id, kind)
    flash(f"The “{DEFAULT_TEMPLATES[kind].label}” e-mail uses the built-in wording again.", "success")
    return redirect(url_for("mail.edit_template", slug=slug, kind=kind))


@blueprint.route("/c/<slug>/manage/outbox")
@login_required
def outbox(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    state_value = request.args.get("state", "")
    if state_value not in {state.value for state in OutboxState}:
        state_value = ""
    search = " ".join(request.args.get("q", "").split())[:OUTBOX_SEARCH_MAX]
    asked_page = parse_id(request.args.get("page")) or 1
    conditions = [OutboxMessage.conference_id == conference.id]
    if state_value:
        conditions.append(OutboxMessage.state == OutboxState(state_value))
    wanted = folded(search)
    if wanted:
        conditions.append(OutboxMessage.search_key.contains(wanted, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*conditions)) or 0
    spot = PageSpot.of(asked_page, total, OUTBOX_PAGE_SIZE)
    shown = list(db.session.scalars(
        select(OutboxMessage.id).where(*conditions).order_by(OutboxMessage.id.desc())
        .offset(spot.offset).limit(OUTBOX_PAGE_SIZE)
    ))
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(shown)).order_by(OutboxMessage.id.desc())
    ).all() if shown else []
    counts = dict(
        db.session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.conference_id == conference.id)
            .group_by(OutboxMessage.state)
        ).all()
    )
    filters = {key: value for key, value in (("state", state_value), ("q", search)) if value}
    return render_template(
        "mail/outbox.html", conference=conference, listing=Page(messages, total, spot), states=list(OutboxState),
        counts={OutboxState(state): count for state, count in counts.items()},
        chosen_state=state_value, search=search, search_max=OUTBOX_SEARCH_MAX, filters=filters,
        action_form=ActionForm(),
    )


def _outbox_message(conference: Conference, message_id: int) -> OutboxMessage:
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.conference_id == conference.id)
    )
    if message is None:
        abort(404)
    return message


@blueprint.route("/c/<slug>/manage/outbox/<int:message_id>")
@login_required
def outbox_message(slug: str, message_id: int):
    """One e-mail as it was (or will be) sent: recipient, subject, text and delivery state."""
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "mail/outbox_message.html", conference=conference, message=_outbox_message(conference, message_id),
        action_form=ActionForm(),
    )


@blueprint.route("/c/<slug>/manage/outbox/<int:message_id>/retry", methods=["POST"])
@login_required
def retry(slug: str, message_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    message = _outbox_message(conference, message_id)
    if not ActionForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    if operations.retry_failed(conference.id, message.id):
        operations.request_delivery()
        flash(f"The e-mail to {message.recipient} is queued again.", "success")
    else:
        flash("Only failed e-mails can be retried; this one is not failed.", "info")
    if request.form.get("back") == "message":
        return redirect(url_for("mail.outbox_message", slug=slug, message_id=message.id))
    # Back to the same filtered page of the outbox (the form's action carries its query string).
    back = {key: request.args[key] for key in ("state", "q", "page") if request.args.get(key)}
    return redirect(url_for("mail.outbox", slug=slug, **back))
