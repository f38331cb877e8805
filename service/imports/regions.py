"""Make sure the regions an import references exist (``postings.region_code`` is a foreign key)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.regions import region_chain
from service.catalog.models import Region, RegionLevel


async def ensure_regions(session: AsyncSession, codes: Iterable[str]) -> int:
    """Insert the divisions ``codes`` name, and their parents, that are not stored yet.

    Codes unknown to :mod:`scrapers.regions` are ignored. Flushes. Returns how many rows were added.
    """
    needed: dict[str, Region] = {}
    for code in set(codes):
        for record in region_chain(code):
            needed.setdefault(
                record.code,
                Region(
                    code=record.code, name=record.name, level=RegionLevel(record.level), parent_code=record.parent_code
                ),
            )
    if not needed:
        return 0
    present: set[str] = set()
    wanted = sorted(needed)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        present.update((await session.execute(select(Region.code).where(Region.code.in_(chunk)))).scalars())
    missing = [needed[c] for c in wanted if c not in present]  # sorted: parents before children
    for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY):
        batch = [r for r in missing if r.level == level]
        if batch:
            session.add_all(batch)
            await session.flush()
    return len(missing)
