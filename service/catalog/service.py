"""Reference catalog queries and its writes: adding a school; adding, renaming and retiring majors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.majors import catalogue_levels
from service.catalog.models import Major, Region, RegionLevel, School
from service.catalog.regions import region_prefix
from service.catalog.schemas import MajorCreate, MajorRead, MajorUpdate, RegionRead, SchoolCreate, SchoolRead
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.inputs import visible_name


def region_to_read(r: Region) -> RegionRead:
    return RegionRead(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code, retired_on=r.retired_on)


def school_to_read(s: School) -> SchoolRead:
    return SchoolRead(
        id=s.id, code=s.code, name=s.name, region_code=s.region_code, created_at=s.created_at, updated_at=s.updated_at
    )


def major_to_read(m: Major) -> MajorRead:
    return MajorRead(
        code=m.code,
        name=m.name,
        category=m.category,
        class_name=m.class_name,
        valid_from=m.valid_from,
        retired_on=m.retired_on,
    )


class CatalogService:
    """Regions, schools and majors. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _page(self, stmt: Select[Any], order: Any, limit: int, offset: int) -> tuple[Sequence[Any], int]:
        total = (await self.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
        rows = (await self.session.execute(stmt.order_by(order).limit(limit).offset(offset))).scalars().all()
        return rows, total

    async def list_regions(
        self, level: RegionLevel | None, parent_code: str | None, limit: int, offset: int, include_retired: bool = False
    ) -> tuple[Sequence[Region], int]:
        """Regions ordered by code; ``parent_code`` gives the direct children only; retired codes
        only with ``include_retired``."""
        stmt = select(Region)
        if not include_retired:
            stmt = stmt.where(Region.retired_on.is_(None))
        if level is not None:
            stmt = stmt.where(Region.level == level)
        if parent_code is not None:
            stmt = stmt.where(Region.parent_code == parent_code)
        return await self._page(stmt, Region.code, limit, offset)

    async def list_schools(
        self, region_code: str | None, q: str | None, limit: int, offset: int
    ) -> tuple[Sequence[School], int]:
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

    async def find_school(self, school_id: int | None) -> School | None:
        """The school with id ``school_id``, or ``None`` (also for no id; callers that answer 404 use
        :meth:`get_school`)."""
        return await self.session.get(School, school_id) if school_id is not None else None

    async def find_school_by_code(self, code: str) -> School | None:
        """The school with 学校标识码 ``code``, or ``None``."""
        return (await self.session.execute(select(School).where(School.code == code))).scalar_one_or_none()

    async def school_choices(self) -> list[tuple[int, str]]:
        """Every school as ``(id, name)``, grouped by region (ordered by region code, then name) —
        the school list of the public sign-up forms."""
        rows = (
            await self.session.execute(select(School.id, School.name).order_by(School.region_code, School.name))
        ).all()
        return [(r[0], r[1]) for r in rows]

    async def school_codes_and_names(self, scope: ColumnElement[bool]) -> list[tuple[str, str]]:
        """``(学校标识码, name)`` of the schools ``scope`` admits (a clause on ``School`` from
        :func:`~service.auth.scoping.schools_clause`), ordered by code."""
        rows = (await self.session.execute(select(School.code, School.name).where(scope).order_by(School.code))).all()
        return [(r[0], r[1]) for r in rows]

    async def find_region(self, code: str) -> Region | None:
        """The region with GB/T 2260 code ``code`` (retired ones too), or ``None``."""
        return await self.session.get(Region, code)

    async def find_major(self, code: str) -> Major | None:
        """The major with 专业代码 ``code`` (retired ones too), or ``None`` (callers that answer 404
        use :meth:`get_major`)."""
        return await self.session.get(Major, code)

    async def region_names(self, codes: Iterable[str]) -> dict[str, str]:
        """``{code: name}`` for those of ``codes`` that are GB/T 2260 codes in the catalogue —
        retired codes included (stored values may carry them); unknown codes are left out."""
        wanted = {c for c in codes if c}
        if not wanted:
            return {}
        rows = await self.session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))
        return dict(rows.tuples().all())

    async def provinces_and_cities(
        self, counties_of: str | None = None, keep: str | None = None, include_retired: bool = True
    ) -> list[tuple[str, str, RegionLevel]]:
        """``(code, name, level)`` of every province and prefecture-level city, ordered by code — plus
        the counties whose code starts with ``counties_of`` (a province's 2-digit prefix) and the region
        ``keep`` (a stored code, listed whatever its level). Retired codes only with ``include_retired``."""
        wanted: list[ColumnElement[bool]] = [Region.level.in_([RegionLevel.PROVINCE, RegionLevel.CITY])]
        if counties_of:
            wanted.append(Region.code.startswith(counties_of))
        if keep:
            wanted.append(Region.code == keep)
        stmt = select(Region.code, Region.name, Region.level).where(or_(*wanted))
        if not include_retired:
            stmt = stmt.where(Region.retired_on.is_(None))
        rows = (await self.session.execute(stmt.order_by(Region.code))).all()
        return [(r[0], r[1], r[2]) for r in rows]

    async def unknown_regions(self, items: list[str]) -> list[str]:
        """The ``items`` that name no region of the catalogue (GB/T 2260): an item is known when it
        is a region's code (6 digits) or its name, with or without the trailing 省/市/区/县
        (``"广州"`` = ``"广州市"``). Order kept."""
        if not items:
            return []
        names = set()
        for item in items:
            names.update({item, item + "市", item + "省", item + "区", item + "县"})
        rows = (
            await self.session.execute(
                select(Region.code, Region.name).where(
                    or_(Region.code.in_([i for i in items if i.isdigit()]), Region.name.in_(names))
                )
            )
        ).all()
        known = {code for code, _ in rows} | {name for _, name in rows}
        return [i for i in items if not ({i, i + "市", i + "省", i + "区", i + "县"} & known)]

    async def create_school(self, data: SchoolCreate) -> School:
        """Store a new school.

        Raises:
            InvalidFieldError: unknown ``region_code`` (422).
            ConflictError: a school with this 学校标识码 exists (409).
        """
        region = await self.session.get(Region, data.region_code)
        if region is None:
            raise InvalidFieldError(
                "region_code", f"unknown GB/T 2260 region code {data.region_code}", "unknown_region"
            )
        if region.retired_on is not None:
            raise InvalidFieldError(
                "region_code",
                f"GB/T 2260 region code {data.region_code} ({region.name}) was "
                f"retired on {region.retired_on}; use the code that replaced it",
                "region_retired",
            )
        other = (await self.session.execute(select(School).where(School.code == data.code))).scalar_one_or_none()
        if other is not None:
            raise ConflictError(
                f"code: school code {data.code} is already used by school {other.id}",
                [{"field": "code", "message": f"already used by school {other.id}"}],
            )
        school = School(code=data.code, name=visible_name("name", data.name), region_code=data.region_code)
        self.session.add(school)
        await self.session.flush()
        await self.session.refresh(school)
        return school

    async def list_majors(
        self, category: str | None, q: str | None, limit: int, offset: int
    ) -> tuple[Sequence[Major], int]:
        """Majors ordered by 专业代码, retired ones included (with their date: old rosters name
        them); ``category`` is the exact 专业大类 name."""
        stmt = select(Major)
        if category is not None:
            stmt = stmt.where(Major.category == category)
        if q:
            stmt = stmt.where(Major.name.contains(q, autoescape=True))
        return await self._page(stmt, Major.code, limit, offset)

    async def get_major(self, code: str) -> Major:
        """Raises :class:`NotFoundError`."""
        major = await self.session.get(Major, code)
        if major is None:
            raise NotFoundError("major", code)
        return major

    async def add_major(self, data: MajorCreate) -> Major:
        """Add a major (增补专业) to the catalogue.

        Raises:
            ConflictError: the 专业代码 is taken (409).
            InvalidFieldError: no ``category`` given and the code's first two digits are no
                2021 专业大类; ``retired_on`` before ``valid_from`` (422).
        """
        if await self.session.get(Major, data.code) is not None:
            raise ConflictError(
                f"code: major {data.code} already exists; rename or retire it with PATCH",
                [{"field": "code", "message": "already exists"}],
            )
        levels = catalogue_levels()
        category = data.category or levels.get(data.code[:2])
        if category is None:
            raise InvalidFieldError(
                "category", f"{data.code[:2]} is no 专业大类 of the 2021 catalogue; give the category (专业大类) name"
            )
        _check_dates(data.valid_from, data.retired_on)
        major = Major(
            code=data.code,
            name=data.name,
            category=category,
            class_name=data.class_name or levels.get(data.code[:4]),
            valid_from=data.valid_from,
            retired_on=data.retired_on,
        )
        self.session.add(major)
        await self.session.flush()
        return major

    async def update_major(self, code: str, data: MajorUpdate) -> Major:
        """Rename, re-file, date or retire the major ``code``; a retired major stays (old rosters
        and reports keep it) and is refused only for later cohorts.

        Raises:
            NotFoundError: no such major (404).
            InvalidFieldError: ``retired_on`` before ``valid_from`` (422).
        """
        major = await self.get_major(code)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        _check_dates(changes.get("valid_from", major.valid_from), changes.get("retired_on", major.retired_on))
        for k, v in changes.items():
            setattr(major, k, v)
        await self.session.flush()
        return major


def _check_dates(valid_from: Any, retired_on: Any) -> None:
    if valid_from is not None and retired_on is not None and retired_on < valid_from:
        raise InvalidFieldError("retired_on", f"{retired_on} is before valid_from {valid_from}", "date_too_early")
