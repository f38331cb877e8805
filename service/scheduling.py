"""Every scheduled job of the service in one APScheduler 3.x scheduler (``vocmatch scheduler``).

Each domain declares its jobs in its own ``scheduled.py``; this module only collects them:

* ``monthly``, ``term_end``, ``initial``, ``year_end``: employment report snapshots, on the dates
  of the settings (:mod:`service.reports.scheduled`);
* ``crawl:<board>``: crawl each board of ``VOCMATCH_CRAWL_BOARDS``, daily 03:10 ± 10 minutes
  (:mod:`service.crawling.scheduled`);
* ``retrain_ranker``: retrain, evaluate and maybe promote the learned ranker, Sundays 03:00
  (:mod:`service.recommendations.scheduled`);
* ``drain_outbox``: deliver queued notifications (e-mail), every ``VOCMATCH_NOTIFY_DRAIN_INTERVAL_SECONDS``
  (:mod:`service.notifications.scheduled`).
* ``purge_deleted``: erase deleted graduates' data from the database files, daily 04:30
  (:mod:`service.privacy.scheduled`).
* ``interview_reminders``: remind both sides of accepted interviews starting within 24 hours, hourly
  at minute 5 (:mod:`service.interviews.scheduled`).
* ``job_alert_digest``: one notification per graduate listing the new postings of their saved
  searches, daily 08:30 (:mod:`service.alerts.scheduled`).
* ``prune_posting_changes``: delete the postings' change-feed rows older than a day, daily 04:50
  (:mod:`service.postings.changes`).

All times are in the scheduler's time zone (``--timezone``, default Asia/Shanghai). Every job coalesces missed runs into one, runs at most one instance at a time and has a misfire
grace time (its domain's choice: 6 h for reports and retraining, 1 h for crawls). The scheduler
runs in its own process, never in web workers; several scheduler processes on one database run
each job once per scheduled time (each run is claimed in ``job_runs``: :mod:`service.jobs.runs`). ``vocmatch jobs list`` prints what
:func:`make_scheduler` would schedule and ``vocmatch jobs run NAME`` runs one of those jobs now,
with the same function and arguments (:func:`run_now`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.config import TIMEZONE, Settings

#: Fallback misfire grace (seconds) for a job that does not set its own.
DEFAULT_MISFIRE_GRACE_SECONDS = 3600


def zone(timezone: str) -> ZoneInfo:
    """The IANA time zone ``timezone``. Raises ``ValueError`` naming it when unknown."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r} (use an IANA name such as Asia/Shanghai)") from exc


def add_report_jobs(scheduler: Any, settings: Settings, timezone: str) -> list[Any]:
    """One job per report snapshot job of :func:`service.reports.scheduled.job_specs` for ``settings``
    (its ids and triggers, 6 h misfire grace). Returns the jobs.
    Raises ``ValueError`` for report dates in ``settings`` that cannot be read."""
    from service.reports.scheduled import MISFIRE_GRACE_SECONDS, job_specs, run_job

    tz = zone(timezone)
    return [
        scheduler.add_job(
            run_job,
            spec.trigger(tz),
            args=[settings, name],
            kwargs={"timezone": timezone},
            id=name,
            name=f"report snapshot: {name}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
        for name, spec in job_specs(settings).items()
    ]


def make_scheduler(settings: Settings, timezone: str = TIMEZONE, blocking: bool = True) -> Any:
    """A scheduler (``BlockingScheduler``, or ``BackgroundScheduler`` with ``blocking=False``) in
    ``timezone`` holding every job of the module table, not started. Its executor runs each job
    once per scheduled time across every scheduler process on the database
    (:class:`service.jobs.runs.RunOnceExecutor`).

    Raises ``ValueError`` for an unknown time zone or unreadable report dates, and
    :class:`scrapers.boards.config.BoardConfigError` for an unknown or invalid board in
    ``settings.crawl_boards`` (checked now rather than at 03:10).
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    from service.alerts.scheduled import add_digest_job
    from service.crawling.scheduled import add_crawl_jobs
    from service.interviews.scheduled import add_reminder_job
    from service.jobs.runs import RunOnceExecutor
    from service.notifications.scheduled import add_outbox_job
    from service.postings.changes import add_prune_job
    from service.privacy.scheduled import add_purge_job
    from service.recommendations.scheduled import add_retrain_job

    tz = zone(timezone)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        timezone=tz,
        executors={"default": RunOnceExecutor(settings)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": DEFAULT_MISFIRE_GRACE_SECONDS},
    )
    add_report_jobs(scheduler, settings, timezone)
    add_crawl_jobs(scheduler, settings, {board: None for board in settings.crawl_board_names}, timezone)
    add_retrain_job(scheduler, settings, timezone)
    add_outbox_job(scheduler, settings, timezone)
    add_purge_job(scheduler, settings, timezone)
    add_reminder_job(scheduler, settings, timezone)
    add_digest_job(scheduler, settings, timezone)
    add_prune_job(scheduler, settings, timezone)
    return scheduler


def describe(scheduler: Any, now: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    """``{job id: {"name", "trigger", "next_run", "misfire_grace_seconds", "coalesce", "max_instances"}}``
    for every job of a (not necessarily started) scheduler, in id order; ``next_run`` is ISO 8601 in
    the job's time zone, the first fire time after ``now`` (default: the current time)."""
    now = now or dt.datetime.now(dt.UTC)
    out = {}
    for job in sorted(scheduler.get_jobs(), key=lambda j: j.id):
        nxt = job.trigger.get_next_fire_time(None, now.astimezone(getattr(job.trigger, "timezone", scheduler.timezone)))
        out[job.id] = {
            "name": job.name,
            "trigger": str(job.trigger),
            "next_run": nxt.isoformat() if nxt else None,
            "misfire_grace_seconds": job.misfire_grace_time,
            "coalesce": job.coalesce,
            "max_instances": job.max_instances,
        }
    return out


def run_now(
    settings: Settings,
    name: str,
    timezone: str = TIMEZONE,
    today: dt.date | None = None,
    scopes: list[str] | None = None,
    progress: Any = None,
) -> Any:
    """Run job ``name`` of :func:`make_scheduler` now, in this thread, and return its result (report jobs:
    one dict per snapshot; ``crawl:<board>``: the crawl report; ``retrain_ranker``: the retraining
    report; ``drain_outbox``: the drain report). ``today`` and ``scopes`` apply to report jobs only;
    ``progress(phase, done, total)`` is passed to the jobs that report progress (``retrain_ranker``,
    ``crawl:<board>``).

    Raises ``KeyError`` for an unknown job (the message lists the jobs) and ``ValueError`` when
    ``today``/``scopes`` are given for a job that is not a report job.
    """
    from service.reports.scheduled import job_specs

    report_jobs = job_specs(settings)
    jobs = {job.id: job for job in make_scheduler(settings, timezone, blocking=False).get_jobs()}
    if name not in jobs:
        raise KeyError(f"unknown job {name!r}; jobs: {', '.join(sorted(jobs))}")
    job = jobs[name]
    extra: dict[str, Any] = {}
    if name in report_jobs:
        extra = {"today": today, "scopes": scopes}
    elif today is not None or scopes:
        raise ValueError(f"--today and --scope apply to report jobs ({', '.join(report_jobs)}), not to {name}")
    if progress is not None and (name == "retrain_ranker" or name.startswith("crawl:")):
        extra["progress"] = progress
    from service.jobs.runs import run_recorded

    return run_recorded(settings, name, lambda: job.func(*job.args, **{**job.kwargs, **extra}))
