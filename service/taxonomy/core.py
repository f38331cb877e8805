"""The project's own core taxonomy (``matching/data/core_taxonomy.json``): the one provider, and its checks.

:func:`core_taxonomy` is the one place the service loads it (once per process): the recommendations'
ranker, the 对口 proposal, the form suggestions, the sample loader and the import pipeline's skill
step all use it. The file is parsed as :meth:`matching.taxonomy.Taxonomy.from_core` does; this module
adds the consistency rules the sample loader relies on before anything is written to the database:

* every code an occupation or major refers to exists and has the right kind
  (``skill.*`` → skill, ``cert.*`` → certificate, ``occ.*`` → occupation);
* no two concepts share a code and no two majors share a code (a six-digit MOE code);
* no label or alias names two concepts of the same kind once normalised with
  :func:`vocab.text.compact` (so ``數控編程`` and ``数控编程`` count as the same text);
* no concept lists the same alias twice.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

from matching.taxonomy import CORE_RESOURCE, Taxonomy
from vocab.text import compact

#: Code prefix → concept kind, for the project's own (``vocmatch``) scheme.
PREFIX_KIND = {"skill.": "skill", "cert.": "certificate", "occ.": "occupation"}
_MAJOR_CODE = re.compile(r"^\d{6}$")


def _kind_of_code(code: str) -> str | None:
    return next((kind for prefix, kind in PREFIX_KIND.items() if code.startswith(prefix)), None)


def taxonomy_problems(tax: Taxonomy) -> list[str]:
    """Every consistency problem of ``tax`` as a readable sentence; ``[]`` when it is sound.

    Pure (no database). See the module docstring for the rules.
    """
    problems: list[str] = []
    for c in tax.concepts.values():
        expected = _kind_of_code(c.code)
        if expected != c.kind:
            problems.append(f"concept {c.code}: kind {c.kind!r} does not match its code prefix")
        labels = [a.label for a in c.aliases]
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        if dupes:
            problems.append(f"concept {c.code}: alias listed twice: {', '.join(dupes)}")
        for field, kind, refs in (
            ("skills", "skill", c.skills),
            ("certificates", "certificate", c.certificates),
            ("narrower", c.kind, c.narrower),
        ):
            problems += _check_refs(f"concept {c.code}", field, kind, refs, tax)
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in tax.concepts.values():
        for label in (c.label, *(a.label for a in c.aliases)):
            key = compact(label)
            if key:
                owners[(c.kind, key)].add(c.code)
    for (kind, key), codes in sorted(owners.items()):
        if len(codes) > 1:
            problems.append(f"{kind} text {key!r} is shared by {', '.join(sorted(codes))}")
    for m in tax.majors.values():
        where = f"major {m.code} {m.name}"
        if not _MAJOR_CODE.match(m.code):
            problems.append(f"{where}: code must be six digits")
        problems += _check_refs(where, "occupations", "occupation", m.occupations, tax)
        problems += _check_refs(where, "skills", "skill", m.skills, tax)
        problems += _check_refs(where, "certificates", "certificate", m.certificates, tax)
    return problems


def _check_refs(where: str, field: str, kind: str, refs: tuple[str, ...], tax: Taxonomy) -> list[str]:
    out = []
    for code in refs:
        concept = tax.concepts.get(code)
        if concept is None:
            out.append(f"{where}: {field} refers to unknown code {code}")
        elif concept.kind != kind:
            out.append(f"{where}: {field} refers to {code}, a {concept.kind} (expected {kind})")
    if len(set(refs)) != len(refs):
        out.append(f"{where}: {field} lists a code twice")
    return out


def core_document() -> dict[str, Any]:
    """The parsed ``core_taxonomy.json`` (fresh dict each call).

    Raises:
        ValueError: two majors share a code (``Taxonomy`` would keep only the last one).
    """
    text = resources.files("matching").joinpath(CORE_RESOURCE).read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    codes = [m.get("code") for m in doc.get("majors") or ()]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ValueError(f"core taxonomy: major code listed twice: {', '.join(map(str, dupes))}")
    return doc


@cache
def core_taxonomy() -> Taxonomy:
    """The checked core taxonomy, loaded once per process: the service's one taxonomy provider.

    Raises:
        ValueError: the file is malformed or :func:`taxonomy_problems` finds problems (all are
            listed in the message); nothing is loaded in that case.
    """
    tax = Taxonomy.from_json(core_document())
    problems = taxonomy_problems(tax)
    if problems:
        raise ValueError("core taxonomy has problems:\n" + "\n".join(problems))
    return tax
