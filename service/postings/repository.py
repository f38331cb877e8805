"""Database queries for postings. Eager loads are declared here, where the query is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Boolean, ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload

from service.catalog.regions import region_prefix
from service.employers.models import Employer
from service.postings.models import Posting, PostingStatus
from vocab import EmploymentType


class PostingFilter(msgspec.Struct, kw_only=True):
    """List filters; ``None`` means "any"."""

    q: str | None = None  # words, each in the title, the description or the employer's name
    employer_id: int | None = None
    region_code: str | None = None  # a province/city code includes everything inside it
    city: str | None = None
    employment_type: EmploymentType | None = None
    internship: bool | None = None
    status: PostingStatus | None = None
    min_salary_monthly: int | None = None  # postings whose upper bound reaches this (元/月)
    open_on: dt.date | None = None  # only postings open and current on this date


def keyword_clause(word: str) -> ColumnElement[bool]:
    """Postings with ``word`` (case-insensitive, taken literally: ``%`` and ``_`` are not wildcards) in
    the title, the description or the employer's name — what a job seeker types may be a company
    ("比亚迪") or a duty ("叉车") as often as a title."""
    employers = select(Employer.id).where(Employer.name.icontains(word, autoescape=True))
    return or_(
        Posting.title.icontains(word, autoescape=True),
        Posting.description.icontains(word, autoescape=True),
        Posting.employer_id.in_(employers),
    )


def open_on_clause(day: dt.date) -> ColumnElement[bool]:
    """Postings that may be shown on ``day``: status open, not past ``valid_through`` (a local
    date, open through its end) and not stale (``stale_at`` unset: some board still lists it,
    see :mod:`service.crawling.staleness`)."""
    return and_(
        Posting.status == PostingStatus.OPEN,
        or_(Posting.valid_through.is_(None), Posting.valid_through >= day),
        Posting.stale_at.is_(None),
    )


#: eager loads for :func:`service.postings.service.to_read` (employer name, sources)
READ_OPTIONS = (joinedload(Posting.employer), selectinload(Posting.sources))


class _AnyLocationIn(ColumnElement[bool]):
    """True when some entry of ``postings.locations`` has a ``region_code`` starting with
    ``prefix`` (digits only). Compiled per dialect: SQLite ``json_each``, PostgreSQL
    ``jsonb_array_elements``."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, prefix: str) -> None:
        if not prefix.isdigit():
            raise ValueError(f"region prefix must be digits, got {prefix!r}")
        self.prefix = prefix


@compiles(_AnyLocationIn, "sqlite")
def _any_location_sqlite(element: _AnyLocationIn, compiler: Any, **kw: Any) -> str:
    column = compiler.process(Posting.__table__.c.locations, **kw)
    pattern = compiler.process(literal(element.prefix + "%"), **kw)
    return (
        f"EXISTS (SELECT 1 FROM json_each({column}) AS loc "
        f"WHERE json_extract(loc.value, '$.region_code') LIKE {pattern})"
    )


@compiles(_AnyLocationIn, "postgresql")
def _any_location_postgresql(element: _AnyLocationIn, compiler: Any, **kw: Any) -> str:
    column = compiler.process(Posting.__table__.c.locations, **kw)
    pattern = compiler.process(literal(element.prefix + "%"), **kw)
    return (
        f"EXISTS (SELECT 1 FROM jsonb_array_elements({column}) AS loc(value) "
        f"WHERE loc.value ->> 'region_code' LIKE {pattern})"
    )


def region_clause(region_code: str) -> ColumnElement[bool]:
    """Postings in ``region_code`` (GB/T 2260; a province or city includes everything inside it):
    the primary location, or any further one in ``locations``.

    Raises:
        ValueError: ``region_code`` is not six digits.
    """
    prefix = region_prefix(region_code)
    return or_(Posting.region_code.startswith(prefix), _AnyLocationIn(prefix))


class PostingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, posting_id: int) -> Posting | None:
        stmt = select(Posting).options(*READ_OPTIONS).where(Posting.id == posting_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def filtered(self, f: PostingFilter) -> Select[tuple[Posting]]:
        """``SELECT postings`` narrowed by every filter in ``f`` (the ``GET /postings`` query parameters),
        without access scoping, ordering or paging: callers add those."""
        stmt = select(Posting)
        if f.q:
            stmt = stmt.where(*(keyword_clause(word) for word in f.q.split()))
        if f.employer_id is not None:
            stmt = stmt.where(Posting.employer_id == f.employer_id)
        if f.region_code:
            stmt = stmt.where(region_clause(f.region_code))
        if f.city:
            stmt = stmt.where(Posting.city == f.city)
        if f.employment_type is not None:
            stmt = stmt.where(Posting.employment_type == f.employment_type)
        if f.internship is not None:
            kinds = [EmploymentType.INTERN, EmploymentType.WORK_PLACEMENT]
            stmt = stmt.where(
                Posting.employment_type.in_(kinds) if f.internship else Posting.employment_type.not_in(kinds)
            )
        if f.status is not None:
            stmt = stmt.where(Posting.status == f.status)
        if f.min_salary_monthly is not None:
            stmt = stmt.where(Posting.salary_max_monthly >= f.min_salary_monthly)
        if f.open_on is not None:
            stmt = stmt.where(open_on_clause(f.open_on))
        return stmt

    async def list(
        self, f: PostingFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
    ) -> tuple[Sequence[Posting], int]:
        """One page and the total count; ``scope`` (from :mod:`service.auth.scoping`) limits
        both to the rows the caller may see."""
        base = self.filtered(f)
        if scope is not None:
            base = base.where(scope)
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        stmt = base.options(*READ_OPTIONS).order_by(Posting.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).scalars().all(), total

    async def visible_ids(self, ids: Sequence[int], scope: ColumnElement[bool]) -> set[int]:
        """Those of ``ids`` that ``scope`` (from :mod:`service.auth.scoping`, e.g. ``postings_clause``)
        admits — the postings the caller may read among ``ids``."""
        if not ids:
            return set()
        return set((await self.session.execute(select(Posting.id).where(Posting.id.in_(ids), scope))).scalars())

    async def list_open(self, day: dt.date) -> Sequence[Posting]:
        """Every posting open on ``day`` (for building the recommendation index)."""
        stmt = select(Posting).options(joinedload(Posting.employer)).where(open_on_clause(day)).order_by(Posting.id)
        return (await self.session.execute(stmt)).scalars().all()
