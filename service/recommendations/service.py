"""Recommendations: open postings ranked for a graduate, and graduates ranked for a posting.

The content ranker (:class:`matching.content.ContentRanker`) answers through a live index of the
postings open today (:mod:`service.recommendations.index`): fitted once, then kept current by
deltas (new, edited, closed and expired postings, read from the postings' change feed by a
background task) with full rebuilds in the background, so no request waits on a refit once an
index exists and applications never touch it. Every worker keeps its own index, built from the
database; no state lives outside the database.

Jobs for a graduate are re-ranked by the learned model (:func:`matching.ltr.rerank`) when one is
promoted in the model registry (:mod:`service.recommendations.models_registry`): the content
ranker's best candidates, with their explanations, re-ordered by the model from features that
include the applications of every graduate (:class:`~matching.ltr_features.InteractionStats`) and
the graduate's own earlier applications (history). A graduate without applications (cold start)
is ranked by the same model: it was trained on first-application queries too, and their history
features are unknown (``NaN``), so content and popularity decide. The learned model ranks the
postings of the index's last full build (edited and closed ones left out); postings added since
join its ranking at the next rebuild. The content ranking is served,
named :data:`MODEL_NAME`, when no model is promoted, the promoted model cannot be loaded or was
trained on other features than :data:`~matching.ltr_features.FEATURE_NAMES`, or scoring fails; each
of these is logged as a warning, never an error response. The promoted model is reloaded when the
registry's ``CURRENT`` pointer file changes (one ``stat`` per request, no model read).
Candidates for a posting are always ranked by the content ranker.

A request for a graduate reads the change feeds first (the index's :meth:`RankerCache.get`), then the
graduate's cached document and history, the hidden postings, and the cached answer of the content
ranking when neither the index, the hidden postings, the graduate nor the posting summaries changed
since (the learned model's answers are computed each time: they depend on the request time).

The caches live in :mod:`service.recommendations.caches`, the SQL in
:mod:`service.recommendations.repository`, the row conversions in
:mod:`service.recommendations.documents`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession

from matching.documents import Match
from matching.live import LiveIndex
from matching.ltr import rerank
from service.applications.repository import ApplicationRepository
from service.config import beijing_today
from service.db import utcnow
from service.errors import NotFoundError
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.postings.repository import PostingRepository
from service.postings.search import JobQuery, matching_posting_ids
from service.recommendations.caches import (
    MODEL_NAME,
    STATS_REFRESH_SECONDS,
    LearnedModel,
    RankerCache,
    SeekerPool,
    interaction_stats,
)
from service.recommendations.documents import candidate_summary, job_doc, posting_summary, reasons, seeker_doc
from service.recommendations.repository import RecommendationRepository
from service.recommendations.schemas import Candidate, CandidateList, Recommendation, RecommendationList

__all__ = [
    "MODEL_NAME",
    "RERANK_CANDIDATES",
    "STATS_REFRESH_SECONDS",
    "LearnedModel",
    "RankerCache",
    "RecommendationService",
    "SeekerPool",
    "candidate_summary",
    "interaction_stats",
    "job_doc",
    "posting_summary",
    "reasons",
    "seeker_doc",
    "warm_up_ranker",
]

#: How many content-ranker candidates the learned model re-orders per request.
RERANK_CANDIDATES = 200
log = logging.getLogger(__name__)


class RecommendationService:
    def __init__(self, session: AsyncSession, cache: RankerCache) -> None:
        self.session = session
        self.cache = cache
        self.repo = RecommendationRepository(session)

    async def for_graduate(self, graduate_id: int, limit: int, today: dt.date | None = None) -> RecommendationList:
        """Up to ``limit`` postings open on ``today`` (default: the users' today,
        :func:`~service.config.beijing_today`), best first, excluding postings the graduate already
        applied to. ``model`` names the ranking: the promoted learned model's
        version, or :data:`MODEL_NAME` for the content ranking (see the module doc for when).
        Raises :class:`NotFoundError` for an unknown graduate."""
        today = today or beijing_today()
        index = await self.cache.get(self.session, today)  # first: it applies the change feeds
        entry = await self.cache.graduate(self.session, graduate_id)
        if entry is None:
            raise NotFoundError("graduate", graduate_id)
        seeker, history = entry.doc, list(entry.history)
        # never shown to graduates: postings of unverified employers (issue 6); excluded like applied ones
        hidden = await self.cache.hidden_postings(self.session, index, today)
        applied = set(history) | hidden
        learned = await self.cache.learned(self.session, index)
        name, matches = MODEL_NAME, None
        if learned is not None:
            try:
                matches = rerank(
                    learned.model,
                    learned.builder,
                    seeker,
                    k=limit,
                    exclude=index.learned_exclusions(applied),
                    history=history,
                    now=time.time(),
                    key=graduate_id,
                    n_candidates=RERANK_CANDIDATES,
                )
                name = learned.version
            except Exception:  # the content ranking is always a valid answer
                log.warning(
                    "ranking model %s failed for graduate %d; serving %s",
                    learned.version,
                    graduate_id,
                    MODEL_NAME,
                    exc_info=True,
                )
        if matches is None:
            ranked = self.cache.ranked.scope(index, hidden, today, self.cache.summaries.entries.epoch)
            items = ranked.get(graduate_id, limit, entry)
            if items is None:
                epoch = ranked.epoch
                items = await self._items(index.recommend(seeker, k=limit, exclude=applied))
                ranked.put(graduate_id, limit, entry, items, epoch)
        else:
            items = await self._items(matches)
        return RecommendationList(graduate_id=graduate_id, model=name, generated_at=utcnow(), items=items)

    async def search(
        self, graduate: Graduate, jq: JobQuery, limit: int, today: dt.date | None = None
    ) -> tuple[list[tuple[Posting, Match]], int]:
        """The ``limit`` postings matching the filters ``jq`` (what ``GET /postings`` filters mean; open on
        ``today``, default the users' today) ranked for ``graduate`` (certificates, experiences and major
        loaded) by the content ranker, with the recommendations' reasons, and how many match in all.
        Postings the graduate applied to are left out, as in :meth:`for_graduate`.

        Raises:
            ValueError: ``jq.region`` is not a region code (:func:`~service.postings.search.parse_filters`
                never lets one through)."""
        today = today or beijing_today()
        # the same WHERE clause as GET /postings and the saved searches' digest; only the ids are read here
        matching = await matching_posting_ids(self.session, jq, today)
        applied = await ApplicationRepository(self.session).posting_ids_of(graduate.id)
        index = await self.cache.get(self.session, today)
        every = index.ids()
        allowed = (matching & every) - applied
        if not allowed:
            return [], 0
        matches = _rank_within(index, graduate, allowed, every, limit)
        rows = await self.repo.postings([m.job_id for m in matches])
        return [(rows[m.job_id], m) for m in matches if m.job_id in rows], len(allowed)

    async def fit(self, graduate: Graduate, posting_id: int, today: dt.date | None = None) -> Match | None:
        """How posting ``posting_id`` fits ``graduate`` — the score and explanation the recommendations
        give it — or ``None`` when it is not in the ranker's index (closed, expired, hidden)."""
        index = await self.cache.get(self.session, today or beijing_today())
        if posting_id not in index:
            return None
        found = _rank_within(index, graduate, {posting_id}, index.ids(), 1)
        return found[0] if found else None

    async def _items(self, matches: list[Match]) -> list[Recommendation]:
        summaries = await self.cache.posting_summaries(self.session, [m.job_id for m in matches])
        return [
            Recommendation(posting=summaries[m.job_id], score=round(m.score, 4), reasons=reasons(m.explanation))
            for m in matches
            if m.job_id in summaries
        ]

    async def for_posting(self, posting_id: int, limit: int, today: dt.date | None = None) -> CandidateList:
        """Up to ``limit`` graduates of the posting's country who have not opted out, best first, for one
        posting: candidates from the cached :class:`~matching.seeker_index.SeekerIndex`, scored by the
        content ranker. Raises :class:`NotFoundError` for an unknown posting."""
        today = today or beijing_today()
        posting = await PostingRepository(self.session).get(posting_id)
        if posting is None:
            raise NotFoundError("posting", posting_id)
        index = await self.cache.get(self.session, today)
        pool = await self.cache.seeker_pool(self.session, index)
        matches = pool.index.rank(job_doc(posting), k=limit, country=posting.country)
        items = [
            Candidate(graduate=pool.summaries[m.seeker_id], score=round(m.score, 4), reasons=reasons(m.explanation))
            for m in matches
        ]
        return CandidateList(posting_id=posting_id, model=MODEL_NAME, generated_at=utcnow(), items=items)


async def warm_up_ranker(engine: object, cache: RankerCache) -> None:
    """Build the index once at start-up so the first recommendation request does not wait for it
    (in a build process for large tables, see :mod:`service.recommendations.index`). Failures are
    logged, never fatal: requests build the index themselves."""
    from service.db import make_sessionmaker

    try:
        async with make_sessionmaker(engine)() as session:  # type: ignore[arg-type]  # the app's engine
            index = await cache.get(session, beijing_today())
            await cache.learned(session, index)
            await cache.seeker_pool(session, index)
    except Exception:  # a cold cache is only slower, never wrong
        logging.getLogger(__name__).warning("ranker warm-up failed", exc_info=True)


def _rank_within(index: LiveIndex, graduate: Graduate, allowed: set[int], every: set[int], limit: int) -> list[Match]:
    """The ``limit`` best of the ``allowed`` postings of ``index`` for ``graduate``, each scored (no candidate cut)."""
    return index.recommend(seeker_doc(graduate), k=limit, exclude=every - allowed, exhaustive=True)
