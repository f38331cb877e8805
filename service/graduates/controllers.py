"""HTTP endpoints for graduates and other job seekers (``/graduates``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter

from service.graduates.models import SeekerKind
from service.graduates.repository import GraduateFilter
from service.graduates.schemas import GraduateCreate, GraduateRead, GraduateUpdate
from service.graduates.service import GraduateService, to_read
from service.pagination import DbSession, IdPath, IdQuery, Limit, Offset, Page


class GraduateController(Controller):
    path = "/graduates"
    tags = ["graduates"]

    @post("/", summary="Create a graduate profile")
    async def create_graduate(self, db_session: DbSession, data: JSONBody[GraduateCreate]) -> GraduateRead:
        """Create a job seeker with nested certificates, awards and experiences, all or nothing.

        ``id_number`` (身份证号) is checked (GB 11643-1999) and stored, and only ever returned as
        ``id_number_masked``; an unknown ``gender`` is taken from it. ``min_salary_monthly`` is 元/月.

        Errors: 400 for a malformed body (field named); 422 for a bad 身份证号, a ``gender``
        contradicting it, an unknown ``school_id``/``major_code``/``region_code`` or inconsistent
        nested dates; 409 for a ``student_number`` already used at the school, or an ``id_number``
        another graduate holds (full-width digits count as the same number; the number is not echoed).
        """
        return to_read(await GraduateService(db_session).create(data))

    @get("/{graduate_id:int}", summary="Read a graduate profile")
    async def get_graduate(self, db_session: DbSession, graduate_id: IdPath) -> GraduateRead:
        """One profile with nested lists; 404 if ``graduate_id`` does not exist."""
        return to_read(await GraduateService(db_session).get(graduate_id))

    @patch("/{graduate_id:int}", summary="Update a graduate profile")
    async def update_graduate(
        self, db_session: DbSession, graduate_id: IdPath, data: JSONBody[GraduateUpdate]
    ) -> GraduateRead:
        """Change the fields present; a nested list present replaces the stored list.
        404 for an unknown id; 400/409/422 as for create."""
        return to_read(await GraduateService(db_session).update(graduate_id, data))

    @get("/", summary="List graduate profiles")
    async def list_graduates(
        self,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        q: Annotated[str | None, QueryParameter(max_length=100, description="name contains")] = None,
        school_id: IdQuery = None,
        major_code: Annotated[str | None, QueryParameter(pattern=r"^\d{6}$", description="专业代码")] = None,
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届 (graduation year)")] = None,
        region_code: Annotated[
            str | None, QueryParameter(pattern=r"^\d{6}$", description="GB/T 2260; includes sub-regions")
        ] = None,
        kind: Annotated[SeekerKind | None, QueryParameter()] = None,
    ) -> Page[GraduateRead]:
        """Profiles ordered by id, filtered; ``total`` counts all matches."""
        f = GraduateFilter(q=q, school_id=school_id, major_code=major_code, cohort=cohort,
                           region_code=region_code, kind=kind)
        items, total = await GraduateService(db_session).list(f, limit, offset)
        return Page(items=[to_read(g) for g in items], total=total, limit=limit, offset=offset)
