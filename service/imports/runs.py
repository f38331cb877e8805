"""Crawl and import runs (``crawl_runs``) and expiry of ingested postings.

* :func:`record_run` stores one run with its counts; a failed run is stored in a transaction of
  its own (:func:`record_failed_run`) so the failure is kept while its data is rolled back.
* :func:`expire_postings`: open ingested postings whose ``valid_through`` has passed are closed.
  ``valid_through`` is a local date in the service's time zone (Asia/Shanghai by default) and
  lasts to the end of that day, so a posting valid through 3 March closes from 4 March 00:00
  local time.

Staleness (postings a board stopped listing) belongs to crawls: :mod:`service.crawling.staleness`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.service import tell_applicants_posting_closed
from service.config import TIMEZONE
from service.postings.models import CrawlRun, CrawlStatus, Posting, PostingSource, PostingStatus


def dropped_reasons(dropped: Iterable[tuple[int, str, str]]) -> dict[str, int]:
    """``{reason: count}`` from ``(row, column, reason)`` rows; a reason naming a row (``duplicate
    of row 7``) or a URL is grouped by its text before the first digit or colon."""
    counts: Counter[str] = Counter()
    for _row, _column, reason in dropped:
        key = reason.split(":", 1)[0].rstrip(" 0123456789").strip() or reason
        counts[key[:200]] += 1
    return dict(counts.most_common())


def local_today(now: dt.datetime, timezone: str = TIMEZONE) -> dt.date:
    """The calendar date of the aware instant ``now`` in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()


async def expire_postings(session: AsyncSession, now: dt.datetime, timezone: str = TIMEZONE) -> int:
    """Close the open ingested postings (those with a ``posting_sources`` row) whose
    ``valid_through`` is before today in ``timezone``, telling their live applicants (reason
    ``expired``). Returns how many were closed. Flushes."""
    listed = exists().where(PostingSource.posting_id == Posting.id)
    stmt = (
        update(Posting)
        .where(
            Posting.status == PostingStatus.OPEN,
            Posting.valid_through.is_not(None),
            Posting.valid_through < local_today(now, timezone),
            listed,
        )
        .values(status=PostingStatus.CLOSED, updated_at=now)
        .returning(Posting.id)
        .execution_options(synchronize_session="fetch")
    )
    closed = list((await session.execute(stmt)).scalars())
    await session.flush()
    await tell_applicants_posting_closed(session, closed, "expired")
    return len(closed)


async def record_run(session: AsyncSession, run: CrawlRun) -> CrawlRun:
    """Add ``run`` (counts filled by the caller) and flush. Returns it with its id."""
    session.add(run)
    await session.flush()
    return run


async def record_failed_run(
    session_factory,
    kind: str,
    board: str,
    source: str | None,
    started_at: dt.datetime,
    error: str,
    pages_fetched: int = 0,
    pages_failed: int = 0,
) -> CrawlRun:
    """Store a ``failed`` run in a transaction of its own (``session_factory()`` is an async
    context manager yielding a session inside a transaction, such as
    :func:`service.db.session_scope` bound to an engine)."""
    run = CrawlRun(
        kind=kind,
        board=board[:300],
        source=source,
        status=CrawlStatus.FAILED,
        started_at=started_at,
        finished_at=dt.datetime.now(dt.UTC),
        pages_fetched=pages_fetched,
        pages_failed=pages_failed,
        error=error[:4000],
    )
    async with session_factory() as session:
        session.add(run)
    return run


async def latest_runs(session: AsyncSession, board: str | None = None, limit: int = 20) -> list[CrawlRun]:
    """The most recent runs (newest first), of ``board`` if given."""
    stmt = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)
    if board is not None:
        stmt = stmt.where(CrawlRun.board == board)
    return list((await session.execute(stmt)).scalars())
