"""The knowledge archive: search every published talk, topic pages, and the organisers' tagging.

Reading is public, like the agenda: the archive holds only talks of published schedules that
are still accepted or confirmed. Tagging needs the ORGANISER role at the talk's conference.
"""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import IntegrityError

from conference.agenda import cache as agenda_cache
from conference.archive import operations, queries
from conference.archive.forms import ArchiveSearchForm, AttachTopicForm, TopicForm
from conference.archive.models import TopicTag
from conference.archive.search import search_archive, topics_of
from conference.conferences.access import conference_with_role
from conference.conferences.models import Conference, Role
from conference.core.forms import is_safe_redirect, require_confirm_form
from conference.extensions import db
from conference.proposals.models import Proposal

# cli_group=None: `flask archive-reindex`, not `flask archive archive-reindex`.
blueprint = Blueprint("archive", __name__, cli_group=None)

# Query-string keys of a search, carried by the page links.
SEARCH_ARGS = ("q", "topic", "track", "year", "hub", "speaker", "person")


def _page_number() -> int:
    page = request.args.get("page", default=1, type=int)
    return page if page is not None and 1 <= page <= 100_000 else 1


@blueprint.route("/archive")
def search():
    # Anonymous searches are kept by the agenda's page cache (retired by any archive change).
    if agenda_cache.shared_by_anonymous_viewers():
        return agenda_cache.anonymous_page(
            ("archive search",), lambda: agenda_cache.Rendered.of(_search_page())
        )
    return _search_page()


def _search_page() -> str:
    choices = queries.filter_choices()
    form = ArchiveSearchForm.with_choices(choices, request.args)
    results = None
    if form.validate():
        results = search_archive(form.archive_query(), page=_page_number())
    person = (
        queries.person(form.person.data) if not form.person.errors and form.person.data else None
    )
    return render_template(
        "archive/search.html",
        form=form,
        results=results,
        person=person,
        asked=bool(form.q.data and form.q.data.strip()),
    )


@blueprint.app_template_global("archive_search_url")
def archive_search_url(**changes) -> str:
    """The current search's URL with ``changes`` applied (None removes a key)."""
    args = {key: value for key, value in request.args.items() if key in SEARCH_ARGS and value}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for("archive.search", **args)


@blueprint.route("/archive/topics")
def topics():
    return render_template("archive/topics.html", topics=queries.topics_with_counts())


@blueprint.route("/archive/topics/<slug>")
def topic(slug: str):
    tag = queries.find_topic_by_slug(slug)
    if tag is None:
        abort(404)
    by_year = queries.topic_talks_by_year(tag)
    proposal_ids = [entry.proposal_id for entries in by_year.values() for entry in entries]
    return render_template(
        "archive/topic.html",
        tag=tag,
        by_year=by_year,
        talk_count=len(proposal_ids),
        recordings=queries.recordings_of(proposal_ids),
        people=queries.topic_people(tag),
    )


@blueprint.app_template_global("archive_talk_topics")
def archive_talk_topics(proposal: Proposal) -> list[TopicTag]:
    """The topics of a talk, for the agenda's talk page."""
    return queries.topics_of_talk(proposal.id)


# --- organisers tag their conference's talks ------------------------------------------------


def _tagging_page(conference: Conference, topic_form: TopicForm | None = None, status: int = 200):
    talks = queries.taggable_talks(conference)
    return (
        render_template(
            "archive/tagging.html",
            conference=conference,
            talks=talks,
            talk_topics=topics_of([talk.id for talk in talks]),
            all_topics=queries.all_topics(),
            topic_form=topic_form or TopicForm(formdata=None),
            attach_form=AttachTopicForm(formdata=None),
        ),
        status,
    )


@blueprint.route("/c/<slug>/manage/topics")
def tagging(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return _tagging_page(conference)


@blueprint.route("/c/<slug>/manage/topics/new", methods=["POST"])
def new_topic(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = TopicForm()
    if not form.validate_on_submit():
        return _tagging_page(conference, form, 400)
    try:
        with db.session.begin_nested():
            tag = operations.create_topic(form.name.data, form.description.data or "")
    except operations.TopicExists as error:
        form.name.errors.append(f"{error} Type it into a talk's topic box to use it.")
        return _tagging_page(conference, form, 400)
    except IntegrityError:
        form.name.errors.append("Someone created this topic at the same moment; it exists now.")
        return _tagging_page(conference, form, 400)
    flash(f"Topic “{tag.name}” created. Add it to talks below.", "success")
    return redirect(url_for("archive.tagging", slug=conference.slug))


def _back_to_tagging(conference: Conference, proposal: Proposal):
    target = request.form.get("next")
    if is_safe_redirect(target):
        return redirect(target)
    return redirect(url_for("archive.tagging", slug=conference.slug, _anchor=f"talk-{proposal.id}"))


def _taggable_talk_or_404(conference: Conference, proposal_id: int) -> Proposal:
    proposal = queries.find_taggable_talk(conference, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


@blueprint.route("/c/<slug>/manage/topics/talks/<int:proposal_id>/attach", methods=["POST"])
def attach_topic(slug: str, proposal_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    proposal = _taggable_talk_or_404(conference, proposal_id)
    form = AttachTopicForm()
    if not form.validate_on_submit():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        flash(f"“{proposal.title}” was not tagged: {message}", "error")
        return _back_to_tagging(conference, proposal)
    tag = operations.find_topic(form.topic.data)
    created = tag is None
    if created:
        try:
            with db.session.begin_nested():
                tag = operations.create_topic(form.topic.data)
        except (operations.TopicExists, IntegrityError, ValueError):
            flash(
                f"“{proposal.title}” was not tagged: that topic changed meanwhile; try again.",
                "error",
            )
            return _back_to_tagging(conference, proposal)
    if operations.attach_topic(proposal, tag):
        prefix = f"New topic “{tag.name}” created; " if created else ""
        flash(f"{prefix}“{proposal.title}” is tagged “{tag.name}”.", "success")
    else:
        flash(f"“{proposal.title}” was already tagged “{tag.name}”.", "info")
    return _back_to_tagging(conference, proposal)


@blueprint.route(
    "/c/<slug>/manage/topics/talks/<int:proposal_id>/detach/<int:tag_id>", methods=["POST"]
)
def detach_topic(slug: str, proposal_id: int, tag_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    proposal = _taggable_talk_or_404(conference, proposal_id)
    tag = db.session.get(TopicTag, tag_id)
    if tag is None:
        abort(404)
    require_confirm_form()
    if operations.detach_topic(proposal, tag):
        flash(f"Removed “{tag.name}” from “{proposal.title}”.", "info")
    return _back_to_tagging(conference, proposal)


# --- command line ---------------------------------------------------------------------------


@blueprint.cli.command("archive-reindex")
def archive_reindex_command():
    """Rebuild the search archive from every conference's latest published schedule."""
    count = operations.rebuild_archive()
    db.session.commit()
    click.echo(f"The archive holds {count} talks.")
