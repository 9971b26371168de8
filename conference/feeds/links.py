"""Absolute links shared by feeds, exports and the agenda: talk pages, join links, UID host."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

DEFAULT_STREAM_BASE_URL = "https://stream.example.invalid/"
FALLBACK_HOST = "conference.invalid"
FEEDBACK_ENDPOINT = "feedback.give"
# The feedback area's URL rule, used while that endpoint is not registered (same URLs either way).
FEEDBACK_PATH = "/c/{slug}/talks/{proposal_id}/feedback"


def public_base_url() -> str:
    """The site's public root without a trailing slash: PUBLIC_URL, else the request's root."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return f"https://{FALLBACK_HOST}"


def public_host() -> str:
    """Host name that makes calendar UIDs globally unique (PUBLIC_URL's, else a reserved one)."""
    configured = current_app.config.get("PUBLIC_URL")
    host = urlsplit(configured).hostname if configured else None
    return host or FALLBACK_HOST


def talk_url(conference_slug: str, proposal_id: int) -> str:
    """Absolute URL of a talk's public page (the agenda's ``agenda.talk`` endpoint)."""
    return f"{public_base_url()}/c/{conference_slug}/agenda/talks/{proposal_id}"


def feedback_url(conference_slug: str, proposal_id: int) -> str:
    """Absolute URL of a talk's feedback form (the feedback area's ``feedback.give``)."""
    if FEEDBACK_ENDPOINT in current_app.view_functions:
        # Built from the registered rule, so feeds follow the feedback area if its URL changes.
        adapter = current_app.url_map.bind("localhost")
        path = adapter.build(
            FEEDBACK_ENDPOINT, {"slug": conference_slug, "proposal_id": proposal_id}
        )
    else:
        path = FEEDBACK_PATH.format(slug=conference_slug, proposal_id=proposal_id)
    return public_base_url() + path


def has_join_link(room) -> bool:
    """Online streams and streamed hub rooms can be joined remotely; other hub rooms cannot.

    A remote speaker in a hub room without streaming gives no join link either: the room
    has no stream for the audience to join.
    """
    return room is not None and (room.hub_id is None or bool(room.has_streaming))


def join_url(room) -> str | None:
    """The remote join link of ``room`` (the one rule used by feeds, exports and the agenda)."""
    if not has_join_link(room):
        return None
    base = current_app.config.get("STREAM_BASE_URL") or DEFAULT_STREAM_BASE_URL
    if not base.endswith("/"):
        base += "/"
    return f"{base}room-{room.id}"
