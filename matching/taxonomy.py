"""Skill / certificate / occupation taxonomy with aliases, and major → occupation mapping (对口).

Concepts carry a ``code`` (our slug such as ``skill.cnc-programming``, optionally linked to an
ESCO URI and an O*NET-SOC code), a ``kind`` and labels in any language; every label and alias is
compared after :func:`vocab.text.normalise`, so ``數控編程``, ``数控编程`` and ``CNC编程`` can
all name one concept when the taxonomy lists them. Lookup order in :meth:`Taxonomy.resolve`:
exact normalised label/alias, exact without spaces, then fuzzy under the shared rules of
:mod:`vocab.text` (protected tokens exact only, substring guard, documented cutoffs).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from vocab.text import MIN_LENGTH_RATIO, best_match, compact, is_protected, normalise, protected_spans

KINDS = ("skill", "certificate", "occupation")
CORE_RESOURCE = "data/core_taxonomy.json"
_CACHE_LIMIT = 100_000
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True, slots=True)
class Alias:
    label: str
    lang: str = "zh"


@dataclass(frozen=True, slots=True)
class Concept:
    """One skill, certificate or occupation; occupations may list their skills and certificates."""

    code: str
    kind: str
    label: str
    lang: str = "zh"
    aliases: tuple[Alias, ...] = ()
    skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    esco: str | None = None
    onet: str | None = None
    #: ISCO-08 unit group (4 digits) of an occupation: ESCO's ``iscoGroup`` where ``esco`` is set,
    #: else assigned from the ILO ISCO-08 definitions; what 对口 by 专业类 compares against.
    isco: str | None = None
    #: codes of the more specific concepts this one covers (SKOS ``narrower``): ``电工`` covers
    #: ``维修电工``. A broader concept is its own concept (its own skill key), never an alias.
    narrower: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Major:
    """A major (专业, MOE code such as ``660103``) and the concepts it leads to."""

    code: str
    name: str
    category: str = ""
    occupations: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    """A text resolved to a concept. ``score`` is 1.0 for exact hits, else the fuzzy similarity 0–1;
    ``method`` is ``exact`` or ``fuzzy``; ``matched`` is the label or alias that was hit."""

    code: str
    kind: str
    label: str
    matched: str
    score: float
    method: str


def _strs(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{where}: field {name!r} must be a list of strings, got {value!r}")
    return tuple(str(v) for v in value)


def _concept(rec: Mapping[str, Any], where: str) -> Concept:
    for name in ("code", "kind", "label"):
        if not isinstance(rec.get(name), str) or not rec[name].strip():
            raise ValueError(f"{where}: field {name!r} is required and must be a non-empty string")
    if rec["kind"] not in KINDS:
        raise ValueError(f"{where} (code={rec['code']!r}): field 'kind' must be one of {KINDS}, got {rec['kind']!r}")
    aliases = []
    for j, a in enumerate(rec.get("aliases") or ()):
        label = a.get("label") if isinstance(a, Mapping) else a
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"{where} (code={rec['code']!r}): aliases[{j}] needs a non-empty 'label'")
        aliases.append(Alias(label, a.get("lang", "zh") if isinstance(a, Mapping) else "zh"))
    isco = rec.get("isco") or None
    if isco is not None and (not isinstance(isco, str) or len(isco) != 4 or not isco.isdigit()):
        raise ValueError(f"{where} (code={rec['code']!r}): field 'isco' must be a 4-digit ISCO-08 unit group")
    return Concept(
        code=rec["code"],
        kind=rec["kind"],
        label=rec["label"],
        lang=rec.get("lang") or "zh",
        aliases=tuple(aliases),
        skills=_strs(rec.get("skills"), where, "skills"),
        certificates=_strs(rec.get("certificates"), where, "certificates"),
        esco=rec.get("esco") or None,
        onet=rec.get("onet") or None,
        isco=isco,
        narrower=_strs(rec.get("narrower"), where, "narrower"),
    )


def _major(rec: Mapping[str, Any], where: str) -> Major:
    for name in ("code", "name"):
        if not isinstance(rec.get(name), str) or not rec[name].strip():
            raise ValueError(f"{where}: field {name!r} is required and must be a non-empty string")
    return Major(
        code=rec["code"],
        name=rec["name"],
        category=rec.get("category") or "",
        occupations=_strs(rec.get("occupations"), where, "occupations"),
        skills=_strs(rec.get("skills"), where, "skills"),
        certificates=_strs(rec.get("certificates"), where, "certificates"),
    )


class Taxonomy:
    """Concepts and majors with exact, fuzzy and in-text lookup. Build once; lookups are cached.

    Raises ``ValueError`` on construction when two concepts share a code.
    """

    def __init__(self, concepts: Iterable[Concept], majors: Iterable[Major] = (), version: str = "") -> None:
        self.version = version
        self.concepts: dict[str, Concept] = {}
        for c in concepts:
            if c.code in self.concepts:
                raise ValueError(f"duplicate concept code {c.code!r}")
            self.concepts[c.code] = c
        self.majors: dict[str, Major] = {m.code: m for m in majors}
        self._external = {ext: c.code for c in self.concepts.values() for ext in (c.esco, c.onet) if ext}
        # normalised label → [(code, is_main_label)], in definition order
        self._exact: dict[str, list[tuple[str, bool]]] = {}
        self._compact: dict[str, list[tuple[str, bool]]] = {}
        self._fuzzy: dict[str | None, tuple[list[str], list[str]]] = {k: ([], []) for k in (None, *KINDS)}
        for c in self.concepts.values():
            for i, label in enumerate([c.label, *(a.label for a in c.aliases)]):
                norm = normalise(label)
                if not norm:
                    continue
                for index, key in ((self._exact, norm), (self._compact, norm.replace(" ", ""))):
                    hits = index.setdefault(key, [])
                    if all(code != c.code for code, _ in hits):
                        hits.append((c.code, i == 0))
                if not is_protected(norm):  # protected tokens are exact-only
                    for kind in (None, c.kind):
                        self._fuzzy[kind][0].append(norm)
                        self._fuzzy[kind][1].append(c.code)
        # first two characters → [(normalised alias, code)], longest first, for scanning free text;
        # one-character aliases (``c``, ``r``) separately
        self._by_prefix: dict[str, list[tuple[str, str]]] = {}
        for norm, hits in self._exact.items():
            for code, _ in hits:
                self._by_prefix.setdefault(norm[:2], []).append((norm, code))
        for entries in self._by_prefix.values():
            entries.sort(key=lambda e: -len(e[0]))
        # compact label lengths per kind: fuzzy matching is pointless outside [min·ratio, max/ratio]
        self._lengths = {
            k: (
                min((len(x.replace(" ", "")) for x in v[0]), default=0),
                max((len(x.replace(" ", "")) for x in v[0]), default=0),
            )
            for k, v in self._fuzzy.items()
        }
        self._cache: dict[tuple[str, str | None], Resolution | None] = {}

    @classmethod
    def from_records(
        cls, concepts: Iterable[Mapping[str, Any]], majors: Iterable[Mapping[str, Any]] = (), version: str = ""
    ) -> Taxonomy:
        """Build from plain mappings in the ``core_taxonomy.json`` shape (``code``, ``kind``, ``label``,
        ``lang``, ``aliases: [{label, lang}]``, ...). Raises ``ValueError`` naming the record and field."""
        return cls(
            [_concept(r, f"concepts[{i}]") for i, r in enumerate(concepts)],
            [_major(r, f"majors[{i}]") for i, r in enumerate(majors)],
            version,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Build from the parsed JSON document ``{"version", "concepts", "majors"}``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("concepts"), list):
            raise ValueError("taxonomy JSON must be an object with a 'concepts' list")
        return cls.from_records(data["concepts"], data.get("majors") or (), str(data.get("version", "")))

    @classmethod
    def from_core(cls) -> Taxonomy:
        """Load the packaged core taxonomy ``matching/data/core_taxonomy.json``.

        Raises ``FileNotFoundError`` when the file is not installed, ``ValueError`` when it is malformed.
        """
        path = resources.files("matching").joinpath(CORE_RESOURCE)
        if not path.is_file():
            raise FileNotFoundError(f"core taxonomy not found: matching/{CORE_RESOURCE}")
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    def __len__(self) -> int:
        return len(self.concepts)

    def concept(self, code: str) -> Concept | None:
        """The concept with ``code``, or with that ESCO URI / O*NET-SOC code; ``None`` if unknown."""
        return self.concepts.get(code) or self.concepts.get(self._external.get(code, ""))

    def _pick(self, hits: list[tuple[str, bool]], kind: str | None) -> str | None:
        hits = [h for h in hits if kind is None or self.concepts[h[0]].kind == kind]
        if not hits:
            return None
        return next((code for code, main in hits if main), hits[0][0])

    def resolve(self, text: str | None, kind: str | None = None) -> Resolution | None:
        """Resolve one skill/certificate/occupation name to a concept, or ``None`` if nothing fits.

        ``kind`` restricts the concepts considered (``skill``, ``certificate``, ``occupation``).
        Exact normalised hits first (the concept's main label wins over another concept's
        alias), then the same without spaces, then :func:`vocab.text.best_match` over all
        non-protected labels. ``None`` is a valid answer: keep the raw string as free text.
        """
        norm = normalise(text or "")
        if not norm:
            return None
        key = (norm, kind)
        if key in self._cache:
            return self._cache[key]
        result = None
        code = self._pick(self._exact.get(norm, []), kind) or self._pick(self._compact.get(compact(norm), []), kind)
        if code:
            result = self._resolution(code, norm, 1.0, "exact")
        elif not is_protected(norm) and self._fuzzy_possible(norm, kind):
            labels, codes = self._fuzzy[kind]
            hit = best_match(norm, labels, processor=None, exact=False)
            if hit:
                result = self._resolution(codes[hit[2]], hit[0], hit[1], "fuzzy")
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _fuzzy_possible(self, norm: str, kind: str | None) -> bool:
        lo, hi = self._lengths[kind]
        n = len(norm.replace(" ", ""))
        return hi > 0 and lo * MIN_LENGTH_RATIO <= n <= hi / MIN_LENGTH_RATIO

    def _resolution(self, code: str, matched: str, score: float, method: str) -> Resolution:
        c = self.concepts[code]
        return Resolution(code=code, kind=c.kind, label=c.label, matched=matched, score=score, method=method)

    def unresolved(self, texts: Iterable[str | None], kind: str | None = None) -> Counter[str]:
        """Count the (normalised) texts that resolve to nothing: the free-text skills to review."""
        return Counter(n for t in texts if (n := normalise(t or "")) and self.resolve(n, kind) is None)

    def extract(self, text: str | None, kind: str | None = None) -> list[Resolution]:
        """Concepts named in free text (a job description), leftmost-longest, first mention only.

        Scans the normalised text for any label/alias; Latin labels must sit on word boundaries
        (``java`` is not found in ``javascript``), Chinese labels may sit anywhere, and a longer
        label wins over a shorter one starting at the same place (``维修电工`` before ``电工``).
        A protected token with punctuation (``node.js``, ``c++``) is never cut: no label is found
        inside it (``js`` in ``node.js``) and a label starting with it must cover it whole.
        ``kind`` filters the results after the scan. Exact only: no fuzzy matching in free text.
        """
        norm = normalise(text or "")
        found: dict[str, Resolution] = {}
        i, n = 0, len(norm)
        by_prefix, empty = self._by_prefix, ()
        inside = [0] * (n + 1)  # inside[i]: end of the protected token starting at i, -1 within one
        for start, end in protected_spans(norm):
            inside[start] = end
            for k in range(start + 1, end):
                inside[k] = -1
        while i < n:
            step = 1
            ch = norm[i]
            if inside[i] == -1:
                i += 1
                continue
            if not (ch in _ASCII_ALNUM and i and norm[i - 1] in _ASCII_ALNUM):
                longer = by_prefix.get(norm[i : i + 2], empty) if i + 1 < n else empty
                for alias, code in (*longer, *by_prefix.get(ch, empty)):
                    if not norm.startswith(alias, i):
                        continue
                    end = i + len(alias)
                    if alias[-1] in _ASCII_ALNUM and end < n and (norm[end] in _ASCII_ALNUM or norm[end] in "+#"):
                        continue
                    if inside[i] > end:  # ``node`` would cut ``node.js``
                        continue
                    if code not in found and (kind is None or self.concepts[code].kind == kind):
                        found[code] = self._resolution(code, alias, 1.0, "exact")
                    step = len(alias)
                    break
            if step == 1 and inside[i] > 0:
                step = inside[i] - i  # an unknown protected token: skip it whole
            i += step
        return list(found.values())

    def extract_skills(self, text: str | None) -> list[str]:
        """Codes of the skill and certificate concepts named in ``text``, in order of first mention."""
        return [r.code for r in self.extract(text) if r.kind in ("skill", "certificate")]

    def resolve_title(self, title: str | None) -> Resolution | None:
        """The occupation a job title names: the whole title as a label (exact, also without spaces),
        else the first occupation label found in it (``招聘数控车工（五险一金）`` → 数控车工). No fuzzy
        step: posting titles are long and noisy, and a wrong occupation is worse than none."""
        norm = normalise(title or "")
        code = self._pick(self._exact.get(norm, []), "occupation") or self._pick(
            self._compact.get(norm.replace(" ", ""), []), "occupation"
        )
        if code:
            return self._resolution(code, norm, 1.0, "exact")
        return next(iter(self.extract(norm, "occupation")), None)

    def major(self, code: str | None) -> Major | None:
        return self.majors.get(code) if code else None

    def occupations_of(self, major_code: str | None) -> frozenset[str]:
        """Occupation codes the major leads to (empty when the major is unknown)."""
        m = self.major(major_code)
        return frozenset(m.occupations) if m else frozenset()

    def occupation_code(self, occupation_code: str | None = None, title: str | None = None) -> str | None:
        """A posting's occupation concept: its code (ours, ESCO or O*NET) if known, else from the title."""
        if occupation_code:
            c = self.concept(occupation_code)
            return c.code if c else occupation_code
        hit = self.resolve_title(title)
        return hit.code if hit else None

    def in_field(
        self, major_code: str | None, occupation_code: str | None = None, title: str | None = None
    ) -> bool | None:
        """对口: is the posting's occupation among the major's occupations (or a broader job
        covering one of them: a ``电工`` posting is in the field of a major leading to ``维修电工``)?

        ``True``/``False`` when both the major and the occupation (given, or resolved from
        ``title``) are known; ``None`` when the major is missing or not in the taxonomy, or the
        occupation cannot be determined.
        """
        major = self.major(major_code)
        if major is None:
            return None
        occ = self.occupation_code(occupation_code, title)
        if occ is None:
            return None
        concept = self.concepts.get(occ)
        return occ in major.occupations or bool(concept and set(concept.narrower) & set(major.occupations))
