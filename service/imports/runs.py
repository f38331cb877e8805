"""Crawl and import runs (``crawl_runs``), staleness and expiry of ingested postings.

* :func:`record_run` stores one run with its counts; a failed run is stored in a transaction of
  its own (:func:`record_failed_run`) so the failure is kept while its data is rolled back.
* :func:`mark_stale`: after a *completed* crawl (status ``ok``) of a board, every posting whose
  every listing (``posting_sources`` row) has gone unlisted for ``stale_after`` consecutive
  completed crawls of that listing's board gets ``stale_at``. Only crawl runs count (an import
  is a file, not a look at the board); a ``partial`` or ``failed`` crawl counts for nothing and
  marks nothing. A stale posting listed again is un-staled by
  :func:`service.imports.postings.store_postings`.
* :func:`expire_postings`: open ingested postings whose ``valid_through`` has passed are closed.
  ``valid_through`` is a local date in the service's time zone (Asia/Shanghai by default) and
  lasts to the end of that day, so a posting valid through 3 March closes from 4 March 00:00
  local time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.service import tell_applicants_posting_closed
from service.config import TIMEZONE
from service.db import rowcount
from service.postings.models import CrawlRun, CrawlStatus, Posting, PostingSource, PostingStatus

#: default for :attr:`service.config.Settings.stale_after_crawls`
STALE_AFTER_CRAWLS = 3


def dropped_reasons(dropped: Iterable[tuple[int, str, str]]) -> dict[str, int]:
    """``{reason: count}`` from ``(row, column, reason)`` rows; a reason naming a row (``duplicate
    of row 7``) or a URL is grouped by its text before the first digit or colon."""
    counts: Counter[str] = Counter()
    for _row, _column, reason in dropped:
        key = reason.split(":", 1)[0].rstrip(" 0123456789").strip() or reason
        counts[key[:200]] += 1
    return dict(counts.most_common())


async def stale_cutoffs(session: AsyncSession, stale_after: int) -> dict[str, dt.datetime]:
    """For each source with at least ``stale_after`` completed crawls: the start of its
    ``stale_after``-th most recent one. A listing last seen before that has missed them all."""
    cutoffs: dict[str, dt.datetime] = {}
    sources = (
        (
            await session.execute(
                select(CrawlRun.source)
                .where(CrawlRun.kind == "crawl", CrawlRun.status == CrawlStatus.OK, CrawlRun.source.is_not(None))
                .distinct()
            )
        )
        .scalars()
        .all()
    )
    for source in sources:
        if source is None:  # left out by the query: for the type checker
            continue
        stmt = (
            select(CrawlRun.started_at)
            .where(CrawlRun.kind == "crawl", CrawlRun.status == CrawlStatus.OK, CrawlRun.source == source)
            .order_by(CrawlRun.started_at.desc())
            .offset(stale_after - 1)
            .limit(1)
        )
        if (cutoff := (await session.execute(stmt)).scalar_one_or_none()) is not None:
            cutoffs[source] = cutoff
    return cutoffs


async def mark_stale(
    session: AsyncSession, source: str, now: dt.datetime, stale_after: int = STALE_AFTER_CRAWLS
) -> int:
    """Set ``stale_at = now`` on the postings listed by ``source`` whose every listing has missed
    ``stale_after`` completed crawls of its board. Returns how many were marked. Flushes.

    Call it after recording a completed (``ok``) crawl run of ``source``.

    Raises:
        ValueError: ``stale_after`` below 1.
    """
    if stale_after < 1:
        raise ValueError(f"stale_after must be at least 1, got {stale_after}")
    cutoffs = await stale_cutoffs(session, stale_after)
    if source not in cutoffs:
        return 0

    def is_stale(ps: type[PostingSource]):  # a SQL expression
        return or_(false(), *(and_(ps.source == s, ps.last_seen_at < cut) for s, cut in cutoffs.items()))

    missed = select(PostingSource.posting_id).where(
        PostingSource.source == source, PostingSource.last_seen_at < cutoffs[source]
    )
    still_listed = exists().where(PostingSource.posting_id == Posting.id, ~is_stale(PostingSource))
    stmt = (
        update(Posting)
        .where(Posting.stale_at.is_(None), Posting.id.in_(missed), ~still_listed)
        .values(stale_at=now)
        .execution_options(synchronize_session="fetch")
    )
    result = await session.execute(stmt)
    await session.flush()
    return rowcount(result) or 0


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


def run_to_dict(run: CrawlRun) -> dict[str, object]:
    """A run as JSON-ready data (timestamps ISO 8601 UTC)."""
    return {
        "id": run.id,
        "kind": run.kind,
        "board": run.board,
        "source": run.source,
        "status": str(run.status),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "pages_fetched": run.pages_fetched,
        "pages_failed": run.pages_failed,
        "items_parsed": run.items_parsed,
        "new": run.new,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "duplicates": run.duplicates,
        "merged": run.merged,
        "dropped": run.dropped,
        "dropped_reasons": dict(run.dropped_reasons or {}),
        "unknown_skills": run.unknown_skills,
        "marked_stale": run.marked_stale,
        "closed": run.closed,
        "error": run.error,
    }


async def touch_listings(session: AsyncSession, source: str, urls: Iterable[str], seen_at: dt.datetime) -> int:
    """Mark the listings of ``source`` at ``urls`` (by URL or, when the URL is the id, external
    id) as seen at ``seen_at``: pages the server answered 304 Not Modified were not parsed again
    but are still listed. Returns how many rows changed."""
    wanted = sorted(set(urls))
    changed = 0
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = (
            update(PostingSource)
            .where(
                PostingSource.source == source, or_(PostingSource.url.in_(chunk), PostingSource.external_id.in_(chunk))
            )
            .values(last_seen_at=seen_at)
            .execution_options(synchronize_session="fetch")
        )
        changed += rowcount(await session.execute(stmt)) or 0
    if changed:  # listed again: no longer stale
        listed = select(PostingSource.posting_id).where(
            PostingSource.source == source, PostingSource.last_seen_at == seen_at
        )
        await session.execute(
            update(Posting)
            .where(Posting.id.in_(listed), Posting.stale_at.is_not(None))
            .values(stale_at=None)
            .execution_options(synchronize_session="fetch")
        )
    return changed
