"""HTTP endpoints for postings (``/postings``).

Authorisation (see :mod:`service.auth.guards`): every route needs a signed-in user. Staff
see every posting; an employer member only its own; a graduate only postings of verified
employers (an unverified employer's posting is a 404 to them, and never in their lists).
Members of the employer and the system admin create and change postings.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody, QueryParameter

from service.accounts.models import Role
from service.auth.guards import (
    can_manage_posting,
    can_read_posting,
    current_principal,
    ensure_allowed,
    ensure_visible,
    require_roles,
    require_signed_in,
)
from service.auth.scoping import postings_clause
from service.inputs import SEARCH_MAX_CHARS, TEXT_BODY_BYTES
from service.pagination import DbSession, IdPath, IdQuery, Limit, Offset, Page
from service.postings.models import PostingStatus
from service.postings.repository import PostingFilter
from service.postings.schemas import PostingCreate, PostingRead, PostingUpdate
from service.postings.service import MAX_MONTHLY_SALARY, PostingService, to_read
from vocab import EmploymentType


class PostingController(Controller):
    path = "/postings"
    tags = ["postings"]

    @post(
        "/",
        summary="Create a posting",
        guards=[require_roles(Role.EMPLOYER, Role.ADMIN)],
        request_max_body_size=TEXT_BODY_BYTES,
    )
    async def create_posting(
        self, request: Request, db_session: DbSession, data: JSONBody[PostingCreate]
    ) -> PostingRead:
        """Create a vacancy or internship: an employer member for its own ``employer_id``, or the admin.

        Errors: 400 for a malformed body (field named), 401 signed out, 403 other roles or another
        employer's ``employer_id``, 422 for an unknown ``employer_id`` or ``region_code``, swapped
        salary bounds, or ``valid_through`` before ``posted_on``.
        """
        ensure_allowed(
            can_manage_posting(current_principal(request), employer_id=data.employer_id),
            f"post for employer {data.employer_id}",
        )
        return to_read(await PostingService(db_session).create(data))

    @get("/{posting_id:int}", summary="Read a posting", guards=[require_signed_in])
    async def get_posting(self, request: Request, db_session: DbSession, posting_id: IdPath) -> PostingRead:
        """One posting; 404 if ``posting_id`` does not exist or the caller may not see it."""
        posting = await PostingService(db_session).get(posting_id)
        ensure_visible(can_read_posting(current_principal(request), posting), "posting", posting_id)
        return to_read(posting)

    @patch(
        "/{posting_id:int}",
        summary="Update a posting",
        guards=[require_roles(Role.EMPLOYER, Role.ADMIN)],
        request_max_body_size=TEXT_BODY_BYTES,
    )
    async def update_posting(
        self, request: Request, db_session: DbSession, posting_id: IdPath, data: JSONBody[PostingUpdate]
    ) -> PostingRead:
        """Change the fields present in the body (set ``status`` to ``filled``/``closed`` to stop
        recommending it): the employer's members and the admin. 404 for an unknown id or another
        employer's posting; 403 for other roles; 400/422 as for create."""
        p = current_principal(request)
        posting = await PostingService(db_session).get(posting_id)
        ensure_visible(can_read_posting(p, posting), "posting", posting_id)
        ensure_allowed(can_manage_posting(p, posting), f"change posting {posting_id}")
        return to_read(await PostingService(db_session).update(posting_id, data))

    @get("/", summary="List postings", guards=[require_signed_in])
    async def list_postings(
        self,
        request: Request,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=SEARCH_MAX_CHARS,
                description="words (separated by spaces), each in the title, the description or the employer's name",
            ),
        ] = None,
        employer_id: IdQuery = None,
        region_code: Annotated[
            str | None, QueryParameter(pattern=r"^\d{6}$", description="GB/T 2260; includes sub-regions")
        ] = None,
        city: Annotated[str | None, QueryParameter(max_length=64)] = None,
        employment_type: Annotated[EmploymentType | None, QueryParameter()] = None,
        internship: Annotated[bool | None, QueryParameter(description="only (or no) internships")] = None,
        status: Annotated[PostingStatus | None, QueryParameter()] = None,
        min_salary: Annotated[
            int | None,
            QueryParameter(ge=0, le=MAX_MONTHLY_SALARY, description="元/月 (0–10,000,000): upper bound reaches this"),
        ] = None,
    ) -> Page[PostingRead]:
        """Postings the caller may see, ordered by id, filtered; ``total`` counts all visible matches."""
        f = PostingFilter(
            q=q,
            employer_id=employer_id,
            region_code=region_code,
            city=city,
            employment_type=employment_type,
            internship=internship,
            status=status,
            min_salary_monthly=min_salary,
        )
        scope = postings_clause(current_principal(request))
        items, total = await PostingService(db_session).list(f, limit, offset, scope)
        return Page(items=[to_read(p) for p in items], total=total, limit=limit, offset=offset)
