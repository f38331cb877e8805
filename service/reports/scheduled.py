"""Scheduled report snapshots with APScheduler 3.x, run in their own process (``vocmatch scheduler``).

Jobs (Asia/Shanghai by default; every job can also be run now with ``vocmatch jobs run NAME``):

=========  ==========================  =============================================
name       when                        snapshot
=========  ==========================  =============================================
monthly    1st of each month 01:00     as of the last day of the previous month
term_end   1 Feb and 1 Aug 01:30       as of 31 Jan / 31 Jul (end of the two terms)
initial    2 Sep 01:00                 初次统计: as of 1 September
year_end   1 Jan 02:00                 年终统计: as of 31 December of the previous year
=========  ==========================  =============================================

Each run snapshots the scope ``all``, every province with schools and every school, for the
default cohort of the as-of date (:func:`service.reports.compute.default_cohort`). Jobs coalesce
missed runs into one, allow ``max_instances=1`` and a misfire grace time of 6 hours; the
snapshot itself exists at most once per key whatever runs twice (:mod:`service.reports.snapshots`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from service.config import Settings

log = logging.getLogger(__name__)
DEFAULT_TIMEZONE = "Asia/Shanghai"
MISFIRE_GRACE_SECONDS = 6 * 3600


def _last_of_previous_month(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class JobSpec:
    period: str
    cron: dict[str, Any]
    as_of: Callable[[dt.date], dt.date]  # run date → as-of date


JOBS: dict[str, JobSpec] = {
    "monthly": JobSpec("monthly", {"day": 1, "hour": 1, "minute": 0}, _last_of_previous_month),
    "term_end": JobSpec("term_end", {"month": "2,8", "day": 1, "hour": 1, "minute": 30}, _last_of_previous_month),
    "initial": JobSpec("initial", {"month": 9, "day": 2, "hour": 1, "minute": 0},
                       lambda d: dt.date(d.year, 9, 1)),
    "year_end": JobSpec("year_end", {"month": 1, "day": 1, "hour": 2, "minute": 0},
                        lambda d: dt.date(d.year - 1, 12, 31)),
}


async def _scopes(settings: Settings) -> list[str]:
    from service.catalog.models import School
    from service.db import make_engine, session_scope

    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            rows = (await session.execute(select(School.code, School.region_code).order_by(School.code))).all()
    finally:
        await engine.dispose()
    provinces = sorted({f"region:{r.region_code[:2]}0000" for r in rows})
    return ["all", *provinces, *(f"school:{r.code}" for r in rows)]


async def run_job_async(settings: Settings, name: str, today: dt.date | None = None,
                        scopes: list[str] | None = None, threshold: int = 5,
                        timezone: str = DEFAULT_TIMEZONE) -> list[dict[str, Any]]:
    """Run job ``name`` now: one snapshot per scope, each in its own transaction.

    ``today`` (default: today in ``timezone``) decides the as-of date. Returns one
    ``{"scope", "cohort", "period", "as_of", "snapshot_id", "created"}`` per scope.

    Raises:
        KeyError: unknown job name (the message lists the jobs).
    """
    from service.db import make_engine, session_scope
    from service.reports.compute import Scope, default_cohort
    from service.reports.snapshots import ensure_snapshot, find_snapshot

    if name not in JOBS:
        raise KeyError(f"unknown job {name!r}; jobs: {', '.join(JOBS)}")
    spec = JOBS[name]
    today = today or dt.datetime.now(ZoneInfo(timezone)).date()
    as_of = spec.as_of(today)
    cohort = default_cohort(as_of)
    results = []
    engine = make_engine(settings)
    try:
        for scope_text in scopes or await _scopes(settings):
            scope = Scope.parse(scope_text)
            recorded_before = dt.datetime.now(dt.UTC)
            snap_id, created = None, False
            for attempt in range(3):
                try:
                    async with session_scope(engine) as session:
                        snap, created = await ensure_snapshot(session, scope, cohort, spec.period, as_of,
                                                              recorded_before, threshold=threshold, job=name)
                        snap_id = snap.id
                    break
                except (IntegrityError, OperationalError):
                    # another process won the race (SQLite: unique constraint, or its write lock on a
                    # stale read snapshot): its row stands; look for it, else try again
                    async with session_scope(engine) as session:
                        found = await find_snapshot(session, str(scope), cohort, spec.period, as_of)
                    if found is not None:
                        snap_id, created = found.id, False
                        break
                    if attempt == 2:
                        raise
            results.append({"scope": str(scope), "cohort": cohort, "period": spec.period,
                            "as_of": as_of.isoformat(), "snapshot_id": snap_id, "created": created})
            log.info("job %s: snapshot %s %s %s -> %s", name, scope, spec.period, as_of,
                     "created" if created else "exists")
    finally:
        await engine.dispose()
    return results


def run_job(settings: Settings, name: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Synchronous :func:`run_job_async` (a fresh event loop per run, as APScheduler threads need)."""
    return asyncio.run(run_job_async(settings, name, **kwargs))


def make_scheduler(settings: Settings, timezone: str = DEFAULT_TIMEZONE) -> Any:
    """A ``BlockingScheduler`` with every job of :data:`JOBS` added (not started)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    tz = ZoneInfo(timezone)
    scheduler = BlockingScheduler(timezone=tz, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS})
    for name, spec in JOBS.items():
        scheduler.add_job(run_job, CronTrigger(timezone=tz, **spec.cron), args=[settings, name],
                          kwargs={"timezone": timezone}, id=name, name=f"report snapshot: {name}",
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS)
    return scheduler
