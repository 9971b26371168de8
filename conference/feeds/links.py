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


class TalkLinks:
    """Absolute links of one conference's talks; base URL and URL rules looked up once.

    A feed builds links for a thousand talks: per-talk config and URL-map lookups were a
    third of loading the published schedule.
    """

    def __init__(self, conference_slug: str) -> None:
        self.slug = conference_slug
        self.base = public_base_url()
        # The feedback area's registered rule when there is one, so feeds follow it if it moves.
        self._adapter = (
            current_app.url_map.bind("localhost")
            if FEEDBACK_ENDPOINT in current_app.view_functions
            else None
        )

    def page(self, proposal_id: int) -> str:
        """The talk's public page (the agenda's ``agenda.talk`` endpoint)."""
        return f"{self.base}/c/{self.slug}/agenda/talks/{proposal_id}"

    def feedback(self, proposal_id: int) -> str:
        """The talk's feedback form (the feedback area's ``feedback.give``)."""
        values = {"slug": self.slug, "proposal_id": proposal_id}
        if self._adapter is not None:
            return self.base + self._adapter.build(FEEDBACK_ENDPOINT, values)
        return self.base + FEEDBACK_PATH.format(**values)


def talk_url(conference_slug: str, proposal_id: int) -> str:
    """Absolute URL of a talk's public page (the agenda's ``agenda.talk`` endpoint)."""
    return TalkLinks(conference_slug).page(proposal_id)


def feedback_url(conference_slug: str, proposal_id: int) -> str:
    """Absolute URL of a talk's feedback form (the feedback area's ``feedback.give``)."""
    return TalkLinks(conference_slug).feedback(proposal_id)


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
