"""Scheduled board crawls (APScheduler 3.x), run in the scheduler process, never in web workers.

:func:`add_crawl_jobs` adds one cron job per board to a scheduler (the ``vocmatch scheduler``
process builds it in :func:`service.scheduling.make_scheduler`); :func:`run_crawl` is the
job and what ``vocmatch crawl BOARD`` runs at once. Each run crawls the board politely
(:mod:`scrapers.fetch`), stores the postings in one transaction and logs the crawl report.
Jobs coalesce missed runs, allow one instance per board and a misfire grace time of 1 hour.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from service.config import TIMEZONE, Settings

log = logging.getLogger(__name__)
#: default schedule: every day at 03:10 (low traffic on Chinese sites), ± 10 minutes of jitter
DEFAULT_CRON: dict[str, Any] = {"hour": 3, "minute": 10}
CRAWL_JITTER_SECONDS = 600
MISFIRE_GRACE_SECONDS = 3600


async def run_crawl_async(
    settings: Settings, board: str, base_url: str | None = None, now: dt.datetime | None = None, progress: Any = None
) -> dict[str, Any]:
    """Crawl ``board`` (a name in ``scrapers/boards`` or a path) and store it in one transaction,
    with its ``crawl_runs`` row (:mod:`service.imports.runs`; stale after
    ``settings.stale_after_crawls`` completed crawls, :mod:`service.crawling.staleness`).

    ``progress(phase, done, total)`` (optional) is told the pages crawled and postings stored.
    Returns :meth:`service.crawling.crawl.CrawlReport.to_dict`. When storing fails, the
    transaction is rolled back, a ``failed`` run is recorded in a transaction of its own and the
    error is raised again.

    Raises:
        scrapers.boards.config.BoardConfigError: unknown board or invalid board file.
    """
    from functools import partial

    from scrapers.boards.config import load_board
    from service.crawling.crawl import crawl_into
    from service.db import make_engine, session_scope
    from service.imports.runs import record_failed_run

    config = load_board(board, base_url=base_url)
    engine = make_engine(settings)
    started_at = now or dt.datetime.now(dt.UTC)
    try:
        try:
            async with session_scope(engine) as session:
                report = await crawl_into(
                    session, config, now=now, stale_after=settings.stale_after_crawls, progress=progress
                )
        except Exception as exc:
            await record_failed_run(
                partial(session_scope, engine),
                "crawl",
                config.name,
                config.name,
                started_at,
                f"{type(exc).__name__}: {exc}",
            )
            log.exception("crawl of %s failed", config.name)
            raise
    finally:
        await engine.dispose()
    log.info("%s", report.summary())
    return report.to_dict()


def run_crawl(settings: Settings, board: str, **kwargs: Any) -> dict[str, Any]:
    """Synchronous :func:`run_crawl_async` (a fresh event loop per run, as APScheduler threads need)."""
    return asyncio.run(run_crawl_async(settings, board, **kwargs))


def add_crawl_jobs(
    scheduler: Any, settings: Settings, boards: dict[str, dict[str, Any] | None], timezone: str = TIMEZONE
) -> list[Any]:
    """Add a ``crawl:BOARD`` cron job per board (``{board: cron fields or None for DEFAULT_CRON}``)
    to an APScheduler 3.x scheduler. Returns the jobs. Boards are checked now, so a typo fails at
    start-up rather than at 03:10.

    Raises:
        scrapers.boards.config.BoardConfigError: an unknown or invalid board.
    """
    from apscheduler.triggers.cron import CronTrigger

    from scrapers.boards.config import load_board

    tz = ZoneInfo(timezone)
    jobs = []
    for board, cron in boards.items():
        load_board(board)
        trigger = CronTrigger(timezone=tz, jitter=CRAWL_JITTER_SECONDS, **(cron or DEFAULT_CRON))
        jobs.append(
            scheduler.add_job(
                run_crawl,
                trigger,
                args=[settings, board],
                id=f"crawl:{board}",
                name=f"crawl board {board}",
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
            )
        )
    return jobs
