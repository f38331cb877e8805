"""The drainers' claim reads the queue through the partial index ``ix_notification_outbox_due_at``,
in due order, without sorting the queue: checked on the SQLite plan of the very statement
:meth:`~service.notifications.repository.OutboxQueue.claim` sends (SQLite uses a partial index only
when the query states its condition in the same words, values written out; with bound parameters,
or with an index on ``status`` beside it, it scanned and sorted every queued row on each claim — a
10,000-message queue drained at a third of the speed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db import utcnow
from service.notifications.kinds import Kind
from service.notifications.repository import OutboxQueue
from service.notifications.service import notify
from tests.notifications.conftest import add_user


@pytest.fixture
def backend() -> str:
    """SQLite only: its plan is deterministic without statistics (PostgreSQL chooses by table size)."""
    return "sqlite"


async def test_the_claim_walks_the_partial_index_in_due_order(session: AsyncSession, engine: AsyncEngine) -> None:
    users = [await add_user(session) for _ in range(20)]
    await notify(
        session, recipients=[u.id for u in users], kind=Kind.FOLLOW_UP_REMINDER, params={"school_name": "某校"}
    )
    await session.commit()
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().startswith("WITH picked"):
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.extend(row[-1] for row in cursor.fetchall())

    event.listen(engine.sync_engine, "before_cursor_execute", explain)
    try:
        now = utcnow()
        claimed = await OutboxQueue(engine).claim("planner", 5, now + dt.timedelta(seconds=60), now)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", explain)
    assert len(claimed) == 5
    assert any("USING INDEX ix_notification_outbox_due_at" in p for p in plans), plans
    assert not any("TEMP B-TREE" in p or p.startswith("SCAN notification_outbox") for p in plans), plans
