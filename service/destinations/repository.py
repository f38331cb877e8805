"""Database queries for destination events (read and append only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.destinations.models import DestinationEvent, DestinationEventKind
from service.graduates.models import Graduate


class DestinationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, event_id: int) -> DestinationEvent | None:
        return await self.session.get(DestinationEvent, event_id)

    async def history(self, graduate_id: int) -> Sequence[DestinationEvent]:
        """All events of one graduate in recording order (``recorded_at``, then id)."""
        stmt = (
            select(DestinationEvent)
            .where(DestinationEvent.graduate_id == graduate_id)
            .order_by(DestinationEvent.recorded_at, DestinationEvent.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def add(self, event: DestinationEvent) -> DestinationEvent:
        self.session.add(event)
        await self.session.flush()
        return event

    async def latest_outcomes(self, clause: Any, limit: int) -> list[tuple[DestinationEvent, str]]:
        """The ``limit`` outcomes recorded last (newest first) among the events ``clause`` admits,
        each with its graduate's name."""
        stmt = (
            select(DestinationEvent, Graduate.name)
            .join(Graduate, Graduate.id == DestinationEvent.graduate_id)
            .where(clause, DestinationEvent.kind == DestinationEventKind.OUTCOME)
            .order_by(DestinationEvent.recorded_at.desc(), DestinationEvent.id.desc())
            .limit(limit)
        )
        return [(event, name) for event, name in (await self.session.execute(stmt)).tuples().all()]
