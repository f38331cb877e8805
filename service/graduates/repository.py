"""Database queries for graduates. Nested lists are ``lazy="raise"``: every query here loads
them explicitly with ``selectinload`` (one extra query per list, not per row)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from service.catalog.regions import region_prefix
from service.graduates.models import Graduate, SeekerKind


class GraduateFilter(msgspec.Struct, kw_only=True):
    """List filters; ``None`` means "any"."""

    q: str | None = None  # substring of the name
    school_id: int | None = None
    major_code: str | None = None
    cohort: int | None = None
    region_code: str | None = None  # a province/city code includes everything inside it
    kind: SeekerKind | None = None


def full_profile() -> list[LoaderOption]:
    """Loader options for a complete profile: school, major and the three nested lists."""
    return [
        selectinload(Graduate.school),
        selectinload(Graduate.major),
        selectinload(Graduate.certificates),
        selectinload(Graduate.awards),
        selectinload(Graduate.experiences),
    ]


class GraduateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, graduate_id: int) -> Graduate | None:
        stmt = select(Graduate).options(*full_profile()).where(Graduate.id == graduate_id)
        return (await self.session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()

    async def get_by_student_number(self, school_id: int, student_number: str) -> Graduate | None:
        stmt = select(Graduate).where(Graduate.school_id == school_id, Graduate.student_number == student_number)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def other_with_id_number(self, id_number: str, own_id: int | None) -> int | None:
        """The id of a graduate other than ``own_id`` holding the (normalised) 身份证号, if any."""
        stmt = select(Graduate.id).where(Graduate.id_number == id_number)
        if own_id is not None:
            stmt = stmt.where(Graduate.id != own_id)
        return (await self.session.execute(stmt.order_by(Graduate.id).limit(1))).scalar_one_or_none()

    def _filtered(self, f: GraduateFilter) -> Select[tuple[Graduate]]:
        stmt = select(Graduate)
        if f.q:
            stmt = stmt.where(Graduate.name.contains(f.q, autoescape=True))
        if f.school_id is not None:
            stmt = stmt.where(Graduate.school_id == f.school_id)
        if f.major_code:
            stmt = stmt.where(Graduate.major_code == f.major_code)
        if f.cohort is not None:
            stmt = stmt.where(Graduate.cohort == f.cohort)
        if f.region_code:
            stmt = stmt.where(Graduate.region_code.startswith(region_prefix(f.region_code)))
        if f.kind is not None:
            stmt = stmt.where(Graduate.kind == f.kind)
        return stmt

    async def list(
        self, f: GraduateFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
    ) -> tuple[Sequence[Graduate], int]:
        """One page and the total count; ``scope`` (from :mod:`service.auth.scoping`) limits
        both to the rows the caller may see."""
        base = self._filtered(f)
        if scope is not None:
            base = base.where(scope)
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        stmt = base.options(*full_profile()).order_by(Graduate.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).scalars().all(), total
