"""Read the published ESCO CSV and O*NET text files into plain taxonomy records (no database).

Both readers return a :class:`TaxonomySource`: concepts (occupations and skills, each with its
preferred label and alternative labels) and occupation → skill relations. The service stores
them (:mod:`service.taxonomy.importer`); matching code can use them directly.

ESCO (European Commission, "ESCO, European Commission", CSV export of one language; read with
:func:`read_esco`). Files, comma-separated UTF-8 with a header row, columns found by name:

* ``occupations_<lang>.csv`` (required): ``conceptUri``, ``preferredLabel``, ``altLabels``,
  ``hiddenLabels`` (optional), ``status`` (optional; rows whose status is given and is not
  ``released`` are left out);
* ``skills_<lang>.csv`` (optional): the same columns plus ``skillType`` (``skill/competence`` or
  ``knowledge``; both become skills). When it is absent, the skill *collection* files
  ``*SkillsCollection_<lang>.csv`` (transversal, digital, green, language, research…) are read
  instead: same columns, alternative labels separated by `` | ``;
* ``occupationSkillRelations_<lang>.csv`` (optional): ``occupationUri``, ``relationType``
  (``essential``/``optional``), ``skillUri``.

In the full files alternative and hidden labels are separated by line breaks; both are aliases.
Codes are the concept URIs.

O*NET (US Department of Labor, CC BY 4.0, "O*NET 29.2 Database"; read with :func:`read_onet`).
Files, tab-separated UTF-8 with a header row, columns found by name:

* ``Occupation Data.txt`` (required): ``O*NET-SOC Code``, ``Title``;
* ``Alternate Titles.txt``: ``O*NET-SOC Code``, ``Alternate Title``, ``Short Title`` (``n/a`` when
  none) → occupation aliases;
* ``Sample of Reported Titles.txt``: ``O*NET-SOC Code``, ``Reported Job Title`` → occupation aliases;
* ``Technology Skills.txt``: ``O*NET-SOC Code``, ``Example``, ``Commodity Code``, ``Commodity Title``,
  ``Hot Technology`` → one skill per distinct example (code ``tech:<example>``), related to the
  occupation as ``technology`` or, when ``Hot Technology`` is ``Y``, ``hot_technology``;
* ``Skills.txt`` (the content-model skills): ``O*NET-SOC Code``, ``Element ID``, ``Element Name``,
  ``Scale ID``, ``Data Value`` → one skill per element (code = the element id) and, from the
  importance scale (``IM``, 1–5), a relation ``importance`` weighted 0–1 (:func:`importance_weight`).

Every reader raises ``FileNotFoundError`` for a missing folder or required file and ``ValueError``
naming the file, line and column for a missing column or an empty code.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

OCCUPATION = "occupation"
SKILL = "skill"
#: Longest label/alias the taxonomy tables hold (``String(300)``); longer ones are skipped and counted.
MAX_LABEL = 300
#: Longest code (``String(200)``).
MAX_CODE = 200
#: Longest relation name (``String(32)``).
MAX_RELATION = 32
_ALT_SPLIT = re.compile(r"\r?\n| \| ")


@dataclass(frozen=True)
class SourceConcept:
    """One taxonomy entry: ``code`` unique within ``scheme``; ``kind`` ``occupation`` or ``skill``;
    ``aliases`` the other labels, distinct, without the preferred label, in file order."""

    scheme: str
    code: str
    kind: str
    label: str
    lang: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceRelation:
    """``occupation`` (code) needs ``skill`` (code): ``relation`` as the source names it
    (``essential``, ``optional``, ``technology``, ``hot_technology``, ``importance``), ``weight``
    0–1 when the source rates the link (O*NET importance, see :func:`importance_weight`), else ``None``."""

    occupation: str
    skill: str
    relation: str
    weight: float | None = None


@dataclass
class TaxonomySource:
    """Everything read from one release: ``concepts`` in file order, ``relations``, ``rows`` read per
    file, and ``skipped`` counts by reason (e.g. a label longer than :data:`MAX_LABEL`, a relation
    naming an unknown concept, a row not ``released``)."""

    scheme: str
    concepts: list[SourceConcept] = field(default_factory=list)
    relations: list[SourceRelation] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def counts(self) -> dict[str, int]:
        """``occupations``, ``skills``, ``aliases``, ``relations``."""
        return {
            "occupations": sum(c.kind == OCCUPATION for c in self.concepts),
            "skills": sum(c.kind == SKILL for c in self.concepts),
            "aliases": sum(len(c.aliases) for c in self.concepts),
            "relations": len(self.relations),
        }


class _Ticker:
    """Counts rows read across a release's files and tells ``progress("read", rows, total)`` every
    2,000 rows (``total``: the lines of the files, counted first)."""

    def __init__(self, progress: Callable[[str, int, int | None], None] | None, files: Iterable[Path]) -> None:
        self.progress, self.rows = progress, 0
        self.total = None
        if progress is not None:
            self.total = sum(max(0, _line_count(f) - 1) for f in files if f.is_file())
            progress("read", 0, self.total)

    def __call__(self) -> None:
        self.rows += 1
        if self.progress is not None and self.rows % 2000 == 0:
            self.progress("read", self.rows, self.total)

    def done(self) -> None:
        if self.progress is not None:
            self.progress("read", self.rows, max(self.rows, self.total or 0))


def _line_count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def _records(
    path: Path,
    columns: Sequence[str],
    optional: Sequence[str] = (),
    delimiter: str = ",",
    tick: Callable[[], None] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, {column: stripped value})`` per data row; ``optional`` columns are ``""`` when absent.
    The first of ``columns`` must be non-empty. ``line`` is the record's first physical line.
    ``tick()`` is called for every row read (progress)."""
    quoting: Literal[0, 3] = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, quoting=quoting)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: empty file, expected a header row with {list(columns)}")
        header = [h.strip() for h in header]
        missing = [c for c in columns if c not in header]
        if missing:
            raise ValueError(f"{path}: header lacks column(s) {missing}; found {header}")
        pos = {c: header.index(c) for c in (*columns, *optional) if c in header}
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if tick is not None:
                tick()
            if not row or not any(v.strip() for v in row):
                continue
            values = {c: (row[p].strip() if p < len(row) else "") for c, p in pos.items()}
            for c in optional:
                values.setdefault(c, "")
            if not values[columns[0]]:
                raise ValueError(f"{path}, line {start}, column {columns[0]!r}: empty value")
            yield start, values


def _labels(texts: Iterable[str], preferred: str, out: TaxonomySource) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for text in texts:
        for part in _ALT_SPLIT.split(text):
            label = part.strip()
            if not label or label == preferred or label in seen:
                continue
            if len(label) > MAX_LABEL:
                out.skip("alias longer than 300 characters")
                continue
            seen[label] = None
    return tuple(seen)


def _concept(
    out: TaxonomySource, where: str, code: str, kind: str, label: str, lang: str, alias_texts: Iterable[str]
) -> SourceConcept | None:
    if len(code) > MAX_CODE:
        raise ValueError(f"{where}: code longer than {MAX_CODE} characters: {code[:60]}…")
    if not label:
        out.skip(f"{kind} without a label")
        return None
    if len(label) > MAX_LABEL:
        out.skip(f"{kind} label longer than 300 characters")
        return None
    return SourceConcept(out.scheme, code, kind, label, lang, _labels(alias_texts, label, out))


def _folder(directory: str | Path, required: str, what: str) -> Path:
    root = Path(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"{what} directory not found: {root}")
    if not (root / required).is_file():
        raise FileNotFoundError(f"{root / required} not found (is {root} an {what} release?)")
    return root


def read_esco(
    directory: str | Path, lang: str = "en", progress: Callable[[str, int, int | None], None] | None = None
) -> TaxonomySource:
    """Read an ESCO CSV export in language ``lang`` from ``directory`` (see the module doc); scheme ``esco``."""
    occ_name = f"occupations_{lang}.csv"
    root = _folder(directory, occ_name, "ESCO")
    skill_files = (
        [root / f"skills_{lang}.csv"]
        if (root / f"skills_{lang}.csv").is_file()
        else sorted(root.glob(f"*SkillsCollection_{lang}.csv"))
    )
    tick = _Ticker(progress, [root / occ_name, *skill_files, root / f"occupationSkillRelations_{lang}.csv"])
    out = TaxonomySource(scheme="esco")
    by_code: dict[str, SourceConcept] = {}
    position: dict[str, int] = {}

    def read_concepts(path: Path, kind: str) -> None:
        n = 0
        for line, r in _records(
            path, ("conceptUri", "preferredLabel"), ("altLabels", "hiddenLabels", "status"), tick=tick
        ):
            n += 1
            if r["status"] and r["status"] != "released":
                out.skip(f"{kind} not released")
                continue
            c = _concept(
                out,
                f"{path}, line {line}",
                r["conceptUri"],
                kind,
                r["preferredLabel"],
                lang,
                (r["altLabels"], r["hiddenLabels"]),
            )
            if c is None:
                continue
            before = by_code.get(c.code)
            if before is None:
                by_code[c.code] = c
                position[c.code] = len(out.concepts)
                out.concepts.append(c)
            elif before.kind != kind:
                raise ValueError(f"{path}, line {line}: {c.code} is already a {before.kind}")
            else:  # the same skill in two collections: one concept, the labels of both
                merged = dataclasses.replace(before, aliases=_labels((*before.aliases, *c.aliases), before.label, out))
                by_code[c.code] = out.concepts[position[c.code]] = merged
        out.rows[path.name] = n

    read_concepts(root / occ_name, OCCUPATION)
    skills = root / f"skills_{lang}.csv"
    for path in [skills] if skills.is_file() else sorted(root.glob(f"*SkillsCollection_{lang}.csv")):
        read_concepts(path, SKILL)
    relations = root / f"occupationSkillRelations_{lang}.csv"
    if relations.is_file():
        n = 0
        seen: set[tuple[str, str]] = set()
        for line, r in _records(relations, ("occupationUri", "skillUri"), ("relationType",), tick=tick):
            n += 1
            kind = r["relationType"] or "related"
            if len(kind) > MAX_RELATION:
                raise ValueError(
                    f"{relations}, line {line}, column 'relationType': longer than {MAX_RELATION} "
                    f"characters: {kind[:60]!r}"
                )
            occ, skill = by_code.get(r["occupationUri"]), by_code.get(r["skillUri"])
            if occ is None or skill is None or occ.kind != OCCUPATION or skill.kind != SKILL:
                out.skip("relation naming an unknown occupation or skill")
            elif (occ.code, skill.code) in seen:
                out.skip("relation listed twice (the first kept)")
            else:
                seen.add((occ.code, skill.code))
                out.relations.append(SourceRelation(occ.code, skill.code, kind))
        out.rows[relations.name] = n
    tick.done()
    return out


#: O*NET's importance scale (``IM``): 1 "not important" … 5 "extremely important".
IMPORTANCE_LOW, IMPORTANCE_HIGH = 1.0, 5.0


def importance_weight(value: float) -> float:
    """An O*NET importance rating (1–5) as a weight 0–1: ``(value − 1) / 4``, rounded to 4 decimals.

    This is O*NET's standardised score ``S = (O − L) / (H − L) × 100`` (O*NET Resource Center,
    "Scales, Ratings, and Standardized Scores") divided by 100, with L = 1 and H = 5 for importance.
    Raises ``ValueError`` for a value outside 1–5."""
    if not IMPORTANCE_LOW <= value <= IMPORTANCE_HIGH:
        raise ValueError(f"importance {value} outside {IMPORTANCE_LOW:g}–{IMPORTANCE_HIGH:g}")
    return round((value - IMPORTANCE_LOW) / (IMPORTANCE_HIGH - IMPORTANCE_LOW), 4)


ONET_OCCUPATIONS = "Occupation Data.txt"
ONET_ALTERNATE = "Alternate Titles.txt"
ONET_REPORTED = "Sample of Reported Titles.txt"
ONET_TECHNOLOGY = "Technology Skills.txt"
ONET_SKILLS = "Skills.txt"
SOC = "O*NET-SOC Code"


def read_onet(directory: str | Path, progress: Callable[[str, int, int | None], None] | None = None) -> TaxonomySource:
    """Read the O*NET text files in ``directory`` (see the module doc); scheme ``onet``, language ``en``."""
    root = _folder(directory, ONET_OCCUPATIONS, "O*NET")
    tick = _Ticker(
        progress, [root / n for n in (ONET_OCCUPATIONS, ONET_ALTERNATE, ONET_REPORTED, ONET_TECHNOLOGY, ONET_SKILLS)]
    )
    out = TaxonomySource(scheme="onet")
    titles: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    path = root / ONET_OCCUPATIONS
    n = 0
    for line, r in _records(path, (SOC, "Title"), delimiter="\t", tick=tick):
        n += 1
        if r[SOC] in titles:
            raise ValueError(f"{path}, line {line}: occupation {r[SOC]} listed twice")
        titles[r[SOC]] = r["Title"]
        aliases[r[SOC]] = []
    out.rows[path.name] = n

    def alias_file(name: str, columns: Sequence[str]) -> None:
        path = root / name
        if not path.is_file():
            return
        n = 0
        for _, r in _records(path, (SOC, columns[0]), columns[1:], delimiter="\t", tick=tick):
            n += 1
            if r[SOC] not in aliases:
                out.skip("title of an unknown occupation")
                continue
            aliases[r[SOC]].extend(v for c in columns if (v := r[c]) and v.lower() != "n/a")
        out.rows[name] = n

    alias_file(ONET_ALTERNATE, ("Alternate Title", "Short Title"))
    alias_file(ONET_REPORTED, ("Reported Job Title",))
    for code, title in titles.items():
        c = _concept(out, f"{root / ONET_OCCUPATIONS}", code, OCCUPATION, title, "en", aliases[code])
        if c is not None:
            out.concepts.append(c)
    known = {c.code for c in out.concepts}
    skills: dict[str, SourceConcept] = {}
    relations: dict[tuple[str, str], SourceRelation] = {}

    tech = root / ONET_TECHNOLOGY
    if tech.is_file():
        n = 0
        for line, r in _records(tech, (SOC, "Example"), ("Hot Technology",), delimiter="\t", tick=tick):
            n += 1
            if r[SOC] not in known:
                out.skip("technology skill of an unknown occupation")
                continue
            code = f"tech:{r['Example']}"
            if code not in skills:
                c = _concept(out, f"{tech}, line {line}", code, SKILL, r["Example"], "en", ())
                if c is None:
                    continue
                skills[code] = c
            kind = "hot_technology" if r["Hot Technology"].upper() == "Y" else "technology"
            relations.setdefault((r[SOC], code), SourceRelation(r[SOC], code, kind))
        out.rows[tech.name] = n
    content = root / ONET_SKILLS
    if content.is_file():
        n = 0
        for line, r in _records(
            content, (SOC, "Element ID", "Element Name", "Scale ID", "Data Value"), delimiter="\t", tick=tick
        ):
            n += 1
            code = r["Element ID"]
            if code not in skills:
                c = _concept(out, f"{content}, line {line}", code, SKILL, r["Element Name"], "en", ())
                if c is None:
                    continue
                skills[code] = c
            if r["Scale ID"] != "IM":
                continue
            if r[SOC] not in known:
                out.skip("skill rating of an unknown occupation")
                continue
            try:
                weight = importance_weight(float(r["Data Value"]))
            except ValueError as exc:
                raise ValueError(
                    f"{content}, line {line}, column 'Data Value': {r['Data Value']!r} is not an "
                    f"importance rating 1–5 ({exc})"
                ) from None
            relations[(r[SOC], code)] = SourceRelation(r[SOC], code, "importance", weight)
        out.rows[content.name] = n
    out.concepts.extend(skills.values())
    out.relations.extend(relations.values())
    tick.done()
    return out
