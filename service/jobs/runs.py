"""Each scheduled job runs once per scheduled time, however many scheduler processes are running.

Two ``vocmatch scheduler`` processes on one database (a second host for availability, or one
started by mistake) would otherwise both crawl every board, retrain the ranker twice and so on.
Before a run starts, the process claims it by inserting a :class:`~service.jobs.models.JobRun` row
keyed ``(job, scheduled_for)``; the database's unique constraint lets exactly one insert succeed,
on SQLite as on PostgreSQL, and the other processes skip that run. ``scheduled_for`` is the
trigger's fire time **without jitter** (:func:`nominal_fire_time`): APScheduler adds a random
delay of up to ``jitter`` seconds per process, so the times processes fire at differ, while the
nominal time is the same in all of them (cron triggers are pure functions of the clock; APScheduler
only ever adds jitter, never subtracts it).

:class:`RunOnceExecutor` is the scheduler's executor (:func:`service.scheduling.make_scheduler`):
APScheduler's thread pool executor, with the claim in front of each run and the outcome
(succeeded, failed with the error, missed past its grace time) written to the row afterwards.
``vocmatch jobs run NAME`` records its run too (scheduled for the moment it was asked for). A
claimed run whose process dies stays ``running``: the job runs again at its next scheduled time.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import os
import socket
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED
from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from service.config import Settings
from service.db import run_in_session
from service.jobs.models import JobRun, JobRunStatus

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Jobs that are safe to run in several processes at once by their own design, so they are not
#: claimed or recorded: the outbox drainer leases each message to one drainer (and runs every few
#: seconds — a job_runs row per run would only grow the table).
UNCLAIMED_JOBS = frozenset({"drain_outbox"})


def _without_jitter(trigger: Any) -> Any:
    plain = copy.deepcopy(trigger)
    stack = [plain]
    while stack:
        t = stack.pop()
        if hasattr(t, "jitter"):
            t.jitter = None
        stack.extend(getattr(t, "triggers", []))
    return plain


def _jitter(trigger: Any) -> float:
    own = getattr(trigger, "jitter", None) or 0
    return max([own, *(_jitter(t) for t in getattr(trigger, "triggers", []))])


def nominal_fire_time(trigger: Any, fire_time: dt.datetime) -> dt.datetime:
    """The fire time of ``trigger`` without jitter behind ``fire_time`` (a time APScheduler fired
    the trigger at, jitter included): the latest un-jittered fire time in
    ``[fire_time - jitter, fire_time]``; ``fire_time`` itself for a trigger without jitter, or when
    none is found (a run not due to the trigger)."""
    jitter = _jitter(trigger)
    if not jitter:
        return fire_time
    plain = _without_jitter(trigger)
    found = None
    at = plain.get_next_fire_time(None, fire_time - dt.timedelta(seconds=jitter))
    while at is not None and at <= fire_time:
        found = at
        at = plain.get_next_fire_time(at, at + dt.timedelta(microseconds=1))
    return found or fire_time


def claim(settings: Settings, job: str, scheduled_for: dt.datetime) -> bool:
    """Record that this process runs ``job`` scheduled for ``scheduled_for``; false when another
    process has (the unique key refused the row). Needs no running event loop (a job thread)."""

    async def insert(session: Any) -> None:
        session.add(
            JobRun(
                job=job[:300],
                scheduled_for=scheduled_for.astimezone(dt.UTC),
                host=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=dt.datetime.now(dt.UTC),
            )
        )
        await session.flush()

    try:
        run_in_session(settings, insert)
    except IntegrityError:
        return False
    return True


def finish(
    settings: Settings, job: str, scheduled_for: dt.datetime, status: JobRunStatus, error: str | None = None
) -> None:
    """Write the outcome of a claimed run."""

    async def write(session: Any) -> None:
        await session.execute(
            update(JobRun)
            .where(JobRun.job == job[:300], JobRun.scheduled_for == scheduled_for.astimezone(dt.UTC))
            .values(status=status, finished_at=dt.datetime.now(dt.UTC), error=error)
        )

    run_in_session(settings, write)


def run_recorded(settings: Settings, job: str, work: Callable[[], T]) -> T:
    """Run ``work()`` now as a run of ``job`` (``vocmatch jobs run``), recorded like a scheduled one
    (not for :data:`UNCLAIMED_JOBS`)."""
    if job in UNCLAIMED_JOBS:
        return work()
    at = dt.datetime.now(dt.UTC)
    claim(settings, job, at)
    try:
        result = work()
    except BaseException as exc:
        finish(settings, job, at, JobRunStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    finish(settings, job, at, JobRunStatus.SUCCEEDED)
    return result


class RunOnceExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool executor that claims each run (:func:`claim`) before running it and
    records its outcome; a run another process claimed is skipped (logged at INFO).

    It replaces ``BasePoolExecutor._do_submit_job`` (the documented extension point of APScheduler
    3.x executors, pinned at 3.11) with the same submission, around APScheduler's own ``run_job``."""

    def __init__(self, settings: Settings, max_workers: int = 10) -> None:
        super().__init__(max_workers)
        self.settings = settings

    def _run_once(self, job: Any, run_times: list[dt.datetime]) -> list[Any]:
        events: list[Any] = []
        if job.id in UNCLAIMED_JOBS:
            return run_job(job, job._jobstore_alias, run_times, self._logger.name)
        for run_time in run_times:
            slot = nominal_fire_time(job.trigger, run_time)
            if not claim(self.settings, job.id, slot):
                log.info("job %s scheduled for %s: run by another scheduler process", job.id, slot.isoformat())
                continue
            ran = run_job(job, job._jobstore_alias, [run_time], self._logger.name)
            failed = [e for e in ran if e.code == EVENT_JOB_ERROR]
            status = (
                JobRunStatus.FAILED
                if failed
                else JobRunStatus.MISSED
                if any(e.code == EVENT_JOB_MISSED for e in ran)
                else JobRunStatus.SUCCEEDED
            )
            error = "".join(traceback.format_exception_only(failed[0].exception)).strip() if failed else None
            finish(self.settings, job.id, slot, status, error)
            events.extend(ran)
        return events

    def _do_submit_job(self, job: Any, run_times: list[dt.datetime]) -> None:
        def callback(f: Any) -> None:
            exc = f.exception()
            if exc:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, f.result())

        self._pool.submit(self._run_once, job, run_times).add_done_callback(callback)
