"""Reference catalog queries and the one write it allows (adding a school)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, Region, RegionLevel, School
from service.catalog.regions import region_prefix
from service.catalog.schemas import MajorRead, RegionRead, SchoolCreate, SchoolRead
from service.errors import ConflictError, InvalidFieldError, NotFoundError


def region_to_read(r: Region) -> RegionRead:
    return RegionRead(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code)


def school_to_read(s: School) -> SchoolRead:
    return SchoolRead(id=s.id, code=s.code, name=s.name, region_code=s.region_code, created_at=s.created_at,
                      updated_at=s.updated_at)


def major_to_read(m: Major) -> MajorRead:
    return MajorRead(code=m.code, name=m.name, category=m.category)


class CatalogService:
    """Regions, schools and majors. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _page(self, stmt: Select[Any], order: Any, limit: int, offset: int) -> tuple[Sequence[Any], int]:
        total = (await self.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
        rows = (await self.session.execute(stmt.order_by(order).limit(limit).offset(offset))).scalars().all()
        return rows, total

    async def list_regions(self, level: RegionLevel | None, parent_code: str | None, limit: int,
                           offset: int) -> tuple[Sequence[Region], int]:
        """Regions ordered by code; ``parent_code`` gives the direct children only."""
        stmt = select(Region)
        if level is not None:
            stmt = stmt.where(Region.level == level)
        if parent_code is not None:
            stmt = stmt.where(Region.parent_code == parent_code)
        return await self._page(stmt, Region.code, limit, offset)

    async def list_schools(self, region_code: str | None, q: str | None, limit: int,
                           offset: int) -> tuple[Sequence[School], int]:
        """Schools ordered by id; ``region_code`` includes schools in its sub-regions."""
        stmt = select(School)
        if region_code is not None:
            stmt = stmt.where(School.region_code.startswith(region_prefix(region_code)))
        if q:
            stmt = stmt.where(School.name.contains(q, autoescape=True))
        return await self._page(stmt, School.id, limit, offset)

    async def get_school(self, school_id: int) -> School:
        """Raises :class:`NotFoundError`."""
        school = await self.session.get(School, school_id)
        if school is None:
            raise NotFoundError("school", school_id)
        return school

    async def create_school(self, data: SchoolCreate) -> School:
        """Store a new school.

        Raises:
            InvalidFieldError: unknown ``region_code`` (422).
            ConflictError: a school with this 学校标识码 exists (409).
        """
        if await self.session.get(Region, data.region_code) is None:
            raise InvalidFieldError("region_code", f"unknown GB/T 2260 region code {data.region_code}")
        other = (await self.session.execute(select(School).where(School.code == data.code))).scalar_one_or_none()
        if other is not None:
            raise ConflictError(f"code: school code {data.code} is already used by school {other.id}",
                                [{"field": "code", "message": f"already used by school {other.id}"}])
        school = School(code=data.code, name=data.name, region_code=data.region_code)
        self.session.add(school)
        await self.session.flush()
        await self.session.refresh(school)
        return school

    async def list_majors(self, category: str | None, q: str | None, limit: int,
                          offset: int) -> tuple[Sequence[Major], int]:
        """Majors ordered by 专业代码; ``category`` is the exact 专业大类 name."""
        stmt = select(Major)
        if category is not None:
            stmt = stmt.where(Major.category == category)
        if q:
            stmt = stmt.where(Major.name.contains(q, autoescape=True))
        return await self._page(stmt, Major.code, limit, offset)
