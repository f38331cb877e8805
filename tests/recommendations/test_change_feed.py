"""The live index follows the postings' change feed (issue 18): a worker's background task applies new
rows after the last sequence number it applied (on PostgreSQL woken by ``NOTIFY``), so a request asks
the database nothing about changes; sequence numbers that commit out of order are waited for; a
feed emptied under the worker (a restored database) makes it start afresh."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from sqlalchemy import delete, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from matching.content import ContentRanker
from matching.documents import JobDoc, SeekerDoc
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.employers.models import Employer
from service.postings.changes import PostingChange
from service.postings.models import Posting, PostingStatus
from service.recommendations.caches import RankerCache
from service.recommendations.index import GAP_SECONDS, FeedPosition, from_pieces, to_pieces


def test_feed_position_waits_for_a_gap_then_gives_it_up() -> None:
    start = FeedPosition(low=10)
    ids, pos = start.advance([(11, 1), (13, 3)], now=0.0)
    assert ids == {1, 3} and pos.low == 11 and pos.seen == {13} and set(pos.gaps) == {12}
    # 12 commits late: read again with 13, only 12's posting is new
    ids, pos = pos.advance([(12, 2), (13, 3)], now=1.0)
    assert ids == {2} and pos.low == 13 and not pos.seen and not pos.gaps
    # 15 without 14: 14 is waited for, then taken for a rolled-back transaction's
    ids, pos = pos.advance([(15, 5)], now=2.0)
    assert pos.low == 13
    ids, pos = pos.advance([(15, 5)], now=2.0 + GAP_SECONDS)
    assert ids == set() and pos.low == 15 and not pos.gaps
    assert FeedPosition.after_build(50).low == 0 and FeedPosition.after_build(500).low == 400


async def _seed(session: AsyncSession, n: int = 12) -> int:
    employer = Employer(name="华南精工", verified=True)
    session.add(employer)
    await session.flush()
    for i in range(n):
        session.add(Posting(title=f"数控车工{i}", employer_id=employer.id, required_skills=["数控编程"], city="广州"))
    await session.commit()
    return employer.id


async def _until(condition: Any, seconds: float = 10.0) -> float:
    """Seconds until ``condition()`` held (fails after ``seconds``)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "not applied in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - start


@pytest.fixture
async def writer(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine of its own for the writes (as another process would make them)."""
    eng = make_engine(settings)
    yield eng
    await eng.dispose()


async def test_a_following_worker_applies_changes_and_requests_ask_nothing(
    session: AsyncSession, engine: AsyncEngine, writer: AsyncEngine, settings: Settings, backend: str
) -> None:
    """The background task applies a new and a closed posting without any request; then requests run
    no SQL at all for the index. On PostgreSQL the poll is slowed to a minute: only ``NOTIFY``
    can wake the worker in time."""
    today = dt.date.today()
    employer_id = await _seed(session)
    poll = 60.0 if backend == "postgresql" else 0.05
    cache = RankerCache(settings=msgspec.structs.replace(settings, change_poll_seconds=poll))
    first = await cache.get(session, today)
    await session.commit()
    cache.follow(writer)  # its reads are not the request's
    try:
        await _until(lambda: cache.index._caught_up and cache.index._following)
        async with make_sessionmaker(writer)() as other:
            newcomer = Posting(title="模具钳工", employer_id=employer_id, required_skills=["模具装配"], city="广州")
            other.add(newcomer)
            await other.commit()
            await _until(lambda: newcomer.id in cache.index.holder.current.index)
            gone = min(first.ids())
            posting = await other.get(Posting, gone)
            assert posting is not None
            posting.status = PostingStatus.CLOSED
            await other.commit()
            await _until(lambda: gone not in cache.index.holder.current.index)

        statements: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        # the first request may catch up once: NOTIFY can wake the follower before this process has
        # counted its own commit; after that, requests run no SQL for the index
        await cache.get(session, today)
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            live = await cache.get(session, today)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        assert statements == [] and newcomer.id in live and gone not in live and cache.index.builds == 1
    finally:
        cache.close()


async def test_requests_catch_up_without_a_follower_and_restart_on_an_emptied_feed(session: AsyncSession) -> None:
    today = dt.date.today()
    employer_id = await _seed(session)
    cache = RankerCache()
    assert len(await cache.get(session, today)) == 12
    session.add(Posting(title="电工", employer_id=employer_id, city="广州"))
    await session.commit()
    assert len(await cache.get(session, today)) == 13 and cache.index.builds == 1
    # the feed emptied and started again below the worker's position (a database restored or reset)
    await session.execute(delete(PostingChange))
    await session.execute(delete(Posting).where(Posting.title == "电工"))
    await session.commit()
    cache.index.position = FeedPosition(low=1000)
    assert len(await cache.get(session, today)) == 12 and cache.index.builds == 2


async def test_a_second_index_drops_a_deleted_employers_postings(session: AsyncSession, writer: AsyncEngine) -> None:
    """Deleting an employer (issue 18) takes its postings by ON DELETE CASCADE: another process's
    index drops them from the feed, without a rebuild, whether the employer goes through the unit of
    work or a ``DELETE`` statement."""
    today = dt.date.today()
    first = await _seed(session, n=4)
    second = await _seed(session, n=3)
    cache = RankerCache()
    assert len(await cache.get(session, today)) == 7
    await session.commit()
    async with make_sessionmaker(writer)() as other:
        await other.delete(await other.get(Employer, first))
        await other.commit()
    await session.commit()  # a new transaction: the writer's commit is visible
    assert len(await cache.get(session, today)) == 3 and cache.index.builds == 1
    async with make_sessionmaker(writer)() as other:
        await other.execute(delete(Employer).where(Employer.id == second))
        await other.commit()
    await session.commit()
    assert len(await cache.get(session, today)) == 0 and cache.index.builds == 1


def test_a_ranker_cut_in_pieces_comes_back_the_same() -> None:
    """What a build process sends (:func:`to_pieces`, small pieces here) answers like the ranker."""
    docs = [
        JobDoc(id=i, title=f"{t}{i % 3}", required_skills=(s,), province="广东省", city=c)
        for i, (t, s, c) in enumerate(
            [("数控车工", "数控编程", "广州"), ("电工", "电气接线", "深圳"), ("焊工", "氩弧焊", "广州")] * 20, start=1
        )
    ]
    ranker = ContentRanker().fit(docs)
    copy = from_pieces(to_pieces(ranker, piece=7))
    assert type(copy) is ContentRanker and copy.position_ == ranker.position_
    seeker = SeekerDoc(id=1, desired_titles=("电工",), skills=("电气接线",), province="广东省", city="深圳")
    assert copy.recommend(seeker, k=10) == ranker.recommend(seeker, k=10)


async def test_the_scan_path_still_finds_changes(session: AsyncSession, settings: Settings) -> None:
    """``recommendation_index = "scan"`` (the benchmark's previous path) reads the change key per request."""
    today = dt.date.today()
    employer_id = await _seed(session)
    cache = RankerCache(settings=msgspec.structs.replace(settings, recommendation_index="scan"))
    try:
        assert len(await cache.get(session, today)) == 12
        session.add(Posting(title="电工", employer_id=employer_id, city="广州"))
        await session.commit()
        assert len(await cache.get(session, today)) == 13 and cache.index.builds == 1
    finally:
        cache.close()
