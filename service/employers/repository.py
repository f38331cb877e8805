"""Database queries for employers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from service.catalog.regions import region_prefix
from service.employers.models import Employer


class EmployerFilter(msgspec.Struct, kw_only=True):
    """List filters; ``None`` means "any"."""

    q: str | None = None  # substring of the name
    region_code: str | None = None  # a province/city code includes everything inside it
    industry: str | None = None  # exact industry label
    verified: bool | None = None


class EmployerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, employer_id: int) -> Employer | None:
        return await self.session.get(Employer, employer_id)

    async def get_by_uscc(self, uscc: str) -> Employer | None:
        stmt = select(Employer).where(Employer.uscc == uscc)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def _filtered(self, f: EmployerFilter) -> Select[tuple[Employer]]:
        stmt = select(Employer)
        if f.q:
            stmt = stmt.where(Employer.name.contains(f.q, autoescape=True))
        if f.region_code:
            stmt = stmt.where(Employer.region_code.startswith(region_prefix(f.region_code)))
        if f.industry:
            stmt = stmt.where(Employer.industry == f.industry)
        if f.verified is not None:
            stmt = stmt.where(Employer.verified == f.verified)
        return stmt

    async def by_verification(
        self, scope: ColumnElement[bool], status: str, limit: int, offset: int, f: EmployerFilter | None = None
    ) -> tuple[Sequence[Employer], int]:
        """Employers registered on the platform (``source`` ``platform``: scraped employers are
        never approved, their postings come from elsewhere) inside ``scope`` in verification
        ``status`` matching ``f`` (name fragment, region: a city includes its counties); pending
        oldest first, the others latest first. Paged in SQL; the count is of all that match."""
        base = self._filtered(f or EmployerFilter()).where(scope, Employer.source == "platform")
        order: tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]
        if status == "approved":
            base, order = base.where(Employer.verified.is_(True)), (Employer.updated_at.desc(), Employer.id.desc())
        elif status == "refused":
            base = base.where(Employer.verified.is_(False), Employer.refused_at.is_not(None))
            order = (Employer.refused_at.desc(), Employer.id.desc())
        else:
            base = base.where(Employer.verified.is_(False), Employer.refused_at.is_(None))
            order = (Employer.created_at, Employer.id)
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        rows = (await self.session.execute(base.order_by(*order).limit(limit).offset(offset))).scalars().all()
        return rows, total

    async def list(
        self, f: EmployerFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
    ) -> tuple[Sequence[Employer], int]:
        """One page and the total count; ``scope`` (from :mod:`service.auth.scoping`) limits
        both to the rows the caller may see."""
        base = self._filtered(f)
        if scope is not None:
            base = base.where(scope)
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        stmt = base.order_by(Employer.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).scalars().all(), total
