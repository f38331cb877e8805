"""HTTP endpoints for postings (``/postings``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter

from matching.vocab import EmploymentType
from service.pagination import DbSession, IdPath, IdQuery, Limit, Offset, Page
from service.postings.models import PostingStatus
from service.postings.repository import PostingFilter
from service.postings.schemas import PostingCreate, PostingRead, PostingUpdate
from service.postings.service import MAX_MONTHLY_SALARY, PostingService, to_read


class PostingController(Controller):
    path = "/postings"
    tags = ["postings"]

    @post("/", summary="Create a posting")
    async def create_posting(self, db_session: DbSession, data: JSONBody[PostingCreate]) -> PostingRead:
        """Create a vacancy or internship.

        Errors: 400 for a malformed body (field named), 422 for an unknown ``employer_id`` or
        ``region_code``, swapped salary bounds, or ``valid_through`` before ``posted_on``.
        """
        return to_read(await PostingService(db_session).create(data))

    @get("/{posting_id:int}", summary="Read a posting")
    async def get_posting(self, db_session: DbSession, posting_id: IdPath) -> PostingRead:
        """One posting; 404 if ``posting_id`` does not exist."""
        return to_read(await PostingService(db_session).get(posting_id))

    @patch("/{posting_id:int}", summary="Update a posting")
    async def update_posting(
        self, db_session: DbSession, posting_id: IdPath, data: JSONBody[PostingUpdate]
    ) -> PostingRead:
        """Change the fields present in the body (set ``status`` to ``filled``/``closed`` to stop
        recommending it). 404 for an unknown id; 400/422 as for create."""
        return to_read(await PostingService(db_session).update(posting_id, data))

    @get("/", summary="List postings")
    async def list_postings(
        self,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        q: Annotated[str | None, QueryParameter(max_length=100, description="title contains")] = None,
        employer_id: IdQuery = None,
        region_code: Annotated[
            str | None, QueryParameter(pattern=r"^\d{6}$", description="GB/T 2260; includes sub-regions")
        ] = None,
        city: Annotated[str | None, QueryParameter(max_length=64)] = None,
        employment_type: Annotated[EmploymentType | None, QueryParameter()] = None,
        internship: Annotated[bool | None, QueryParameter(description="only (or no) internships")] = None,
        status: Annotated[PostingStatus | None, QueryParameter()] = None,
        min_salary: Annotated[int | None, QueryParameter(
            ge=0, le=MAX_MONTHLY_SALARY, description="元/月 (0–10,000,000): upper bound reaches this")] = None,
    ) -> Page[PostingRead]:
        """Postings ordered by id, filtered; ``total`` counts all matches."""
        f = PostingFilter(q=q, employer_id=employer_id, region_code=region_code, city=city,
                          employment_type=employment_type, internship=internship, status=status,
                          min_salary_monthly=min_salary)
        items, total = await PostingService(db_session).list(f, limit, offset)
        return Page(items=[to_read(p) for p in items], total=total, limit=limit, offset=offset)
