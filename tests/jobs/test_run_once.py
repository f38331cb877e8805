"""Two scheduler processes run each job once (issue 14, item 18): two schedulers built by
``make_scheduler`` on one database (each with its own executor, as two ``vocmatch scheduler``
processes would have) fire the same jobs; each scheduled time runs once, recorded in ``job_runs``.
Both databases; the real crawl job against the loopback board, and a job firing every two seconds
with jitter."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from service.config import Settings
from service.jobs.models import JobRun, JobRunStatus
from service.jobs.runs import nominal_fire_time
from service.postings.models import CrawlRun
from service.scheduling import make_scheduler
from tests.conftest import run_async
from tests.imports.test_crawl import _fast_board
from tests.scrapers.loopback_site import Site

SH = ZoneInfo("Asia/Shanghai")


def _wait_until(done: Callable[[], bool], limit: float) -> None:
    """Poll ``done`` every 0.2 s until it holds or ``limit`` seconds pass (the assertions after it say
    what went wrong): the schedulers stop as soon as the runs the test needs have happened, instead
    of a fixed sleep sized for the slowest machine (9 s and 12 s per backend before)."""
    deadline = time.monotonic() + limit
    while not done() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_nominal_fire_time_takes_the_jitter_off() -> None:
    trigger = CronTrigger(hour=3, minute=10, jitter=600, timezone=SH)
    for late in (0, 1, 299, 599.9):
        fired = dt.datetime(2026, 3, 4, 3, 10, tzinfo=SH) + dt.timedelta(seconds=late)
        assert nominal_fire_time(trigger, fired) == dt.datetime(2026, 3, 4, 3, 10, tzinfo=SH)
    plain = CronTrigger(hour=1, timezone=SH)
    at = dt.datetime(2026, 3, 4, 1, 0, tzinfo=SH)
    assert nominal_fire_time(plain, at) == at
    both = OrTrigger(
        [CronTrigger(month=2, day=1, hour=1, timezone=SH), CronTrigger(month=8, day=1, hour=1, timezone=SH)], jitter=30
    )
    assert nominal_fire_time(both, dt.datetime(2026, 8, 1, 1, 0, 17, tzinfo=SH)) == dt.datetime(
        2026, 8, 1, 1, tzinfo=SH
    )


async def _runs(settings: Settings, job: str) -> list[JobRun]:
    from service.db import make_engine, make_sessionmaker

    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as s:
            return list(
                (await s.execute(select(JobRun).where(JobRun.job == job).order_by(JobRun.scheduled_for))).scalars()
            )
    finally:
        await engine.dispose()


def _two_schedulers(settings: Settings) -> list:
    """Two schedulers as two processes would build them, with none of their real jobs due."""
    schedulers = [make_scheduler(settings, "Asia/Shanghai", blocking=False) for _ in range(2)]
    for sched in schedulers:
        sched.remove_all_jobs()
    return schedulers


def test_two_schedulers_run_a_jittered_job_once_per_scheduled_time(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[tuple[str, float]] = []
    lock = threading.Lock()

    def tick(who: str) -> None:
        with lock:
            calls.append((who, time.time()))

    schedulers = _two_schedulers(settings)
    for i, sched in enumerate(schedulers):
        sched.add_job(
            tick,
            CronTrigger(second="*/2", jitter=1, timezone=SH),
            args=[f"scheduler {i}"],
            id="tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=30,
        )
    with caplog.at_level(logging.INFO, logger="service.jobs.runs"):
        for sched in schedulers:
            sched.start()
        _wait_until(lambda: len(calls) >= 3, 30)
        for sched in schedulers:
            sched.shutdown(wait=True)
    runs = run_async(lambda: _runs(settings, "tick"))
    assert len(runs) >= 3, runs
    assert len(calls) == len(runs), f"{len(calls)} calls for {len(runs)} scheduled times: {calls}"
    assert all(r.status is JobRunStatus.SUCCEEDED and r.finished_at is not None for r in runs)
    assert all(r.scheduled_for.second % 2 == 0 and r.scheduled_for.microsecond == 0 for r in runs)
    skipped = [r for r in caplog.records if "run by another scheduler process" in r.getMessage()]
    assert len(skipped) >= len(runs) - 1  # the other scheduler fired too, and stood back


def test_two_schedulers_crawl_a_board_once_per_scheduled_time(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real crawl job (``add_crawl_jobs``), every 5 seconds with one second of jitter."""
    from service.crawling import scheduled

    monkeypatch.setattr(scheduled, "CRAWL_JITTER_SECONDS", 1)
    with Site() as site:
        board = str(_fast_board(tmp_path, site.url()))
        schedulers = _two_schedulers(settings)
        for sched in schedulers:
            scheduled.add_crawl_jobs(sched, settings, {board: {"second": "*/5"}}, "Asia/Shanghai")
            sched.start()
        _wait_until(
            lambda: len([r for r in run_async(lambda: _runs(settings, f"crawl:{board}")) if r.finished_at]) >= 2, 40
        )
        for sched in schedulers:
            sched.shutdown(wait=True)
    runs = run_async(lambda: _runs(settings, f"crawl:{board}"))

    async def crawls() -> list[CrawlRun]:
        from service.db import make_engine, make_sessionmaker

        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as s:
                return list((await s.execute(select(CrawlRun).where(CrawlRun.kind == "crawl"))).scalars())
        finally:
            await engine.dispose()

    crawled = run_async(crawls)
    assert len(runs) >= 2, runs
    assert len(crawled) == len(runs), f"{len(crawled)} crawls for {len(runs)} scheduled times"
    assert Counter(r.status for r in runs) == {JobRunStatus.SUCCEEDED: len(runs)}
