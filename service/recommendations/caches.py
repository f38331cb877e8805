"""The per-process caches of the recommendations besides the content index, one class each, reading
the database only through :class:`~service.recommendations.repository.RecommendationRepository`:

* :class:`HiddenPostings`: ids of open postings graduates are never shown (issue 6);
* :class:`SeekerPoolCache`: the graduates indexed for candidate generation (employers' view);
* :class:`LearnedModelSlot`: the promoted learned model and its interaction statistics;
* :class:`GraduateCache`: each graduate's document and history (postings applied to);
* :class:`PostingSummaries`: the postings as a response shows them;
* :class:`RankedResults`: the content ranking's answers, per graduate and limit.

None of them asks the database whether it is stale (issue 18: no per-request fingerprint scans). They
are invalidated by events: the recommendation caches' change feed (:mod:`service.recommendations.changes`,
rows written in the same transaction as a change of a graduate, application, employer, school or
major) and the postings' (:mod:`service.postings.changes`), both applied by
:meth:`RankerCache.apply_changes` each time the index maintainer reads its feed — in the worker's
follower task (every poll, or at once on PostgreSQL ``NOTIFY``), or in a request after this process
committed a change, or in every request when nothing follows the feeds. A change made through another
process therefore reaches this one within the feed's latency, and at once in the process that made
it. With the caches warm and the follower current, a recommendation for a graduate runs no SQL.

:class:`RankerCache` bundles them with the content index (:class:`~service.recommendations.index.IndexMaintainer`)
as the app's one recommendation state.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from matching.content import ContentRanker
from matching.documents import SeekerDoc
from matching.live import LiveIndex
from matching.ltr import LearnedRanker
from matching.ltr_features import FEATURE_NAMES, FeatureBuilder, InteractionStats
from matching.seeker_index import SeekerIndex
from service.config import Settings
from service.recommendations.changes import ChangeKind
from service.recommendations.documents import candidate_summary, posting_summary, seeker_doc
from service.recommendations.index import FeedPosition, IndexMaintainer
from service.recommendations.repository import RecommendationRepository
from service.recommendations.schemas import CandidateSummary, PostingSummary

#: Name of the content-only ranking in responses (the learned model answers with its version).
MODEL_NAME = "content-v1"
#: Interaction statistics are rebuilt when applications change, at most this often (seconds);
#: a new base fit of the content index rebuilds them at once.
STATS_REFRESH_SECONDS = 60.0
#: More graduates than this changed since the seeker pool last read them: it is read whole again
#: (cheaper than a delta of most of it, and an ``IN`` list of every id).
SEEKER_DELTA_MAX = 2_000
#: Graduates' documents and histories, and postings' summaries, kept per worker (a few hundred bytes to
#: a few KB each): the oldest go first beyond these.
GRADUATES_CACHED = 50_000
POSTINGS_CACHED = 100_000
K = TypeVar("K")
V = TypeVar("V")
log = logging.getLogger(__name__)


class HiddenPostings:
    """Ids of postings open on a day that graduates are never shown (their employer is not verified;
    the rule is :func:`~service.postings.visibility.visible_to_graduates_clause`). Recomputed (one query
    of ids) when the index is a new object, the day changed, or the employers' generation moved (an
    employer row of the recommendation caches' change feed, :mod:`service.recommendations.changes`), so
    verifying an employer, or withdrawing it, takes effect within the feed's latency (at once in the
    process that made the change)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.ids: frozenset[int] = frozenset()
        self._for: tuple[object, int, dt.date] | None = None

    async def get(self, session: AsyncSession, index: object, today: dt.date, generation: int) -> frozenset[int]:
        async with self.lock:
            if self._for is None or self._for[0] is not index or self._for[1:] != (generation, today):
                self.ids = await RecommendationRepository(session).hidden_posting_ids(today)
                self._for = (index, generation, today)
            return self.ids


@dataclass(frozen=True)
class SeekerPool:
    """The graduates who accept employer recommendations, indexed for candidate generation
    (:class:`SeekerIndex` over the content index's base ranker) with their candidate summaries by id."""

    index: SeekerIndex
    summaries: dict[int, CandidateSummary]


class SeekerPoolCache:
    """:class:`SeekerPool` for a base ranker, following the recommendation caches' change feed
    (:mod:`service.recommendations.changes`) through :meth:`changed`: the graduates a graduate row
    names (themselves, a certificate or an experience edited; ``recommendable`` switched) are read
    again and replaced in the pool or dropped from it as a delta
    (:meth:`~matching.seeker_index.SeekerIndex.with_changes`: only they are prepared again) at the next
    :meth:`get`; a change that may touch any graduate (a school or major renamed, an ``INSERT``
    statement) moves the pool's ``generation`` and the pool is built afresh, as it is for a new base
    fit of the content index (deltas keep the base) and when more than :data:`SEEKER_DELTA_MAX`
    graduates changed at once (one read of the pool is cheaper then). No age rule: nothing but the
    feed makes the pool stale."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.pool: SeekerPool | None = None
        #: moved by a change that may touch any graduate; the pool is for ``_for`` = (ranker, generation)
        self.generation = 0
        self._for: tuple[ContentRanker, int] | None = None
        #: graduates named by the feed since the pool last read them
        self._pending: set[int] = set()
        #: full builds and delta updates done so far (tests, benchmarks)
        self.builds = 0
        self.updates = 0

    def changed(self, graduates: Iterable[int] | None) -> None:
        """The feed named ``graduates`` (``None``: any may have changed)."""
        if graduates is None:
            self.generation += 1
            self._pending.clear()
        else:
            self._pending.update(graduates)

    async def get(self, session: AsyncSession, ranker: ContentRanker) -> SeekerPool:
        repo = RecommendationRepository(session)
        async with self.lock:
            # what the feed names while the database is read stays pending for the next call
            if (
                self.pool is None
                or self._for is None
                or self._for[0] is not ranker
                or self._for[1] != self.generation
                or len(self._pending) > SEEKER_DELTA_MAX
            ):
                key, self._pending = (ranker, self.generation), set()
                graduates = await repo.recommendable_graduates()
                docs = [seeker_doc(g) for g in graduates]
                index = await anyio.to_thread.run_sync(SeekerIndex, ranker, docs)
                self.pool = SeekerPool(index=index, summaries={g.id: candidate_summary(g) for g in graduates})
                self._for = key
                self.builds += 1
            elif self._pending:
                ids, self._pending = self._pending, set()
                try:
                    graduates = await repo.recommendable_graduates(ids)
                except BaseException:
                    self._pending |= ids
                    raise
                gone = ids - {g.id for g in graduates}
                index = await anyio.to_thread.run_sync(
                    self.pool.index.with_changes, [seeker_doc(g) for g in graduates], gone
                )
                summaries = {i: s for i, s in self.pool.summaries.items() if i not in ids}
                summaries.update({g.id: candidate_summary(g) for g in graduates})
                self.pool = SeekerPool(index=index, summaries=summaries)
                self.updates += 1
            return self.pool


@dataclass(frozen=True)
class LearnedModel:
    """The promoted model ready to serve: its registry ``version`` (the response's model name) and a
    :class:`FeatureBuilder` over the content index's base ranker with the current interaction statistics."""

    version: str
    model: LearnedRanker
    builder: FeatureBuilder


async def interaction_stats(session: AsyncSession, ranker: ContentRanker) -> InteractionStats:
    """The learned model's :class:`~matching.ltr_features.InteractionStats` over ``ranker`` (fitted on
    the open postings): every application, and every stored posting's id for the creation order,
    closed ones too, as in retraining (which fits on every posting), so that a posting's
    ``creation_vs_*`` features are the ones the model was trained with. Built in a worker thread."""
    repo = RecommendationRepository(session)
    interactions = await repo.interactions()
    posting_ids = await repo.every_posting_id()
    return await anyio.to_thread.run_sync(
        functools.partial(InteractionStats, ranker, interactions, posting_ids=posting_ids)
    )


class LearnedModelSlot:
    """The promoted learned model (``settings`` needed; ``None``: the content ranking only), reloaded when
    the registry's ``CURRENT`` pointer changes (one ``stat`` per call), with its interaction statistics
    over the content index's base ranker, rebuilt for a new base, or when the applications' generation
    moved (the change feed of :mod:`service.recommendations.changes`) and the last build is older than
    :data:`STATS_REFRESH_SECONDS`. The :class:`LearnedModel` served (its :class:`FeatureBuilder`) is
    made once per loaded model and statistics — a new base fit of the index always brings new
    statistics — and the same object is handed to every request until one of them changes."""

    def __init__(self, settings: Settings | None) -> None:
        self.settings = settings
        self.lock = asyncio.Lock()
        self.model_key: tuple[int, ...] | None = None
        self.model: tuple[LearnedRanker, str] | None = None
        self.stats: InteractionStats | None = None
        self._stats_for: tuple[ContentRanker, int] | None = None
        self._stats_built = 0.0
        self.served: LearnedModel | None = None
        self._served_for: tuple[object, object] | None = None

    def _pointer_key(self) -> tuple[int, ...] | None:
        from service.recommendations.models_registry import registry_dir

        assert self.settings is not None
        try:
            st = os.stat(registry_dir(self.settings) / "CURRENT")
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)

    def _load_model(self) -> tuple[LearnedRanker, str] | None:
        from service.recommendations.models_registry import load_current_model

        assert self.settings is not None
        try:
            loaded = load_current_model(self.settings)
        except Exception:  # a broken model file must never break recommendations
            log.warning("cannot load the current ranking model; serving %s", MODEL_NAME, exc_info=True)
            return None
        if loaded is None:
            return None
        model, meta = loaded
        if list(model.feature_names) != list(FEATURE_NAMES):
            log.warning(
                "ranking model %s was trained on other features (%d) than this version computes (%d); serving %s",
                meta.get("version"),
                len(model.feature_names),
                len(FEATURE_NAMES),
                MODEL_NAME,
            )
            return None
        log.info("serving ranking model %s", meta["version"])
        return model, str(meta["version"])

    async def get(self, session: AsyncSession, ranker: ContentRanker, apps: int) -> LearnedModel | None:
        """The promoted model over ``ranker``, or ``None`` for the content ranking; ``apps`` is the
        applications' generation."""
        if self.settings is None:
            return None
        key = self._pointer_key()
        async with self.lock:
            if key != self.model_key:
                self.model = None if key is None else await anyio.to_thread.run_sync(self._load_model)
                self.model_key = key
            if self.model is None:
                return None
            stale = (
                self.stats is None
                or self._stats_for is None
                or self._stats_for[0] is not ranker
                or (apps != self._stats_for[1] and time.monotonic() - self._stats_built >= STATS_REFRESH_SECONDS)
            )
            if stale:
                self.stats = await interaction_stats(session, ranker)
                self._stats_for, self._stats_built = (ranker, apps), time.monotonic()
            assert self.stats is not None
            made = self._served_for
            if self.served is None or made is None or made[0] is not self.model or made[1] is not self.stats:
                model, version = self.model
                self.served = LearnedModel(version=version, model=model, builder=FeatureBuilder(ranker, self.stats))
                self._served_for = (self.model, self.stats)
            return self.served


@dataclass(frozen=True)
class GraduateEntry:
    """What a recommendation reads of one graduate: their :class:`SeekerDoc` and ``history`` (ids of
    the postings they applied to, oldest first)."""

    doc: SeekerDoc
    history: tuple[int, ...]


class BoundedCache(Generic[K, V]):
    """A dict of at most ``size`` entries (the oldest stored is dropped first) with an ``epoch`` that
    every invalidation moves: a value read from the database is stored only if no invalidation came
    in between (:meth:`put` with the epoch seen before the read), so a change that committed while a
    request was reading can never be overwritten by what it read before."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.epoch = 0
        self._values: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self._values.get(key)

    def put(self, key: K, value: V, epoch: int) -> None:
        if epoch != self.epoch:
            return
        if key not in self._values and len(self._values) >= self.size:
            del self._values[next(iter(self._values))]
        self._values[key] = value

    def drop(self, keys: Iterable[K] | None) -> None:
        """Forget ``keys`` (``None``: every entry; nothing at all for no keys)."""
        if keys is not None:
            keys = list(keys)
            if not keys:
                return
        self.epoch += 1
        if keys is None:
            self._values.clear()
        else:
            for key in keys:
                self._values.pop(key, None)

    def __len__(self) -> int:
        return len(self._values)


class GraduateCache:
    """:class:`GraduateEntry` by graduate id (at most :data:`GRADUATES_CACHED`), read through
    :class:`RecommendationRepository` on a miss, dropped when a graduate or application row of the
    change feed names the graduate (:meth:`RankerCache.apply_changes`)."""

    def __init__(self, size: int = 0) -> None:
        self.entries: BoundedCache[int, GraduateEntry] = BoundedCache(size or GRADUATES_CACHED)

    async def get(self, session: AsyncSession, graduate_id: int) -> GraduateEntry | None:
        """The graduate's entry, or ``None`` for an unknown graduate (not cached)."""
        found = self.entries.get(graduate_id)
        if found is not None:
            return found
        epoch = self.entries.epoch
        repo = RecommendationRepository(session)
        graduate = await repo.graduate(graduate_id)
        if graduate is None:
            return None
        entry = GraduateEntry(doc=seeker_doc(graduate), history=tuple(await repo.history(graduate_id)))
        self.entries.put(graduate_id, entry, epoch)
        return entry


class PostingSummaries:
    """:class:`PostingSummary` by posting id (at most :data:`POSTINGS_CACHED`), read on a miss, dropped
    when the postings' change feed names the posting (an employer's rename names each of its open
    postings there: :data:`~service.postings.changes.EMPLOYER_SHOWN`)."""

    def __init__(self, size: int = 0) -> None:
        self.entries: BoundedCache[int, PostingSummary] = BoundedCache(size or POSTINGS_CACHED)

    async def get(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, PostingSummary]:
        """The summaries of the postings ``ids`` that exist."""
        out: dict[int, PostingSummary] = {}
        missing = []
        for i in ids:
            found = self.entries.get(i)
            if found is None:
                missing.append(i)
            else:
                out[i] = found
        if missing:
            epoch = self.entries.epoch
            for pid, row in (await RecommendationRepository(session).postings(missing)).items():
                out[pid] = posting_summary(row)
                self.entries.put(pid, out[pid], epoch)
        return out


class RankedResults:
    """The content ranking's answers (the response items) by (graduate id, limit), for one
    :meth:`scope`: the index, the hidden postings, the day and the summaries' epoch they were
    ranked with; a new scope (any of these changed) drops them all. Within a scope an answer is a
    function of the graduate's :class:`GraduateEntry` alone, so it is reused while that entry is
    (at most :data:`GRADUATES_CACHED`). The learned model's answers are never kept (they depend on
    the request time)."""

    def __init__(self, size: int = 0) -> None:
        self.answers: BoundedCache[tuple[int, int], tuple[GraduateEntry, list[Any]]] = BoundedCache(
            size or GRADUATES_CACHED
        )
        self._scope: tuple[object, object, dt.date, int] | None = None

    def scope(self, index: object, hidden: object, today: dt.date, epoch: int) -> RankedResults:
        s = self._scope
        if s is None or s[0] is not index or s[1] is not hidden or s[2:] != (today, epoch):
            self.answers.drop(None)
            self._scope = (index, hidden, today, epoch)
        return self

    @property
    def epoch(self) -> int:
        return self.answers.epoch

    def get(self, graduate_id: int, limit: int, entry: GraduateEntry) -> list[Any] | None:
        found = self.answers.get((graduate_id, limit))
        return found[1] if found is not None and found[0] is entry else None

    def put(self, graduate_id: int, limit: int, entry: GraduateEntry, items: list[Any], epoch: int) -> None:
        self.answers.put((graduate_id, limit), (entry, items), epoch)


@dataclass
class Generations:
    """Counters moved by the recommendation caches' change feed, one per kind of change: caches that
    depend on a whole table (hidden postings, interaction statistics) compare them (the seeker pool
    keeps its own, :class:`SeekerPoolCache`)."""

    applications: int = 0
    employers: int = 0


class RankerCache:
    """The app's recommendation state: the content index and the three caches above, each its own
    part with its own lock. ``settings=None`` serves the content ranking only and builds the index
    through the request's session (command line, tests)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self.index = IndexMaintainer(settings, on_catch_up=self.apply_changes)
        self.hidden = HiddenPostings()
        self.seekers = SeekerPoolCache()
        self.models = LearnedModelSlot(settings)
        self.graduates = GraduateCache()
        self.summaries = PostingSummaries()
        self.ranked = RankedResults()
        self.generations = Generations()
        #: how far the recommendation caches' change feed is applied (``None``: not read yet)
        self.position: FeedPosition | None = None
        self._follower: asyncio.Task[None] | None = None

    async def apply_changes(self, session: AsyncSession, postings: set[int] | None, deleted: bool) -> None:
        """Called by the index maintainer each time it applied the postings' change feed (in the
        follower task, or in a request that had to catch up; under its lock): drop the summaries of the
        ``postings`` changed (``None``: all; ``deleted``: some were deleted, and with them applications,
        so every cached history goes), then apply the recommendation caches' change feed
        (:mod:`service.recommendations.changes`) after :attr:`position`."""
        self.summaries.entries.drop(postings)
        if deleted:
            self.graduates.entries.drop(None)
        repo = RecommendationRepository(session)
        top = await repo.last_cache_change_seq()
        if self.position is None or top < self.position.low:  # first read, or the feed was emptied
            self._drop_all()
            self.position = FeedPosition(low=top)
            return
        if top <= self.position.low and not self.position.gaps:
            return
        rows = await repo.cache_changes_after(self.position.low)
        position = self.position
        fresh = [(seq, kind, sid) for seq, kind, sid in rows if seq > position.low and seq not in position.seen]
        _, self.position = position.advance([(seq, sid) for seq, _, sid in rows], time.monotonic())
        graduates: set[int] = set()
        kinds = {kind for _, kind, _ in fresh}
        for _, kind, sid in fresh:
            if kind in (ChangeKind.GRADUATE, ChangeKind.APPLICATION):
                graduates.add(sid)
        if ChangeKind.CATALOG in kinds or 0 in graduates:
            self.graduates.entries.drop(None)
        elif graduates:
            self.graduates.entries.drop(graduates)
        # the pool reads no applications: only graduate rows (and the catalog's names) concern it
        pool = {sid for _, kind, sid in fresh if kind == ChangeKind.GRADUATE}
        self.seekers.changed(None if ChangeKind.CATALOG in kinds or 0 in pool else pool)
        if ChangeKind.APPLICATION in kinds:
            self.generations.applications += 1
        if ChangeKind.EMPLOYER in kinds:  # what a summary shows of it comes with the postings' feed
            self.generations.employers += 1

    def _drop_all(self) -> None:
        self.graduates.entries.drop(None)
        self.summaries.entries.drop(None)
        self.seekers.changed(None)
        self.generations.applications += 1
        self.generations.employers += 1

    def follow(self, engine: AsyncEngine) -> None:
        """Start applying the postings' change feed in the background
        (:meth:`~service.recommendations.index.IndexMaintainer.follow`; the app's start-up)."""
        if self._follower is None and self.index.mode == "live":
            self._follower = asyncio.create_task(self.index.follow(engine))

    async def get(self, session: AsyncSession, today: dt.date) -> LiveIndex:
        """The content index of the postings open on ``today``."""
        return await self.index.current(session, today)

    async def hidden_postings(self, session: AsyncSession, index: LiveIndex, today: dt.date) -> frozenset[int]:
        return await self.hidden.get(session, index, today, self.generations.employers)

    async def seeker_pool(self, session: AsyncSession, index: LiveIndex) -> SeekerPool:
        return await self.seekers.get(session, index.base)

    async def learned(self, session: AsyncSession, index: LiveIndex) -> LearnedModel | None:
        return await self.models.get(session, index.base, self.generations.applications)

    async def graduate(self, session: AsyncSession, graduate_id: int) -> GraduateEntry | None:
        """The graduate's document and history (call :meth:`get` first: it applies the change feeds)."""
        return await self.graduates.get(session, graduate_id)

    async def posting_summaries(self, session: AsyncSession, ids: Sequence[int]) -> dict[int, PostingSummary]:
        return await self.summaries.get(session, ids)

    def close(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            self._follower = None
        self.index.close()
