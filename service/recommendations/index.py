"""The content index of the open postings: held, kept current by deltas, rebuilt off the event loop.

Three parts, each with one job:

* :class:`IndexHolder` only holds the current :class:`IndexSnapshot` and swaps in a new one (one
  reference assignment: a request that already took the previous snapshot finishes with it).
* :func:`build_index` (and :func:`build_in_worker` around it for another process) fits a
  :class:`~matching.content.ContentRanker` on the postings open on a day, reading them with a
  connection of its own.
* :class:`IndexMaintainer` keeps the holder current from the postings' change feed
  (:mod:`service.postings.changes`: one row per posting created, edited or deleted, written in the
  same transaction). A background task of the worker (:meth:`IndexMaintainer.follow`, started with
  the app) reads the rows after the last sequence number it applied (:class:`FeedPosition`) every
  ``change_poll_seconds``, or at once when PostgreSQL ``NOTIFY`` wakes it, reads those postings and
  compares their *content* (:func:`~service.recommendations.documents.content_of`, everything but the
  application count) with the indexed one: new or edited open postings are upserted, closed/expired/
  stale/deleted ones removed, as a delta (:meth:`matching.live.LiveIndex.with_changes`: transformed
  with the fitted vectorisers, never refitted). A request asks the database nothing about changes
  while that task follows the feed, except after a posting change committed by this process (then
  it catches up first, so a process reads its own writes) or on a new day (which retires the
  postings past their ``valid_through``); without the task (command line, tests) every request
  catches up, one indexed range read of the feed. With changes pending, a full rebuild (fresh
  vocabulary and statistics) starts in the background at most every ``index_rebuild_seconds``, in
  another process for large tables (``index_process_min_postings``), and is swapped in when done;
  the current index serves meanwhile, and the changes made while it was built are applied to it
  from the feed. Only the very first build is awaited by requests (asynchronously: the event loop
  keeps serving).

``recommendation_index = "scan"`` finds the changes the previous way (the postings' change key —
count, latest ``updated_at``, largest id — read on every request, then the postings updated since
it last moved, minus :data:`CHANGE_OVERLAP`); ``"refit"`` keeps the oldest behaviour (any change of
that key refits the whole index inside the request). Both are kept for the side-by-side benchmark
(``bench/bench_churn.py``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import logging
import multiprocessing
import os
import pickle
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio.to_thread
import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from matching.content import ContentRanker
from matching.documents import JobDoc
from matching.live import LiveIndex
from matching.taxonomy import Taxonomy
from service.config import Settings, beijing_today
from service.postings.changes import CHANNEL, local_commits
from service.processes import watch_process
from service.recommendations import snapshots
from service.recommendations.documents import content_of
from service.recommendations.repository import RecommendationRepository
from service.taxonomy.core import core_taxonomy

log = logging.getLogger(__name__)
#: Changes are read from this long before the latest ``updated_at`` seen: a transaction that stamped
#: its rows earlier but committed later is still caught (deltas are idempotent, re-reading is harmless).
CHANGE_OVERLAP = dt.timedelta(seconds=5)
#: A full build starts following the feed this many sequence numbers before the last one it read: a
#: transaction that took its number earlier but committed after the build read the postings is caught
#: (re-reading a change is harmless: deltas compare content).
BUILD_OVERLAP = 100
#: A sequence number missing below ones already read is waited for this long (its transaction may
#: still commit: PostgreSQL hands out numbers before commit), then taken for a rolled-back one.
GAP_SECONDS = 30.0
#: Postings read per query (and converted) while applying changes: the event loop is not held long.
CHUNK = 200
#: Largest list or dict unpickled in one piece when a build comes back from its process: unpickling
#: is one C call holding the GIL, so one piece of a 100,000-posting ranker would stall the event loop
#: for seconds; pieces of this size take a few milliseconds each (the loop runs in between).
PIECE = 200
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
    #: one content fingerprint per row of the base (:func:`~service.recommendations.snapshots.fingerprint`)
    #: when the base is a mapped snapshot, which keeps no documents; ``None``: the base keeps them
    prints: np.ndarray | None = None

    def unchanged(self, doc: JobDoc) -> bool:
        """Whether the open posting ``doc`` is indexed with this content (:func:`content_of`): compared
        with the indexed document, or for a snapshot's row with the row's fingerprint."""
        index = self.index
        if doc.id not in index:
            return False
        if doc.id in index.pending or self.prints is None:
            return content_of(index.job(doc.id)) == content_of(doc)
        return int(self.prints[index.base.position_[doc.id]]) == snapshots.fingerprint(doc)


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
    boundary), the change feed's last sequence number, the change key and latest ``updated_at``, all
    read *before* the postings were."""

    ranker: ContentRanker
    key: tuple[Any, ...]
    watermark: dt.datetime | None
    seconds: float
    seq: int = 0
    #: the ``at`` of the feed row ``seq`` (what a snapshot records to know its database again)
    feed_at: str | None = None
    #: the base's row fingerprints when it is a mapped snapshot (:attr:`IndexSnapshot.prints`)
    prints: np.ndarray | None = None
    #: the snapshot this came from, and whether it was only loaded (another build had written it)
    path: Path | None = None
    loaded: bool = False


@dataclass(frozen=True)
class FeedPosition:
    """How far a worker has applied the change feed: every sequence number up to ``low`` is applied
    (or was given up on as a rolled-back transaction's), the numbers in ``seen`` above it too, and
    the missing ones in ``gaps`` (number → monotonic time first missed) are waited for
    :data:`GAP_SECONDS`."""

    low: int = 0
    seen: frozenset[int] = frozenset()
    gaps: Mapping[int, float] = field(default_factory=dict)

    @classmethod
    def after_build(cls, seq: int) -> FeedPosition:
        return cls(low=max(seq - BUILD_OVERLAP, 0))

    def advance(self, rows: list[tuple[int, int]], now: float) -> tuple[set[int], FeedPosition]:
        """(ids of the postings changed by the rows not applied yet, the position after applying them)
        for ``rows`` = (sequence number, posting id) read after :attr:`low`."""
        fresh = [(seq, pid) for seq, pid in rows if seq > self.low and seq not in self.seen]
        seen = set(self.seen) | {seq for seq, _ in fresh}
        gaps = dict(self.gaps)
        low, top = self.low, max(seen, default=self.low)
        for seq in range(low + 1, top):
            if seq not in seen:
                gaps.setdefault(seq, now)
        while low < top:
            nxt = low + 1
            if nxt in seen:
                seen.discard(nxt)
            elif now - gaps[nxt] < GAP_SECONDS:
                break
            gaps.pop(nxt, None)
            low = nxt
        return {pid for _, pid in fresh}, FeedPosition(low=low, seen=frozenset(seen), gaps=gaps)


async def build_index(session: AsyncSession, today: dt.date, taxonomy: Taxonomy | None) -> Built:
    """Fit a ranker on the postings open on ``today`` read through ``session`` (the fit in a thread)."""
    start = time.perf_counter()
    repo = RecommendationRepository(session)
    read_at = dt.datetime.now(dt.UTC).isoformat()
    seq = await repo.last_change_seq()
    feed_at = await repo.change_at(seq) if seq else read_at
    key = await repo.posting_change_key()
    docs = await repo.open_job_docs(today)
    ranker = await anyio.to_thread.run_sync(ContentRanker(taxonomy=taxonomy, today=beijing_today).fit, docs)
    seconds = time.perf_counter() - start
    return Built(ranker=ranker, key=key, watermark=key[1], seconds=seconds, seq=seq, feed_at=feed_at)


async def valid_snapshots(
    session: AsyncSession, settings: Settings, today: dt.date, newer_than: int = -1
) -> list[tuple[Path, snapshots.SnapshotMeta]]:
    """The snapshots in ``settings.index_dir`` a worker may map on ``today`` (newest first): of today,
    of this database, with a ``seq`` above ``newer_than``, and whose feed row ``seq`` is still there
    and the same (an emptied or replaced database, or one pruned past it, is not taken for the same;
    a snapshot of an empty feed while the feed's first row came after the build began reading, or the feed is still empty and the postings' change key the one it was built at)."""
    if not settings.index_dir:
        return []
    repo = RecommendationRepository(session)
    found = snapshots.candidates(
        settings.index_dir, today, snapshots.database_identity(settings.database_url), newer_than
    )
    out = []
    first = await repo.first_change() if found else None
    for path, meta in found:
        if meta.seq:
            ok = await repo.change_at(meta.seq) == meta.feed_at
        elif first is not None and meta.feed_at is not None:
            # built from an empty feed (e.g. postings loaded in bulk): the first row came after the build
            # began reading (rows are pruned only after a day, and a snapshot serves its own day)
            ok = first[1] >= dt.datetime.fromisoformat(meta.feed_at) - CHANGE_OVERLAP
        else:
            key = await repo.posting_change_key()
            ok = (
                await repo.last_change_seq() == 0
                and snapshots.SnapshotMeta(0, key, today, "", None).to_json()["key"] == meta.to_json()["key"]
            )
        if ok:
            out.append((path, meta))
    return out


def load_snapshot(path: Path, meta: snapshots.SnapshotMeta, taxonomy: Taxonomy | None) -> Built:
    """Map the snapshot at ``path`` as a :class:`Built` (raises for a corrupt one)."""
    start = time.perf_counter()
    loaded = snapshots.load(path, taxonomy, beijing_today)
    return Built(
        ranker=loaded.ranker,
        key=meta.key,
        watermark=meta.key[1],
        seconds=time.perf_counter() - start,
        seq=meta.seq,
        feed_at=meta.feed_at,
        prints=loaded.prints,
        path=path,
        loaded=True,
    )


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


@dataclass(frozen=True)
class Pieces:
    """An object pickled in pieces (:func:`to_pieces`): ``layout`` says how to put them together and
    ``stream`` holds them in order, written by one pickler so objects shared between pieces stay shared."""

    layout: tuple[Any, ...]
    stream: bytes


def to_pieces(obj: Any, piece: int = PIECE) -> Pieces:
    """``obj`` pickled in pieces for :func:`from_pieces`: lists and dicts longer than ``piece`` in
    slices (and one-dimensional arrays of objects), the attributes of the ``matching`` package's
    objects (the ranker, its table and vectorisers) one by one, anything else (numeric arrays,
    sparse matrices, small containers) whole."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    seen: dict[int, int] = {}  # containers and objects laid out so far → their number

    def lay(value: Any) -> tuple[Any, ...]:
        if id(value) in seen:
            return ("same", seen[id(value)])
        kind = type(value)
        if kind is list and len(value) > piece:
            seen[id(value)] = len(seen)
            for i in range(0, len(value), piece):
                pickler.dump(value[i : i + piece])
            return ("list", -(-len(value) // piece))
        if kind is np.ndarray and value.dtype == object and value.ndim == 1 and len(value) > piece:
            for i in range(0, len(value), piece):  # objects (enums) unpickle one by one, like a list
                pickler.dump(value[i : i + piece])
            return ("array", -(-len(value) // piece))
        if kind is dict and len(value) > piece:
            seen[id(value)] = len(seen)
            items = list(value.items())
            for i in range(0, len(items), piece):
                pickler.dump(items[i : i + piece])
            return ("dict", -(-len(items) // piece))
        if (
            kind.__module__.startswith("matching.")
            and hasattr(value, "__dict__")
            and not isinstance(value, (dict, list, tuple, set))  # e.g. an Interner (a dict) is whole
        ):
            seen[id(value)] = len(seen)
            return ("object", kind, {k: lay(v) for k, v in vars(value).items()})
        pickler.dump(value)
        return ("whole",)

    layout = lay(obj)
    return Pieces(layout=layout, stream=out.getvalue())


def from_pieces(pieces: Pieces) -> Any:
    """The object :func:`to_pieces` cut up, unpickled one piece at a time (run it in a thread: the
    event loop gets the GIL between pieces)."""
    unpickler = pickle.Unpickler(io.BytesIO(pieces.stream))
    made: list[Any] = []

    def put(layout: tuple[Any, ...]) -> Any:
        kind = layout[0]
        if kind == "same":
            return made[layout[1]]
        if kind == "list":
            items: list[Any] = []
            made.append(items)
            for _ in range(layout[1]):
                items.extend(unpickler.load())
            return items
        if kind == "array":
            return np.concatenate([unpickler.load() for _ in range(layout[1])])
        if kind == "dict":
            mapping: dict[Any, Any] = {}
            made.append(mapping)
            for _ in range(layout[1]):
                mapping.update(unpickler.load())
            return mapping
        if kind == "object":
            obj = layout[1].__new__(layout[1])
            made.append(obj)
            obj.__dict__.update({k: put(v) for k, v in layout[2].items()})
            return obj
        return unpickler.load()

    return put(pieces.layout)


def build_in_worker(settings: Settings, today: dt.date, newer_than: int | None = None) -> tuple[Pieces | Path, Built]:
    """In a build process: :func:`build_index` with its own connection and taxonomy.

    With an ``index_dir``: the ranker is saved there as a snapshot (:func:`snapshots.write`) and its
    path comes back (the server maps it); unless ``newer_than`` is ``None``, a valid snapshot with a
    larger ``seq`` that another worker's build wrote already comes back instead, without a build.
    Without: the ranker comes back without the taxonomy (the server has its own, the same) and in
    pieces (:func:`to_pieces`), beside the rest of the result."""
    if settings.index_dir:
        return _snapshot_in_worker(settings, today, newer_than)
    built = _build_with_own_connection(settings, today, core_taxonomy())
    built.ranker.set_params(taxonomy=None)
    # the ranker travels beside the rest, in pieces; the receiver puts it back (IndexMaintainer)
    return to_pieces(built.ranker), dataclasses.replace(built, ranker=None)  # type: ignore[arg-type]  # see above


def save_snapshot(settings: Settings, built: Built, today: dt.date) -> Path:
    """Write ``built`` (fitted on the postings open on ``today``) as the newest snapshot of
    ``settings.index_dir`` (:func:`service.recommendations.snapshots.write`: a ``.tmp`` folder, fsynced,
    renamed); the snapshot's folder."""
    meta = snapshots.SnapshotMeta(
        seq=built.seq,
        key=built.key,
        day=today,
        database=snapshots.database_identity(settings.database_url),
        feed_at=built.feed_at,
    )
    return snapshots.write(settings.index_dir, built.ranker, snapshots.fingerprints(built.ranker), meta)


def _snapshot_in_worker(settings: Settings, today: dt.date, newer_than: int | None) -> tuple[Path, Built]:
    from service.db import make_engine, make_sessionmaker

    taxonomy = core_taxonomy()

    async def main() -> tuple[Path, Built]:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as session:
                if newer_than is not None:
                    for path, meta in await valid_snapshots(session, settings, today, newer_than):
                        try:
                            load_snapshot(path, meta, None)  # maps every file: a corrupt one fails here
                        except Exception:
                            log.warning("ignoring the index snapshot %s", path, exc_info=True)
                            continue
                        found = Built(
                            ranker=None,  # type: ignore[arg-type]  # the server maps it
                            key=meta.key,
                            watermark=meta.key[1],
                            seconds=0.0,
                            seq=meta.seq,
                            loaded=True,
                        )
                        return path, found
                built = await build_index(session, today, taxonomy)
        finally:
            await engine.dispose()
        path = save_snapshot(settings, built, today)
        return path, dataclasses.replace(built, ranker=None, path=path)  # type: ignore[arg-type]  # the server maps it

    return asyncio.run(main())


def _start_build_process(parent: int) -> None:
    """The build process's initializer: a lower priority than the server, and an exit as soon as the
    server that spawned it (``parent``) is gone (:func:`service.processes.watch_process`: a pool worker
    would otherwise only notice when it next reads its queue — minutes and gigabytes at 100k postings)."""
    os.nice(WORKER_NICENESS)
    watch_process(parent)


def new_build_pool() -> ProcessPoolExecutor:
    """One spawned build process (a fresh interpreter: no state of the server's event loop or
    connections), at a lower priority, ending with the server (:func:`_start_build_process`)."""
    return ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), initializer=_start_build_process, initargs=(os.getpid(),)
    )


def stop_build_pool(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down and end its processes now, a running build too (``shutdown`` alone waits
    for the build to finish; Python 3.14's ``terminate_workers`` does what this does)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()


class IndexMaintainer:
    """Keeps an :class:`IndexHolder` current (module doc). ``settings=None``: builds read through the
    request's session and no background rebuild runs (the command line and some tests)."""

    def __init__(
        self,
        settings: Settings | None = None,
        holder: IndexHolder | None = None,
        on_catch_up: Callable[[AsyncSession, set[int] | None, bool], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings
        #: told after each reading of the feed (same session, under the delta lock): the ids of the
        #: postings changed (``None``: any may have) and whether some were deleted
        self.on_catch_up = on_catch_up
        self.holder = holder or IndexHolder()
        self.taxonomy: Taxonomy | None = None
        self.mode = settings.recommendation_index if settings is not None else "live"
        self.rebuild_seconds = settings.index_rebuild_seconds if settings is not None else float("inf")
        self.poll_seconds = settings.change_poll_seconds if settings is not None else 1.0
        self._first = asyncio.Lock()
        self._delta = asyncio.Lock()
        self._rebuild: asyncio.Task[None] | None = None
        self._pool: ProcessPoolExecutor | None = None
        #: the change feed: how far it is applied, this process's commits seen, the follower's state
        self.position = FeedPosition()
        self._local_seen = -1
        self._caught_up = False  # a rebuild swapped in: the feed after its sequence number is due
        self._wake = asyncio.Event()
        self._following = False
        self._followed_at = 0.0
        #: full builds done so far, and the last one's seconds (for tests and benchmarks)
        self.builds = 0
        self.last_build_seconds = 0.0
        #: snapshots mapped instead of a build (:mod:`service.recommendations.snapshots`), and the seq
        #: of the current base's (-1: none)
        self.loads = 0
        self.base_seq = -1

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
                self._pool = new_build_pool()
            loop = asyncio.get_running_loop()
            newer_than: int | None = self.base_seq
            while True:
                result, built = await loop.run_in_executor(
                    self._pool, build_in_worker, self.settings, today, newer_than
                )
                if not isinstance(result, Path):
                    ranker = await anyio.to_thread.run_sync(from_pieces, result)
                    ranker.set_params(taxonomy=taxonomy)
                    built = dataclasses.replace(built, ranker=ranker)
                    break
                meta = snapshots.read_meta(result)
                try:  # mapped, not unpickled: the pages are the build process's file, shared
                    mapped = await anyio.to_thread.run_sync(load_snapshot, result, meta, taxonomy)
                except Exception:
                    if newer_than is None:
                        raise
                    log.warning("ignoring the index snapshot %s; building afresh", result, exc_info=True)
                    newer_than = None
                    continue
                built = dataclasses.replace(mapped, seconds=built.seconds, loaded=built.loaded)
                break
        else:
            built = await anyio.to_thread.run_sync(_build_with_own_connection, self.settings, today, taxonomy)
        if built.loaded:
            self.loads += 1
        else:
            self.builds += 1
            self.last_build_seconds = built.seconds
        return built

    async def _snapshot_at_start(self, session: AsyncSession, today: dt.date) -> Built | None:
        """The newest valid snapshot of today mapped (:func:`valid_snapshots`; a corrupt one is
        skipped), or ``None``: a worker starting maps the host's index instead of fitting one."""
        if self.settings is None or not self.settings.index_dir or self.mode != "live":
            return None
        taxonomy = await self._taxonomy()
        for path, meta in await valid_snapshots(session, self.settings, today):
            try:
                built = await anyio.to_thread.run_sync(load_snapshot, path, meta, taxonomy)
            except Exception:
                log.warning("ignoring the index snapshot %s", path, exc_info=True)
                continue
            self.loads += 1
            log.info("recommendation index mapped from %s in %.2f s", path, built.seconds)
            return built
        return None

    def _install(self, built: Built, today: dt.date) -> None:
        # wrapping the fitted ranker reads its arrays once: in a thread by the callers that can
        self.holder.swap(
            IndexSnapshot(
                index=LiveIndex.of(built.ranker),
                key=built.key,
                watermark=built.watermark,
                day=today,
                built_at=time.monotonic(),
                prints=built.prints,
            )
        )
        self.base_seq = built.seq if built.path is not None else -1
        self.position = FeedPosition.after_build(built.seq)
        self._caught_up = False
        self._wake.set()

    async def current(self, session: AsyncSession, today: dt.date) -> LiveIndex:
        """The index of the postings open on ``today`` as of this request (module doc)."""
        if self.mode in ("refit", "scan"):
            if self.mode == "refit":
                key = await RecommendationRepository(session).posting_change_key()
                index = await self._refit(session, key, today)
            else:
                index = await self._current_scanned(session, today)
            if self.on_catch_up is not None:  # these paths follow no feed: the caches' is read per request
                async with self._delta:
                    await self.on_catch_up(session, None, False)
            return index
        if self.holder.current is None:
            await self._first_build(session, today)
        commits = local_commits()
        if self._due(today, commits):
            async with self._delta:
                if self._due(today, commits):
                    await self._catch_up(session, today)
                    self._local_seen = commits
        self._maybe_rebuild(today)
        snap = self.holder.current
        assert snap is not None
        return snap.index

    async def _first_build(self, session: AsyncSession | None, today: dt.date) -> None:
        async with self._first:
            if self.holder.current is None:
                mapped = await self._snapshot_at_start(session, today) if session is not None else None
                if mapped is not None:
                    self._install(mapped, today)
                    return
                n = await RecommendationRepository(session).posting_count() if session is not None else 0
                self._install(await self._full_build(session, today, n), today)

    def _due(self, today: dt.date, commits: int) -> bool:
        """Whether a request must read the feed itself: nobody follows it, this process committed a
        posting change since, a rebuild was swapped in, or the day changed."""
        snap = self.holder.current
        assert snap is not None
        following = self._following and time.monotonic() - self._followed_at < max(5.0, 5 * self.poll_seconds)
        return not following or commits != self._local_seen or not self._caught_up or snap.day != today

    async def _catch_up(self, session: AsyncSession, today: dt.date) -> None:
        """Apply the feed's rows after :attr:`position` to the index (the caller holds the delta lock)."""
        repo = RecommendationRepository(session)
        snap = self.holder.current
        assert snap is not None
        top = await repo.last_change_seq()
        if top < self.position.low:  # the feed was emptied or the database replaced: start afresh
            built = await self._full_build(session if self.settings is None else None, today, len(snap.index))
            self._install(built, today)
            self._caught_up = True
            if self.on_catch_up is not None:
                await self.on_catch_up(session, None, True)
            return
        changed: set[int] = set()
        position = self.position
        if top > position.low:
            changed, position = position.advance(await repo.changes_after(position.low), time.monotonic())
        index = snap.index
        upserts, removals = [], set()
        deleted = False
        ids = sorted(changed)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            states = await repo.posting_states(chunk, today)
            found = {doc.id for doc, _ in states}
            for doc, is_open in states:
                if is_open:
                    if not snap.unchanged(doc):
                        upserts.append(doc)
                elif doc.id in index:
                    removals.add(doc.id)
            gone = {i for i in chunk if i not in found}
            deleted = deleted or bool(gone)
            removals |= {i for i in gone if i in index}  # deleted
            await asyncio.sleep(0)  # let requests in between chunks
        if today != snap.day:  # a new day retires the postings past their valid_through
            open_now = await repo.open_posting_ids(today)
            removals |= {i for i in index.ids() if i not in open_now}
        if upserts or removals:
            index = await anyio.to_thread.run_sync(index.with_changes, upserts, removals)
        if index is not snap.index or today != snap.day:
            self.holder.swap(dataclasses.replace(snap, index=index, day=today))
        self.position = position
        self._caught_up = True
        if self.on_catch_up is not None:
            await self.on_catch_up(session, changed, deleted)

    async def follow(self, engine: AsyncEngine) -> None:
        """Apply the change feed in the background until cancelled: every ``change_poll_seconds``, and
        at once when a PostgreSQL ``NOTIFY`` on :data:`~service.postings.changes.CHANNEL` arrives
        (failures logged; requests catch up themselves while this does not succeed)."""
        from service.db import make_sessionmaker

        sessions = make_sessionmaker(engine)
        listener = await self._listen(engine)
        self._following = True
        self._wake.set()  # what committed before the LISTEN began is read now
        try:
            while True:
                try:
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                except TimeoutError:
                    pass
                self._wake.clear()
                if self.holder.current is None:
                    continue
                today = beijing_today()
                try:
                    commits = local_commits()
                    async with sessions() as session, self._delta:
                        await self._catch_up(session, today)
                        self._local_seen = commits
                    self._followed_at = time.monotonic()
                    self._maybe_rebuild(today)
                except Exception:  # the database may be away for a while: requests catch up themselves
                    log.warning("reading the postings' change feed failed", exc_info=True)
        finally:
            self._following = False
            if listener is not None:
                await listener.invalidate()  # never back to the pool with a listener on it

    async def _listen(self, engine: AsyncEngine) -> AsyncConnection | None:
        """On PostgreSQL, a connection of its own listening on the feed's channel (``None`` elsewhere,
        or when it cannot: polling goes on)."""
        if engine.dialect.name != "postgresql":
            return None
        conn = await engine.connect()
        try:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection  # asyncpg's connection (PostgreSQL only, checked above)
            assert driver is not None
            await driver.add_listener(CHANNEL, self._notified)
        except Exception:
            log.warning("cannot LISTEN for posting changes; polling every %s s", self.poll_seconds, exc_info=True)
            await conn.invalidate()
            return None
        return conn

    def _notified(self, *_args: object) -> None:
        self._wake.set()

    async def _current_scanned(self, session: AsyncSession, today: dt.date) -> LiveIndex:
        """The ``scan`` path: the postings' change key read on every request (module doc)."""
        repo = RecommendationRepository(session)
        key = await repo.posting_change_key()
        snap = self.holder.current
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
                    await self._apply_scanned(repo, snap, key, today)
        self._maybe_rebuild(today)
        snap = self.holder.current
        assert snap is not None
        return snap.index

    async def _refit(self, session: AsyncSession, key: tuple[Any, ...], today: dt.date) -> LiveIndex:
        """The oldest path: any change of the key (applications included) refits inside the request."""
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

    async def _apply_scanned(
        self, repo: RecommendationRepository, snap: IndexSnapshot, key: tuple[Any, ...], today: dt.date
    ) -> None:
        index = snap.index
        since = snap.watermark - CHANGE_OVERLAP if snap.watermark is not None else None
        upserts, removals = [], set()
        for doc, is_open in await repo.changed_postings(since, today):
            if is_open:
                if not snap.unchanged(doc):
                    upserts.append(doc)
            elif doc.id in index:
                removals.add(doc.id)
        if today != snap.day or (key[0] or 0) < (snap.key[0] or 0):  # a new day, or rows deleted
            open_now = await repo.open_posting_ids(today)
            removals |= {i for i in index.ids() if i not in open_now}
        if upserts or removals:
            index = await anyio.to_thread.run_sync(index.with_changes, upserts, removals)
        self.holder.swap(dataclasses.replace(snap, index=index, key=key, watermark=key[1] or snap.watermark, day=today))

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
            stop_build_pool(self._pool)
            self._pool = None
