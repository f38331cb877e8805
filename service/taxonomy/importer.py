"""Store an ESCO or O*NET release (read by :mod:`matching.taxonomy_sources`) in the taxonomy tables.

Concepts go to ``taxonomy_concepts`` (scheme ``esco``/``onet``, code = ESCO URI / O*NET-SOC code /
``tech:<example>`` / O*NET element id) and their other labels to ``taxonomy_aliases`` with the
:func:`vocab.text.normalise` form used for look-ups. The import is a synchronisation of one
scheme, in bulk statements (a few per table whatever the size):

* concepts missing from the database are inserted, those whose kind, label or language changed
  are updated; concepts of the scheme that the release no longer has are kept (postings may
  refer to their codes) and counted as ``concepts_not_in_source``;
* for every concept of the release, aliases are made exactly the release's: missing ones
  inserted, changed normal forms or languages updated, others deleted;
* occupation → skill relations (``taxonomy_relations``) follow the same two rules: for every
  occupation of the release its relations are made exactly the release's (missing ones inserted,
  changed weights updated, others deleted, e.g. a skill that moved from ``essential`` to
  ``optional`` loses its ``essential`` row); the relations of an occupation that the release no
  longer has are kept with it and counted as ``relations_not_in_source``.

A second import of the same release therefore changes nothing (every count but ``unchanged`` and
``not_in_source`` is 0). The caller commits (one transaction: nothing half-written).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from matching.taxonomy_sources import MAX_LABEL, TaxonomySource
from service.taxonomy.models import Concept, ConceptAlias, ConceptKind, ConceptRelation
from vocab.text import normalise

_CHUNK = 5000


@dataclass
class ImportReport:
    """What one import did (counts of rows)."""

    scheme: str
    concepts_added: int = 0
    concepts_updated: int = 0
    concepts_unchanged: int = 0
    concepts_not_in_source: int = 0
    aliases_added: int = 0
    aliases_updated: int = 0
    aliases_removed: int = 0
    aliases_unchanged: int = 0
    relations_added: int = 0
    relations_updated: int = 0
    relations_removed: int = 0
    relations_unchanged: int = 0
    relations_not_in_source: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.concepts_added,
                self.concepts_updated,
                self.aliases_added,
                self.aliases_updated,
                self.aliases_removed,
                self.relations_added,
                self.relations_updated,
                self.relations_removed,
            )
        )


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def import_taxonomy(
    session: AsyncSession, source: TaxonomySource, progress: Callable[[str, int, int | None], None] | None = None
) -> ImportReport:
    """Synchronise ``source.scheme`` in the taxonomy tables with ``source`` (see the module doc).
    Flushes, never commits. Returns the counts. Raises ``ValueError`` for a relation naming a
    code that is not among ``source.concepts``, before writing anything. ``progress(phase, done,
    total)`` is told the steps done (concepts, aliases, relations, flush: ``write``, 4 steps)."""
    codes = {c.code for c in source.concepts}
    for r in source.relations:
        if r.occupation not in codes or r.skill not in codes:
            raise ValueError(
                f"{source.scheme} relation {r.occupation} → {r.skill} ({r.relation}) names a "
                f"concept the release does not have"
            )
    scheme = source.scheme
    report = ImportReport(scheme=scheme)
    tell = progress or (lambda phase, done, total: None)
    tell("write", 0, 4)
    have = {
        code: (cid, kind, label, lang)
        for code, cid, kind, label, lang in (
            await session.execute(
                select(Concept.code, Concept.id, Concept.kind, Concept.label, Concept.lang).where(
                    Concept.scheme == scheme
                )
            )
        ).tuples()
    }
    wanted = {c.code: c for c in source.concepts}
    report.concepts_not_in_source = len(set(have) - set(wanted))
    ids = {code: row[0] for code, row in have.items()}
    new = [c for c in source.concepts if c.code not in have]
    for chunk in _chunks(new):
        created = await session.execute(
            insert(Concept).returning(Concept.code, Concept.id),
            [
                {"scheme": scheme, "code": c.code, "kind": ConceptKind(c.kind), "label": c.label, "lang": c.lang}
                for c in chunk
            ],
        )
        ids.update(created.tuples().all())
    report.concepts_added = len(new)
    changed = [
        {"id": row[0], "kind": ConceptKind(c.kind), "label": c.label, "lang": c.lang}
        for c in source.concepts
        if (row := have.get(c.code)) is not None and (row[1], row[2], row[3]) != (ConceptKind(c.kind), c.label, c.lang)
    ]
    for chunk in _chunks(changed):
        await session.execute(update(Concept), list(chunk))
    report.concepts_updated = len(changed)
    report.concepts_unchanged = len(have) - report.concepts_not_in_source - len(changed)
    tell("write", 1, 4)

    in_source = {ids[code] for code in wanted}
    existing: dict[tuple[int, str], tuple[int, str, str]] = {}
    if have:
        rows = await session.execute(
            select(
                ConceptAlias.concept_id, ConceptAlias.label, ConceptAlias.id, ConceptAlias.normalised, ConceptAlias.lang
            )
            .join(Concept, Concept.id == ConceptAlias.concept_id)
            .where(Concept.scheme == scheme)
        )
        existing = {
            (cid, label): (aid, norm, lang) for cid, label, aid, norm, lang in rows.tuples() if cid in in_source
        }
    target = {(ids[c.code], a): (normalise(a)[:MAX_LABEL], c.lang) for c in source.concepts for a in c.aliases}
    add = [
        {"concept_id": cid, "label": label, "normalised": norm, "lang": lang}
        for (cid, label), (norm, lang) in target.items()
        if (cid, label) not in existing
    ]
    for chunk in _chunks(add):
        await session.execute(insert(ConceptAlias), list(chunk))
    fix = [
        {"id": existing[key][0], "normalised": norm, "lang": lang}
        for key, (norm, lang) in target.items()
        if key in existing and existing[key][1:] != (norm, lang)
    ]
    for chunk in _chunks(fix):
        await session.execute(update(ConceptAlias), list(chunk))
    drop = [aid for key, (aid, _, _) in existing.items() if key not in target]
    for chunk in _chunks(drop):
        await session.execute(delete(ConceptAlias).where(ConceptAlias.id.in_(chunk)))
    report.aliases_added, report.aliases_updated, report.aliases_removed = len(add), len(fix), len(drop)
    report.aliases_unchanged = len(target) - len(add) - len(fix)
    tell("write", 2, 4)
    await _sync_relations(session, source, ids, in_source, report)
    tell("write", 3, 4)
    await session.flush()
    tell("write", 4, 4)
    return report


async def _sync_relations(
    session: AsyncSession, source: TaxonomySource, ids: dict[str, int], in_source: set[int], report: ImportReport
) -> None:
    """Make the stored relations of the release's occupations exactly ``source.relations``."""
    rows = await session.execute(
        select(
            ConceptRelation.occupation_id,
            ConceptRelation.skill_id,
            ConceptRelation.relation,
            ConceptRelation.id,
            ConceptRelation.weight,
        )
        .join(Concept, Concept.id == ConceptRelation.occupation_id)
        .where(Concept.scheme == source.scheme)
    )
    existing = {(occ, skill, rel): (rid, weight) for occ, skill, rel, rid, weight in rows.tuples()}
    target = {(ids[r.occupation], ids[r.skill], r.relation): r.weight for r in source.relations}
    add = [
        {"occupation_id": occ, "skill_id": skill, "relation": rel, "weight": weight}
        for (occ, skill, rel), weight in target.items()
        if (occ, skill, rel) not in existing
    ]
    for chunk in _chunks(add):
        await session.execute(insert(ConceptRelation), list(chunk))
    fix = [
        {"id": existing[key][0], "weight": weight}
        for key, weight in target.items()
        if key in existing and existing[key][1] != weight
    ]
    for chunk in _chunks(fix):
        await session.execute(update(ConceptRelation), list(chunk))
    gone = [(key, rid) for key, (rid, _) in existing.items() if key not in target]
    drop = [rid for (occ, _, _), rid in gone if occ in in_source]
    for chunk in _chunks(drop):
        await session.execute(delete(ConceptRelation).where(ConceptRelation.id.in_(chunk)))
    report.relations_added, report.relations_updated, report.relations_removed = len(add), len(fix), len(drop)
    report.relations_unchanged = len(target) - len(add) - len(fix)
    report.relations_not_in_source = len(gone) - len(drop)
