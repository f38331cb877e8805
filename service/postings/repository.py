"""Database queries for postings. Eager loads are declared here, where the query is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from matching.vocab import EmploymentType
from service.catalog.regions import region_prefix
from service.postings.models import Posting, PostingStatus


class PostingFilter(msgspec.Struct, kw_only=True):
    """List filters; ``None`` means "any"."""

    q: str | None = None  # substring of the title
    employer_id: int | None = None
    region_code: str | None = None  # a province/city code includes everything inside it
    city: str | None = None
    employment_type: EmploymentType | None = None
    internship: bool | None = None
    status: PostingStatus | None = None
    min_salary_monthly: int | None = None  # postings whose upper bound reaches this (元/月)
    open_on: dt.date | None = None  # only postings open and current on this date


def open_on_clause(day: dt.date) -> ColumnElement[bool]:
    """Postings that may be shown on ``day``: status open and not past ``valid_through``."""
    return and_(
        Posting.status == PostingStatus.OPEN,
        or_(Posting.valid_through.is_(None), Posting.valid_through >= day),
    )


class PostingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, posting_id: int) -> Posting | None:
        stmt = select(Posting).options(joinedload(Posting.employer)).where(Posting.id == posting_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_by_external_id(self, source: str, external_id: str) -> Posting | None:
        stmt = select(Posting).where(Posting.source == source, Posting.external_id == external_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def _filtered(self, f: PostingFilter) -> Select[tuple[Posting]]:
        stmt = select(Posting)
        if f.q:
            stmt = stmt.where(Posting.title.contains(f.q, autoescape=True))
        if f.employer_id is not None:
            stmt = stmt.where(Posting.employer_id == f.employer_id)
        if f.region_code:
            stmt = stmt.where(Posting.region_code.startswith(region_prefix(f.region_code)))
        if f.city:
            stmt = stmt.where(Posting.city == f.city)
        if f.employment_type is not None:
            stmt = stmt.where(Posting.employment_type == f.employment_type)
        if f.internship is not None:
            kinds = [EmploymentType.INTERN, EmploymentType.WORK_PLACEMENT]
            stmt = stmt.where(Posting.employment_type.in_(kinds) if f.internship
                              else Posting.employment_type.not_in(kinds))
        if f.status is not None:
            stmt = stmt.where(Posting.status == f.status)
        if f.min_salary_monthly is not None:
            stmt = stmt.where(Posting.salary_max_monthly >= f.min_salary_monthly)
        if f.open_on is not None:
            stmt = stmt.where(open_on_clause(f.open_on))
        return stmt

    async def list(self, f: PostingFilter, limit: int, offset: int) -> tuple[Sequence[Posting], int]:
        base = self._filtered(f)
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        stmt = base.options(joinedload(Posting.employer)).order_by(Posting.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).scalars().all(), total

    async def list_open(self, day: dt.date) -> Sequence[Posting]:
        """Every posting open on ``day`` (for building the recommendation index)."""
        stmt = select(Posting).options(joinedload(Posting.employer)).where(open_on_clause(day)).order_by(Posting.id)
        return (await self.session.execute(stmt)).scalars().all()
