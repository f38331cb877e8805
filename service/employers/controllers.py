"""HTTP endpoints for employers (``/employers``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter

from service.employers.repository import EmployerFilter
from service.employers.schemas import EmployerCreate, EmployerRead, EmployerUpdate
from service.employers.service import EmployerService, to_read
from service.pagination import DbSession, IdPath, Limit, Offset, Page


class EmployerController(Controller):
    path = "/employers"
    tags = ["employers"]

    @post("/", summary="Create an employer")
    async def create_employer(self, db_session: DbSession, data: JSONBody[EmployerCreate]) -> EmployerRead:
        """Register an employer (用人单位). ``verified`` defaults to false.

        Errors: 400 for a malformed body (field named); 422 for a 统一社会信用代码 (``uscc``) failing
        the GB 32100-2015 check or an unknown ``region_code``; 409 for a ``uscc`` already registered.
        """
        return to_read(await EmployerService(db_session).create(data))

    @get("/{employer_id:int}", summary="Read an employer")
    async def get_employer(self, db_session: DbSession, employer_id: IdPath) -> EmployerRead:
        """One employer; 404 if ``employer_id`` does not exist."""
        return to_read(await EmployerService(db_session).get(employer_id))

    @patch("/{employer_id:int}", summary="Update an employer")
    async def update_employer(
        self, db_session: DbSession, employer_id: IdPath, data: JSONBody[EmployerUpdate]
    ) -> EmployerRead:
        """Change the fields present in the body. 404 for an unknown id; 400/409/422 as for create."""
        return to_read(await EmployerService(db_session).update(employer_id, data))

    @get("/", summary="List employers")
    async def list_employers(
        self,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        q: Annotated[str | None, QueryParameter(max_length=100, description="name contains")] = None,
        region_code: Annotated[
            str | None, QueryParameter(pattern=r"^\d{6}$", description="GB/T 2260; includes sub-regions")
        ] = None,
        industry: Annotated[str | None, QueryParameter(max_length=100, description="exact industry")] = None,
        verified: Annotated[bool | None, QueryParameter()] = None,
    ) -> Page[EmployerRead]:
        """Employers ordered by id, filtered; ``total`` counts all matches."""
        f = EmployerFilter(q=q, region_code=region_code, industry=industry, verified=verified)
        items, total = await EmployerService(db_session).list(f, limit, offset)
        return Page(items=[to_read(e) for e in items], total=total, limit=limit, offset=offset)
