"""Database queries for applications; history and posting are loaded here (``lazy="raise"``)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.applications.models import Application, ApplicationStatus


class ApplicationFilter(msgspec.Struct, kw_only=True):
    """List filters; ``None`` means "any"."""

    graduate_id: int | None = None
    posting_id: int | None = None
    status: ApplicationStatus | None = None


class ApplicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, application_id: int) -> Application | None:
        """One application with posting and history (status moves are conditional updates, not locks:
        :meth:`service.applications.service.ApplicationService.change_status`)."""
        stmt = (
            select(Application)
            .options(selectinload(Application.posting), selectinload(Application.history))
            .where(Application.id == application_id)
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def find(self, graduate_id: int, posting_id: int) -> Application | None:
        stmt = select(Application).where(Application.graduate_id == graduate_id, Application.posting_id == posting_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def posting_ids_of(self, graduate_id: int) -> set[int]:
        """The postings graduate ``graduate_id`` applied to (any status, withdrawn included)."""
        stmt = select(Application.posting_id).where(Application.graduate_id == graduate_id)
        return set((await self.session.execute(stmt)).scalars())

    async def counts_by_posting(self, posting_ids: Sequence[int], scope: ColumnElement[bool]) -> dict[int, int]:
        """``{posting id: number of applications}`` for ``posting_ids``, counting only the applications
        ``scope`` admits (from :func:`~service.auth.scoping.applications_clause`); postings without
        any are left out."""
        if not posting_ids:
            return {}
        stmt = (
            select(Application.posting_id, func.count())
            .where(Application.posting_id.in_(posting_ids), scope)
            .group_by(Application.posting_id)
        )
        return dict((await self.session.execute(stmt)).tuples().all())

    def _filtered(self, f: ApplicationFilter) -> Select[tuple[Application]]:
        stmt = select(Application)
        if f.graduate_id is not None:
            stmt = stmt.where(Application.graduate_id == f.graduate_id)
        if f.posting_id is not None:
            stmt = stmt.where(Application.posting_id == f.posting_id)
        if f.status is not None:
            stmt = stmt.where(Application.status == f.status)
        return stmt

    async def list(
        self, f: ApplicationFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
    ) -> tuple[Sequence[Application], int]:
        """One page and the total count; ``scope`` (from :mod:`service.auth.scoping`) limits
        both to the rows the caller may see."""
        base = self._filtered(f)
        if scope is not None:
            base = base.where(scope)
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        stmt = (
            base.options(selectinload(Application.posting), selectinload(Application.history))
            .order_by(Application.id)
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.execute(stmt)).scalars().all(), total
