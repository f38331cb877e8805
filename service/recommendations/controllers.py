"""Recommendation endpoints: jobs for a graduate, candidates for a posting."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from service.pagination import DbSession, IdPath
from service.recommendations.schemas import CandidateList, RecommendationList
from service.recommendations.service import RecommendationService

RecommendLimit = Annotated[int, QueryParameter(ge=1, le=100, description="number of results (1–100)")]


class RecommendationController(Controller):
    tags = ["recommendations"]

    @get("/graduates/{graduate_id:int}/recommendations", summary="Jobs recommended to a graduate")
    async def recommend_jobs(
        self, request: Request, db_session: DbSession, graduate_id: IdPath, limit: RecommendLimit = 10
    ) -> RecommendationList:
        """Open postings ranked for the graduate, best first, each with a 0–1 ``score`` and its
        ``reasons`` (matched and missing skills, location, salary fit). Expired, filled or closed
        postings are never included, nor postings the graduate already applied to.
        404 for an unknown graduate."""
        service = RecommendationService(db_session, request.app.state.ranker_cache)
        return await service.for_graduate(graduate_id, limit)

    @get("/postings/{posting_id:int}/candidates", summary="Graduates recommended for a posting")
    async def recommend_candidates(
        self, request: Request, db_session: DbSession, posting_id: IdPath, limit: RecommendLimit = 10
    ) -> CandidateList:
        """Graduates ranked for the posting (those who opted out are left out), best first, with the
        mirrored reasons: which required skills each has and lacks. No names or contact details.
        404 for an unknown posting."""
        service = RecommendationService(db_session, request.app.state.ranker_cache)
        return await service.for_posting(posting_id, limit)
