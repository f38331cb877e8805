"""Reading interviews with their times (``slots`` loaded: relationships are ``lazy="raise"``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.interviews.models import Interview


class InterviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, interview_id: int) -> Interview | None:
        """One interview with its slots (fresh from the database), or None."""
        stmt = (
            select(Interview)
            .options(selectinload(Interview.slots))
            .where(Interview.id == interview_id)
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_applications(self, application_ids: Iterable[int]) -> Sequence[Interview]:
        """Every interview of the applications, with slots, oldest first."""
        ids = list(application_ids)
        if not ids:
            return []
        stmt = (
            select(Interview)
            .options(selectinload(Interview.slots))
            .where(Interview.application_id.in_(ids))
            .order_by(Interview.id)
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(stmt)).scalars().all()
