"""Report snapshots: computed once per (scope, cohort, period, as_of) and kept.

Exactly-once is enforced twice: the unique constraint on ``report_snapshots`` (any backend),
and on PostgreSQL a transaction-scoped advisory lock on the key, taken before looking for an
existing snapshot, so a second process waits and then finds the first one's row instead of
computing the report again. On SQLite the database write lock serialises writers and a losing
insert raises ``IntegrityError``, which :func:`ensure_snapshot` callers treat as "exists".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.reports.build import build_report
from service.reports.compute import ReportParams, Scope
from service.reports.definitions import DEFAULT_SALARY_EDGES
from service.reports.models import ReportSnapshot

PERIODS = ("monthly", "term_end", "initial", "year_end", "manual")


def lock_key(scope: str, cohort: int, period: str, as_of: dt.date) -> int:
    """A signed 64-bit advisory-lock key for the snapshot identity (BLAKE2b of the key text)."""
    digest = hashlib.blake2b(f"report_snapshot|{scope}|{cohort}|{period}|{as_of}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def find_snapshot(
    session: AsyncSession, scope: str, cohort: int, period: str, as_of: dt.date
) -> ReportSnapshot | None:
    stmt = select(ReportSnapshot).where(
        ReportSnapshot.scope == scope,
        ReportSnapshot.cohort == cohort,
        ReportSnapshot.period == period,
        ReportSnapshot.as_of == as_of,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def ensure_snapshot(
    session: AsyncSession,
    scope: Scope,
    cohort: int,
    period: str,
    as_of: dt.date,
    recorded_before: dt.datetime,
    *,
    threshold: int = 5,
    job: str | None = None,
    salary_edges: tuple[int, ...] = DEFAULT_SALARY_EDGES,
) -> tuple[ReportSnapshot, bool]:
    """The snapshot for the key, computing and flushing it if it does not exist yet.

    Returns ``(snapshot, created)``. The caller's transaction commits (which releases the lock).

    Raises:
        ValueError: unknown ``period``.
        sqlalchemy.exc.IntegrityError: another process inserted the same key concurrently (SQLite).
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(str(scope), cohort, period, as_of)}
        )
    existing = await find_snapshot(session, str(scope), cohort, period, as_of)
    if existing is not None:
        return existing, False
    params = ReportParams(
        scope=scope,
        cohorts=(cohort,),
        as_of=as_of,
        recorded_before=recorded_before,
        threshold=threshold,
        salary_edges=salary_edges,
    )
    snapshot = ReportSnapshot(
        scope=str(scope),
        cohort=cohort,
        period=period,
        as_of=as_of,
        recorded_before=recorded_before,
        job=job,
        data=await build_report(session, params),
    )
    session.add(snapshot)
    await session.flush()
    return snapshot, True


async def list_snapshots(
    session: AsyncSession,
    scope: str | None = None,
    period: str | None = None,
    limit: int = 50,
    offset: int = 0,
    *,
    where: ColumnElement[bool] | None = None,
) -> tuple[Sequence[ReportSnapshot], int]:
    """Snapshots newest ``as_of`` first, optionally filtered; and the total count. ``where``
    (e.g. :func:`service.reports.access.snapshots_clause`) limits both to what a caller may read."""
    from sqlalchemy import func

    stmt = select(ReportSnapshot)
    if where is not None:
        stmt = stmt.where(where)
    if scope:
        stmt = stmt.where(ReportSnapshot.scope == scope)
    if period:
        stmt = stmt.where(ReportSnapshot.period == period)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(
        stmt.order_by(ReportSnapshot.as_of.desc(), ReportSnapshot.id.desc()).limit(limit).offset(offset)
    )
    return rows.scalars().all(), total
