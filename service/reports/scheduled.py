"""Scheduled report snapshots with APScheduler 3.x, run in their own process (``vocmatch scheduler``).

Jobs (Asia/Shanghai by default; every job can also be run now with ``vocmatch jobs run NAME``):

=========  ===============================  ==================================================
name       when                             snapshot
=========  ===============================  ==================================================
monthly    1st of each month 01:00          as of the last day of the previous month
term_end   the day after each term end      as of the term end (学期末; default 31 Jan, 31 Jul;
           01:30                            ``VOCMATCH_REPORT_TERM_ENDS=01-31,07-31``)
initial    the day after, 01:00             初次统计 as of 1 September (default;
                                            ``VOCMATCH_REPORT_INITIAL_DATE=09-01``)
year_end   the day after, 02:00             年终统计 as of 31 December (default;
                                            ``VOCMATCH_REPORT_YEAR_END_DATE=12-31``)
=========  ===============================  ==================================================

The dates are settings (:class:`service.config.Settings`, validated at start-up) and
:func:`job_specs` builds the jobs from them; :data:`JOBS` holds the jobs for the defaults. A job
run on day ``D`` (by the scheduler or by hand) reports as of the latest of its dates strictly
before ``D``, so a late or manual run still snapshots the right date, and its knowledge cut-off
(``recorded_before``) is the scheduled fire time for that date (:meth:`JobSpec.fire_time`), not
the run time: a late run or one with ``--today`` gives the snapshot the on-time run gave.

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
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from service.config import TIMEZONE, Settings
from service.reports.dates import MonthDay, day_after, latest_before, parse_month_days

log = logging.getLogger(__name__)
MISFIRE_GRACE_SECONDS = 6 * 3600


def _last_of_previous_month(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class JobSpec:
    """A snapshot job: its ``period``, its cron fields (one dict per APScheduler ``CronTrigger``;
    the job fires when any of them does) and the as-of date of a run on a given day."""

    period: str
    crons: tuple[dict[str, Any], ...]
    as_of: Callable[[dt.date], dt.date]  # run date → as-of date

    @property
    def cron(self) -> dict[str, Any]:
        """The cron fields when one ``CronTrigger`` suffices. Raises ``ValueError`` otherwise
        (dates whose following days fall on different days of the month): use :meth:`trigger`."""
        if len(self.crons) != 1:
            raise ValueError(f"job {self.period} needs {len(self.crons)} cron triggers; use JobSpec.trigger()")
        return self.crons[0]

    def fire_time(self, as_of: dt.date, tz: ZoneInfo) -> dt.datetime:
        """The scheduled fire time of the run reporting as of ``as_of``: the trigger's first fire
        after ``as_of`` has ended, in ``tz`` (e.g. ``monthly`` as of 30 November: 1 December 01:00).
        A late or manual run for ``as_of`` uses it as its knowledge cut-off, so it reproduces the
        on-time run exactly (issue 15 item 8)."""
        start = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        return self.trigger(tz).get_next_fire_time(None, start)

    def trigger(self, tz: ZoneInfo) -> Any:
        """The APScheduler trigger in ``tz``: a ``CronTrigger``, or an ``OrTrigger`` of several."""
        from apscheduler.triggers.combining import OrTrigger
        from apscheduler.triggers.cron import CronTrigger

        triggers = [CronTrigger(timezone=tz, **c) for c in self.crons]
        return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def _day_after_crons(month_days: tuple[MonthDay, ...], hour: int, minute: int) -> tuple[dict[str, Any], ...]:
    """Cron fields firing at ``hour:minute`` on the day after each month-day; days after that share
    a day of the month share one cron (``{"month": "2,8", "day": 1}``)."""
    by_day: dict[int, list[int]] = {}
    for md in month_days:
        month, day = day_after(md)
        by_day.setdefault(day, []).append(month)
    return tuple(
        {"month": ",".join(map(str, sorted(months))), "day": day, "hour": hour, "minute": minute}
        for day, months in sorted(by_day.items())
    )


def job_specs(settings: Settings) -> dict[str, JobSpec]:
    """The snapshot jobs for the report dates of ``settings`` (see the module docstring)."""
    term_ends = parse_month_days(settings.report_term_ends, "VOCMATCH_REPORT_TERM_ENDS")
    initial = parse_month_days(settings.report_initial_date, "VOCMATCH_REPORT_INITIAL_DATE", single=True)
    year_end = parse_month_days(settings.report_year_end_date, "VOCMATCH_REPORT_YEAR_END_DATE", single=True)
    return {
        "monthly": JobSpec("monthly", ({"day": 1, "hour": 1, "minute": 0},), _last_of_previous_month),
        "term_end": JobSpec(
            "term_end", _day_after_crons(term_ends, 1, 30), partial(latest_before, month_days=term_ends)
        ),
        "initial": JobSpec("initial", _day_after_crons(initial, 1, 0), partial(latest_before, month_days=initial)),
        "year_end": JobSpec("year_end", _day_after_crons(year_end, 2, 0), partial(latest_before, month_days=year_end)),
    }


#: the jobs for the default report dates
JOBS: dict[str, JobSpec] = job_specs(Settings())


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


async def run_job_async(
    settings: Settings,
    name: str,
    today: dt.date | None = None,
    scopes: list[str] | None = None,
    threshold: int = 5,
    timezone: str = TIMEZONE,
) -> list[dict[str, Any]]:
    """Run job ``name`` now: one snapshot per scope, each in its own transaction.

    ``today`` (default: today in ``timezone``) decides the as-of date; the knowledge cut-off
    (``recorded_before``) is the scheduled fire time for that as-of date (:meth:`JobSpec.fire_time`),
    whenever the run happens. Returns one ``{"scope", "cohort", "period", "as_of",
    "recorded_before", "snapshot_id", "created"}`` per scope.

    Raises:
        KeyError: unknown job name (the message lists the jobs).
        ValueError: the scheduled fire time for ``today``'s as-of date is still to come (a
            snapshot cut off in the future could change after it is stored).
    """
    from service.db import make_engine, session_scope
    from service.reports.compute import Scope, default_cohort
    from service.reports.snapshots import ensure_snapshot, find_snapshot

    specs = job_specs(settings)
    if name not in specs:
        raise KeyError(f"unknown job {name!r}; jobs: {', '.join(specs)}")
    spec = specs[name]
    zone = ZoneInfo(timezone)
    now = dt.datetime.now(zone)
    today = today or now.date()
    as_of = spec.as_of(today)
    cohort = default_cohort(as_of)
    # the knowledge cut-off is the scheduled fire time for this as-of date, never the run time:
    # a late run, a retry or `--today` gives the snapshot the on-time run would have given
    recorded_before = spec.fire_time(as_of, zone).astimezone(dt.UTC)
    if recorded_before > now:
        raise ValueError(
            f"job {name} as of {as_of} is scheduled for {spec.fire_time(as_of, zone).isoformat()}; "
            "its knowledge cut-off has not been reached yet, so the snapshot could still change — "
            "run it at or after that time"
        )
    results = []
    engine = make_engine(settings)
    try:
        for scope_text in scopes or await _scopes(settings):
            scope = Scope.parse(scope_text)
            snap_id, created = None, False
            for attempt in range(3):
                try:
                    async with session_scope(engine) as session:
                        snap, created = await ensure_snapshot(
                            session,
                            scope,
                            cohort,
                            spec.period,
                            as_of,
                            recorded_before,
                            threshold=threshold,
                            job=name,
                            salary_edges=settings.salary_edges,
                        )
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
            results.append(
                {
                    "scope": str(scope),
                    "cohort": cohort,
                    "period": spec.period,
                    "as_of": as_of.isoformat(),
                    "recorded_before": recorded_before.isoformat(),
                    "snapshot_id": snap_id,
                    "created": created,
                }
            )
            log.info(
                "job %s: snapshot %s %s %s -> %s", name, scope, spec.period, as_of, "created" if created else "exists"
            )
    finally:
        await engine.dispose()
    return results


def run_job(settings: Settings, name: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Synchronous :func:`run_job_async` (a fresh event loop per run, as APScheduler threads need)."""
    return asyncio.run(run_job_async(settings, name, **kwargs))
