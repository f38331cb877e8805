"""How the daily and weekly jobs of the domains (``service.<domain>.scheduled``) join the scheduler:
one APScheduler 3.x cron job each, with the same rules for missed and overlapping runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from service.config import Settings


def add_cron_job(
    scheduler: Any,
    job: Callable[[Settings], object],
    settings: Settings,
    timezone: str,
    *,
    job_id: str,
    cron: Mapping[str, int | str],
    name: str,
    misfire_grace_seconds: int,
) -> Any:
    """Add ``job(settings)`` to an APScheduler 3.x ``scheduler`` as ``job_id``, run at ``cron`` (the
    fields of ``CronTrigger``) in ``timezone`` (an IANA name), replacing a job of that id: missed runs
    coalesce into one, one instance at a time, a run missed by at most ``misfire_grace_seconds`` is
    still made. Returns the job."""
    from apscheduler.triggers.cron import CronTrigger

    return scheduler.add_job(
        job,
        CronTrigger(timezone=ZoneInfo(timezone), **cron),
        args=[settings],
        id=job_id,
        name=name,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=misfire_grace_seconds,
    )
