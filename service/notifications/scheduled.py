"""The scheduled outbox drain (APScheduler 3.x job ``drain_outbox``), run in the scheduler process,
never in web workers; ``vocmatch jobs run drain_outbox`` runs it once by hand.

Every ``VOCMATCH_NOTIFY_DRAIN_INTERVAL_SECONDS`` (15 s) the job drains everything due
(:class:`service.notifications.delivery.Drainer`), then deletes sent rows older than
``VOCMATCH_NOTIFY_KEEP_SENT_DAYS``. One instance at a time per scheduler; several schedulers (or
hand runs) may drain the same database at once: claims are leased.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from service.config import TIMEZONE, Settings

log = logging.getLogger(__name__)
#: Name of the job in the scheduler and in ``vocmatch jobs run``.
JOB_ID = "drain_outbox"
#: A run missed while the scheduler was busy or down is still made within this many seconds.
MISFIRE_GRACE_SECONDS = 300


async def drain_outbox_async(settings: Settings, max_messages: int | None = None) -> dict[str, Any]:
    """Drain the outbox once (until nothing is due) and purge old sent rows. Returns the
    :class:`~service.notifications.delivery.DrainReport` as a dict plus ``purged`` and ``queue``
    (rows per status afterwards)."""
    from service.db import make_engine, utcnow
    from service.notifications.delivery import Drainer
    from service.notifications.repository import OutboxQueue

    engine = make_engine(settings)
    try:
        report = await Drainer(engine, settings).run(max_messages=max_messages)
        queue = OutboxQueue(engine)
        purged = await queue.purge_sent(utcnow() - dt.timedelta(days=settings.notify_keep_sent_days))
        counts = await queue.counts()
    finally:
        await engine.dispose()
    if report.claimed or report.stopped:
        log.info("outbox drained: %s", report.to_dict())
    return {**report.to_dict(), "purged": purged, "queue": counts}


def drain_outbox(settings: Settings, **kwargs: Any) -> dict[str, Any]:
    """Synchronous :func:`drain_outbox_async` (a fresh event loop per run, as APScheduler threads need)."""
    return asyncio.run(drain_outbox_async(settings, **kwargs))


def add_outbox_job(scheduler: Any, settings: Settings, timezone: str = TIMEZONE) -> Any:
    """Add the ``drain_outbox`` interval job (in ``timezone``, like the other jobs) to an APScheduler
    3.x scheduler; returns it."""
    from zoneinfo import ZoneInfo

    from apscheduler.triggers.interval import IntervalTrigger

    trigger = IntervalTrigger(seconds=settings.notify_drain_interval_seconds, timezone=ZoneInfo(timezone))
    return scheduler.add_job(
        drain_outbox,
        trigger,
        args=[settings],
        id=JOB_ID,
        name="deliver queued notifications",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )
