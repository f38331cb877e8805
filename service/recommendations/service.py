"""Recommendations: open postings ranked for a graduate, and graduates ranked for a posting.

The ranker (:class:`matching.content.ContentRanker`) is fitted on the postings open today and
kept in a per-process cache keyed by a fingerprint of the postings table (row count, latest
``updated_at``, largest id, the date), so every worker rebuilds it from the database on its own
and no state lives outside the database.
"""

from __future__ import annotations

import asyncio
import logging
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from matching.content import ContentRanker
from matching.documents import Explanation, JobDoc, Match, SeekerDoc
from matching.taxonomy import Taxonomy
from matching.vocab import EmploymentType
from service.applications.models import Application
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

MODEL_NAME = "content-v1"


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


@dataclass
class RankerCache:
    """The fitted ranker for the current set of open postings, rebuilt when the table changes."""

    fingerprint: tuple[object, ...] | None = None
    ranker: ContentRanker | None = None
    postings: dict[int, Posting] = field(default_factory=dict)
    taxonomy: Taxonomy | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def get(self, session: AsyncSession, today: dt.date) -> tuple[ContentRanker, dict[int, Posting]]:
        stmt = select(func.count(Posting.id), func.max(Posting.updated_at), func.max(Posting.id))
        count, last_update, last_id = (await session.execute(stmt)).one()
        fingerprint = (count, last_update, last_id, today)
        async with self.lock:
            if self.ranker is None or fingerprint != self.fingerprint:
                rows = await PostingRepository(session).list_open(today)
                if self.taxonomy is None:
                    self.taxonomy = await anyio.to_thread.run_sync(Taxonomy.from_core)
                ranker = ContentRanker(taxonomy=self.taxonomy)
                docs = [job_doc(p) for p in rows]
                self.ranker = await anyio.to_thread.run_sync(ranker.fit, docs)
                self.postings = {p.id: p for p in rows}
                self.fingerprint = fingerprint
            return self.ranker, self.postings


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
        the graduate already applied to. Raises :class:`NotFoundError` for an unknown graduate."""
        today = today or dt.date.today()
        graduate = await self._graduate(graduate_id)
        applied = set((await self.session.execute(
            select(Application.posting_id).where(Application.graduate_id == graduate_id))).scalars())
        ranker, postings = await self.cache.get(self.session, today)
        matches: Sequence[Match] = ranker.recommend(seeker_doc(graduate), k=limit, exclude=applied)
        items = [Recommendation(posting=posting_summary(postings[m.job_id]), score=round(m.score, 4),
                                reasons=reasons(m.explanation)) for m in matches]
        return RecommendationList(graduate_id=graduate_id, model=MODEL_NAME, generated_at=utcnow(), items=items)

    async def for_posting(self, posting_id: int, limit: int, today: dt.date | None = None) -> CandidateList:
        """Up to ``limit`` graduates who have not opted out, best first, for one posting.
        Raises :class:`NotFoundError` for an unknown posting."""
        today = today or dt.date.today()
        posting = await PostingRepository(self.session).get(posting_id)
        if posting is None:
            raise NotFoundError("posting", posting_id)
        ranker, _ = await self.cache.get(self.session, today)
        stmt = (
            select(Graduate)
            .options(selectinload(Graduate.certificates), selectinload(Graduate.experiences),
                     selectinload(Graduate.major), selectinload(Graduate.school))
            .where(Graduate.recommendable.is_(True), Graduate.country == posting.country)
            .order_by(Graduate.id)
        )
        graduates = {g.id: g for g in (await self.session.execute(stmt)).scalars()}
        matches = ranker.rank_seekers(job_doc(posting), [seeker_doc(g) for g in graduates.values()], k=limit)
        items = []
        for m in matches:
            g = graduates[m.seeker_id]
            summary = CandidateSummary(
                graduate_id=g.id, school_name=g.school.name if g.school else None,
                major_name=g.major.name if g.major else None, cohort=g.cohort, education=g.education,
                city=g.city, skills=list(g.skills), certificates=[c.name for c in g.certificates])
            items.append(Candidate(graduate=summary, score=round(m.score, 4), reasons=reasons(m.explanation)))
        return CandidateList(posting_id=posting_id, model=MODEL_NAME, generated_at=utcnow(), items=items)


async def warm_up_ranker(engine: object, cache: RankerCache) -> None:
    """Build the ranker once at start-up so the first recommendation request does not pay for it
    (tokeniser dictionaries, taxonomy, index: a few seconds on the sample). Failures are logged,
    never fatal: requests rebuild the cache themselves."""
    from service.db import make_sessionmaker

    try:
        async with make_sessionmaker(engine)() as session:  # type: ignore[arg-type]
            await cache.get(session, dt.date.today())
    except Exception:  # noqa: BLE001 - a cold cache is only slower, never wrong
        logging.getLogger(__name__).warning("ranker warm-up failed", exc_info=True)
