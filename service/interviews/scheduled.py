"""The interview reminder (APScheduler 3.x job ``interview_reminders``), run in the scheduler
process; ``vocmatch jobs run interview_reminders`` runs it once by hand.

Every hour at minute 5 (:data:`CRON`, in the scheduler's time zone) the job reminds both sides of
each accepted interview that starts within the next 24 hours — "the day before" — and has not
been reminded yet (:func:`service.interviews.service.send_reminders`). An interview accepted late
(say at 20:00 for 09:00 the next morning) is still reminded at the next run. Each run is claimed
in ``job_runs`` like every scheduled job (:mod:`service.jobs.runs`), and each interview by a
conditional update of ``reminded_at``, so a run made twice, by hand or by two scheduler processes,
sends each reminder once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from service.config import Settings
from service.jobs.cron import add_cron_job

log = logging.getLogger(__name__)
#: Name of the job in the scheduler and in ``vocmatch jobs run``.
JOB_ID = "interview_reminders"
CRON = {"minute": 5}
#: A run missed while the scheduler was down is still made within this many seconds (the next
#: hourly run catches up anyway; the scheduler asks every job for at least an hour).
MISFIRE_GRACE_SECONDS = 3600


async def remind_async(settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    """One reminder pass in its own transaction; returns ``{"reminded": n}``."""
    from service.db import make_engine, session_scope
    from service.interviews.service import send_reminders

    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            reminded = await send_reminders(session, now)
    finally:
        await engine.dispose()
    if reminded:
        log.info("interview reminders sent: %d", reminded)
    return {"reminded": reminded}


def remind(settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    """APScheduler job: :func:`remind_async` in a fresh event loop."""
    return asyncio.run(remind_async(settings, now))


def add_reminder_job(scheduler: Any, settings: Settings, timezone: str) -> Any:
    """Add the hourly :func:`remind` job (:data:`CRON` in ``timezone``) as :data:`JOB_ID`."""
    return add_cron_job(
        scheduler,
        remind,
        settings,
        timezone,
        job_id=JOB_ID,
        cron=CRON,
        name="remind both sides of tomorrow's interviews",
        misfire_grace_seconds=MISFIRE_GRACE_SECONDS,
    )
