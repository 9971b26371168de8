"""Markdown from users, rendered to HTML that is safe to show anywhere."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    """Markdown to sanitised HTML: an allow-list of tags, links only to http/https/mailto."""
    if not text:
        return Markup("")
    html = _parser.render(text)
    # Headings from users are demoted so they never compete with the page's own.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 with an allow-list just above


def markdown_to_text(text: str | None) -> str:
    """Plain text for e-mails, CSV and calendar feeds: tags stripped, entities decoded."""
    if not text:
        return ""
    import html as html_module

    stripped = nh3.clean(_parser.render(text), tags=set(), attributes={})
    return html_module.unescape(stripped).strip()
