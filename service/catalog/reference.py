"""Load the national reference data into the database: GB/T 2260 regions and the 中职 专业目录.

``vocmatch migrate`` runs :func:`load_reference` after the schema migrations, so a database made
without the demo sample can place a school in any county and accept any catalogue major. The
same code loads an update a department is given later (``vocmatch reference regions FILE``,
``vocmatch reference majors FILE``). Every load is idempotent (a second run changes no row) and
never deletes: a region missing from a newer code list is marked ``retired_on`` (schools,
graduates and postings may still refer to it), a major is only retired by an explicit date.

The built-in load (:func:`load_reference`) brings regions to the shipped list unless a newer
list was loaded (``reference_versions`` remembers its date), and only *adds* majors and fills an
empty 专业类: it never overwrites a major's name, because a department may have renamed it, and
``vocmatch migrate`` runs on every deployment; it reports the majors whose stored name differs
from the shipped file instead. An explicit update file is the department's word and is applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.regions import DATA_AS_OF, RegionRecord, all_regions
from service.catalog.majors import CatalogueMajor, catalogue
from service.catalog.models import Major, ReferenceVersion, Region, RegionLevel

_CHUNK = 500


@dataclass(slots=True)
class LoadReport:
    """What a load changed; ``differs`` lists rows kept as stored although the file says otherwise."""

    regions_added: int = 0
    regions_updated: int = 0
    regions_retired: int = 0
    regions_restored: int = 0
    majors_added: int = 0
    majors_updated: int = 0
    differs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


async def load_regions(
    session: AsyncSession,
    records: Sequence[RegionRecord],
    as_of: dt.date,
    *,
    retire_missing: bool = True,
    report: LoadReport | None = None,
) -> LoadReport:
    """Make the ``regions`` table say what ``records`` (a whole code list of date ``as_of``) says.

    New codes are inserted (parents first), changed names, levels or parents updated, retired
    codes that reappear restored; with ``retire_missing`` every current code the list lacks is
    marked ``retired_on = as_of`` (never deleted). Flushes; the caller commits.

    Raises:
        ValueError: a record's parent is neither in ``records`` nor stored (nothing is written).
    """
    report = report if report is not None else LoadReport()
    have = {
        code: (name, level, parent, retired)
        for code, name, level, parent, retired in (
            await session.execute(select(Region.code, Region.name, Region.level, Region.parent_code, Region.retired_on))
        ).tuples()
    }
    wanted = {r.code: r for r in records}
    orphans = sorted(
        r.code for r in records if r.parent_code and r.parent_code not in wanted and r.parent_code not in have
    )
    if orphans:
        raise ValueError(f"region(s) {', '.join(orphans[:10])} name a parent that is neither listed nor stored")
    new = [
        {"code": r.code, "name": r.name, "level": RegionLevel(r.level), "parent_code": r.parent_code}
        for r in sorted(records, key=lambda r: r.code)
        if r.code not in have
    ]
    for level in RegionLevel:  # parents before children: provinces, then cities, then counties
        batch = [row for row in new if row["level"] is level]
        for start in range(0, len(batch), _CHUNK):
            await session.execute(insert(Region), batch[start : start + _CHUNK])
    report.regions_added += len(new)
    changes: list[dict[str, Any]] = []
    for code, r in wanted.items():
        if code not in have:
            continue
        name, level, parent, retired = have[code]
        if (name, level, parent) != (r.name, RegionLevel(r.level), r.parent_code) or retired is not None:
            changes.append(
                {
                    "code": code,
                    "name": r.name,
                    "level": RegionLevel(r.level),
                    "parent_code": r.parent_code,
                    "retired_on": None,
                }
            )
            report.regions_updated += (name, level, parent) != (r.name, RegionLevel(r.level), r.parent_code)
            report.regions_restored += retired is not None
    gone: list[dict[str, Any]] = []
    if retire_missing:
        gone = [
            {"code": code, "retired_on": as_of} for code, row in have.items() if code not in wanted and row[3] is None
        ]
        report.regions_retired += len(gone)
    for batch_rows in (changes, gone):
        for start in range(0, len(batch_rows), _CHUNK):
            await session.execute(update(Region), batch_rows[start : start + _CHUNK])
    await session.flush()
    return report


def _major_row(m: CatalogueMajor) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "category": m.category,
        "class_name": m.class_name,
        "valid_from": m.valid_from,
        "retired_on": m.retired_on,
    }


async def load_majors(
    session: AsyncSession, majors: Iterable[CatalogueMajor], *, overwrite: bool, report: LoadReport | None = None
) -> LoadReport:
    """Insert the majors not stored yet; with ``overwrite`` also apply the file's name, 大类,
    专业类 and dates to stored ones (an update file), else only fill an empty 专业类 and list
    the differences in ``report.differs`` (the built-in load). Flushes; the caller commits."""
    report = report if report is not None else LoadReport()
    have = {m.code: m for m in (await session.scalars(select(Major))).all()}
    rows = [_major_row(m) for m in majors]
    new = [row for row in rows if row["code"] not in have]
    for start in range(0, len(new), _CHUNK):
        await session.execute(insert(Major), new[start : start + _CHUNK])
    report.majors_added += len(new)
    for row in rows:
        stored = have.get(row["code"])
        if stored is None:
            continue
        fields = ("name", "category", "class_name", "valid_from", "retired_on") if overwrite else ("class_name",)
        changed = {
            k: row[k] for k in fields if getattr(stored, k) != row[k] and (overwrite or getattr(stored, k) is None)
        }
        if changed:
            for k, v in changed.items():
                setattr(stored, k, v)
            report.majors_updated += 1
        if not overwrite and (stored.name, stored.category) != (row["name"], row["category"]):
            report.differs.append(
                f"major {row['code']}: stored {stored.name} ({stored.category}), "
                f"catalogue {row['name']} ({row['category']})"
            )
    await session.flush()
    return report


async def stored_version(session: AsyncSession, name: str) -> ReferenceVersion | None:
    return await session.get(ReferenceVersion, name)


async def record_version(session: AsyncSession, name: str, as_of: dt.date, source: str) -> None:
    """Remember that the ``name`` list of date ``as_of`` from ``source`` is loaded. Flushes."""
    row = await session.get(ReferenceVersion, name)
    if row is None:
        session.add(ReferenceVersion(name=name, as_of=as_of, source=source[:200]))
    else:
        row.as_of, row.source = as_of, source[:200]
    await session.flush()


async def load_region_list(
    session: AsyncSession,
    records: Sequence[RegionRecord],
    as_of: dt.date,
    source: str,
    *,
    retire_missing: bool = True,
    force: bool = False,
) -> LoadReport:
    """Apply a whole GB/T 2260 code list of date ``as_of`` (:func:`load_regions`) and record its
    vintage, unless the database already holds a newer list (then nothing changes and
    ``report.differs`` says so; ``force`` applies it anyway)."""
    report = LoadReport()
    current = await stored_version(session, "regions")
    if current is not None and current.as_of > as_of and not force:
        report.differs.append(
            f"regions: kept the list of {current.as_of} ({current.source}); {source} describes the older date {as_of}"
        )
        return report
    await load_regions(session, records, as_of, retire_missing=retire_missing, report=report)
    # a partial list is recorded too: the shipped, older list must not undo its changes later
    await record_version(session, "regions", as_of, source if retire_missing else f"{source} (partial)")
    return report


async def load_reference(session: AsyncSession) -> LoadReport:
    """Load the shipped GB/T 2260 list and the 2021 中职 catalogue (see the module docstring).

    Regions follow the shipped list unless a newer list was loaded (codes it lacks are retired
    as of its date, nothing is deleted); majors are add-only. Idempotent; flushes, the caller
    commits.
    """
    report = await load_region_list(session, all_regions(), dt.date.fromisoformat(DATA_AS_OF), "built-in")
    await load_majors(session, catalogue(), overwrite=False, report=report)
    if await stored_version(session, "majors") is None:
        await record_version(session, "majors", dt.date(2021, 3, 12), "built-in 职业教育专业目录（2021年）")
    return report
