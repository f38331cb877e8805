"""Reference data for the embedded default: regions, majors, taxonomy, schools (idempotent upserts).

Regions and the 2021 中职 catalogue come from :func:`service.catalog.reference.load_reference`
(what ``vocmatch migrate`` loads; the national list includes every row of
``data/regions_guangdong.csv``). The core taxonomy's majors, concepts with aliases and the
major → occupation (对口) links come from ``matching/data/core_taxonomy.json``; schools from
``data/schools.json``.

Concepts are stored in scheme ``vocmatch``; each alias row holds the alias label and its
:func:`vocab.text.normalise` form (the concept's preferred label stays on the concept).
Rows that disappeared from the files are left alone (other rows may refer to them), except
aliases and major → occupation links, which are kept equal to the file.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from matching.taxonomy import Taxonomy
from scrapers.regions import RegionRecord, all_regions
from service.catalog import reference as catalog_reference
from service.catalog.models import Major, School
from service.sample import datafiles
from service.taxonomy.core import core_taxonomy
from service.taxonomy.models import Concept, ConceptAlias, ConceptKind, MajorOccupation
from vocab.text import normalise

SCHEME = "vocmatch"


def reference_regions() -> list[RegionRecord]:
    """National regions plus the Guangdong rows they lack (none since the 2025 list), parents
    before children.

    Raises:
        ValueError: ``regions_guangdong.csv`` is malformed.
    """
    merged = {r.code: r for r in all_regions()}
    for r in datafiles.guangdong_regions():
        merged.setdefault(r.code, r)
    return sorted(merged.values(), key=lambda r: r.code)


async def _upsert_majors(session: AsyncSession, tax: Taxonomy) -> None:
    have = {m.code: m for m in (await session.scalars(select(Major))).all()}
    for m in tax.majors.values():
        row = have.get(m.code)
        if row is None:
            session.add(Major(code=m.code, name=m.name, category=m.category))
        elif (row.name, row.category) != (m.name, m.category):
            row.name, row.category = m.name, m.category


async def _upsert_concepts(session: AsyncSession, tax: Taxonomy) -> dict[str, int]:
    rows = {
        c.code: c
        for c in (
            await session.scalars(
                select(Concept).where(Concept.scheme == SCHEME).options(selectinload(Concept.aliases))
            )
        ).all()
    }
    ids = {code: row.id for code, row in rows.items()}
    new = [c for c in tax.concepts.values() if c.code not in rows]
    if new:  # bulk path for a fresh database: two statements instead of a thousand
        created = await session.execute(
            insert(Concept).returning(Concept.code, Concept.id),
            [
                {"scheme": SCHEME, "code": c.code, "kind": ConceptKind(c.kind), "label": c.label, "lang": c.lang}
                for c in new
            ],
        )
        new_ids = dict(created.tuples().all())
        aliases = [
            {"concept_id": new_ids[c.code], "label": a.label, "normalised": normalise(a.label), "lang": a.lang}
            for c in new
            for a in c.aliases
        ]
        if aliases:
            await session.execute(insert(ConceptAlias), aliases)
        ids.update(new_ids)
    for c in tax.concepts.values():
        row = rows.get(c.code)
        if row is None:
            continue
        if (row.kind, row.label, row.lang) != (ConceptKind(c.kind), c.label, c.lang):
            row.kind, row.label, row.lang = ConceptKind(c.kind), c.label, c.lang
        wanted = {a.label: a.lang for a in c.aliases}
        for alias in list(row.aliases):
            if alias.label not in wanted:
                row.aliases.remove(alias)
            elif (alias.lang, alias.normalised) != (wanted[alias.label], normalise(alias.label)):
                alias.lang, alias.normalised = wanted[alias.label], normalise(alias.label)
        present = {a.label for a in row.aliases}
        for label, lang in wanted.items():
            if label not in present:
                row.aliases.append(ConceptAlias(label=label, normalised=normalise(label), lang=lang))
    await session.flush()
    return ids


async def _sync_major_occupations(session: AsyncSession, tax: Taxonomy, ids: dict[str, int]) -> None:
    have = set((await session.execute(select(MajorOccupation.major_code, MajorOccupation.concept_id))).tuples())
    wanted = {(m.code, ids[o]) for m in tax.majors.values() for o in m.occupations}
    for major_code, concept_id in sorted(wanted - have):
        session.add(MajorOccupation(major_code=major_code, concept_id=concept_id))
    for major_code, concept_id in have - wanted:
        if major_code in tax.majors:
            await session.execute(
                delete(MajorOccupation).where(
                    MajorOccupation.major_code == major_code, MajorOccupation.concept_id == concept_id
                )
            )


async def _upsert_schools(session: AsyncSession) -> None:
    have = {s.code: s for s in (await session.scalars(select(School))).all()}
    for s in datafiles.schools():
        row = have.get(s.code)
        if row is None:
            session.add(School(code=s.code, name=s.name, region_code=s.region_code))
        elif (row.name, row.region_code) != (s.name, s.region_code):
            row.name, row.region_code = s.name, s.region_code


async def load_reference(session: AsyncSession) -> None:
    """Upsert regions, majors, taxonomy concepts/aliases, major → occupation links and schools.

    Idempotent: a second call changes no row. Flushes; the caller commits.

    Raises:
        ValueError: the core taxonomy or a data file is malformed (checked before any write).
    """
    tax = core_taxonomy()
    regions = reference_regions()  # read every file before the first write
    datafiles.schools()
    unknown = sorted({s.region_code for s in datafiles.schools()} - {r.code for r in regions})
    if unknown:
        raise ValueError(f"service/sample/data/schools.json: unknown region_code {', '.join(unknown)}")
    await catalog_reference.load_reference(session)
    await _upsert_majors(session, tax)
    await session.flush()
    ids = await _upsert_concepts(session, tax)
    await _sync_major_occupations(session, tax, ids)
    await _upsert_schools(session)
    await session.flush()
