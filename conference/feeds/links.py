"""Absolute links shared by feeds, exports and the agenda: talk pages, join links, UID host."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

DEFAULT_STREAM_BASE_URL = "https://stream.example.invalid/"
FALLBACK_HOST = "conference.invalid"


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


def has_join_link(room) -> bool:
    """Online streams and streamed hub rooms can be joined remotely."""
    return room is not None and (room.hub_id is None or bool(room.has_streaming))


def join_url(room) -> str | None:
    """The remote join link of ``room`` (the one rule used by feeds, exports and the agenda)."""
    if not has_join_link(room):
        return None
    base = current_app.config.get("STREAM_BASE_URL") or DEFAULT_STREAM_BASE_URL
    if not base.endswith("/"):
        base += "/"
    return f"{base}room-{room.id}"
