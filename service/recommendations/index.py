"""The content index of the open postings: held, kept current by deltas, rebuilt off the event loop.

Three parts, each with one job:

* :class:`IndexHolder` only holds the current :class:`IndexSnapshot` and swaps in a new one (one
  reference assignment: a request that already took the previous snapshot finishes with it).
* :func:`build_index` (and :func:`build_in_worker` around it for another process) fits a
  :class:`~matching.content.ContentRanker` on the postings open on a day, reading them with a
  connection of its own.
* :class:`IndexMaintainer` keeps the holder current. On each request it reads the postings' change
  key (count, latest ``updated_at``, largest id; one aggregate). When the key moved it reads the
  postings updated since the last one it saw (minus :data:`CHANGE_OVERLAP`, for transactions
  that committed late) and compares their *content* (:func:`~service.recommendations.documents.content_of`,
  everything but the application count) with the indexed one: new or edited open postings are
  upserted, closed/expired/stale ones removed, as a delta (:meth:`matching.live.LiveIndex.with_changes`:
  transformed with the fitted vectorisers, never refitted). An application changes the key but
  no content: the index object stays the same. A new day retires the postings past their
  ``valid_through``. With changes pending, a full rebuild (fresh vocabulary and statistics) starts
  in the background at most every ``index_rebuild_seconds``, in another process for large tables
  (``index_process_min_postings``), and is swapped in when done; the current index serves
  meanwhile, and the changes made while it was built are applied to it as deltas on the next request.
  Only the very first build is awaited by requests (asynchronously: the event loop keeps serving).

``recommendation_index = "refit"`` keeps the old behaviour (any change of the key refits the whole
index inside the request), for the side-by-side benchmark (``bench/bench_churn.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from matching.content import ContentRanker
from matching.live import LiveIndex
from matching.taxonomy import Taxonomy
from service.config import Settings
from service.recommendations.documents import content_of
from service.recommendations.repository import RecommendationRepository
from service.taxonomy.core import core_taxonomy

log = logging.getLogger(__name__)
#: Changes are read from this long before the latest ``updated_at`` seen: a transaction that stamped
#: its rows earlier but committed later is still caught (deltas are idempotent, re-reading is harmless).
CHANGE_OVERLAP = dt.timedelta(seconds=5)
#: Added to the build process's nice value: when CPU is short, answering requests comes first.
WORKER_NICENESS = 10


@dataclass(frozen=True)
class IndexSnapshot:
    """A live index and what it reflects: the postings' change ``key`` and latest ``updated_at``
    (``watermark``) read before it was built or last updated, the ``day`` its open set is for, when
    its base was built (monotonic seconds) and the number of postings the base was built from."""

    index: LiveIndex
    key: tuple[Any, ...]
    watermark: dt.datetime | None
    day: dt.date
    built_at: float


class IndexHolder:
    """Holds the current :class:`IndexSnapshot`; :meth:`swap` replaces it atomically."""

    def __init__(self) -> None:
        self._current: IndexSnapshot | None = None

    @property
    def current(self) -> IndexSnapshot | None:
        return self._current

    def swap(self, snapshot: IndexSnapshot) -> None:
        self._current = snapshot


@dataclass(frozen=True)
class Built:
    """A full build's result: the fitted ranker (its ``taxonomy`` left out when it crossed a process
    boundary), the change key and latest ``updated_at`` read *before* the postings were."""

    ranker: ContentRanker
    key: tuple[Any, ...]
    watermark: dt.datetime | None
    seconds: float


async def build_index(session: AsyncSession, today: dt.date, taxonomy: Taxonomy | None) -> Built:
    """Fit a ranker on the postings open on ``today`` read through ``session`` (the fit in a thread)."""
    start = time.perf_counter()
    repo = RecommendationRepository(session)
    key = await repo.posting_change_key()
    docs = await repo.open_job_docs(today)
    ranker = await anyio.to_thread.run_sync(ContentRanker(taxonomy=taxonomy).fit, docs)
    return Built(ranker=ranker, key=key, watermark=key[1], seconds=time.perf_counter() - start)


def _build_with_own_connection(settings: Settings, today: dt.date, taxonomy: Taxonomy | None) -> Built:
    from service.db import make_engine, make_sessionmaker

    async def main() -> Built:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as session:
                return await build_index(session, today, taxonomy)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def build_in_worker(settings: Settings, today: dt.date) -> Built:
    """In a build process: :func:`build_index` with its own connection and taxonomy; the ranker
    comes back without the taxonomy (the server has its own, the same)."""
    built = _build_with_own_connection(settings, today, core_taxonomy())
    built.ranker.set_params(taxonomy=None)
    return built


def _lower_priority() -> None:
    import os

    os.nice(WORKER_NICENESS)


class IndexMaintainer:
    """Keeps an :class:`IndexHolder` current (module doc). ``settings=None``: builds read through the
    request's session and no background rebuild runs (the command line and some tests)."""

    def __init__(self, settings: Settings | None = None, holder: IndexHolder | None = None) -> None:
        self.settings = settings
        self.holder = holder or IndexHolder()
        self.taxonomy: Taxonomy | None = None
        self.mode = settings.recommendation_index if settings is not None else "live"
        self.rebuild_seconds = settings.index_rebuild_seconds if settings is not None else float("inf")
        self._first = asyncio.Lock()
        self._delta = asyncio.Lock()
        self._rebuild: asyncio.Task[None] | None = None
        self._pool: ProcessPoolExecutor | None = None
        #: full builds done so far, and the last one's seconds (for tests and benchmarks)
        self.builds = 0
        self.last_build_seconds = 0.0

    async def _taxonomy(self) -> Taxonomy:
        if self.taxonomy is None:
            self.taxonomy = await anyio.to_thread.run_sync(core_taxonomy)
        return self.taxonomy

    async def _full_build(self, session: AsyncSession | None, today: dt.date, n_postings: int) -> Built:
        """A full build: through ``session`` without settings; else in a thread with its own connection,
        or in the build process when the table has ``index_process_min_postings`` rows or more."""
        taxonomy = await self._taxonomy()
        if self.settings is None:
            assert session is not None
            built = await build_index(session, today, taxonomy)
        elif n_postings >= self.settings.index_process_min_postings:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    1, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority
                )
            built = await asyncio.get_running_loop().run_in_executor(self._pool, build_in_worker, self.settings, today)
            built.ranker.set_params(taxonomy=taxonomy)
        else:
            built = await anyio.to_thread.run_sync(_build_with_own_connection, self.settings, today, taxonomy)
        self.builds += 1
        self.last_build_seconds = built.seconds
        return built

    def _install(self, built: Built, today: dt.date) -> None:
        self.holder.swap(
            IndexSnapshot(
                index=LiveIndex.of(built.ranker),
                key=built.key,
                watermark=built.watermark,
                day=today,
                built_at=time.monotonic(),
            )
        )

    async def current(self, session: AsyncSession, today: dt.date) -> LiveIndex:
        """The index of the postings open on ``today`` as of this request (module doc)."""
        repo = RecommendationRepository(session)
        key = await repo.posting_change_key()
        snap = self.holder.current
        if self.mode == "refit":
            return await self._refit(session, key, today)
        if snap is None:
            async with self._first:
                if self.holder.current is None:
                    self._install(await self._full_build(session, today, int(key[0] or 0)), today)
            snap = self.holder.current
            assert snap is not None
        if key != snap.key or today != snap.day:
            async with self._delta:
                snap = self.holder.current
                assert snap is not None
                if key != snap.key or today != snap.day:
                    await self._apply_changes(repo, snap, key, today)
        self._maybe_rebuild(today)
        snap = self.holder.current
        assert snap is not None
        return snap.index

    async def _refit(self, session: AsyncSession, key: tuple[Any, ...], today: dt.date) -> LiveIndex:
        """The old path: any change of the key (applications included) refits inside the request."""
        async with self._delta:
            snap = self.holder.current
            if snap is None or key != snap.key or today != snap.day:
                built = await build_index(session, today, await self._taxonomy())
                self.builds += 1
                self.last_build_seconds = built.seconds
                self._install(built, today)
                snap = self.holder.current
            assert snap is not None
            return snap.index

    async def _apply_changes(
        self, repo: RecommendationRepository, snap: IndexSnapshot, key: tuple[Any, ...], today: dt.date
    ) -> None:
        index = snap.index
        since = snap.watermark - CHANGE_OVERLAP if snap.watermark is not None else None
        upserts, removals = [], set()
        for doc, is_open in await repo.changed_postings(since, today):
            if is_open:
                if doc.id not in index or content_of(index.job(doc.id)) != content_of(doc):
                    upserts.append(doc)
            elif doc.id in index:
                removals.add(doc.id)
        if today != snap.day or (key[0] or 0) < (snap.key[0] or 0):  # a new day, or rows deleted
            open_now = await repo.open_posting_ids(today)
            removals |= {i for i in index.ids() if i not in open_now}
        if upserts or removals:
            index = await anyio.to_thread.run_sync(index.with_changes, upserts, removals)
        self.holder.swap(
            IndexSnapshot(index=index, key=key, watermark=key[1] or snap.watermark, day=today, built_at=snap.built_at)
        )

    def _maybe_rebuild(self, today: dt.date) -> None:
        snap = self.holder.current
        if (
            self.settings is None
            or self._rebuild is not None
            or snap is None
            or not snap.index.changes
            or time.monotonic() - snap.built_at < self.rebuild_seconds
        ):
            return
        self._rebuild = asyncio.create_task(self._rebuild_now(today, len(snap.index)))

    async def _rebuild_now(self, today: dt.date, n_postings: int, session: AsyncSession | None = None) -> None:
        """A full rebuild in the background, swapped in when done (failures logged; deltas go on)."""
        try:
            built = await self._full_build(session, today, n_postings)
            async with self._delta:
                self._install(built, today)
        except Exception:  # the current index keeps serving
            log.warning("recommendation index rebuild failed", exc_info=True)
        finally:
            self._rebuild = None

    async def rebuild(self, today: dt.date, session: AsyncSession | None = None) -> None:
        """Start a full rebuild now (unless one runs) and wait for it (tests, benchmarks); ``session``
        is read through when the maintainer has no settings."""
        snap = self.holder.current
        if self._rebuild is None:
            self._rebuild = asyncio.create_task(self._rebuild_now(today, len(snap.index) if snap else 0, session))
        task = self._rebuild
        await asyncio.shield(task)

    def close(self) -> None:
        """Stop the build process and a running rebuild (the app's shutdown)."""
        if self._rebuild is not None:
            self._rebuild.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
