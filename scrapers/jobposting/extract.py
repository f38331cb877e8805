"""Find schema.org ``JobPosting`` nodes in a page: JSON-LD blocks and microdata.

Every ``<script type="application/ld+json">`` block is parsed on its own, so one broken block
is reported and the others still count. Inside a block, postings are found wherever they are:
at the top, in a list, in ``@graph``, or nested in other objects (``ItemList`` →
``itemListElement`` → ``item``, ``WebPage.mainEntity`` …). ``@type`` may be a string or a list,
with or without a ``schema:``/``http(s)://schema.org/`` prefix. Nodes that only reference
another node of the same block (``{"@id": "#org"}``) are replaced by that node.

Microdata (``itemscope``/``itemtype``/``itemprop``, WHATWG HTML §5) is read into the same
dict shape; a ``description`` keeps its inner HTML, so line breaks survive the conversion to text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree

from scrapers.jobposting.lenient import LenientJSONError, loads_lenient

_JOB_POSTING = "JobPosting"
_URL_PROPS = {
    "a": "href",
    "area": "href",
    "link": "href",
    "img": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "iframe": "src",
    "embed": "src",
    "object": "data",
}


@dataclass
class Node:
    """A ``JobPosting`` found in a page: its properties and the HTML line where its block starts."""

    data: dict[str, Any]
    line: int
    origin: str  # "json-ld" or "microdata"


@dataclass
class BlockError:
    """A JSON-LD block that could not be read (line = the ``<script>`` tag's line in the page)."""

    line: int
    message: str


def type_names(node: dict[str, Any]) -> list[str]:
    """The ``@type`` (or microdata ``itemtype``) names of a node without vocabulary prefixes."""
    raw = node.get("@type", [])
    names = raw if isinstance(raw, list) else str(raw).split()
    return [str(n).rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1] for n in names]


def is_a(node: Any, name: str) -> bool:
    """Whether ``node`` is a dict whose ``@type`` includes ``name``."""
    return isinstance(node, dict) and name in type_names(node)


def _index_ids(value: Any, index: dict[str, dict[str, Any]]) -> None:
    if isinstance(value, dict):
        if isinstance(value.get("@id"), str) and len(value) > 1:
            index.setdefault(value["@id"], value)
        for v in value.values():
            _index_ids(v, index)
    elif isinstance(value, list):
        for v in value:
            _index_ids(v, index)


def _resolve(value: Any, index: dict[str, dict[str, Any]], depth: int = 0) -> Any:
    if depth > 20:
        return value
    if isinstance(value, dict):
        if set(value) == {"@id"} and value["@id"] in index:
            return _resolve(index[value["@id"]], index, depth + 1)
        return {k: _resolve(v, index, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, index, depth + 1) for v in value]
    return value


def _find(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if is_a(value, _JOB_POSTING):
            yield value
            return
        for v in value.values():
            yield from _find(v)
    elif isinstance(value, list):
        for v in value:
            yield from _find(v)


def postings_in_json(value: Any) -> list[dict[str, Any]]:
    """Every ``JobPosting`` in a decoded JSON-LD value, with same-block ``@id`` references resolved."""
    index: dict[str, dict[str, Any]] = {}
    _index_ids(value, index)
    return [_resolve(found, index) for found in _find(value)]


def _is_jsonld_script(element: Any) -> bool:
    kind = (element.get("type") or "").split(";")[0].strip().lower()
    return kind == "application/ld+json"


def _microdata_value(element: Any) -> Any:
    if element.get("itemscope") is not None:
        return _microdata_item(element)
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "meta":
        return element.get("content", "")
    if tag in _URL_PROPS and element.get(_URL_PROPS[tag]) is not None:
        return element.get(_URL_PROPS[tag])
    if tag in ("data", "meter") and element.get("value") is not None:
        return element.get("value")
    if tag == "time" and element.get("datetime") is not None:
        return element.get("datetime")
    if element.get("content") is not None:  # RDFa-style content on any element, common on boards
        return element.get("content")
    if element.get("itemprop", "").split()[0:1] == ["description"]:
        inner = (element.text or "") + "".join(etree.tostring(c, encoding="unicode", method="html") for c in element)
        return inner
    return element.text_content()


def _microdata_item(scope: Any) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if scope.get("itemtype"):
        item["@type"] = scope.get("itemtype").split()
    pending = list(scope)
    while pending:
        element = pending.pop(0)
        if not isinstance(element.tag, str):
            continue
        props = (element.get("itemprop") or "").split()
        for prop in props:
            value = _microdata_value(element)
            if prop in item:
                existing = item[prop]
                item[prop] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                item[prop] = value
        if element.get("itemscope") is None:
            pending[0:0] = list(element)
    return item


def find_nodes(page: str) -> tuple[list[Node], list[BlockError]]:
    """All ``JobPosting`` nodes in an HTML page (JSON-LD first, then microdata) and the blocks
    that could not be read. Never raises on bad markup; an empty page gives ``([], [])``."""
    if not page.strip():
        return [], []
    root = lxml.html.document_fromstring(page)
    nodes: list[Node] = []
    errors: list[BlockError] = []
    for script in root.iter("script"):
        if not _is_jsonld_script(script):
            continue
        line = script.sourceline or 0
        try:
            value = loads_lenient(script.text or "")
        except LenientJSONError as exc:
            errors.append(BlockError(line, str(exc)))
            continue
        nodes.extend(Node(found, line, "json-ld") for found in postings_in_json(value))
    for scope in root.xpath("//*[@itemscope][@itemtype]"):
        if _JOB_POSTING not in type_names({"@type": scope.get("itemtype")}):
            continue
        if any(
            a.get("itemscope") is not None and _JOB_POSTING in type_names({"@type": a.get("itemtype", "")})
            for a in scope.iterancestors()
        ):
            continue  # a posting inside a posting is part of the outer one
        nodes.append(Node(_microdata_item(scope), scope.sourceline or 0, "microdata"))
    return nodes, errors
