"""JSON-LD blocks as real pages publish them, parsed leniently.

Deviations repaired, in this order (each only when the strict parse fails or the wrapper is there):

* wrappers: ``<!-- … -->`` and ``<![CDATA[ … ]]>`` (also their ``//``-commented forms), a trailing ``;``;
* raw line breaks and tabs inside strings (``json.loads(strict=False)`` accepts them);
* trailing commas, comments, single quotes: :mod:`json5` (after escaping raw control characters
  inside strings, which JSON5 refuses as well);
* HTML-entity-escaped JSON (``{&quot;@type&quot;: …}``): unescaped with :func:`html.unescape`, then
  parsed again as above.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import json5

_WRAPPERS = (
    re.compile(r"^\s*(?://\s*)?<!--"),
    re.compile(r"(?://\s*)?-->\s*$"),
    re.compile(r"^\s*(?://\s*)?<!\[CDATA\["),
    re.compile(r"(?://\s*)?\]\]>\s*$"),
)
_CONTROL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class LenientJSONError(ValueError):
    """A block that stays unreadable after every repair; the message says where it failed."""


def strip_wrappers(text: str) -> str:
    """Remove comment/CDATA wrappers (repeatedly: they nest) and a trailing semicolon."""
    previous = None
    s = text.strip()
    while s != previous:
        previous = s
        for pattern in _WRAPPERS:
            s = pattern.sub("", s).strip()
        s = s.rstrip(";").strip()
    return s


def escape_controls_in_strings(text: str) -> str:
    """Escape raw ``\\n``/``\\r``/``\\t`` inside quoted strings ('…' or "…"), leaving the rest as is."""
    out: list[str] = []
    quote: str | None = None
    escaped = False
    for ch in text:
        if quote is None:
            if ch in "\"'":
                quote = ch
            out.append(ch)
            continue
        if escaped:
            escaped = False
            out.append(ch)
        elif ch == "\\":
            escaped = True
            out.append(ch)
        elif ch == quote:
            quote = None
            out.append(ch)
        else:
            out.append(_CONTROL_ESCAPES.get(ch, ch))
    return "".join(out)


def _parse(text: str) -> Any:
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError as strict_error:
        try:
            return json5.loads(escape_controls_in_strings(text))
        except ValueError:
            raise strict_error from None


def loads_lenient(text: str) -> Any:
    """Parse one JSON-LD block. Returns the decoded value (dict, list …).

    Raises:
        LenientJSONError: empty, or not JSON even after the repairs; the message gives the
            strict parser's line and column (of the unwrapped text).
    """
    s = strip_wrappers(text)
    if not s:
        raise LenientJSONError("empty JSON-LD block")
    try:
        return _parse(s)
    except json.JSONDecodeError as exc:
        first_error = exc
    if "&quot;" in s or "&#34;" in s or "&#x22;" in s.lower():
        try:
            return _parse(strip_wrappers(html.unescape(s)))
        except json.JSONDecodeError:
            pass
    raise LenientJSONError(f"not JSON ({first_error.msg} at line {first_error.lineno}, column {first_error.colno})")
