"""Store a board crawl: pipeline → upsert (by listing, else duplicate key) → expire → a crawl run.

The crawl itself (:func:`scrapers.boards.crawl.crawl_board`) stores nothing; this module runs
its records through the default pipeline and :func:`service.imports.postings.store_postings`,
records the run in ``crawl_runs`` (status ``ok``, or ``partial`` when some pages failed),
marks postings stale after a completed crawl and closes postings past ``validThrough``
(:mod:`service.crawling.staleness`, :mod:`service.imports.runs`). Flushes, never commits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.boards.config import BoardConfig
from scrapers.boards.crawl import CrawlResult, crawl_board
from scrapers.fetch import Fetcher
from scrapers.items import PostingItem
from scrapers.pipeline import default_pipeline, unknown_skill_count
from service.config import TIMEZONE
from service.crawling.staleness import STALE_AFTER_CRAWLS, mark_stale, touch_listings
from service.imports.postings import store_postings
from service.imports.report import WARNING_SAMPLE, ImportReport
from service.imports.runs import dropped_reasons, expire_postings, record_run
from service.postings.models import CrawlRun, CrawlStatus
from service.taxonomy.core import core_taxonomy

Progress = Callable[[str, int, int | None], None]


@dataclass
class CrawlReport:
    """One crawl's counts (issue 4: pages fetched, items parsed, new, updated, duplicates, dropped
    with reason). ``failed_pages`` are ``(url, reason)``; ``dropped`` are ``(row, column, reason)``
    with row = detail page number and column = URL or field."""

    board: str
    status: str = CrawlStatus.OK.value
    run_id: int | None = None
    list_pages: int = 0
    detail_pages: int = 0
    not_modified: int = 0
    requests: int = 0
    retries: int = 0
    failed_pages: list[tuple[str, str]] = field(default_factory=list)
    items_parsed: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    merged: int = 0
    dropped: list[tuple[int, str, str]] = field(default_factory=list)
    dropped_reasons: dict[str, int] = field(default_factory=dict)
    unknown_skills: int = 0
    marked_stale: int = 0
    closed: int = 0
    warnings: int = 0
    warning_samples: list[tuple[int, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (tuples as lists)."""
        data = dict(self.__dict__)
        for key in ("failed_pages", "dropped", "warning_samples"):
            data[key] = [list(x) for x in data[key]]
        data["seconds"] = round(self.seconds, 2)
        return data

    def summary(self) -> str:
        """A few lines for a terminal (Chinese first, English after)."""
        lines = [
            f"抓取 crawl {self.board} [{self.status}, run {self.run_id}]: 列表页 list pages {self.list_pages}, "
            f"详情页 detail pages {self.detail_pages} (未变 304 {self.not_modified}), 请求 requests {self.requests}, "
            f"重试 retries {self.retries}",
            f"  解析 parsed {self.items_parsed}; 新增 new {self.new}; 更新 updated {self.updated}; "
            f"未变 unchanged {self.unchanged}; 重复 duplicates {self.duplicates}; 合并 merged "
            f"{self.merged}; 丢弃 dropped {len(self.dropped)}; 警告 warnings {self.warnings}; "
            f"{self.seconds:.1f} s",
            f"  未知技能 unknown skills {self.unknown_skills}; 标记陈旧 marked stale {self.marked_stale}; "
            f"过期关闭 closed {self.closed}",
        ]
        lines += [f"  丢弃原因 dropped because {reason}: {n}" for reason, n in self.dropped_reasons.items()]
        lines += [f"  失败页 failed page {url}: {reason}" for url, reason in self.failed_pages[:20]]
        lines += [f"  丢弃 dropped 第 {r} 页 page {r}, {c}: {m}" for r, c, m in self.dropped[:20]]
        return "\n".join(lines)


def crawl_status(result: CrawlResult) -> CrawlStatus:
    """``failed`` when no list page could be read, ``partial`` when some page failed, else ``ok``."""
    if result.failed and result.list_pages == 0:
        return CrawlStatus.FAILED
    return CrawlStatus.PARTIAL if result.failed else CrawlStatus.OK


async def store_crawl(
    session: AsyncSession,
    result: CrawlResult,
    now: dt.datetime | None = None,
    *,
    started_at: dt.datetime | None = None,
    stale_after: int = STALE_AFTER_CRAWLS,
    timezone: str = TIMEZONE,
    progress: Progress | None = None,
) -> CrawlReport:
    """Normalise, validate, de-duplicate and upsert a crawl's items, record the run; report it.

    ``now`` (aware, default the current time) decides expiry (see
    :func:`service.imports.postings.posting_fields`); ``started_at`` (default ``now``) is the
    run's start, recorded as ``last_seen_at`` of every listing the crawl saw (including detail
    pages answered 304). After a completed crawl (``ok``), postings whose every listing missed
    ``stale_after`` completed crawls are marked stale; a ``partial`` or ``failed`` crawl marks
    none. Open postings past ``valid_through`` (a local date in ``timezone``) are closed.
    """
    clock = time.perf_counter()
    now = now or dt.datetime.now(dt.UTC)
    started_at = started_at or now
    pipeline = default_pipeline(core_taxonomy())
    piped = pipeline.run(result.records())
    status = crawl_status(result)
    report = CrawlReport(
        board=result.board,
        status=status.value,
        list_pages=result.list_pages,
        detail_pages=result.detail_pages,
        not_modified=len(result.not_modified),
        requests=result.fetch.requests,
        retries=result.fetch.retries,
        failed_pages=list(result.failed),
        items_parsed=len(result.items),
        duplicates=len(piped.duplicates),
        dropped=[i.as_tuple() for i in piped.rejected],
        warnings=len(piped.warnings),
        warning_samples=[w.as_tuple() for w in piped.warnings[:WARNING_SAMPLE]],
        unknown_skills=unknown_skill_count(pipeline),
    )
    report.dropped_reasons = dropped_reasons(report.dropped)
    postings = [i for i in piped.items if isinstance(i, PostingItem)]
    store = ImportReport(kind="board", path=result.board)
    if postings:
        await store_postings(
            session,
            postings,
            store,
            now=now,
            seen_at=started_at,
            progress=(lambda n: progress("store", n, len(postings))) if progress else None,
        )
    if result.not_modified:
        await touch_listings(session, result.board, result.not_modified, started_at)
    report.new, report.updated, report.unchanged, report.merged = (
        store.stored,
        store.updated,
        store.unchanged,
        store.merged,
    )
    run = await record_run(
        session,
        CrawlRun(
            kind="crawl",
            board=result.board,
            source=result.board,
            status=status,
            started_at=started_at,
            pages_fetched=result.list_pages + result.detail_pages,
            pages_failed=len(result.failed),
            items_parsed=report.items_parsed,
            new=report.new,
            updated=report.updated,
            unchanged=report.unchanged,
            duplicates=report.duplicates,
            merged=report.merged,
            dropped=len(report.dropped),
            dropped_reasons=report.dropped_reasons,
            unknown_skills=report.unknown_skills,
            error="; ".join(f"{url}: {reason}" for url, reason in result.failed[:20]) or None,
        ),
    )
    if status is CrawlStatus.OK:
        report.marked_stale = await mark_stale(session, result.board, now, stale_after)
    report.closed = await expire_postings(session, now, timezone)
    run.marked_stale, run.closed, run.finished_at = report.marked_stale, report.closed, dt.datetime.now(dt.UTC)
    await session.flush()
    report.run_id = run.id
    report.seconds = time.perf_counter() - clock
    return report


async def crawl_into(
    session: AsyncSession,
    config: BoardConfig,
    fetcher: Fetcher | None = None,
    now: dt.datetime | None = None,
    *,
    stale_after: int = STALE_AFTER_CRAWLS,
    progress: Progress | None = None,
) -> CrawlReport:
    """Crawl ``config`` and store the result in ``session`` (flushes; the caller commits).
    ``now`` (default the current time) is the run's start and decides expiry. ``progress(phase,
    done, total)`` is told the pages crawled and the postings stored."""
    clock = time.perf_counter()
    started_at = now or dt.datetime.now(dt.UTC)
    result = await crawl_board(config, fetcher, progress)
    report = await store_crawl(session, result, now, started_at=started_at, stale_after=stale_after, progress=progress)
    report.seconds = time.perf_counter() - clock
    return report
