"""The daily digest of job alerts (APScheduler 3.x job ``job_alert_digest``), run in the scheduler
process; ``vocmatch jobs run job_alert_digest`` runs it once by hand.

Every day at 08:30 (:data:`CRON`, in the scheduler's time zone, Asia/Shanghai by default — before
the working day, when a graduate reads their mail) each graduate with an active alert gets one
``job_alert_digest`` notification listing the postings first published since the last run that match
their saved searches (:func:`service.alerts.service.digest_graduate`). Each graduate is one
transaction: the postings sent are recorded with the notification, so a run made twice, or one
stopped half-way and made again, sends no posting twice for the same alert and loses none. Each
run is claimed in ``job_runs`` like every scheduled job (:mod:`service.jobs.runs`).
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
JOB_ID = "job_alert_digest"
CRON = {"hour": 8, "minute": 30}
#: A run missed while the scheduler was down is still made within this many seconds (6 h: a
#: digest at 14:00 is better than none; the next day's run would catch up anyway).
MISFIRE_GRACE_SECONDS = 6 * 3600


async def digest_async(settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    """One digest pass, one transaction per graduate; returns ``{"graduates": n notified,
    "postings": n listed in all}``."""
    from service.alerts.service import digest_graduate, graduates_with_alerts
    from service.db import make_engine, session_scope

    engine = make_engine(settings)
    notified = listed = 0
    try:
        async with session_scope(engine) as session:
            graduates = await graduates_with_alerts(session)
        for graduate_id in graduates:
            async with session_scope(engine) as session:
                count = await digest_graduate(session, graduate_id, now, settings.public_url)
            notified += count > 0
            listed += count
    finally:
        await engine.dispose()
    if notified:
        log.info("job alert digests queued: %d graduates, %d postings", notified, listed)
    return {"graduates": notified, "postings": listed}


def digest(settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    """APScheduler job: :func:`digest_async` in a fresh event loop."""
    return asyncio.run(digest_async(settings, now))


def add_digest_job(scheduler: Any, settings: Settings, timezone: str) -> Any:
    """Add the daily :func:`digest` job (:data:`CRON` in ``timezone``) as :data:`JOB_ID`."""
    return add_cron_job(
        scheduler,
        digest,
        settings,
        timezone,
        job_id=JOB_ID,
        cron=CRON,
        name="daily digest of new postings for saved searches",
        misfire_grace_seconds=MISFIRE_GRACE_SECONDS,
    )
