"""Skill and certificate suggestions as you type, and the "chips" list widget the profile and
posting forms use to add and remove items (htmx fragments, for any signed-in user).

Suggestions come from the core taxonomy (:mod:`matching.taxonomy`, the one the recommendations
use), compared through :mod:`vocab.text`'s normaliser and fuzzy rules — no matcher of our own:

1. :meth:`matching.taxonomy.Taxonomy.resolve` — the concept the typed text is *stored as* by
   the ranker (exact label or alias, then fuzzy under the shared cutoffs: ``數控車床`` →
   数控车削加工, ``电工证`` → 低压电工作业证);
2. completion while typing: concepts of the kind one of whose labels or aliases contains the
   typed text after :func:`vocab.text.normalise` (a prefix such as ``数控`` is refused by the
   fuzzy length guard, so completion is by containment), labels starting with it first, then
   shorter labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from litestar import Controller, get
from litestar.response import Template

from matching.taxonomy import Taxonomy
from service.auth.guards import require_signed_in
from service.errors import InvalidFieldError
from service.taxonomy.core import core_taxonomy
from service.web.common import Page, PageDep, render, split_items
from vocab.text import normalise

#: Fields that may use the widget → taxonomy kind of their suggestions.
FIELDS = {
    "skills": "skill",
    "certificates": "certificate",
    "required_skills": "skill",
    "preferred_skills": "skill",
    "posting_certificates": "certificate",
}
#: Most suggestions shown.
LIMIT = 8
#: Most items one list may hold (as the API's ``StrList``/``SkillList``).
MAX_ITEMS = 100


@dataclass(frozen=True)
class Suggestion:
    """One suggested label; ``via`` is the text it was resolved from when that differs (an alias)."""

    label: str
    via: str | None = None


@cache
def _labels(kind: str) -> tuple[tuple[str, str, str], ...]:
    """``(normalised label or alias, main label, concept code)`` of every concept of ``kind``."""
    tax = core_taxonomy()
    rows = []
    for c in tax.concepts.values():
        if c.kind == kind:
            for text in (c.label, *(a.label for a in c.aliases)):
                if norm := normalise(text):
                    rows.append((norm, c.label, c.code))
    return tuple(rows)


def suggest(text: str, kind: str, limit: int = LIMIT, taxonomy: Taxonomy | None = None) -> list[Suggestion]:
    """Up to ``limit`` concept labels of ``kind`` (``skill`` or ``certificate``) for the typed
    ``text``, best first (see the module doc); ``[]`` for blank text."""
    tax = taxonomy or core_taxonomy()
    query = normalise(text)
    if not query:
        return []
    out: dict[str, Suggestion] = {}
    hit = tax.resolve(query, kind)
    if hit is not None:
        out[hit.code] = Suggestion(hit.label, None if normalise(hit.label) == query else text.strip())
    ranked = sorted(
        ((not norm.startswith(query), len(label), label, code) for norm, label, code in _labels(kind) if query in norm)
    )
    for _, _, label, code in ranked:
        if len(out) >= limit:
            break
        out.setdefault(code, Suggestion(label))
    return list(out.values())[:limit]


def _field(page: Page) -> tuple[str, str]:
    field = page.request.query_params.get("field", "")
    if field not in FIELDS:
        raise InvalidFieldError("field", f"must be one of {', '.join(sorted(FIELDS))}")
    return field, FIELDS[field]


def item_label(text: str, kind: str, level: str | None = None) -> str:
    """How an item is shown: a certificate stored under an alias (``"N1"``) by the taxonomy's main
    label, which names it in full (``"叉车司机特种设备作业人员证（N1）"``), with the ``level``
    after it when known (``"电工职业技能等级证书（四级/中级工）"``). Skills and unknown names as typed."""
    label = text
    if kind == "certificate":
        found = core_taxonomy().resolve(text, "certificate")
        if found is not None and found.method == "exact":
            label = found.label
    if level and level not in label:
        label = f"{label}（{level}）"
    return label


def chips_context(
    page: Page,
    field: str,
    items: list[str],
    suggestions: list[Suggestion] | None = None,
    error: str | None = None,
    levels: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """Template context of ``partials/chips.html`` for ``field`` holding ``items`` (each shown by
    :func:`item_label`, with its level from ``levels`` when given; the stored name is the value)."""
    labels = {
        "skills": page.gettext("Skills"),
        "certificates": page.gettext("Certificates"),
        "required_skills": page.gettext("Required skills"),
        "preferred_skills": page.gettext("Preferred skills"),
        "posting_certificates": page.gettext("Required certificates"),
    }
    kind = FIELDS[field]
    shown = {item: item_label(item, kind, (levels or {}).get(item)) for item in items}
    return {
        "field": field,
        "kind": kind,
        "items": items,
        "labels": shown,
        "legend": labels[field],
        "suggestions": suggestions or [],
        "error": error,
    }


class SuggestPages(Controller):
    path = "/web"
    guards = [require_signed_in]

    @get("/suggest")
    async def suggestions(self, page: PageDep) -> Template:
        """``?field=<widget field>&<field>_new=<typed text>`` → the suggestion buttons fragment
        (each adds its label to the widget). 422 for an unknown ``field``."""
        field, kind = _field(page)
        typed = page.request.query_params.get(f"{field}_new", "")[:100]
        return render(page, "partials/suggestions.html", field=field, query=typed, suggestions=suggest(typed, kind))

    @get("/chips")
    async def chips(self, page: PageDep) -> Template:
        """The widget re-rendered with the checked items (``?<field>=…`` repeated) plus the one
        picked (``pick``) or the ones typed (``<field>_new``, comma/、-separated); the typed box
        is emptied. Items beyond :data:`MAX_ITEMS` or over 100 characters are refused with a message."""
        field, _ = _field(page)
        query = page.request.query_params
        items = list(dict.fromkeys(v.strip() for v in query.getall(field, []) if v.strip()))
        added = [query["pick"]] if query.get("pick") else split_items(query.get(f"{field}_new"))
        error = None
        for item in added:
            if len(item) > 100:
                error = page.gettext("An item may have at most 100 characters.")
            elif len(items) >= MAX_ITEMS:
                error = page.gettext("A list may hold at most 100 items.")
            elif item not in items:
                items.append(item)
        return render(page, "partials/chips.html", **chips_context(page, field, items, error=error))
