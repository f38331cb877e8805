"""Store a board crawl: pipeline → upsert by (source, external id) → a crawl report.

The crawl itself (:func:`scrapers.boards.crawl.crawl_board`) stores nothing; this module runs
its records through the default pipeline and :func:`service.imports.postings.store_postings`.
Flushes, never commits.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.boards.config import BoardConfig
from scrapers.boards.crawl import CrawlResult, crawl_board
from scrapers.fetch import Fetcher
from scrapers.items import PostingItem
from scrapers.pipeline import default_pipeline
from service.imports.postings import store_postings
from service.imports.report import WARNING_SAMPLE, ImportReport


@dataclass
class CrawlReport:
    """One crawl's counts (issue 4: pages fetched, items parsed, new, updated, duplicates, dropped
    with reason). ``failed_pages`` are ``(url, reason)``; ``dropped`` are ``(row, column, reason)``
    with row = detail page number and column = URL or field."""

    board: str
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
    dropped: list[tuple[int, str, str]] = field(default_factory=list)
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
        lines = [f"抓取 crawl {self.board}: 列表页 list pages {self.list_pages}, 详情页 detail pages "
                 f"{self.detail_pages} (未变 304 {self.not_modified}), 请求 requests {self.requests}, "
                 f"重试 retries {self.retries}",
                 f"  解析 parsed {self.items_parsed}; 新增 new {self.new}; 更新 updated {self.updated}; "
                 f"未变 unchanged {self.unchanged}; 重复 duplicates {self.duplicates}; 丢弃 dropped "
                 f"{len(self.dropped)}; 警告 warnings {self.warnings}; {self.seconds:.1f} s"]
        lines += [f"  失败页 failed page {url}: {reason}" for url, reason in self.failed_pages[:20]]
        lines += [f"  丢弃 dropped 第 {r} 页 page {r}, {c}: {m}" for r, c, m in self.dropped[:20]]
        return "\n".join(lines)


async def store_crawl(session: AsyncSession, result: CrawlResult, now: dt.datetime | None = None) -> CrawlReport:
    """Normalise, validate, de-duplicate and upsert a crawl's items; report what happened.
    ``now`` decides expiry (see :func:`service.imports.postings.posting_fields`)."""
    started = time.perf_counter()
    piped = default_pipeline().run(result.records())
    report = CrawlReport(board=result.board, list_pages=result.list_pages, detail_pages=result.detail_pages,
                         not_modified=len(result.not_modified), requests=result.fetch.requests,
                         retries=result.fetch.retries, failed_pages=list(result.failed),
                         items_parsed=len(result.items), duplicates=len(piped.duplicates),
                         dropped=[i.as_tuple() for i in piped.rejected], warnings=len(piped.warnings),
                         warning_samples=[w.as_tuple() for w in piped.warnings[:WARNING_SAMPLE]])
    postings = [i for i in piped.items if isinstance(i, PostingItem)]
    store = ImportReport(kind="board", path=result.board)
    if postings:
        await store_postings(session, postings, store, now=now)
    report.new, report.updated, report.unchanged = store.stored, store.updated, store.unchanged
    report.seconds = time.perf_counter() - started
    return report


async def crawl_into(session: AsyncSession, config: BoardConfig, fetcher: Fetcher | None = None,
                     now: dt.datetime | None = None) -> CrawlReport:
    """Crawl ``config`` and store the result in ``session`` (flushes; the caller commits)."""
    started = time.perf_counter()
    result = await crawl_board(config, fetcher)
    report = await store_crawl(session, result, now)
    report.seconds = time.perf_counter() - started
    return report
