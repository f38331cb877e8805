"""Recommendation endpoints: jobs for a graduate, candidates for a posting.

Authorisation (see :mod:`service.auth.guards`): a graduate's recommendations are read by the
graduate, their school's staff, department admins of the school's region and the admin (404 for
a graduate the caller may not read; employers 403). Candidates for a posting are for the
posting's employer once staff verified it, and the admin (404 for another employer's posting;
other roles, and members of an unverified employer, 403).
Postings of unverified employers are never recommended; graduates who opted out
(``recommendable`` false) never appear among candidates.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from service.accounts.models import Role
from service.auth.guards import (
    can_read_posting,
    current_principal,
    ensure_candidates_allowed,
    ensure_visible,
    require_roles,
)
from service.auth.scoping import exists_where, graduates_clause
from service.graduates.models import Graduate
from service.pagination import DbSession, IdPath
from service.postings.service import PostingService
from service.recommendations.schemas import CandidateList, RecommendationList
from service.recommendations.service import RecommendationService

RecommendLimit = Annotated[int, QueryParameter(ge=1, le=100, description="number of results (1–100)")]


class RecommendationController(Controller):
    tags = ["recommendations"]

    @get(
        "/graduates/{graduate_id:int}/recommendations",
        summary="Jobs recommended to a graduate",
        guards=[require_roles(Role.GRADUATE, Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def recommend_jobs(
        self, request: Request, db_session: DbSession, graduate_id: IdPath, limit: RecommendLimit = 10
    ) -> RecommendationList:
        """Open postings of verified employers ranked for the graduate, best first, each with a 0–1
        ``score`` and its ``reasons`` (matched and missing skills, location, salary fit). Expired,
        filled or closed postings are never included, nor postings the graduate already applied to.
        404 for an unknown graduate or one the caller may not read; 403 for employers."""
        clause = graduates_clause(current_principal(request))
        ensure_visible(await exists_where(db_session, Graduate.id, graduate_id, clause), "graduate", graduate_id)
        service = RecommendationService(db_session, request.app.state.ranker_cache)
        return await service.for_graduate(graduate_id, limit)

    @get(
        "/postings/{posting_id:int}/candidates",
        summary="Graduates recommended for a posting",
        guards=[require_roles(Role.EMPLOYER, Role.ADMIN)],
    )
    async def recommend_candidates(
        self, request: Request, db_session: DbSession, posting_id: IdPath, limit: RecommendLimit = 10
    ) -> CandidateList:
        """Graduates ranked for the posting (those who opted out are left out), best first, with the
        mirrored reasons: which required skills each has and lacks. No names or contact details.
        404 for an unknown posting or another employer's; 403 for roles other than employer and admin,
        and 403 ``your employer is not approved yet…`` while the posting's employer is unverified
        (the admin always sees them)."""
        p = current_principal(request)
        posting = await PostingService(db_session).get(posting_id)
        ensure_visible(can_read_posting(p, posting), "posting", posting_id)
        ensure_candidates_allowed(p, posting)
        service = RecommendationService(db_session, request.app.state.ranker_cache)
        return await service.for_posting(posting_id, limit)
