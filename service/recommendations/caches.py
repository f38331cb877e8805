"""The per-process caches of the recommendations besides the content index, one class each, each
with its own lock and reading the database only through
:class:`~service.recommendations.repository.RecommendationRepository`:

* :class:`HiddenPostings`: ids of open postings graduates are never shown (issue 6);
* :class:`SeekerPoolCache`: the graduates indexed for candidate generation (employers' view);
* :class:`LearnedModelSlot`: the promoted learned model and its interaction statistics.

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
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from matching.content import ContentRanker
from matching.live import LiveIndex
from matching.ltr import LearnedRanker
from matching.ltr_features import FEATURE_NAMES, FeatureBuilder, InteractionStats
from matching.seeker_index import SeekerIndex
from service.config import Settings
from service.employers.verification import verification_key
from service.recommendations.documents import candidate_summary, seeker_doc
from service.recommendations.index import IndexMaintainer
from service.recommendations.repository import RecommendationRepository
from service.recommendations.schemas import CandidateSummary

#: Name of the content-only ranking in responses (the learned model answers with its version).
MODEL_NAME = "content-v1"
#: Interaction statistics are rebuilt when applications change, at most this often (seconds);
#: a new base fit of the content index rebuilds them at once.
STATS_REFRESH_SECONDS = 60.0
#: The seeker pool (candidates for postings) is rebuilt at least this often, seconds.
SEEKER_POOL_MAX_AGE = 300.0
log = logging.getLogger(__name__)


class HiddenPostings:
    """Ids of postings open on a day that graduates are never shown (their employer is not verified;
    the rule is :func:`~service.postings.visibility.visible_to_graduates_clause`). Recomputed (one query
    of ids) when the index is a new object or :func:`~service.employers.verification.verification_key`
    changed, so verifying an employer, or withdrawing it, takes effect at the next request."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.ids: frozenset[int] = frozenset()
        self._for: tuple[object, tuple[Any, ...], dt.date] | None = None

    async def get(self, session: AsyncSession, index: object, today: dt.date) -> frozenset[int]:
        repo = RecommendationRepository(session)
        key = (index, await verification_key(session), today)
        async with self.lock:
            if self._for is None or self._for[0] is not index or self._for[1:] != key[1:]:
                self.ids = await repo.hidden_posting_ids(today)
                self._for = key
            return self.ids


@dataclass(frozen=True)
class SeekerPool:
    """The graduates who accept employer recommendations, indexed for candidate generation
    (:class:`SeekerIndex` over the content index's base ranker) with their candidate summaries by id."""

    index: SeekerIndex
    summaries: dict[int, CandidateSummary]


class SeekerPoolCache:
    """:class:`SeekerPool` for a base ranker. Rebuilt when the base is a new fit (deltas keep it), when
    the graduates' key changes (:meth:`RecommendationRepository.seekers_key`), and at least every
    :data:`SEEKER_POOL_MAX_AGE` seconds (school or major names)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.pool: SeekerPool | None = None
        self._for: tuple[ContentRanker, tuple[Any, ...]] | None = None
        self._built = 0.0

    async def get(self, session: AsyncSession, ranker: ContentRanker) -> SeekerPool:
        repo = RecommendationRepository(session)
        key = await repo.seekers_key()
        async with self.lock:
            if (
                self.pool is None
                or self._for is None
                or self._for[0] is not ranker
                or self._for[1] != key
                or time.monotonic() - self._built >= SEEKER_POOL_MAX_AGE
            ):
                graduates = await repo.recommendable_graduates()
                docs = [seeker_doc(g) for g in graduates]
                index = await anyio.to_thread.run_sync(SeekerIndex, ranker, docs)
                self.pool = SeekerPool(index=index, summaries={g.id: candidate_summary(g) for g in graduates})
                self._for, self._built = (ranker, key), time.monotonic()
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
    over the content index's base ranker, rebuilt for a new base, or when applications changed and the
    last build is older than :data:`STATS_REFRESH_SECONDS`."""

    def __init__(self, settings: Settings | None) -> None:
        self.settings = settings
        self.lock = asyncio.Lock()
        self.model_key: tuple[int, ...] | None = None
        self.model: tuple[LearnedRanker, str] | None = None
        self.stats: InteractionStats | None = None
        self._stats_for: tuple[ContentRanker, tuple[Any, ...]] | None = None
        self._stats_built = 0.0

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

    async def get(self, session: AsyncSession, ranker: ContentRanker) -> LearnedModel | None:
        """The promoted model over ``ranker``, or ``None`` for the content ranking."""
        if self.settings is None:
            return None
        key = self._pointer_key()
        async with self.lock:
            if key != self.model_key:
                self.model = None if key is None else await anyio.to_thread.run_sync(self._load_model)
                self.model_key = key
            if self.model is None:
                return None
            apps = await RecommendationRepository(session).applications_key()
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
            model, version = self.model
            return LearnedModel(version=version, model=model, builder=FeatureBuilder(ranker, self.stats))


class RankerCache:
    """The app's recommendation state: the content index and the three caches above, each its own
    part with its own lock. ``settings=None`` serves the content ranking only and builds the index
    through the request's session (command line, tests)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self.index = IndexMaintainer(settings)
        self.hidden = HiddenPostings()
        self.seekers = SeekerPoolCache()
        self.models = LearnedModelSlot(settings)
        self._follower: asyncio.Task[None] | None = None

    def follow(self, engine: AsyncEngine) -> None:
        """Start applying the postings' change feed in the background
        (:meth:`~service.recommendations.index.IndexMaintainer.follow`; the app's start-up)."""
        if self._follower is None and self.index.mode == "live":
            self._follower = asyncio.create_task(self.index.follow(engine))

    async def get(self, session: AsyncSession, today: dt.date) -> LiveIndex:
        """The content index of the postings open on ``today``."""
        return await self.index.current(session, today)

    async def hidden_postings(self, session: AsyncSession, index: LiveIndex, today: dt.date) -> frozenset[int]:
        return await self.hidden.get(session, index, today)

    async def seeker_pool(self, session: AsyncSession, index: LiveIndex) -> SeekerPool:
        return await self.seekers.get(session, index.base)

    async def learned(self, session: AsyncSession, index: LiveIndex) -> LearnedModel | None:
        return await self.models.get(session, index.base)

    def close(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            self._follower = None
        self.index.close()
