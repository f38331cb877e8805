"""The recommendation caches follow their change feed (issue 18, "cheaper requests"): a warm request runs
no SQL for the ranking, and what another process changes — a graduate's skills or certificates, an
employer verified or withdrawn, an application — still reaches the next recommendation: the worker's
follower task drops the cached graduate, hidden postings and answers when the feed names them (on
PostgreSQL woken by ``NOTIFY``: the poll is slowed to a minute there). Each change is written through
an engine of its own and the cache is checked to have dropped it *before* any request, so the follower,
not the request's own catch-up, is what is tested; the answers are then compared with a ranking made
from scratch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from matching.seeker_index import SeekerIndex
from service.applications.models import Application
from service.config import Settings, beijing_today
from service.db import make_engine, make_sessionmaker
from service.employers.models import Employer
from service.graduates.models import Graduate, GraduateCertificate
from service.postings.models import Posting
from service.postings.repository import PostingRepository
from service.recommendations.caches import RankerCache
from service.recommendations.changes import ChangeKind, RecommendationChange
from service.recommendations.documents import job_doc, seeker_doc
from service.recommendations.repository import RecommendationRepository
from service.recommendations.service import RecommendationService

TODAY = beijing_today()  # the day the background follower reads the feed for (the users')


async def _until(condition: Any, seconds: float = 10.0) -> None:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "the change never reached the cache"
        await asyncio.sleep(0.02)


@pytest.fixture
async def writer(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine of its own for the writes (as another process would make them)."""
    eng = make_engine(settings)
    yield eng
    await eng.dispose()


async def _seed(session: AsyncSession) -> dict[str, int]:
    """A verified employer with a 数控 and a 焊工 posting, an unverified one with a 模具 posting, and
    a graduate who knows 数控编程."""
    good, pending = Employer(name="华南精工", verified=True), Employer(name="新来的厂", verified=False)
    session.add_all([good, pending])
    await session.flush()
    rows = {
        "cnc": Posting(title="数控车工", employer_id=good.id, required_skills=["数控编程"], city="广州"),
        "weld": Posting(title="焊工", employer_id=good.id, required_skills=["氩弧焊"], city="广州"),
        "mould": Posting(title="模具钳工", employer_id=pending.id, required_skills=["模具装配"], city="广州"),
    }
    session.add_all(rows.values())
    graduate = Graduate(name="小李", skills=["数控编程"], desired_titles=["数控车工"], city="广州")
    session.add(graduate)
    await session.commit()
    return {**{k: p.id for k, p in rows.items()}, "graduate": graduate.id, "pending": pending.id}


@pytest.fixture
async def ids(session: AsyncSession) -> dict[str, int]:
    return await _seed(session)


@pytest.fixture
async def following(
    settings: Settings, backend: str, session: AsyncSession, writer: AsyncEngine, ids: dict[str, int]
) -> Any:
    """A :class:`RankerCache` over the seed whose follower reads the feeds through ``writer``'s engine,
    caught up (no background rebuild: one would make the next request read the feed itself)."""
    poll = 60.0 if backend == "postgresql" else 0.05
    fixed = msgspec.structs.replace(settings, change_poll_seconds=poll, index_rebuild_seconds=1e9)
    cache = RankerCache(settings=fixed)
    await cache.get(session, TODAY)
    await session.commit()
    cache.follow(writer)
    await _until(lambda: cache.index._caught_up and cache.index._following and cache.position is not None)
    yield cache
    cache.close()


async def _ids(session: AsyncSession, cache: RankerCache, graduate_id: int) -> list[int]:
    result = await RecommendationService(session, cache).for_graduate(graduate_id, 10, today=TODAY)
    await session.commit()
    return [item.posting.id for item in result.items]


async def _fresh(session: AsyncSession, cache: RankerCache, graduate_id: int) -> list[int]:
    """The same ranking made from scratch: the graduate and applications read now, no cached answer."""
    repo = RecommendationRepository(session)
    graduate = await repo.graduate(graduate_id)
    assert graduate is not None
    index = await cache.get(session, TODAY)
    exclude = set(await repo.history(graduate_id)) | await repo.hidden_posting_ids(TODAY)
    await session.commit()
    return [m.job_id for m in index.recommend(seeker_doc(graduate), k=10, exclude=exclude)]


async def test_a_warm_request_runs_no_sql(
    session: AsyncSession, engine: AsyncEngine, following: RankerCache, ids: dict[str, int]
) -> None:
    first = await _ids(session, following, ids["graduate"])
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    # on a loaded machine the first request can outlast the follower's freshness window (then a request
    # rightly reads the feed itself): measure while the follower is current
    await _until(lambda: time.monotonic() - following.index._followed_at < 1.0)
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        again = await _ids(session, following, ids["graduate"])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert statements == [] and again == first and first[0] == ids["cnc"]


async def test_a_graduates_new_skills_and_certificates_reach_the_next_recommendation(
    session: AsyncSession, writer: AsyncEngine, following: RankerCache, ids: dict[str, int]
) -> None:
    gid = ids["graduate"]
    assert (await _ids(session, following, gid))[0] == ids["cnc"]
    assert following.graduates.entries.get(gid) is not None
    async with make_sessionmaker(writer)() as other:
        graduate = await other.get(Graduate, gid)
        assert graduate is not None
        graduate.skills = ["氩弧焊"]
        graduate.desired_titles = ["焊工"]
        await other.commit()
    await _until(lambda: following.graduates.entries.get(gid) is None)  # dropped by the follower
    assert (await _ids(session, following, gid))[0] == ids["weld"] == (await _fresh(session, following, gid))[0]
    async with make_sessionmaker(writer)() as other:
        other.add(GraduateCertificate(graduate_id=gid, name="焊工证"))
        await other.commit()
    await _until(lambda: following.graduates.entries.get(gid) is None)
    entry = await following.graduate(session, gid)
    assert entry is not None and entry.doc.certificates == ("焊工证",)


async def test_an_employer_verified_or_withdrawn_shows_or_hides_its_postings(
    session: AsyncSession, writer: AsyncEngine, following: RankerCache, ids: dict[str, int]
) -> None:
    gid = ids["graduate"]
    assert ids["mould"] not in await _ids(session, following, gid)
    seen = following.generations.employers
    async with make_sessionmaker(writer)() as other:
        employer = await other.get(Employer, ids["pending"])
        assert employer is not None
        employer.verified = True
        await other.commit()
    await _until(lambda: following.generations.employers > seen)
    shown = await _ids(session, following, gid)
    assert ids["mould"] in shown and shown == await _fresh(session, following, gid)
    seen = following.generations.employers
    async with make_sessionmaker(writer)() as other:
        employer = await other.get(Employer, ids["pending"])
        assert employer is not None
        employer.verified = False
        await other.commit()
    await _until(lambda: following.generations.employers > seen)
    hidden = await _ids(session, following, gid)
    assert ids["mould"] not in hidden and hidden == await _fresh(session, following, gid)


async def test_an_application_leaves_the_applied_posting_out(
    session: AsyncSession, writer: AsyncEngine, following: RankerCache, ids: dict[str, int]
) -> None:
    gid = ids["graduate"]
    assert (await _ids(session, following, gid))[0] == ids["cnc"]
    async with make_sessionmaker(writer)() as other:
        other.add(Application(graduate_id=gid, posting_id=ids["cnc"]))
        await other.commit()
    await _until(lambda: following.graduates.entries.get(gid) is None)
    after = await _ids(session, following, gid)
    assert ids["cnc"] not in after and after == await _fresh(session, following, gid)
    entry = await following.graduate(session, gid)
    assert entry is not None and entry.history == (ids["cnc"],)


async def test_without_a_follower_a_request_reads_the_feed_itself(
    session: AsyncSession, writer: AsyncEngine, ids: dict[str, int]
) -> None:
    """The command line and a cache reset by the test harness follow no feed: each request catches up."""
    gid = ids["graduate"]
    cache = RankerCache()
    assert (await _ids(session, cache, gid))[0] == ids["cnc"]
    async with make_sessionmaker(writer)() as other:
        graduate = await other.get(Graduate, gid)
        assert graduate is not None
        graduate.skills, graduate.desired_titles = ["氩弧焊"], ["焊工"]
        await other.commit()
    assert (await _ids(session, cache, gid))[0] == ids["weld"]


async def test_the_feed_records_what_the_caches_hold(session: AsyncSession, ids: dict[str, int]) -> None:
    """One row per subject and kind, in the same transaction as the change."""
    rows = set((await session.execute(select(RecommendationChange.kind, RecommendationChange.subject_id))).all())
    assert (ChangeKind.GRADUATE, ids["graduate"]) in rows and (ChangeKind.EMPLOYER, ids["pending"]) in rows
    before = len((await session.execute(select(RecommendationChange.seq))).all())
    session.add(Application(graduate_id=ids["graduate"], posting_id=ids["weld"]))
    await session.commit()
    after = (await session.execute(select(RecommendationChange.kind, RecommendationChange.subject_id))).all()
    assert len(after) == before + 1 and after[-1] == (ChangeKind.APPLICATION, ids["graduate"])


async def _candidates(session: AsyncSession, cache: RankerCache, posting_id: int) -> list[tuple[int, list[str]]]:
    result = await RecommendationService(session, cache).for_posting(posting_id, 10, today=TODAY)
    await session.commit()
    return [(item.graduate.graduate_id, item.graduate.certificates) for item in result.items]


async def test_a_graduates_edit_reaches_an_employers_candidates_as_a_delta_of_the_pool(
    session: AsyncSession, writer: AsyncEngine, following: RankerCache, ids: dict[str, int]
) -> None:
    """The seeker pool follows the feed: the edited graduate is prepared again, the others are kept
    (no full rebuild, no age rule), and the pool answers as one built from scratch; a graduate who
    opts out leaves it."""
    gid = ids["graduate"]
    other = Graduate(name="小王", skills=["氩弧焊"], desired_titles=["焊工"], city="广州")
    session.add(other)
    await session.commit()
    assert [g for g, _ in await _candidates(session, following, ids["weld"])][0] == other.id
    pool = following.seekers
    assert pool.builds == 1
    assert pool.pool is not None
    kept = {p.doc.id: p for p in pool.pool.index.profiles}[other.id]
    async with make_sessionmaker(writer)() as w:
        graduate = await w.get(Graduate, gid)
        assert graduate is not None
        graduate.skills, graduate.desired_titles = ["氩弧焊", "焊接"], ["焊工"]
        w.add(GraduateCertificate(graduate_id=gid, name="焊工证"))
        await w.commit()
    await _until(lambda: gid in pool._pending)  # named by the follower: read at the next request
    after = await _candidates(session, following, ids["weld"])
    assert after[0] == (gid, ["焊工证"]) and (pool.builds, pool.updates) == (1, 1)
    assert pool.pool is not None and {p.doc.id: p for p in pool.pool.index.profiles}[other.id] is kept
    graduates = await RecommendationRepository(session).recommendable_graduates()
    afresh = SeekerIndex((await following.get(session, TODAY)).base, [seeker_doc(g) for g in graduates])
    posting = await PostingRepository(session).get(ids["weld"])
    assert posting is not None
    assert pool.pool.index.rank(job_doc(posting), k=10) == afresh.rank(job_doc(posting), k=10)
    await session.commit()
    async with make_sessionmaker(writer)() as w:
        graduate = await w.get(Graduate, gid)
        assert graduate is not None
        graduate.recommendable = False
        await w.commit()
    await _until(lambda: gid in pool._pending)
    assert [g for g, _ in await _candidates(session, following, ids["weld"])] == [other.id]
    assert (pool.builds, pool.updates) == (1, 2)
