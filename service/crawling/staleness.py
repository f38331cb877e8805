"""Staleness of crawled postings: after a *completed* crawl (status ``ok``) of a board, every
posting whose every listing (``posting_sources`` row) has gone unlisted for ``stale_after``
consecutive completed crawls of that listing's board gets ``stale_at`` (:func:`mark_stale`). Only
crawl runs count (an import is a file, not a look at the board); a ``partial`` or ``failed`` crawl
counts for nothing and marks nothing. A stale posting listed again is un-staled by
:func:`service.imports.postings.store_postings`, or by :func:`touch_listings` for pages the
board answered 304 Not Modified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import and_, exists, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db import rowcount
from service.postings.models import CrawlRun, CrawlStatus, Posting, PostingSource

#: default for :attr:`service.config.Settings.stale_after_crawls`
STALE_AFTER_CRAWLS = 3


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
    return rowcount(result)


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
        changed += rowcount(await session.execute(stmt))
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
