"""Recommendations: open postings ranked for a graduate, and graduates ranked for a posting.

The content ranker (:class:`matching.content.ContentRanker`) is fitted on the postings open today
and kept in a per-process cache keyed by a fingerprint of the postings table (row count, latest
``updated_at``, largest id, the date), so every worker rebuilds it from the database on its own
and no state lives outside the database.

Jobs for a graduate are re-ranked by the learned model (:func:`matching.ltr.rerank`) when one is
promoted in the model registry (:mod:`service.recommendations.models_registry`): the content
ranker's best candidates, with their explanations, re-ordered by the model from features that
include the applications of every graduate (:class:`~matching.ltr_features.InteractionStats`) and
the graduate's own earlier applications (history). A graduate without applications (cold start)
is ranked by the same model: it was trained on first-application queries too, and their history
features are unknown (``NaN``), so content and popularity decide. The content ranking is served,
named :data:`MODEL_NAME`, when no model is promoted, the promoted model cannot be loaded or was
trained on other features than :data:`~matching.ltr_features.FEATURE_NAMES`, or scoring fails; each
of these is logged as a warning, never an error response. The promoted model is reloaded when the
registry's ``CURRENT`` pointer file changes (one ``stat`` per request, no model read).
Candidates for a posting are always ranked by the content ranker.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from matching.content import ContentRanker
from matching.documents import Explanation, JobDoc, Match, SeekerDoc
from matching.ltr import LearnedRanker, rerank
from matching.ltr_features import FEATURE_NAMES, FeatureBuilder, InteractionStats
from matching.seeker_index import SeekerIndex
from matching.taxonomy import Taxonomy
from service.accounts.scoping import visible_to_graduates_clause
from service.applications.models import Application
from service.config import Settings
from service.db import utcnow
from service.errors import NotFoundError
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.postings.repository import PostingRepository, open_on_clause
from service.recommendations.schemas import (
    Candidate,
    CandidateList,
    CandidateSummary,
    PostingSummary,
    Reasons,
    Recommendation,
    RecommendationList,
)
from service.taxonomy.core import core_taxonomy
from vocab import EmploymentType

#: Name of the content-only ranking in responses (the learned model answers with its version).
MODEL_NAME = "content-v1"
#: Interaction statistics are rebuilt when applications change, at most this often (seconds);
#: a new posting set (the content ranker refitted) rebuilds them at once.
STATS_REFRESH_SECONDS = 60.0
#: The seeker pool (candidates for postings) is rebuilt at least this often, seconds.
SEEKER_POOL_MAX_AGE = 300.0
#: How many content-ranker candidates the learned model re-orders per request.
RERANK_CANDIDATES = 200
log = logging.getLogger(__name__)


def job_doc(p: Posting) -> JobDoc:
    """A posting row → the ranker's :class:`JobDoc` (employer must be loaded)."""
    return JobDoc(
        id=p.id, title=p.title, description=p.description or "", required_skills=tuple(p.required_skills),
        preferred_skills=tuple(p.preferred_skills), certificates=tuple(p.certificates),
        education_required=p.education_required, country=p.country, region_code=p.region_code,
        province=p.province, city=p.city, salary_min_monthly=p.salary_min_monthly,
        salary_max_monthly=p.salary_max_monthly, employment_type=p.employment_type,
        occupation_code=p.occupation_code, posted_on=p.posted_on, popularity=p.application_count,
        employer_name=p.employer.name,
    )


def seeker_doc(g: Graduate) -> SeekerDoc:
    """A graduate row (certificates, experiences and major loaded) → :class:`SeekerDoc`."""
    job_types = []
    for value in g.preferred_job_types:
        try:
            job_types.append(EmploymentType(value))
        except ValueError:
            continue
    return SeekerDoc(
        id=g.id, skills=tuple(g.skills), certificates=tuple(c.name for c in g.certificates),
        desired_titles=tuple(g.desired_titles), experience_titles=tuple(e.title for e in g.experiences),
        summary=g.summary or "", education=g.education, major_code=g.major_code,
        major_name=g.major.name if g.major else None, country=g.country, region_code=g.region_code,
        province=g.province, city=g.city, preferred_locations=tuple(g.preferred_locations),
        min_salary_monthly=g.min_salary_monthly, preferred_job_types=tuple(job_types),
    )


def reasons(e: Explanation) -> Reasons:
    return Reasons(
        matched_skills=list(e.matched_skills), missing_skills=list(e.missing_skills),
        matched_certificates=list(e.matched_certificates), missing_certificates=list(e.missing_certificates),
        location=e.location, salary_fit=e.salary_fit, education_met=e.education_met, in_field=e.in_field,
        components={k: round(v, 4) for k, v in e.components.items()},
    )


def posting_summary(p: Posting) -> PostingSummary:
    return PostingSummary(
        id=p.id, title=p.title, employer_id=p.employer_id, employer_name=p.employer.name, city=p.city,
        province=p.province, region_code=p.region_code, salary_min_monthly=p.salary_min_monthly,
        salary_max_monthly=p.salary_max_monthly, employment_type=p.employment_type,
        education_required=p.education_required, posted_on=p.posted_on, valid_through=p.valid_through,
    )


@dataclass(frozen=True)
class LearnedModel:
    """The promoted model ready to serve: its registry ``version`` (the response's model name) and a
    :class:`FeatureBuilder` over the cached content ranker with the current interaction statistics."""

    version: str
    model: LearnedRanker
    builder: FeatureBuilder


@dataclass(frozen=True)
class SeekerPool:
    """The graduates who accept employer recommendations, indexed for candidate generation
    (:class:`SeekerIndex` over the cached content ranker) with their candidate summaries by id."""

    index: SeekerIndex
    summaries: dict[int, CandidateSummary]


def candidate_summary(g: Graduate) -> CandidateSummary:
    """What an employer sees of a candidate (school, major and certificates loaded): no name or contact."""
    return CandidateSummary(
        graduate_id=g.id, school_name=g.school.name if g.school else None,
        major_name=g.major.name if g.major else None, cohort=g.cohort, education=g.education,
        city=g.city, skills=list(g.skills), certificates=[c.name for c in g.certificates])


@dataclass
class RankerCache:
    """The fitted content ranker for the current set of open postings, rebuilt when the table changes,
    and (with ``settings``) the promoted learned model, reloaded when the registry's pointer changes.

    ``settings=None`` serves the content ranking only.
    """

    settings: Settings | None = None
    fingerprint: tuple[object, ...] | None = None
    ranker: ContentRanker | None = None
    postings: dict[int, Posting] = field(default_factory=dict)
    taxonomy: Taxonomy | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: ``stat`` of the registry's CURRENT file when the model was last (tried to be) loaded
    model_key: tuple[int, ...] | None = None
    model: tuple[LearnedRanker, str] | None = None
    #: the ranker and applications fingerprint the statistics were built for, and when (monotonic seconds)
    stats_ranker: ContentRanker | None = None
    stats_key: tuple[object, ...] | None = None
    stats_built: float = 0.0
    stats: InteractionStats | None = None
    #: ids of cached postings hidden from graduates, the postings and the employers fingerprint they are for
    hidden: frozenset[int] = frozenset()
    hidden_for: dict[int, Posting] | None = None
    hidden_key: tuple[object, ...] | None = None
    #: the seeker pool, the ranker and graduates fingerprint it was built for, and when (monotonic seconds)
    seekers: SeekerPool | None = None
    seekers_ranker: ContentRanker | None = None
    seekers_key: tuple[object, ...] | None = None
    seekers_built: float = 0.0

    async def get(self, session: AsyncSession, today: dt.date) -> tuple[ContentRanker, dict[int, Posting]]:
        stmt = select(func.count(Posting.id), func.max(Posting.updated_at), func.max(Posting.id))
        count, last_update, last_id = (await session.execute(stmt)).one()
        fingerprint = (count, last_update, last_id, today)
        async with self.lock:
            if self.ranker is None or fingerprint != self.fingerprint:
                rows = await PostingRepository(session).list_open(today)
                if self.taxonomy is None:
                    self.taxonomy = await anyio.to_thread.run_sync(core_taxonomy)
                ranker = ContentRanker(taxonomy=self.taxonomy)
                docs = [job_doc(p) for p in rows]
                self.ranker = await anyio.to_thread.run_sync(ranker.fit, docs)
                self.postings = {p.id: p for p in rows}
                self.fingerprint = fingerprint
            return self.ranker, self.postings

    async def hidden_postings(self, session: AsyncSession, postings: dict[int, Posting],
                              today: dt.date) -> frozenset[int]:
        """Ids of postings open on ``today`` that graduates are never shown (issue 6: their employer is
        not verified; the rule is :func:`~service.accounts.scoping.visible_to_graduates_clause`).
        ``postings`` is what :meth:`get` returned for ``today``. Costs one aggregate over the employers
        per call; the postings are queried again only when ``postings`` is a new build or the employers
        fingerprint (count, latest ``updated_at``, largest id) changed, so verifying an employer, or
        withdrawing its verification, takes effect at the next request. The fingerprint covers what
        the rule reads today (the employers' ``verified``); a rule reading other tables needs them in it."""
        from service.employers.models import Employer

        employers = tuple((await session.execute(
            select(func.count(Employer.id), func.max(Employer.updated_at), func.max(Employer.id)))).one())
        async with self.lock:
            if postings is not self.hidden_for or employers != self.hidden_key:
                self.hidden = frozenset((await session.execute(
                    select(Posting.id).where(open_on_clause(today), ~visible_to_graduates_clause()))).scalars())
                self.hidden_for, self.hidden_key = postings, employers
            return self.hidden

    async def seeker_pool(self, session: AsyncSession, ranker: ContentRanker) -> SeekerPool:
        """Recommendable graduates indexed for ``ranker`` (from :meth:`get`). Rebuilt when ``ranker`` is a
        new fit, when the graduates fingerprint changes (count, latest ``updated_at`` and largest id of
        graduates; count, largest id and id sum of their certificates and experiences), and at least
        every :data:`SEEKER_POOL_MAX_AGE` seconds (school or major names)."""
        from service.graduates.models import GraduateCertificate, GraduateExperience

        def agg(*cols: Any) -> Any:
            return select(*cols).scalar_subquery()

        key = tuple((await session.execute(select(
            agg(func.count(Graduate.id)), agg(func.max(Graduate.updated_at)), agg(func.max(Graduate.id)),
            agg(func.count(GraduateCertificate.id)), agg(func.max(GraduateCertificate.id)),
            agg(func.sum(GraduateCertificate.id)), agg(func.count(GraduateExperience.id)),
            agg(func.max(GraduateExperience.id)), agg(func.sum(GraduateExperience.id))))).one())
        async with self.lock:
            if (self.seekers is None or self.seekers_ranker is not ranker or key != self.seekers_key
                    or time.monotonic() - self.seekers_built >= SEEKER_POOL_MAX_AGE):
                stmt = (select(Graduate)
                        .options(selectinload(Graduate.certificates), selectinload(Graduate.experiences),
                                 selectinload(Graduate.major), selectinload(Graduate.school))
                        .where(Graduate.recommendable.is_(True)).order_by(Graduate.id))
                graduates = (await session.execute(stmt)).scalars().all()
                docs = [seeker_doc(g) for g in graduates]
                index = await anyio.to_thread.run_sync(SeekerIndex, ranker, docs)
                self.seekers = SeekerPool(index=index, summaries={g.id: candidate_summary(g) for g in graduates})
                self.seekers_ranker, self.seekers_key, self.seekers_built = ranker, key, time.monotonic()
            return self.seekers

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
        except Exception:  # noqa: BLE001 - a broken model file must never break recommendations
            log.warning("cannot load the current ranking model; serving %s", MODEL_NAME, exc_info=True)
            return None
        if loaded is None:
            return None
        model, meta = loaded
        if list(model.feature_names) != list(FEATURE_NAMES):
            log.warning("ranking model %s was trained on other features (%d) than this version computes (%d); "
                        "serving %s", meta.get("version"), len(model.feature_names), len(FEATURE_NAMES), MODEL_NAME)
            return None
        log.info("serving ranking model %s", meta["version"])
        return model, str(meta["version"])

    async def learned(self, session: AsyncSession, ranker: ContentRanker) -> LearnedModel | None:
        """The promoted model over ``ranker`` (from :meth:`get`), or ``None`` for the content ranking.

        Costs one ``stat`` of the registry pointer per call; the model is read again only when the
        pointer file changed (a promotion), a failed load is not retried until then. Interaction
        statistics are rebuilt from every application (:func:`load_interactions`) when ``ranker`` is a
        new fit, or when applications changed and the last build is older than
        :data:`STATS_REFRESH_SECONDS`.
        """
        if self.settings is None:
            return None
        key = self._pointer_key()
        async with self.lock:
            if key != self.model_key:
                self.model = None if key is None else await anyio.to_thread.run_sync(self._load_model)
                self.model_key = key
            if self.model is None:
                return None
            stmt = select(func.count(Application.id), func.max(Application.updated_at), func.max(Application.id))
            apps = tuple((await session.execute(stmt)).one())
            stale = self.stats is None or self.stats_ranker is not ranker or (
                apps != self.stats_key and time.monotonic() - self.stats_built >= STATS_REFRESH_SECONDS)
            if stale:
                self.stats = await interaction_stats(session, ranker)
                self.stats_ranker, self.stats_key, self.stats_built = ranker, apps, time.monotonic()
            assert self.stats is not None
            model, version = self.model
            return LearnedModel(version=version, model=model, builder=FeatureBuilder(ranker, self.stats))


async def interaction_stats(session: AsyncSession, ranker: ContentRanker) -> InteractionStats:
    """The learned model's :class:`~matching.ltr_features.InteractionStats` over ``ranker`` (fitted on
    the open postings): every application (:func:`~service.recommendations.scheduled.load_interactions`),
    and every stored posting's id for the creation order, closed ones too, as in retraining (which
    fits on every posting), so that a posting's ``creation_vs_*`` features are the ones the model
    was trained with. Built in a worker thread."""
    from service.recommendations.scheduled import load_interactions

    interactions = await load_interactions(session)
    posting_ids = (await session.execute(select(Posting.id))).scalars().all()
    return await anyio.to_thread.run_sync(
        functools.partial(InteractionStats, ranker, interactions, posting_ids=posting_ids))


class RecommendationService:
    def __init__(self, session: AsyncSession, cache: RankerCache) -> None:
        self.session = session
        self.cache = cache

    async def _graduate(self, graduate_id: int) -> Graduate:
        stmt = (
            select(Graduate)
            .options(selectinload(Graduate.certificates), selectinload(Graduate.experiences),
                     selectinload(Graduate.major), selectinload(Graduate.school))
            .where(Graduate.id == graduate_id)
        )
        graduate = (await self.session.execute(stmt)).scalar_one_or_none()
        if graduate is None:
            raise NotFoundError("graduate", graduate_id)
        return graduate

    async def for_graduate(self, graduate_id: int, limit: int, today: dt.date | None = None) -> RecommendationList:
        """Up to ``limit`` postings open on ``today`` (default: today), best first, excluding postings
        the graduate already applied to. ``model`` names the ranking: the promoted learned model's
        version, or :data:`MODEL_NAME` for the content ranking (see the module doc for when).
        Raises :class:`NotFoundError` for an unknown graduate."""
        today = today or dt.date.today()
        graduate = await self._graduate(graduate_id)
        history = list((await self.session.execute(
            select(Application.posting_id).where(Application.graduate_id == graduate_id)
            .order_by(Application.created_at, Application.id))).scalars())
        ranker, postings = await self.cache.get(self.session, today)
        # never shown to graduates: postings of unverified employers (issue 6); excluded like applied ones
        applied = set(history) | await self.cache.hidden_postings(self.session, postings, today)
        seeker = seeker_doc(graduate)
        learned = await self.cache.learned(self.session, ranker)
        name, matches = MODEL_NAME, None
        if learned is not None:
            try:
                matches = rerank(learned.model, learned.builder, seeker, k=limit, exclude=applied, history=history,
                                 now=time.time(), key=graduate_id, n_candidates=RERANK_CANDIDATES)
                name = learned.version
            except Exception:  # noqa: BLE001 - the content ranking is always a valid answer
                log.warning("ranking model %s failed for graduate %d; serving %s", learned.version, graduate_id,
                            MODEL_NAME, exc_info=True)
        if matches is None:
            matches = ranker.recommend(seeker, k=limit, exclude=applied)
        items = [Recommendation(posting=posting_summary(postings[m.job_id]), score=round(m.score, 4),
                                reasons=reasons(m.explanation)) for m in matches]
        return RecommendationList(graduate_id=graduate_id, model=name, generated_at=utcnow(), items=items)

    async def for_posting(self, posting_id: int, limit: int, today: dt.date | None = None) -> CandidateList:
        """Up to ``limit`` graduates of the posting's country who have not opted out, best first, for one
        posting: candidates from the cached :class:`~matching.seeker_index.SeekerIndex`, scored by the
        content ranker. Raises :class:`NotFoundError` for an unknown posting."""
        today = today or dt.date.today()
        posting = await PostingRepository(self.session).get(posting_id)
        if posting is None:
            raise NotFoundError("posting", posting_id)
        ranker, _ = await self.cache.get(self.session, today)
        pool = await self.cache.seeker_pool(self.session, ranker)
        matches = pool.index.rank(job_doc(posting), k=limit, country=posting.country)
        items = [Candidate(graduate=pool.summaries[m.seeker_id], score=round(m.score, 4),
                           reasons=reasons(m.explanation)) for m in matches]
        return CandidateList(posting_id=posting_id, model=MODEL_NAME, generated_at=utcnow(), items=items)


async def warm_up_ranker(engine: object, cache: RankerCache) -> None:
    """Build the ranker once at start-up so the first recommendation request does not pay for it
    (tokeniser dictionaries, taxonomy, index: a few seconds on the sample). Failures are logged,
    never fatal: requests rebuild the cache themselves."""
    from service.db import make_sessionmaker

    try:
        async with make_sessionmaker(engine)() as session:  # type: ignore[arg-type]
            ranker, _ = await cache.get(session, dt.date.today())
            await cache.learned(session, ranker)
            await cache.seeker_pool(session, ranker)
    except Exception:  # noqa: BLE001 - a cold cache is only slower, never wrong
        logging.getLogger(__name__).warning("ranker warm-up failed", exc_info=True)
