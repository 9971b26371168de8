import re

import pytest

from conference.core.markdown import markdown_to_text, render_markdown


def test_markdown_renders_emphasis_lists_and_links():
    html = str(render_markdown("**bold** and [docs](https://example.com)\n\n- one\n- two"))
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)">x</a>',
    "[x](JaVaScRiPt:alert(1))",
    "<iframe src=https://evil.example></iframe>",
])
def test_markdown_neutralises_scripts_and_unsafe_links(payload):
    html = str(render_markdown(payload)).lower()
    # Raw HTML is shown as text, never as tags; links keep only safe schemes.
    assert not re.search(r"<(script|img|iframe)\b", html)
    assert all(href.startswith(("http:", "https:", "mailto:")) for href in re.findall(r'<a\s[^>]*href="([^"]*)"', html))


def test_markdown_allows_mailto_links():
    assert 'href="mailto:a@example.com"' in str(render_markdown("[mail](mailto:a@example.com)"))


def test_markdown_headings_are_demoted_below_page_headings():
    html = str(render_markdown("# Big\n\n## Smaller"))
    assert "<h1>" not in html and "<h2>" not in html
    assert "<h3>Big</h3>" in html


def test_markdown_to_text_strips_tags_and_decodes_entities():
    assert markdown_to_text("**Fish & chips** <b>x</b>") == "Fish & chips &lt;b&gt;x&lt;/b&gt;".replace("&lt;", "<").replace("&gt;", ">")
