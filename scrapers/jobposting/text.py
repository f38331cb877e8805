"""HTML in JobPosting texts → clean plain text.

``description`` is often HTML (``<p>``, ``<br>``, ``<li>``), sometimes entity-escaped HTML
(``&lt;p&gt;岗位职责&lt;/p&gt;``); titles carry entities (``Java&amp;Python``, ``&#24037;``).
HTML is rendered with :mod:`inscriptis` (block elements and ``<br>`` become line breaks, list
items get a bullet); spaces are collapsed within a line and runs of blank lines cut to one.
"""

from __future__ import annotations

import html
import re
import unicodedata

from inscriptis import get_text

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?\s*>")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def unescape(text: str) -> str:
    """Decode HTML entities, twice at most (``&amp;amp;`` is a common double escape)."""
    for _ in range(2):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def html_to_text(value: str | None) -> str:
    """Plain text of an HTML (or plain, or entity-escaped HTML) fragment, line breaks kept."""
    if not value:
        return ""
    text = str(value)
    if not _TAG.search(text) and "&lt;" in text:
        text = unescape(text)
    if _TAG.search(text):
        text = get_text(text)
    else:
        text = unescape(text)
    return _tidy(unicodedata.normalize("NFC", text))


def clean_line(value: object) -> str:
    """A one-line text (title, name): tags dropped, entities decoded, whitespace collapsed."""
    if value is None:
        return ""
    text = unescape(str(value))
    if _TAG.search(text):
        text = get_text(text)
    return " ".join(text.split())
